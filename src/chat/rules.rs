//! What a message asks the bot to do, decided by rule and never left to a classifier: an
//! emergency, a person, filing, a code that is wrong, a rating level, and the yes, no and cancel
//! of a dialogue.

use std::sync::LazyLock;

use regex::Regex;

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
            // Letters alone too when grouped as codes are: ABCD-EFGH-JKMN.
            && (bare.chars().any(|c| c.is_ascii_digit()) || m.as_str().matches('-').count() == 2)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emergencies_and_people_are_recognised_by_rule() {
        assert_eq!(emergency("楼下着火了快来人"), Some("fire"));
        assert_eq!(emergency("有人晕倒了"), Some("medical"));
        assert_eq!(emergency("我不想活了"), Some("crisis"));
        assert_eq!(emergency("路灯坏了"), None);
        assert!(wants_person("我要转人工"));
        assert!(!wants_person("你是人工智能吗"));
    }

    #[test]
    fn filing_codes_and_levels() {
        assert!(files("投诉 楼下KTV吵到凌晨") && files("提建议") && !files("投诉会公开吗") && !files("投诉了三次没人管"));
        assert!(
            code_like("QWER1234OIUY")
                && code_like("7KQM-X3RT-9WH")
                && !code_like("WT-2026-0010")
                && !code_like("13912345678")
                && code_like("ABCD-EFGH-JKMN")
        );
        assert_eq!(rating_level("打五分"), Some(entity::vocab::RatingLevel::VerySatisfied));
        assert_eq!(rating_level("非常不满意"), Some(entity::vocab::RatingLevel::VeryDissatisfied));
        assert_eq!(rating_level("满意"), Some(entity::vocab::RatingLevel::Satisfied));
        assert_eq!(rating_level("还行吧"), None);
    }
}
