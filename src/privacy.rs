//! The one scrubber for public text: mobile and landline numbers, 18-digit ID numbers, email
//! addresses and licence plates are replaced before anything derived from citizens' words is shown.
//! `regex`'s `\b` sees no boundary between Chinese and ASCII, so boundaries are checked by hand.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

struct Rule {
    pattern: Regex,
    replacement: &'static str,
    /// Whether the characters around a match must not be ASCII letters or digits.
    bounded: bool,
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    let rule = |pattern: &str, replacement, bounded| Rule { pattern: Regex::new(pattern).expect("valid pattern"), replacement, bounded };
    vec![
        rule(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}", "[邮箱已隐藏]", false),
        rule(r"[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx]", "[身份证号已隐藏]", true),
        rule(r"(?:\+?86[\- ]?)?1[3-9]\d[\- ]?\d{4}[\- ]?\d{4}", "[电话已隐藏]", true),
        rule(r"(?:\(0\d{2,3}\)|0\d{2,3})[\- ]?\d{7,8}", "[电话已隐藏]", true),
        rule(r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][·• ]?[A-HJ-NP-Z0-9]{5,6}", "[车牌已隐藏]", true),
    ]
});

fn ascii_word(ch: Option<char>) -> bool {
    ch.is_some_and(|c| c.is_ascii_alphanumeric())
}

/// Replaces private numbers and addresses in text meant for the public.
pub fn scrub(text: &str) -> Cow<'_, str> {
    let mut current: Cow<'_, str> = Cow::Borrowed(text);
    for rule in RULES.iter() {
        let source = current.as_ref();
        let mut out = String::new();
        let mut last = 0;
        for m in rule.pattern.find_iter(source) {
            if rule.bounded && (ascii_word(source[..m.start()].chars().next_back()) || ascii_word(source[m.end()..].chars().next())) {
                continue;
            }
            out.push_str(&source[last..m.start()]);
            out.push_str(rule.replacement);
            last = m.end();
        }
        if last > 0 {
            out.push_str(&source[last..]);
            current = Cow::Owned(out);
        }
    }
    current
}

/// How staff outside the handling unit see a phone number: `138****5678`.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().filter(|c| !c.is_whitespace()).collect();
    if chars.len() <= 4 {
        return "*".repeat(chars.len());
    }
    let keep_head = if chars.len() >= 11 { 3 } else { 1 };
    let head: String = chars[..keep_head].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_numbers_are_hidden_even_against_chinese_text() {
        assert_eq!(scrub("电话13812345678请回电"), "电话[电话已隐藏]请回电");
        assert_eq!(scrub("联系138-1234-5678或+86 139 1234 5678"), "联系[电话已隐藏]或[电话已隐藏]");
    }

    #[test]
    fn landlines_are_hidden() {
        assert_eq!(scrub("座机0731-88888888，(010)12345678"), "座机[电话已隐藏]，[电话已隐藏]");
    }

    #[test]
    fn id_numbers_are_hidden_but_longer_numbers_are_not() {
        assert_eq!(scrub("身份证430102199001011234X号"), "身份证430102199001011234X号", "19 characters is not an ID");
        assert_eq!(scrub("身份证43010219900101123X。"), "身份证[身份证号已隐藏]。");
        assert_eq!(scrub("订单2023123456789012345"), "订单2023123456789012345");
    }

    #[test]
    fn emails_and_plates_are_hidden() {
        assert_eq!(scrub("邮箱zhang.san@example.com.cn谢谢"), "邮箱[邮箱已隐藏]谢谢");
        assert_eq!(scrub("车牌湘A12345停在门口，湘A·D1234也在"), "车牌[车牌已隐藏]停在门口，[车牌已隐藏]也在");
    }

    #[test]
    fn ordinary_text_and_codes_are_untouched() {
        for text in ["WT-2026-0001", "码AB12CD", "12路公交", "2026年11月28日", "科技大道与创新路口", "邮编410000"] {
            assert_eq!(scrub(text), text);
        }
        assert!(matches!(scrub("没有号码"), Cow::Borrowed(_)));
    }

    #[test]
    fn phones_are_masked_for_staff() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("0731-8888888"), "073****8888");
        assert_eq!(mask_phone("123"), "***");
    }
}
