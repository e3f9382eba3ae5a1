//! Staff account input.

use super::text::{self, TextError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    /// 3–32 of `a-z 0-9 _ . -`, lowercased; what people type at a login box.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let name = input.trim().to_ascii_lowercase();
        let ok_chars = name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c));
        if !(3..=32).contains(&name.len()) || !ok_chars {
            return Err("用户名须为 3–32 位小写字母、数字或 _ . -");
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: at least 12 characters, not one people choose first (a shipped list of
/// common and breached passwords and the words they are built from), not the username, not one
/// character repeated; at most 128 so argon2 stays cheap.
pub struct NewPassword(String);

static WEAK: std::sync::LazyLock<(std::collections::HashSet<&'static str>, Vec<&'static str>)> = std::sync::LazyLock::new(|| {
    let (mut passwords, mut words, mut in_words) = (std::collections::HashSet::new(), Vec::new(), false);
    for line in include_str!("weak_passwords.txt").lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        match line {
            "[passwords]" => in_words = false,
            "[words]" => in_words = true,
            word if in_words => words.push(word),
            password => {
                passwords.insert(password);
            }
        }
    }
    (passwords, words)
});

impl NewPassword {
    pub fn parse(input: &str, username: Option<&str>) -> Result<Self, &'static str> {
        let count = input.chars().count();
        if count < 12 {
            return Err("密码至少 12 位");
        }
        if count > 128 {
            return Err("密码不能超过 128 位");
        }
        let lower = input.to_lowercase();
        let (passwords, words) = &*WEAK;
        // A common stem with only digits and symbols around it: Password2026!, woaini1314520.
        let core: String = lower.trim_matches(|c: char| !c.is_alphabetic()).chars().filter(|c| !c.is_whitespace()).collect();
        let core_is_common = !core.is_empty() && core.chars().count() + 8 >= count && words.contains(&core.as_str());
        if passwords.contains(lower.as_str()) || core_is_common {
            return Err("这个密码太常见，容易被猜中，请换一个");
        }
        let first = lower.chars().next();
        if lower.chars().all(|c| Some(c) == first) {
            return Err("密码不能是同一个字符重复");
        }
        if username.is_some_and(|u| u.len() >= 3 && lower.contains(&u.to_lowercase())) {
            return Err("密码不能包含用户名");
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A unit's code (`ZJJ`, `GXQ-1`): 2–32 of `A-Z 0-9 _ -`, uppercased.
pub fn unit_code(input: &str) -> Result<String, &'static str> {
    let code = input.trim().to_ascii_uppercase();
    if (2..=32).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        Ok(code)
    } else {
        Err("单位代码须为 2–32 位字母、数字、_ 或 -")
    }
}

pub fn display_name(input: &str) -> Result<String, TextError> {
    text::line(input, 64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lowercased_and_restricted() {
        assert_eq!(Username::parse(" Admin ").unwrap().as_str(), "admin");
        for bad in ["ab", "has space", "名字", "a'; DROP TABLE users;--", &"x".repeat(33)] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_need_twelve_characters_and_must_not_be_common() {
        for weak in [
            "short",
            "elevenchars",
            "password2026!",
            "Password1234",
            "1qaz2wsx3edc",
            "woaini1314520",
            "aaaaaaaaaaaaaa",
            "Lianxin@2026",
            "qwertyuiop12",
            "123456789012",
        ] {
            assert!(NewPassword::parse(weak, None).is_err(), "{weak}");
        }
        assert!(NewPassword::parse("office1-strong-pass", Some("office1")).is_err(), "contains the username");
        assert!(NewPassword::parse("长一点的中文密码也可以用", None).is_ok());
        assert!(NewPassword::parse("correct-horse-battery", Some("admin1")).is_ok());
    }
}
