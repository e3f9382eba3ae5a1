//! What a message says before any model looks at it: normalised text (full-width letters and
//! digits folded, traditional characters simplified, fillers dropped), its tracking code, and the
//! slots a reply can use (codes, problem codes, regions, categories, opinion types, dates).

use std::sync::LazyLock;

use chrono::{Datelike, Duration, NaiveDate};
use entity::vocab::OpinionKind;
use regex::Regex;

use crate::domain::tracking_code::TrackingCode;

/// Full-width letters, digits and the marks codes and addresses use, as ASCII; Chinese
/// punctuation stays.
fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '－' | '＠' | '．' | '＿' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Full-width letters and digits folded, traditional characters simplified, fillers and spaces trimmed.
pub fn normalise(text: &str) -> String {
    let mut simplified = simplet2s::convert(&fold(text));
    for (typo, meant) in TYPOS {
        simplified = simplified.replace(typo, meant);
    }
    let mut out = simplified.split_whitespace().collect::<Vec<_>>().join(" ");
    // Openers that carry nothing ("嗯，那个，就是…") would only blur the words that follow.
    loop {
        let trimmed =
            FILLERS.iter().find_map(|f| out.strip_prefix(f)).map(|rest| rest.trim_start_matches([' ', ',', '，', '、', '.', '。']));
        match trimmed {
            Some(rest) if rest.len() < out.len() => out = rest.to_string(),
            _ => break,
        }
    }
    out.chars().take(500).collect()
}

/// Slips citizens often make, as pinyin input makes them.
const TYPOS: [(&str, &str); 7] = [
    ("整该", "整改"),
    ("投述", "投诉"),
    ("举抱", "举报"),
    ("反应问题", "反映问题"),
    ("反应个", "反映个"),
    ("反应的", "反映的"),
    ("反应一下", "反映一下"),
];

const FILLERS: &[&str] = &["嗯嗯", "嗯", "呃", "额", "那个", "就是说", "就是", "然后", "请问一下", "麻烦问一下", "问一下"];

/// A tracking code anywhere in the text, even glued to Chinese (`查询码7KQMX3RT9WHP进度`), with
/// dashes or spaces between its groups.
pub fn tracking_code(text: &str) -> Option<TrackingCode> {
    code_at(text).map(|(_, code)| code)
}

/// Where the first tracking code in the text is, and the code.
fn code_at(text: &str) -> Option<(std::ops::Range<usize>, TrackingCode)> {
    static CODE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)[2-9a-hj-np-z]{4}[\s\-]?[2-9a-hj-np-z]{4}[\s\-]?[2-9a-hj-np-z]{4}").expect("a valid pattern"));
    // `\b` sees no boundary between Chinese and ASCII, so the neighbours are checked by hand: a
    // code is not part of a longer run of letters and digits.
    let ascii_word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    CODE.find_iter(text).find_map(|m| {
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        if ascii_word(before) || ascii_word(after) {
            return None;
        }
        // Twelve letters of an English sentence are not a code: a code mixes in digits.
        if !m.as_str().chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        TrackingCode::parse(m.as_str()).map(|code| (m.range(), code))
    })
}

/// The text with every tracking code in it masked, as transcripts keep it: a code opens a case.
pub fn without_codes(text: &str) -> String {
    let mut out = fold(text);
    while let Some((range, _)) = code_at(&out) {
        out.replace_range(range, "[查询码已隐藏]");
    }
    out
}

/// A problem's code as the lists show it: `WT-2026-0010`.
pub fn problem_code(text: &str) -> Option<String> {
    // ASCII digits only (`\d` is any script's digits), and not the start of a longer number.
    static CODE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)WT-?([0-9]{4})-?([0-9]{4})").expect("a valid pattern"));
    CODE.captures_iter(text)
        .find(|c| !text[c.get(0).map_or(0, |m| m.end())..].starts_with(|ch: char| ch.is_ascii_digit()))
        .map(|c| format!("WT-{}-{}", &c[1], &c[2]))
}

/// An opinion type named in the text (投诉, 建议, …), allowing the usual misspellings.
pub fn opinion_kind(text: &str) -> Option<OpinionKind> {
    const WORDS: &[(&str, OpinionKind)] = &[
        ("投诉", OpinionKind::Complaint),
        ("投述", OpinionKind::Complaint),
        ("举报", OpinionKind::Report),
        ("举抱", OpinionKind::Report),
        ("建议", OpinionKind::Suggestion),
        ("咨询", OpinionKind::Consult),
        ("求助", OpinionKind::Help),
        ("表扬", OpinionKind::Praise),
        ("感谢信", OpinionKind::Praise),
    ];
    WORDS.iter().find(|(w, _)| text.contains(w)).map(|(_, k)| *k)
}

/// A period named in the text, as dates (from, to) in Beijing.
pub fn period(text: &str, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let month_start = |d: NaiveDate| d.with_day(1).expect("day 1 exists");
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    Some(if text.contains("上个月") || text.contains("上月") {
        let this = month_start(today);
        (month_start(this - Duration::days(1)), this - Duration::days(1))
    } else if text.contains("这个月") || text.contains("本月") {
        (month_start(today), today)
    } else if text.contains("上周") || text.contains("上个星期") || text.contains("上礼拜") {
        (monday - Duration::days(7), monday - Duration::days(1))
    } else if text.contains("这周") || text.contains("本周") {
        (monday, today)
    } else if text.contains("昨天") {
        (today - Duration::days(1), today - Duration::days(1))
    } else if text.contains("今天") {
        (today, today)
    } else if text.contains("去年") {
        let year = today.year() - 1;
        (NaiveDate::from_ymd_opt(year, 1, 1)?, NaiveDate::from_ymd_opt(year, 12, 31)?)
    } else if text.contains("今年") {
        (NaiveDate::from_ymd_opt(today.year(), 1, 1)?, today)
    } else {
        return None;
    })
}

/// The first of `names` the text mentions (regions, unit names, categories).
pub fn mentioned<'a>(text: &str, names: &'a [String]) -> Option<&'a String> {
    names.iter().filter(|n| !n.is_empty() && text.contains(n.as_str())).max_by_key(|n| n.chars().count())
}

/// The matter itself, with the words that only say what is asked stripped: "XX路什么时候修好"
/// → "XX路修好". What is left is searched for.
pub fn topic(text: &str) -> String {
    const ASKING: &[&str] = &[
        "什么时候",
        "啥时候",
        "几时",
        "多久",
        "何时",
        "能不能",
        "有没有",
        "是不是",
        "怎么样了",
        "怎么样",
        "咋样了",
        "咋样",
        "如何",
        "进展",
        "进度",
        "情况",
        "整改了吗",
        "整改了没",
        "解决了吗",
        "解决了没",
        "修好了吗",
        "弄好了没",
        "归哪个部门管",
        "归谁管",
        "哪个部门",
        "哪个单位",
        "谁负责",
        "谁管",
        "找谁",
        "负责",
        "请问",
        "你好",
        "您好",
        "一下",
        "了吗",
        "了没",
        "了没有",
        "吗",
        "呢",
        "啊",
        "呀",
        "吧",
        "嘛",
        "？",
        "?",
        "。",
        "，",
        ",",
        "！",
        "!",
    ];
    // A phone number or an ID is never part of what a question is about, nor said back.
    let mut out = crate::privacy::strip(text);
    for w in ASKING {
        out = out.replace(w, " ");
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_found_glued_to_chinese_spaced_or_lowercase() {
        for text in ["查询码7KQMX3RT9WHP进度", "帮我查 7kqm-x3rt-9whp", "7KQM X3RT 9WHP 办得怎么样", "我的码是７ＫＱＭ－Ｘ３ＲＴ－９ＷＨＰ"]
        {
            let found = tracking_code(&normalise(text)).map(|c| c.to_string());
            assert_eq!(found.as_deref(), Some("7KQM-X3RT-9WHP"), "{text}");
        }
        assert_eq!(tracking_code("ABCDEFGHJKMNP12"), None, "part of a longer run");
        assert_eq!(tracking_code("pleasehelpme"), None, "an English word is no code");
        assert_eq!(without_codes("码是７ＫＱＭ　Ｘ３ＲＴ　９ＷＨＰ，还有7kqmx3rt9whp"), "码是[查询码已隐藏]，还有[查询码已隐藏]");
    }

    #[test]
    fn traditional_full_width_and_fillers_are_normalised() {
        assert_eq!(normalise("嗯，那个，我的意見辦理進度"), "我的意见办理进度");
        assert_eq!(normalise("ＷＴ－２０２６－００１０"), "WT-2026-0010");
    }

    #[test]
    fn problem_codes_are_ascii_and_whole() {
        assert_eq!(problem_code("wt20260010整改了吗").as_deref(), Some("WT-2026-0010"));
        assert_eq!(problem_code("WT-٢٠٢٦-٠٠١٠"), None, "other scripts' digits are no code");
        assert_eq!(problem_code("WT-2026-00123"), None, "nor a longer number");
    }

    #[test]
    fn the_topic_is_what_remains_of_the_question() {
        assert_eq!(topic("幸福路什么时候修好？"), "幸福路 修好");
        assert_eq!(topic("小区噪音归谁管"), "小区噪音");
    }
}
