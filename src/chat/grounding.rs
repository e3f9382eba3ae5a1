//! The deterministic check a phrased answer must pass before a citizen reads it: every date,
//! number, status, unit and link in it is one the records say, and it cites them. A reply that
//! fails is dropped for the template answer. Facts count only from the records' fields and the
//! template, not from their free text: an instruction hidden in a description cannot bring a
//! phone number or a date in with it.

use std::sync::LazyLock;

use regex::Regex;

/// What a phrased answer may state: the template's text and the records' fields.
pub struct Facts {
    text: String,
    numbers: Vec<u64>,
    dates: Vec<(u32, u32)>,
    sources: usize,
    urls: Vec<String>,
}

/// Why a phrased answer was not used.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    #[error("empty or too long")]
    Size,
    #[error("cites no record, or one that was not given")]
    Citation,
    #[error("a date not in the records: {0}")]
    Date(String),
    #[error("a number not in the records: {0}")]
    Number(String),
    #[error("a status the records do not say: {0}")]
    Status(String),
    #[error("a unit the records do not name: {0}")]
    Unit(String),
    #[error("a link not in the records: {0}")]
    Link(String),
}

/// Words that claim where a matter stands; one may appear only if the records say it.
const STATUS_WORDS: &[&str] = &[
    "未启动",
    "整改中",
    "长期推进",
    "单位报结",
    "已整改",
    "逾期",
    "超期",
    "待核验",
    "核验通过",
    "核验不通过",
    "已完成",
    "完成整改",
    "整改完成",
    "整改到位",
    "已解决",
    "解决了",
    "已办结",
    "办结",
    "已修好",
    "已修复",
    "已处理",
    "处理完毕",
    "已受理",
    "已答复",
];

/// Numbers anyone may be told: the hotlines.
const HOTLINES: [u64; 4] = [12345, 110, 119, 120];
const MAX_CHARS: usize = 400;

static CITATION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\[(\d{1,2})\]").expect("citation pattern"));
static DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?").expect("date pattern"));
static NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d+(?:\.\d+)?").expect("number pattern"));
/// A number written in Chinese with what it counts: 三月、十五日、两周、百分之八十.
static CHINESE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:百分之[零一二三四五六七八九十百]+|[〇零一二两三四五六七八九十百千]+[年月日号天周个%])").expect("Chinese number pattern")
});
static UNIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\p{Han}{1,10}?(?:局|委员会|委|办公室|中心|公司|街道办事处|街道|管委会|政府)").expect("unit pattern"));
static LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:https?://|www\.)[^\s\u3000-\u303f\uff00-\uffef]+|(?:/[a-z][a-z0-9_-]*)+(?:/[A-Za-z0-9_-]+)*|[a-z0-9-]+\.(?:com|cn|net|org|gov)\b")
        .expect("link pattern")
});

fn numbers_in(text: &str) -> Vec<u64> {
    NUMBER.find_iter(text).filter_map(|m| m.as_str().split('.').next()?.parse().ok()).collect()
}

fn dates_in(text: &str) -> Vec<(u32, u32)> {
    DATE.captures_iter(text)
        .filter_map(|c| {
            let month: u32 = c.get(2)?.as_str().parse().ok()?;
            let day: u32 = c.get(3)?.as_str().parse().ok()?;
            ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some((month, day))
        })
        .collect()
}

impl Facts {
    /// `fields` are the records' fields (status, units, dates, progress), one string per
    /// record in the order they are cited; `urls` their links.
    pub fn new(template: &str, fields: &[String], urls: &[String]) -> Self {
        let text = format!("{template}\n{}", fields.join("\n"));
        Self { numbers: numbers_in(&text), dates: dates_in(&text), text, sources: fields.len(), urls: urls.to_vec() }
    }

    /// Passes `reply` (trimmed) or says what in it the records do not support.
    pub fn check(&self, reply: &str) -> Result<(), Rejected> {
        let chars = reply.chars().count();
        if chars == 0 || chars > MAX_CHARS {
            return Err(Rejected::Size);
        }
        let cited: Vec<usize> = CITATION.captures_iter(reply).filter_map(|c| c[1].parse().ok()).collect();
        if cited.is_empty() || cited.iter().any(|n| *n == 0 || *n > self.sources) {
            return Err(Rejected::Citation);
        }
        let bare = CITATION.replace_all(reply, " ");
        for link in LINK.find_iter(&bare) {
            if !self.urls.iter().any(|u| u == link.as_str()) {
                return Err(Rejected::Link(link.as_str().into()));
            }
        }
        let bare = LINK.replace_all(&bare, " ");
        for date in DATE.find_iter(&bare) {
            if dates_in(date.as_str()).iter().any(|d| !self.dates.contains(d)) {
                return Err(Rejected::Date(date.as_str().into()));
            }
        }
        for number in NUMBER.find_iter(&bare) {
            let value: Option<u64> = number.as_str().split('.').next().and_then(|n| n.parse().ok());
            if value.is_none_or(|v| !self.numbers.contains(&v) && !HOTLINES.contains(&v)) {
                return Err(Rejected::Number(number.as_str().into()));
            }
        }
        for number in CHINESE_NUMBER.find_iter(&bare) {
            if !self.text.contains(number.as_str()) {
                return Err(Rejected::Number(number.as_str().into()));
            }
        }
        for word in STATUS_WORDS {
            if bare.contains(word) && !self.text.contains(word) {
                return Err(Rejected::Status((*word).into()));
            }
        }
        for unit in UNIT.find_iter(&bare) {
            // An ending of three characters or more the records name ("由市住建局" names 市住建局).
            let chars: Vec<char> = unit.as_str().chars().collect();
            let named = (0..chars.len().saturating_sub(2)).any(|i| self.text.contains(&chars[i..].iter().collect::<String>()));
            if !named {
                return Err(Rejected::Unit(unit.as_str().into()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        let template = "“滨江路路灯不亮”（WT-2026-0003）的整改期限是 2026-03-31，目前整改中，进度 40%。";
        let fields = vec!["编号：WT-2026-0003；状态：整改中；进度：40%；牵头单位：市住建局；整改期限：2026-03-31".to_string()];
        Facts::new(template, &fields, &["/problems/WT-2026-0003".into()])
    }

    #[test]
    fn a_faithful_rephrasing_passes() {
        let ok = "滨江路路灯不亮的问题由市住建局负责，计划在2026年3月31日前完成，现在整改中，进度40% [1]。详见 /problems/WT-2026-0003";
        assert_eq!(facts().check(ok), Ok(()));
    }

    #[test]
    fn what_the_records_do_not_say_is_rejected() {
        let f = facts();
        assert!(matches!(f.check("预计2026年6月30日完成 [1]"), Err(Rejected::Date(_))));
        assert!(matches!(f.check("预计三月底完成 [1]"), Err(Rejected::Number(_))));
        assert!(matches!(f.check("进度已经 80% [1]"), Err(Rejected::Number(_))));
        assert!(matches!(f.check("该问题已完成整改 [1]"), Err(Rejected::Status(_))));
        assert!(matches!(f.check("由市城管局负责 [1]"), Err(Rejected::Unit(_))));
        assert!(matches!(f.check("详询 400-800-1234 [1]"), Err(Rejected::Number(_))));
        assert!(matches!(f.check("见 http://evil.example.com/x [1]"), Err(Rejected::Link(_))));
        assert!(matches!(f.check("见 /admin/users [1]"), Err(Rejected::Link(_))));
        assert_eq!(f.check("正在整改中。"), Err(Rejected::Citation), "uncited");
        assert_eq!(f.check("正在整改中 [2]"), Err(Rejected::Citation), "a record not given");
        assert_eq!(f.check(""), Err(Rejected::Size));
        assert_eq!(f.check("可以拨打 12345 [1]"), Ok(()), "the hotline is anyone's");
    }
}
