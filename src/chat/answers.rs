//! Answers grounded in the portal's records: every status, unit, date and percentage in a reply
//! is read from a record that the reply shows as a card with its link. Nothing is guessed: when
//! nothing matches, the answer says so.

use std::sync::Arc;

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbErr};
use serde::Serialize;

use super::intents::Intent;
use crate::lists::detail::{self, ProblemDetail};
use crate::search::SearchEngine;
use crate::search::query::{self, SearchRequest};

/// A record a reply rests on.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Card {
    pub title: String,
    pub url: String,
    pub status: String,
    /// Which record it is: 问题清单, 查询进度, 常见问题.
    pub source: String,
}

fn problem_card(d: &ProblemDetail) -> Card {
    Card {
        title: format!("{} {}", d.row.code, d.row.title.as_str()),
        url: format!("/problems/{}", d.row.code),
        status: format!("{} {}%", d.row.labels.status, d.row.progress),
        source: "问题清单".into(),
    }
}

/// Public problems about `topic`, best first (their codes).
/// A question that names a region (`regions`) is about that region's problems, or the city's.
pub async fn find_problems(search: &Arc<SearchEngine>, topic: &str, regions: &[String]) -> Vec<String> {
    let named = super::understand::mentioned(topic, regions);
    // A place alone says nothing about the matter ("高新区扬尘": 扬尘 is cut to single characters).
    let words = telling(&search.jieba(), topic);
    if !words.is_empty() && words.iter().all(|w| regions.contains(w)) {
        return Vec::new();
    }
    let engine = search.clone();
    // The words that say what it is about are searched, not the asking around them.
    let text = if words.is_empty() { topic.to_string() } else { words.join(" ") };
    let req =
        SearchRequest { text, doc_type: Some("problem".into()), page: 1, page_size: 3, public_only: true, ..SearchRequest::default() };
    match tokio::task::spawn_blocking(move || query::run(&engine, &req)).await {
        // A hit must be about the matter asked (its telling words in the title): a deadline
        // quoted for another problem would be a wrong fact with a right link.
        Ok(Ok(found)) => {
            // Two of its words (幸福路 路灯 is not 青山路 路灯, 城关区 电梯 is 城关区加装电梯):
            // a question says more about itself than a title does.
            let needed = words.len().clamp(1, 2);
            found
                .hits
                .into_iter()
                .filter(|h| !h.code.is_empty() && words.iter().filter(|w| names(&h.title, w)).count() >= needed)
                // 青山县幼儿园 is not 城关区公办幼儿园.
                .filter(|h| match named {
                    None => true,
                    Some(r) => (h.region.is_empty() || h.region == *r) && !regions.iter().any(|o| o != r && h.title.contains(o.as_str())),
                })
                .map(|h| h.code)
                .collect()
        }
        // The bot then says it found nothing, which is true of what it could read.
        Ok(Err(err)) => {
            tracing::error!(error = %err, "the chatbot's problem search failed");
            Vec::new()
        }
        Err(err) => {
            tracing::error!(error = %err, "the chatbot's problem search task failed");
            Vec::new()
        }
    }
}

/// A title names a word: whole, or a thing by its head (公交车 → 公交); a place only whole
/// (幸福路 is not 幸福里).
fn names(title: &str, word: &str) -> bool {
    const PLACE_ENDINGS: [char; 12] = ['路', '街', '里', '区', '县', '村', '镇', '巷', '道', '园', '苑', '湖'];
    if title.contains(word) {
        return true;
    }
    let chars: Vec<char> = word.chars().collect();
    chars.len() >= 3 && !chars.last().is_some_and(|c| PLACE_ENDINGS.contains(c)) && title.contains(&chars[..2].iter().collect::<String>())
}

/// Words that say what a question is about, not what is asked of it.
pub fn telling(jieba: &jieba_rs::Jieba, topic: &str) -> Vec<String> {
    const ASKED: &[&str] = &[
        "修好",
        "修复",
        "完成",
        "完工",
        "建成",
        "建好",
        "弄好",
        "搞好",
        "解决",
        "处理",
        "整改",
        "问题",
        "情况",
        "现在",
        "这个",
        "那个",
        "那条",
        "这条",
        "我们",
        "你们",
        "能够",
        "可以",
        "已经",
        "还是",
        "到底",
        "多少",
        "时间",
        "部门",
        "单位",
        "负责",
        "管理",
        "进展",
        "效果",
        "小区",
        "门口",
        "附近",
        "我家",
        "楼下",
        "旁边",
        "那边",
        "这边",
        "一直",
        "还有",
        "什么",
        "时候",
        "能不能",
        "怎么",
        "坏了",
        "不行",
        "电话",
        "手机",
        "号码",
        "最近",
        "方面",
        "哪些",
        "这种",
        "清单",
        "有人",
        "没有",
        "今年",
        "去年",
        "哪个",
        "那段",
        "这段",
        "半年",
        "几年",
        "好几年",
        "能好",
        "办好",
        "办完",
        "办理",
        "好久",
        "搞完",
        "弄完",
        "修完",
        "做完",
        "干完",
        "治好",
        "在弄",
        "在修",
        "在管",
        "管了",
        "有人管",
        "该找",
    ];
    let mut words: Vec<String> = jieba
        .cut(topic, false)
        .into_iter()
        .map(|t| t.word.to_string())
        .filter(|w| w.chars().count() >= 2 && w.chars().all(|c| c.is_alphanumeric()) && !ASKED.contains(&w.as_str()))
        .collect();
    words.dedup();
    words
}

/// What the record says to the question `asked` about one problem.
pub fn about(d: &ProblemDetail, asked: Intent) -> String {
    let row = &d.row;
    let name = format!("“{}”（{}）", row.title.as_str(), row.code);
    match asked {
        Intent::Responsibility => {
            let mut text = format!("{name}由{}牵头负责", row.lead.name);
            if !row.cooperating.is_empty() {
                let names: Vec<&str> = row.cooperating.iter().map(|u| u.name.as_str()).collect();
                text.push_str(&format!("，{}配合", names.join("、")));
            }
            if !row.responsible_post.is_empty() {
                text.push_str(&format!("，责任岗位：{}", row.responsible_post.as_str()));
            }
            text.push('。');
            text
        }
        Intent::Deadline => {
            let mut text = format!("{name}的整改期限是 {}，目前{}，进度 {}%", row.deadline, row.labels.status, row.progress);
            if let Some(done) = row.completed_at {
                text.push_str(&format!("，已于 {} 报告完成", crate::domain::time::today(done)));
            } else if let Some(next) = row.next_update_due {
                if row.late_update {
                    text.push_str(&format!("，原定 {next} 前更新进展，已逾期未更新"));
                } else {
                    text.push_str(&format!("，下次更新进展的时间是 {next}"));
                }
            }
            text.push('。');
            text
        }
        _ => {
            let mut text = format!("{name}目前{}，进度 {}%", row.labels.status, row.progress);
            if let Some(v) = row.labels.verification {
                text.push_str(&format!("，核验：{v}"));
            }
            text.push('。');
            if let Some(latest) = d.timeline.last() {
                let short: String = latest.text.as_str().chars().take(50).collect();
                text.push_str(&format!("最近进展（{}）：{short}", latest.at));
            }
            text
        }
    }
}

/// The problems behind `codes`, as shown (the first is answered about).
pub async fn load(db: &impl ConnectionTrait, codes: &[String], today: NaiveDate) -> Result<Vec<ProblemDetail>, DbErr> {
    let mut out = Vec::new();
    for code in codes {
        if let Some(d) = detail::load(db, code, today).await? {
            out.push(d);
        }
    }
    Ok(out)
}

/// A problem as a language model may be shown it: its fields, and its free text apart.
pub fn ground(d: &ProblemDetail) -> super::llm::Ground {
    let row = &d.row;
    let mut fields = format!("编号：{}；状态：{}；进度：{}%；牵头单位：{}", row.code, row.labels.status, row.progress, row.lead.name);
    if !row.cooperating.is_empty() {
        let names: Vec<&str> = row.cooperating.iter().map(|u| u.name.as_str()).collect();
        fields.push_str(&format!("；配合单位：{}", names.join("、")));
    }
    fields.push_str(&format!("；整改期限：{}", row.deadline));
    if let Some(v) = row.labels.verification {
        fields.push_str(&format!("；核验：{v}"));
    }
    if let Some(done) = row.completed_at {
        fields.push_str(&format!("；报告完成：{}", crate::domain::time::today(done)));
    }
    let mut text: String = d.description.as_str().chars().take(200).collect();
    if let Some(latest) = d.timeline.last() {
        fields.push_str(&format!("；最近进展日期：{}", latest.at));
        text.push_str(&format!("\n最近进展：{}", latest.text.as_str().chars().take(200).collect::<String>()));
    }
    super::llm::Ground { title: row.title.as_str().to_string(), url: format!("/problems/{}", row.code), fields, text }
}

pub fn cards(details: &[ProblemDetail]) -> Vec<Card> {
    details.iter().map(problem_card).collect()
}
