//! Reply quality before an answer goes out: the rules a city board uses to make units answer for
//! real. A reply is checked against the opinion it answers:
//! - `vague_time`: a vague time word (尽快, 近期, …) in a sentence that gives no date;
//! - `off_topic`: it shares none of the opinion's key terms (the shared tokenizer's words) and
//!   does not hand the matter on (已转…办理, which is `too_brief` instead);
//! - `unanswered`: questions the citizen asked (a question mark, or an enumerated item that asks)
//!   whose key terms the reply never takes up, in one finding;
//! - `unexplained`: it names fewer than two of a concrete measure, a date, a responsible office
//!   or contact, and a legal basis (可解释性);
//! - `too_brief`: little beyond a greeting;
//! - `late`: answered more than 15 working days after it was filed (when both times are known).
//!
//! Each finding lowers a 0–100 score. The same checker runs in the unit's desk and offline
//! (`lianxin reply-check`).

use std::collections::HashSet;
use std::sync::LazyLock;

use jieba_rs::Jieba;
use regex::Regex;
use serde::Serialize;

use crate::search::tokenizer;

/// The vague time words a city board forbids without a date.
pub const DEFAULT_VAGUE_WORDS: [&str; 5] = ["尽快", "近期", "即将", "适时", "抓紧"];
/// The finding a unit cannot fix by rewording.
pub const LATE: &str = "late";
/// Findings shown and counted but never holding a reply: lateness cannot be reworded away;
/// `unanswered` was right in under half of 100 real replies judged by reading (rhetorical
/// questions, answers in other words), too often to make a unit argue.
pub const ADVISORY: [&str; 2] = [LATE, "unanswered"];
/// Working days within which an opinion is answered in time.
const ANSWER_WITHIN_WORKING_DAYS: u32 = 15;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub score: u8,
}

/// What is checked: the opinion, the reply, and when each was written if known.
pub struct Exchange<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub reply: &'a str,
    pub filed: Option<chrono::NaiveDate>,
    pub replied: Option<chrono::NaiveDate>,
}

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{1,4}\s*年|\d{1,2}\s*月\s*\d{0,2}|\d{1,2}\s*日|[0-9]{4}[-/.][0-9]{1,2}|年底|年内|月底|月内|本周|下周|本月|下月|本季度|\d+\s*(个)?(工作日|天|周|个月)(内|以内|前)")
        .expect("a valid pattern")
});
static MEASURE: LazyLock<Regex> = LazyLock::new(|| {
    let verbs = "调查|核实|核查|查看|整改|清理|清运|维修|修复|更换|安装|拆除|处理|处置|查处|责令|督促|协调|约谈|安排|疏通|治理|改造|完成|开展|落实|办理|制定|出台|纳入|启动|施工|补缴|发放|退还|立案|处罚|检测|回访|执法|检查|巡查|核对|取缔|收缴|暂扣|规划|建设";
    // Promised or under way (已…, 将…), or done (安装了, 进行了调查).
    Regex::new(&format!(
        r"(已|已经|将|正在|立即|现已|并)\S{{0,4}}?({verbs})|({verbs})(了|完毕|到位)|(进行了|开展了|组织了?)\S{{0,6}}?({verbs})"
    ))
    .expect("a valid pattern")
});
static OFFICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"电话|热线|联系|咨询|窗口|[局办委所站队院科处厅中心街道镇乡村社区公司]\S{0,2}(负责|承办|牵头|工作人员|同志|经办)|(由|请|到|向)\S{1,12}(局|办|委|所|站|中心|街道|镇|乡|社区|公司|大厅)")
        .expect("a valid pattern")
});
/// A unit named by its name (住建局, 杨家桥大队), not as 我局 or 该局.
static NAMED_UNIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\p{Han}{2,12}?(局|大队|中队|委员会|办事处|派出所|管理处|服务中心|公司)").expect("a valid pattern"));
static BASIS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"《[^》]{2,40}》|(根据|依据|按照|依照)\S{0,20}(规定|办法|条例|法|政策|文件|标准|细则|意见|通知)|\[政府发文\]|文件精神")
        .expect("a valid pattern")
});
static ENUMERATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^|[。；;！!？?\s])(一是|二是|三是|[一二三四五六七八九十]、|[0-9]{1,2}[、.．]|[（(][一二三四五六七八九十0-9]{1,2}[)）]|第[一二三四五六七八九十]+[，,、])").expect("a valid pattern")
});

/// Asking when.
const WHEN: &[&str] = &["什么时候", "何时", "多久", "多长时间", "几时", "哪天", "时间"];

/// Words that make an enumerated item a question.
const ASKING: &[&str] =
    &["吗", "什么", "怎么", "如何", "为什么", "为何", "能否", "是否", "多少", "哪", "可否", "有没有", "能不能", "？", "?"];

/// A reply that hands the matter on: about it, even when it shares no word with it.
static REFERRAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"已转|转交|转至|转到|转给|移交|转办|交由|转请").expect("a valid pattern"));

/// A question asked to make a point, not for an answer.
const RHETORICAL: &[&str] = &["却", "难道", "岂", "何来", "凭什么", "好笑", "天理", "王法", "还有没有", "良心", "何在", "谁来管", "不是吗"];

/// Words every opinion and reply share, which say nothing of the matter.
const GENERIC: &[&str] = &[
    "问题",
    "情况",
    "反映",
    "您好",
    "你好",
    "领导",
    "网友",
    "留言",
    "回复",
    "答复",
    "相关",
    "工作",
    "我们",
    "政府",
    "部门",
    "希望",
    "请问",
    "谢谢",
    "感谢",
    "关于",
    "要求",
    "进行",
    "没有",
    "这个",
    "一个",
    "现在",
    "目前",
    "已经",
    "可以",
    "什么",
    "为什么",
    "怎么",
    "如何",
    "是否",
    "能否",
    "有关",
    "单位",
    "老百姓",
    "群众",
    "市民",
    "本人",
    "他们",
    "请求",
    "什么时候",
    "时候",
    "何时",
    "多久",
    "哪里",
    "哪些",
    "怎么办",
    "怎样",
    "能不能",
    "可不可以",
    "有没有",
];

/// Key terms of a text: the shared tokenizer's words of two or more characters, not numbers,
/// not generic.
fn terms(jieba: &Jieba, text: &str) -> HashSet<String> {
    tokenizer::pieces(jieba, text)
        .into_iter()
        .map(|p| p.text)
        .filter(|w| w.chars().count() >= 2 && !w.chars().all(|c| c.is_ascii_digit()) && !GENERIC.contains(&w.as_str()))
        .collect()
}

fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split(['。', '！', '!', '；', ';', '\n']).map(str::trim).filter(|s| !s.is_empty())
}

fn short(text: &str, chars: usize) -> String {
    let mut out: String = text.chars().take(chars).collect();
    if text.chars().count() > chars {
        out.push('…');
    }
    out
}

/// The citizen's questions: sentences ending in a question mark, and enumerated items.
fn questions(body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in body.split_inclusive(['？', '?']) {
        if part.ends_with(['？', '?']) {
            // The question is the last clause before its mark.
            let clause = part.rsplit(['。', '！', '!', '；', ';', '\n']).next().unwrap_or(part).trim();
            if clause.chars().count() >= 6 && !RHETORICAL.iter().any(|w| clause.contains(w)) {
                out.push(clause.to_string());
            }
        }
    }
    if ENUMERATION.find_iter(body).count() >= 2 {
        let starts: Vec<usize> = ENUMERATION.find_iter(body).map(|m| m.start()).collect();
        for (i, start) in starts.iter().enumerate() {
            let end = starts.get(i + 1).copied().unwrap_or(body.len());
            let item = body[*start..end].trim_matches(|c: char| c.is_whitespace() || "。；;".contains(c)).to_string();
            // A numbered reason or suggestion is not a question; a numbered request to answer is.
            let asks = ASKING.iter().any(|w| item.contains(w));
            if asks && item.chars().count() >= 6 && !out.iter().any(|q| item.contains(q.as_str()) || q.contains(item.as_str())) {
                out.push(item);
            }
        }
    }
    out.truncate(8);
    out
}

fn names_unit(reply: &str) -> bool {
    NAMED_UNIT.find_iter(reply).any(|m| {
        let before: Vec<char> = m.as_str().chars().collect();
        // The character before the unit's word: 我局, 本局, 该局 name nobody.
        let suffix = NAMED_UNIT.captures(m.as_str()).and_then(|c| c.get(1)).map_or(0, |g| g.as_str().chars().count());
        before.len() > suffix && !"我本该贵此".contains(before[before.len() - suffix - 1])
    })
}

/// Checks one reply.
pub fn check(jieba: &Jieba, vague_words: &[String], x: &Exchange<'_>) -> Report {
    let mut findings = Vec::new();
    let mut penalty: u32 = 0;
    let reply = x.reply.trim();

    for sentence in sentences(reply) {
        // As a word of the sentence where jieba knows it: 即将 is not in 立即将.
        let words: Vec<&str> = jieba.cut(sentence, false).into_iter().map(|t| t.word).collect();
        let said = |w: &String| if jieba.has_word(w) { words.contains(&w.as_str()) } else { sentence.contains(w.as_str()) };
        if let Some(word) = vague_words.iter().find(|w| !w.is_empty() && said(w))
            && !DATE.is_match(sentence)
        {
            findings.push(Finding {
                code: "vague_time",
                message: format!("“{word}”没有给出具体时间：{}，请写明完成日期", short(sentence, 30)),
            });
            penalty += 15;
            break;
        }
    }

    let reply_terms = terms(jieba, reply);
    let title_terms = terms(jieba, x.title);
    let opinion_terms: HashSet<String> = title_terms.union(&terms(jieba, x.body)).cloned().collect();
    let shared = opinion_terms.intersection(&reply_terms).count();
    if opinion_terms.len() >= 2 && shared == 0 && !REFERRAL.is_match(reply) {
        findings.push(Finding {
            code: "off_topic", message: "答复与群众反映的事项没有共同的关键词，可能没有针对所提问题作答".into()
        });
        penalty += 35;
    } else {
        let missed: Vec<String> = questions(x.body)
            .into_iter()
            .filter(|q| {
                // The words the question adds to the title: a reply repeating the topic has not answered it.
                let asked: HashSet<String> = terms(jieba, q).difference(&title_terms).cloned().collect();
                // "When?" is answered by a date.
                let when_answered = WHEN.iter().any(|w| q.contains(w)) && DATE.is_match(reply);
                !asked.is_empty() && !when_answered && asked.intersection(&reply_terms).next().is_none()
            })
            .collect();
        if !missed.is_empty() {
            let named: Vec<String> = missed.iter().take(2).map(|q| format!("“{}”", short(q, 30))).collect();
            let more = if missed.len() > 2 { format!("等 {} 处", missed.len()) } else { String::new() };
            findings.push(Finding { code: "unanswered", message: format!("群众提出的{}{more}未见答复", named.join("、")) });
            penalty += 15 * missed.len().min(2) as u32;
        }
    }

    let present = [
        ("具体措施", MEASURE.is_match(reply)),
        ("时间", DATE.is_match(reply)),
        ("承办部门或联系方式", OFFICE.is_match(reply) || names_unit(reply)),
        ("政策依据", BASIS.is_match(reply)),
    ];
    let missing: Vec<&str> = present.iter().filter(|(_, on)| !on).map(|(what, _)| *what).collect();
    if missing.len() > 2 {
        findings.push(Finding {
            code: "unexplained", message: format!("答复缺少{}，群众难以判断是否办理", missing.join("、"))
        });
        penalty += 20;
    }

    let substance = reply.chars().filter(|c| c.is_alphanumeric()).count();
    if substance < 40 {
        findings.push(Finding { code: "too_brief", message: "答复过于简短，没有说明办理情况".into() });
        penalty += 30;
    }

    if let (Some(filed), Some(replied)) = (x.filed, x.replied)
        && replied > crate::domain::time::add_working_days(filed, ANSWER_WITHIN_WORKING_DAYS)
    {
        let days = (replied - filed).num_days();
        findings
            .push(Finding { code: LATE, message: format!("答复用时 {days} 天，超过 {ANSWER_WITHIN_WORKING_DAYS} 个工作日") });
        penalty += 10;
    }

    Report { findings, score: 100u32.saturating_sub(penalty) as u8 }
}

/// Keeps the check of a reply being sent, and counts it in its unit's month.
pub async fn record(
    uow: &crate::unit_of_work::UnitOfWork,
    opinion: &entity::opinion::Model,
    report: &Report,
    flagged: bool,
    reason: Option<String>,
) -> Result<(), sea_orm::DbErr> {
    use entity::{reply_check, reply_quality};
    use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
    let sent_anyway = flagged && reason.is_some();
    reply_check::ActiveModel {
        opinion_id: Set(opinion.id),
        unit_id: Set(opinion.routed_unit_id),
        score: Set(i32::from(report.score)),
        findings: Set(serde_json::to_string(&report.findings).expect("findings serialise")),
        reason: Set(reason),
        created_at: Set(uow.now()),
        ..Default::default()
    }
    .insert(uow.db())
    .await?;
    let Some(unit_id) = opinion.routed_unit_id else { return Ok(()) };
    let month = uow.today().format("%Y-%m").to_string();
    let (flagged, sent_anyway, score) = (i32::from(flagged), i32::from(sent_anyway), i64::from(report.score));
    reply_quality::Entity::insert(reply_quality::ActiveModel {
        unit_id: Set(unit_id),
        month: Set(month),
        replies: Set(1),
        flagged: Set(flagged),
        sent_anyway: Set(sent_anyway),
        score_sum: Set(score),
    })
    .on_conflict(
        OnConflict::columns([reply_quality::Column::UnitId, reply_quality::Column::Month])
            .value(reply_quality::Column::Replies, Expr::col((reply_quality::Entity, reply_quality::Column::Replies)).add(1))
            .value(reply_quality::Column::Flagged, Expr::col((reply_quality::Entity, reply_quality::Column::Flagged)).add(flagged))
            .value(
                reply_quality::Column::SentAnyway,
                Expr::col((reply_quality::Entity, reply_quality::Column::SentAnyway)).add(sent_anyway),
            )
            .value(reply_quality::Column::ScoreSum, Expr::col((reply_quality::Entity, reply_quality::Column::ScoreSum)).add(score))
            .to_owned(),
    )
    .exec_without_returning(uow.db())
    .await?;
    Ok(())
}

/// The check of an opinion's latest reply: score, findings, and the unit's reason if it sent
/// the reply despite them.
#[derive(Debug, Serialize)]
pub struct Checked {
    pub score: i32,
    pub findings: Vec<serde_json::Value>,
    pub reason: Option<String>,
}

pub async fn latest(db: &impl sea_orm::ConnectionTrait, opinion_id: i32) -> Result<Option<Checked>, sea_orm::DbErr> {
    use entity::reply_check;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let row = reply_check::Entity::find()
        .filter(reply_check::Column::OpinionId.eq(opinion_id))
        .order_by_desc(reply_check::Column::Id)
        .one(db)
        .await?;
    Ok(row.map(|r| Checked { score: r.score, findings: serde_json::from_str(&r.findings).unwrap_or_default(), reason: r.reason }))
}

/// A unit's reply quality over recent months, as the office reads it.
#[derive(Debug, Serialize)]
pub struct UnitQuality {
    pub unit: String,
    pub replies: i64,
    /// Replies with no finding, in whole percent.
    pub clean_pct: i64,
    pub sent_anyway: i64,
    pub mean_score: i64,
}

/// Every unit's reply quality from `since_month` (`YYYY-MM`) on, worst first: read from the
/// monthly counters (a row per unit and month), never from the replies.
pub async fn by_unit(db: &impl sea_orm::ConnectionTrait, since_month: &str) -> Result<Vec<UnitQuality>, sea_orm::DbErr> {
    use entity::{reply_quality, unit};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let rows = reply_quality::Entity::find().filter(reply_quality::Column::Month.gte(since_month)).all(db).await?;
    let mut sums: std::collections::BTreeMap<i32, (i64, i64, i64, i64)> = Default::default();
    for r in rows {
        let s = sums.entry(r.unit_id).or_default();
        *s = (s.0 + i64::from(r.replies), s.1 + i64::from(r.flagged), s.2 + i64::from(r.sent_anyway), s.3 + r.score_sum);
    }
    let names: std::collections::HashMap<i32, String> = unit::Entity::find()
        .filter(unit::Column::Id.is_in(sums.keys().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut out: Vec<UnitQuality> = sums
        .into_iter()
        .filter(|(_, s)| s.0 > 0)
        .map(|(id, (replies, flagged, sent_anyway, score))| UnitQuality {
            unit: names.get(&id).cloned().unwrap_or_default(),
            replies,
            clean_pct: (replies - flagged) * 100 / replies,
            sent_anyway,
            mean_score: score / replies,
        })
        .collect();
    out.sort_by_key(|q| (q.clean_pct, q.mean_score));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jieba() -> &'static Jieba {
        static J: LazyLock<Jieba> = LazyLock::new(|| tokenizer::build_jieba(&[]));
        &J
    }

    fn codes(title: &str, body: &str, reply: &str) -> Vec<&'static str> {
        let words: Vec<String> = DEFAULT_VAGUE_WORDS.iter().map(|w| w.to_string()).collect();
        let x = Exchange { title, body, reply, filed: None, replied: None };
        check(jieba(), &words, &x).findings.into_iter().map(|f| f.code).collect()
    }

    const GOOD: &str = "您反映的幸福小区路灯不亮问题已收悉。经我局市政科工作人员现场核实，小区东门3盏路灯线路老化，已于12月3日更换线路并修复。根据《城市照明管理规定》，路灯由我局负责维护，如再有损坏请拨打市政热线反映。";

    #[test]
    fn a_concrete_reply_passes() {
        assert!(
            codes("幸福小区路灯不亮", "幸福小区东门路灯坏了一个月", GOOD).is_empty(),
            "{:?}",
            codes("幸福小区路灯不亮", "幸福小区东门路灯坏了一个月", GOOD)
        );
    }

    #[test]
    fn a_vague_promise_without_a_date_is_caught_and_one_with_a_date_is_not() {
        let vague = "您反映的幸福小区路灯不亮问题已收悉，我局高度重视，将尽快安排人员维修路灯，请您耐心等待。";
        assert!(codes("幸福小区路灯不亮", "路灯坏了", vague).contains(&"vague_time"));
        let dated = "您反映的幸福小区路灯不亮问题已收悉，我局将尽快安排，于12月10日前修复路灯，请您耐心等待。";
        assert!(!codes("幸福小区路灯不亮", "路灯坏了", dated).contains(&"vague_time"));
        let immediate = "您反映的幸福小区路灯不亮问题已收悉，我局立即将情况转给维修班组，已于12月3日修复路灯。";
        assert!(!codes("幸福小区路灯不亮", "路灯坏了", immediate).contains(&"vague_time"), "即将 is not in 立即将");
    }

    #[test]
    fn a_reply_about_something_else_is_off_topic() {
        let other = "关于社保卡补办，请携带身份证到市民服务中心社保窗口办理，工作人员将于当日为您制卡，根据《社会保障卡管理办法》执行。";
        assert!(codes("幸福小区路灯不亮", "幸福小区东门路灯坏了一个月", other).contains(&"off_topic"));
    }

    #[test]
    fn a_question_left_out_is_named() {
        let body = "幸福小区东门路灯坏了一个月。请问什么时候能修好？另外小区垃圾站的臭味能不能治理？";
        let found = codes("幸福小区路灯不亮", body, GOOD);
        assert!(found.contains(&"unanswered"), "{found:?}");
    }

    #[test]
    fn a_referral_is_brief_but_not_off_topic() {
        let found = codes("幸福小区路灯不亮", "幸福小区东门路灯坏了一个月", "网友您好，已转市城管局办理。");
        assert!(found.contains(&"too_brief") && !found.contains(&"off_topic"), "{found:?}");
    }

    #[test]
    fn numbered_reasons_are_not_questions_and_each_question_is_one_finding() {
        let reasons = "建议在学校门口修建人行天桥。一、学生上学过马路危险；二、早高峰车流量大；三、附近没有红绿灯。";
        let reply = "您的建议已收悉，学校门口人行天桥已列入2027年建设计划，由市住建局负责实施。";
        assert!(!codes("学校门口修建天桥", reasons, reply).contains(&"unanswered"));
        let asking = "小区门口的垃圾站什么时候搬走？小区的停车费标准是多少？物业费为什么年年涨？";
        let found = codes("小区物业", asking, "网友您好，已转市城管局办理。谢谢您的监督和支持。");
        assert_eq!(found.iter().filter(|c| **c == "unanswered").count(), 1, "{found:?}");
    }

    #[test]
    fn a_unit_named_by_its_name_counts_as_responsible_office() {
        let reply = "经区城管局调查，安排杨家桥大队多次执法，烧烤店安装了油烟净化装置。";
        assert!(!codes("烧烤油烟", "烧烤店油烟扰民", reply).contains(&"unexplained"));
        let nobody = "您反映的问题我局高度重视，请您理解。感谢您对我们工作的支持和监督，我们会继续努力。";
        assert!(codes("烧烤油烟", "烧烤店油烟扰民", nobody).contains(&"unexplained"), "我局 names nobody");
    }

    #[test]
    fn an_acknowledgement_alone_is_brief_and_unexplained() {
        let found = codes("幸福小区路灯不亮", "路灯坏了", "网友：您好！留言已收悉");
        assert!(found.contains(&"too_brief") && found.contains(&"unexplained"), "{found:?}");
    }

    #[test]
    fn a_late_answer_is_caught() {
        let words: Vec<String> = Vec::new();
        let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
        let x = Exchange {
            title: "幸福小区路灯不亮", body: "路灯坏了", reply: GOOD, filed: day("2026-01-05"), replied: day("2026-03-02")
        };
        let report = check(jieba(), &words, &x);
        assert_eq!(report.findings.iter().map(|f| f.code).collect::<Vec<_>>(), ["late"]);
        assert_eq!(report.score, 90);
    }
}
