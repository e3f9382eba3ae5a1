//! The satisfaction score: inputs counted from the database for a period, formulas from
//! `formula`, snapshots so published numbers never change silently.

pub mod formula;
mod inputs;
pub mod period;
pub mod snapshot;

pub use inputs::compute_many;

use entity::{opinion, rating, unit};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};

use formula::{Components, Levels, RatingScore, ScoreSettings};
use period::Period;

pub const LEVELS: &[(&str, &str)] =
    &[("city", "全市"), ("unit", "责任单位"), ("region", "区域"), ("category", "类别"), ("theme", "热点主题")];

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Tally {
    levels: Levels,
    asked: u64,
    rated: u64,
    rect_due: f64,
    rect_ok: f64,
    resp_due: f64,
    resp_ok: f64,
    /// Σ heat·bad and Σ heat over the themes touching this subject, weighted by their share in it.
    pressure_num: f64,
    pressure_den: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubjectScore {
    pub level: String,
    pub subject: String,
    pub label: String,
    pub ratings: RatingScore,
    pub asked: u64,
    pub rated: u64,
    /// Rated ÷ asked, percent.
    pub response_rate: Option<f64>,
    pub rectification_n: u64,
    pub responsiveness_n: u64,
    pub components: Components,
    pub composite: Option<f64>,
}

type Key = (&'static str, String);

fn keys(unit: Option<&str>, region: Option<&str>, category: Option<&str>, theme: Option<i32>) -> Vec<Key> {
    let mut k = vec![("city", "city".to_string())];
    if let Some(u) = unit {
        k.push(("unit", u.to_string()));
    }
    if let Some(r) = region.filter(|r| !r.is_empty()) {
        k.push(("region", r.to_string()));
    }
    if let Some(c) = category.filter(|c| !c.is_empty()) {
        k.push(("category", c.to_string()));
    }
    if let Some(t) = theme {
        k.push(("theme", t.to_string()));
    }
    k
}

/// Every subject's score for `period` under `settings`.
pub async fn compute(
    db: &impl ConnectionTrait,
    period: &Period,
    s: &ScoreSettings,
    today: chrono::NaiveDate,
) -> Result<Vec<SubjectScore>, DbErr> {
    Ok(inputs::compute_many(db, &[*period], s, today).await?.pop().map(|(_, scores)| scores).unwrap_or_default())
}

/// A subject's score as shown on pages and in the API: rounded, labelled, with its change
/// against the previous period. Ranked by the shrunk 满意度得分 (its interval's lower end breaks
/// ties), and only with at least `min_ratings` ratings; the rest follow unranked (样本不足).
pub fn view(scores: &[SubjectScore], previous: &[SubjectScore], level: &str, min_ratings: u64) -> Vec<serde_json::Value> {
    let round = |v: f64| (v * 10.0).round() / 10.0;
    let (mut ranked, mut few): (Vec<&SubjectScore>, Vec<&SubjectScore>) =
        scores.iter().filter(|s| s.level == level).partition(|s| s.ratings.n >= min_ratings);
    ranked.sort_by(|a, b| {
        b.ratings
            .score
            .total_cmp(&a.ratings.score)
            .then(b.ratings.interval.0.total_cmp(&a.ratings.interval.0))
            .then(a.subject.cmp(&b.subject))
    });
    few.sort_by(|a, b| b.ratings.n.cmp(&a.ratings.n).then(a.subject.cmp(&b.subject)));
    let places = ranked.len();
    ranked
        .into_iter()
        .chain(few)
        .enumerate()
        .map(|(i, s)| {
            let before = previous.iter().find(|p| p.level == s.level && p.subject == s.subject).and_then(|p| p.composite);
            serde_json::json!({
                "rank": (i < places).then_some(i + 1),
                "level": s.level,
                "subject": s.subject,
                "label": crate::privacy::PublicText::of(&s.label),
                "composite": s.composite.map(round),
                "change": s.composite.zip(before).map(|(a, b)| round(a - b)),
                "score": round(s.ratings.score),
                "interval": [round(s.ratings.interval.0), round(s.ratings.interval.1)],
                "n": s.ratings.n,
                "satisfied_rate": s.ratings.satisfied_rate.map(round),
                "negative_rate": s.ratings.negative_rate.map(round),
                "response_rate": s.response_rate.map(round),
                "non_citizen_share": round(s.ratings.non_citizen_share),
                "components": {
                    "ratings": s.components.ratings.map(round),
                    "rectification": s.components.rectification.map(round),
                    "responsiveness": s.components.responsiveness.map(round),
                    "themes": s.components.themes.map(round),
                },
                "rectification_n": s.rectification_n,
                "responsiveness_n": s.responsiveness_n,
            })
        })
        .collect()
}

/// The scores as a workbook laid out for the annual evaluation: one sheet per level.
pub fn workbook(period: &str, version: i32, scores: &[SubjectScore]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("F3EEEB");
    let headers = [
        "对象",
        "综合指数",
        "满意度得分",
        "区间下限",
        "区间上限",
        "评价数",
        "满意率(%)",
        "差评率(%)",
        "评价回复率(%)",
        "非群众评价占比(%)",
        "整改得分",
        "响应得分",
        "热点得分",
    ];
    for (level, label) in LEVELS {
        let sheet = book.add_worksheet();
        sheet.set_name(*label)?;
        sheet.write_string(0, 0, format!("{period} {label}满意度（评分规则第 {version} 版）"))?;
        for (c, h) in headers.iter().enumerate() {
            sheet.write_string_with_format(2, c as u16, *h, &bold)?;
            sheet.set_column_width(c as u16, if c == 0 { 30.0 } else { 12.0 })?;
        }
        for (r, v) in view(scores, &[], level, 0).iter().enumerate() {
            let row = (r + 3) as u32;
            sheet.write_string(row, 0, v["label"].as_str().unwrap_or_default())?;
            let numbers = [
                &v["composite"],
                &v["score"],
                &v["interval"][0],
                &v["interval"][1],
                &v["n"],
                &v["satisfied_rate"],
                &v["negative_rate"],
                &v["response_rate"],
                &v["non_citizen_share"],
                &v["components"]["rectification"],
                &v["components"]["responsiveness"],
                &v["components"]["themes"],
            ];
            for (c, value) in numbers.iter().enumerate() {
                if let Some(x) = value.as_f64() {
                    sheet.write_number(row, (c + 1) as u16, x)?;
                }
            }
        }
        sheet.set_freeze_panes(3, 1)?;
    }
    book.save_to_buffer()
}

/// The ratings behind one subject's score in a period, newest first: what the number is made of.
pub async fn ratings_behind(db: &impl ConnectionTrait, period: &Period, level: &str, subject: &str) -> Result<Vec<rating::Model>, DbErr> {
    let (start, end) = period.bounds();
    let mut query = rating::Entity::find()
        .filter(rating::Column::CreatedAt.gte(start))
        .filter(rating::Column::CreatedAt.lt(end))
        .filter(rating::Column::IsFollowup.eq(false));
    match level {
        "unit" => {
            let unit = unit::Entity::find().filter(unit::Column::Code.eq(subject)).one(db).await?;
            query = query.filter(rating::Column::UnitId.eq(unit.map(|u| u.id).unwrap_or(-1)));
        }
        "region" => query = query.filter(rating::Column::Region.eq(subject)),
        "category" => query = query.filter(rating::Column::Category.eq(subject)),
        "theme" => {
            let members: Vec<i32> = opinion::Entity::find()
                .filter(opinion::Column::ThemeId.eq(subject.parse::<i32>().unwrap_or(-1)))
                .all(db)
                .await?
                .into_iter()
                .map(|o| o.id)
                .collect();
            query = query.filter(rating::Column::OpinionId.is_in(members));
        }
        _ => {}
    }
    use sea_orm::QueryOrder;
    query.order_by_desc(rating::Column::CreatedAt).all(db).await
}
