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

/// A new password: long enough to resist guessing, short enough for argon2 to be cheap.
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let count = input.chars().count();
        if count < 10 {
            return Err("密码至少 10 位");
        }
        if count > 128 {
            return Err("密码不能超过 128 位");
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
    fn passwords_need_ten_characters() {
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse("长一点的中文密码也可以用").is_ok());
    }
}
