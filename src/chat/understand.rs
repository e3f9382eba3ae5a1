//! What a message says before any model looks at it: normalised text (full-width letters and
//! digits folded, traditional characters simplified, fillers dropped), the rules that must never
//! be left to a classifier (an emergency, a tracking code, a request for a person), and the
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

/// Asks to file, naming the kind first: "投诉 楼下KTV吵到凌晨", "提建议", "求助 楼道灯坏了";
/// not a question about filing ("投诉会公开吗") nor a case already filed ("投诉了三次").
pub fn files(text: &str) -> bool {
    static FILES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:我要|我想|想|要)?(?:提个?|反映个?|来)?(?:投诉|举报|建议|求助|咨询|表扬|反映问题|反映一下)(?:[^了的过]|$)")
            .expect("a valid pattern")
    });
    const ASKING: &[&str] =
        &["吗", "么", "？", "?", "会不会", "能不能", "可不可以", "可以", "怎么", "如何", "多久", "公开", "匿名", "哪里", "在哪", "进度"];
    FILES.is_match(text) && !ASKING.iter().any(|w| text.contains(w))
}

/// Looks like a tracking code but is not one: a letter or digit too many or too few, or one a
/// code never has (0, 1, I, O). Not a problem code.
pub fn code_like(text: &str) -> bool {
    static LIKE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[0-9A-Za-z][0-9A-Za-z\- ]{8,16}[0-9A-Za-z]").expect("a valid pattern"));
    LIKE.find_iter(text).any(|m| {
        let bare: String = m.as_str().chars().filter(char::is_ascii_alphanumeric).collect();
        (10..=14).contains(&bare.len())
            && bare.chars().any(|c| c.is_ascii_alphabetic())
            && bare.chars().any(|c| c.is_ascii_digit())
            && !bare.to_ascii_uppercase().starts_with("WT")
    })
}

/// The 好差评 level a message gives: the five labels, or a score ("打五分", "3星").
pub fn rating_level(text: &str) -> Option<entity::vocab::RatingLevel> {
    use entity::vocab::RatingLevel;
    const WORDS: [(&str, RatingLevel); 9] = [
        ("非常不满意", RatingLevel::VeryDissatisfied),
        ("很不满意", RatingLevel::VeryDissatisfied),
        ("不太满意", RatingLevel::Dissatisfied),
        ("不满意", RatingLevel::Dissatisfied),
        ("基本满意", RatingLevel::Basic),
        ("比较满意", RatingLevel::Satisfied),
        ("非常满意", RatingLevel::VerySatisfied),
        ("很满意", RatingLevel::VerySatisfied),
        ("满意", RatingLevel::Satisfied),
    ];
    static SCORE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"([1-5一二三四五])\s*(分|星|颗星)").expect("a valid pattern"));
    if let Some(found) = WORDS.iter().find(|(w, _)| text.contains(w)) {
        return Some(found.1);
    }
    let digit = SCORE.captures(text)?.get(1)?.as_str();
    let score = "一二三四五".chars().position(|c| digit.starts_with(c)).map_or_else(|| digit.parse().ok(), |i| Some(i as i64 + 1))?;
    RatingLevel::from_score(score)
}

/// Said while the bot waits for a code: still looking for it.
pub fn looking_for_code(text: &str) -> bool {
    ["我找找", "找一下", "找找", "稍等", "等一下", "等等", "手机上", "等会", "马上"].iter().any(|w| text.contains(w))
}

/// Said while the bot waits for a code: the code given was not found and the citizen doubts it.
pub fn doubts_code(text: &str) -> bool {
    ["不对", "没错", "抄的", "照着", "就是这个", "查不到", "找不到", "怎么会", "咋办", "怎么办"].iter().any(|w| text.contains(w))
}

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

/// Something is happening now that needs 110, 119 or 120, not a portal.
pub fn emergency(text: &str) -> Option<&'static str> {
    const FIRE: &[&str] = &[
        "着火",
        "起火",
        "失火",
        "火灾",
        "烧起来",
        "冒烟了",
        "煤气泄漏",
        "燃气泄漏",
        "闻到煤气",
        "天然气泄漏",
        "爆炸",
        "煤气味",
        "燃气味",
        "天然气味",
        "液化气味",
    ];
    const MEDICAL: &[&str] = &[
        "晕倒",
        "昏倒",
        "昏迷",
        "不省人事",
        "心脏病",
        "没有呼吸",
        "没呼吸",
        "喘不上气",
        "喘不过气",
        "呼吸困难",
        "胸口疼",
        "心口疼",
        "抽搐",
        "大出血",
        "流了很多血",
        "血流不止",
        "头破了",
        "中毒",
        "触电",
        "溺水",
        "落水",
        "掉水里",
        "掉河里",
        "掉进",
        "淹进",
        "被困",
        "困人",
        "困在",
        "出不来",
        "起不来",
        "快不行了",
        "受重伤",
        "撞伤了",
        "摔伤",
        "骨折",
        "要生了",
        "掉下去了",
        "摔下去",
        "掉进去",
        "掉到井里",
        "掉井里",
    ];
    const POLICE: &[&str] = &[
        "持刀",
        "砍人",
        "打人了",
        "有人打架",
        "正在打",
        "还在打",
        "打老婆",
        "打孩子",
        "抢劫",
        "抢东西",
        "绑架",
        "跳楼",
        "要跳",
        "有人闯进",
        "撬门",
        "被打了",
        "家暴",
        "拐卖",
        "拿刀",
        "杀人",
        "救命",
    ];
    // A person in danger from themselves comes first, and gets a person, not a form.
    const CRISIS: &[&str] =
        &["不想活", "活着没意思", "活着没有意思", "自杀", "轻生", "不活了", "寻死", "割腕", "了结自己", "结束自己的生命", "我想死"];
    const TRAPPED: &[&str] = &["关在电梯", "困在电梯", "卡在电梯", "电梯里出不来", "关在里面"];
    if CRISIS.iter().any(|w| text.contains(w)) {
        Some("crisis")
    } else if TRAPPED.iter().any(|w| text.contains(w)) {
        Some("trapped")
    } else if FIRE.iter().any(|w| text.contains(w)) {
        Some("fire")
    } else if MEDICAL.iter().any(|w| text.contains(w)) {
        Some("medical")
    } else if POLICE.iter().any(|w| text.contains(w)) {
        Some("police")
    } else if text.contains("车祸") && ["受伤", "流血", "人被撞", "伤者", "撞人"].iter().any(|w| text.contains(w)) {
        Some("medical")
    } else {
        None
    }
}

/// The citizen asks for a person.
pub fn wants_person(text: &str) -> bool {
    const WORDS: &[&str] = &[
        "转人工",
        "人工客服",
        "人工服务",
        "找人工",
        "要人工",
        "接人工",
        "真人客服",
        "找真人",
        "工作人员对话",
        "跟工作人员说",
        "和工作人员说",
        "人工",
        "找你们领导",
        "叫你们领导",
        "叫领导",
        "找领导",
        "跟人说话",
        "和人说话",
    ];
    // 人工智能 is a question about the bot, not a request for a person.
    let text = text.replace("人工智能", "");
    WORDS.iter().any(|w| text.contains(w))
}

pub fn cancels(text: &str) -> bool {
    const WORDS: &[&str] = &[
        "取消",
        "不提交了",
        "不想提交",
        "算了",
        "不用了",
        "不要了",
        "退出",
        "不填了",
        "重新开始",
        "不弄了",
        "不办了",
        "不提了",
        "不交了",
        "不报了",
    ];
    text.chars().count() <= 12 && WORDS.iter().any(|w| text.contains(w))
}

pub fn agrees(text: &str) -> bool {
    const WORDS: &[&str] = &["确认", "提交", "是的", "对", "好的", "好", "可以", "没问题", "行", "嗯", "ok", "OK", "确定", "是"];
    text.chars().count() <= 8 && WORDS.iter().any(|w| text.contains(w)) && !text.contains('不')
}

pub fn declines(text: &str) -> bool {
    const WORDS: &[&str] = &["不用", "不要", "不留", "不需要", "跳过", "没有", "不", "否", "匿名"];
    // Said outright, it declines in a longer message too: "不留了 你们直接网上回复就行".
    const OUTRIGHT: &[&str] = &["不留", "不用留", "不需要留", "不想留", "匿名"];
    (text.chars().count() <= 10 && WORDS.iter().any(|w| text.contains(w))) || OUTRIGHT.iter().any(|w| text.contains(w))
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
    fn emergencies_and_people_are_recognised_by_rule() {
        assert_eq!(emergency("楼下着火了快来人"), Some("fire"));
        assert_eq!(emergency("有人晕倒了"), Some("medical"));
        assert_eq!(emergency("路灯坏了"), None);
        assert!(wants_person("我要转人工"));
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
