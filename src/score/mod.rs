//! The satisfaction score: inputs counted from the database for a period, formulas from
//! `formula`, snapshots so published numbers never change silently.

pub mod formula;
pub mod period;
pub mod snapshot;

use std::collections::{BTreeMap, HashMap};

use entity::vocab::{OpinionStatus, RatingLevel, RatingOrigin, Verification};
use entity::{opinion, rating, theme, unit};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};

use crate::domain::time;
use crate::lists::catalog;
use formula::{Components, Levels, RatingScore, ScoreSettings, composite, rating_score, shrunk_rate};
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
    let (start, end) = period.bounds();
    let units: HashMap<i32, unit::Model> = unit::Entity::find().all(db).await?.into_iter().map(|u| (u.id, u)).collect();
    let unit_code = |id: Option<i32>| id.and_then(|i| units.get(&i)).map(|u| u.code.clone());
    let opinions: HashMap<i32, opinion::Model> = opinion::Entity::find().all(db).await?.into_iter().map(|o| (o.id, o)).collect();
    let mut tallies: BTreeMap<Key, Tally> = BTreeMap::new();

    let ratings = rating::Entity::find()
        .filter(rating::Column::CreatedAt.gte(start))
        .filter(rating::Column::CreatedAt.lt(end))
        .filter(rating::Column::IsFollowup.eq(false))
        .all(db)
        .await?;
    for r in &ratings {
        let theme = r.opinion_id.and_then(|id| opinions.get(&id)).and_then(|o| o.theme_id);
        let slot = RatingLevel::ALL.iter().position(|l| *l == r.level).expect("five levels");
        for key in keys(unit_code(r.unit_id).as_deref(), r.region.as_deref(), r.category.as_deref(), theme) {
            let t = tallies.entry(key).or_default();
            if r.origin == RatingOrigin::Citizen { t.levels.citizen[slot] += 1 } else { t.levels.default[slot] += 1 }
        }
    }

    // Response rate: of the cases closed in the period, how many their citizens rated.
    let rated_opinions: std::collections::HashSet<i32> = rating::Entity::find()
        .filter(rating::Column::OpinionId.is_not_null())
        .filter(rating::Column::Origin.eq(RatingOrigin::Citizen))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|r| r.opinion_id)
        .collect();
    for o in opinions.values() {
        let k = keys(unit_code(o.routed_unit_id).as_deref(), o.region.as_deref(), o.category.as_deref(), o.theme_id);
        if o.closed_at.is_some_and(|c| c >= start && c < end) && crate::opinions::RATEABLE.contains(&o.status) {
            for key in &k {
                let t = tallies.entry(key.clone()).or_default();
                t.asked += 1;
                t.rated += u64::from(rated_opinions.contains(&o.id));
            }
        }
        // Responsiveness: answered by the due date, among cases due in the period.
        if let Some(due) = o.due_date.filter(|d| period.contains(*d) && (*d < today || o.replied_at.is_some())) {
            let ok = o.replied_at.is_some_and(|r| time::today(r) <= due);
            for key in &k {
                let t = tallies.entry(key.clone()).or_default();
                t.resp_due += 1.0;
                t.resp_ok += f64::from(u8::from(ok));
            }
        }
    }

    // Rectification: finished on time and not failed, among items due or finished in the period.
    for row in catalog::load_rows(db, today, None).await? {
        let finished_in = row.completed_at.is_some_and(|c| c >= start && c < end);
        let due_in = period.contains(row.deadline) && row.deadline < today;
        if !(finished_in || due_in) {
            continue;
        }
        let ok = row.completed_at.is_some_and(|c| time::today(c) <= row.deadline) && row.verification != Some(Verification::Failed);
        let theme = None;
        for key in keys(Some(&row.lead.code), Some(&row.region), Some(&row.category), theme) {
            let t = tallies.entry(key).or_default();
            t.rect_due += 1.0;
            t.rect_ok += f64::from(u8::from(ok));
        }
    }

    // Theme pressure: hot themes whose citizens are unhappy or unanswered weigh on every
    // subject their messages belong to, in proportion to their heat.
    let themes = theme::Entity::find().all(db).await?;
    let mut negative_by_opinion: HashMap<i32, bool> = HashMap::new();
    for r in
        rating::Entity::find().filter(rating::Column::OpinionId.is_not_null()).filter(rating::Column::IsFollowup.eq(false)).all(db).await?
    {
        negative_by_opinion.insert(r.opinion_id.expect("filtered"), r.level.is_negative());
    }
    for th in &themes {
        let members: Vec<&opinion::Model> = opinions.values().filter(|o| o.theme_id == Some(th.id) && o.submitted_at < end).collect();
        if members.is_empty() {
            continue;
        }
        let bad = members
            .iter()
            .filter(|o| {
                negative_by_opinion.get(&o.id).copied().unwrap_or(false)
                    || (matches!(o.status, OpinionStatus::Received | OpinionStatus::Routed | OpinionStatus::InProgress)
                        && o.due_date.is_some_and(|d| d < today))
            })
            .count() as f64
            / members.len() as f64;
        let mut shares: HashMap<Key, f64> = HashMap::new();
        for o in &members {
            for key in keys(unit_code(o.routed_unit_id).as_deref(), o.region.as_deref(), o.category.as_deref(), o.theme_id) {
                *shares.entry(key).or_default() += 1.0 / members.len() as f64;
            }
        }
        for (key, share) in shares {
            let t = tallies.entry(key).or_default();
            t.pressure_num += th.heat * bad * share;
            t.pressure_den += th.heat * share;
        }
    }

    let city = tallies.get(&("city", "city".to_string())).cloned().unwrap_or_default();
    let city_mean = rating_score(&city.levels, &ScoreSettings { prior_strength: 0.0, ..s.clone() }, 75.0).raw.unwrap_or(75.0);
    let city_rect = if city.rect_due > 0.0 { city.rect_ok * 100.0 / city.rect_due } else { 75.0 };
    let city_resp = if city.resp_due > 0.0 { city.resp_ok * 100.0 / city.resp_due } else { 75.0 };
    let k = s.prior_strength;
    let theme_labels: HashMap<String, String> = themes.iter().map(|t| (t.id.to_string(), t.representative_title.clone())).collect();
    Ok(tallies
        .into_iter()
        .map(|((level, subject), t)| {
            let ratings = rating_score(&t.levels, s, city_mean);
            let components = Components {
                ratings: (ratings.n > 0).then_some(ratings.score),
                rectification: (t.rect_due > 0.0).then(|| shrunk_rate(t.rect_ok, t.rect_due, city_rect, k / 2.0)),
                responsiveness: (t.resp_due > 0.0).then(|| shrunk_rate(t.resp_ok, t.resp_due, city_resp, k / 2.0)),
                themes: (t.pressure_den > 0.0).then(|| (100.0 * (1.0 - t.pressure_num / t.pressure_den)).clamp(0.0, 100.0)),
            };
            let label = match level {
                "city" => "全市".to_string(),
                "unit" => units.values().find(|u| u.code == subject).map(|u| u.name.clone()).unwrap_or_else(|| subject.clone()),
                "theme" => theme_labels.get(&subject).cloned().unwrap_or_else(|| subject.clone()),
                _ => subject.clone(),
            };
            SubjectScore {
                level: level.to_string(),
                label,
                response_rate: (t.asked > 0).then(|| t.rated as f64 * 100.0 / t.asked as f64),
                asked: t.asked,
                rated: t.rated,
                rectification_n: t.rect_due as u64,
                responsiveness_n: t.resp_due as u64,
                composite: composite(&components, s),
                components,
                ratings,
                subject,
            }
        })
        .collect())
}

/// A subject's score as shown on pages and in the API: rounded, labelled, with its change
/// against the previous period.
pub fn view(scores: &[SubjectScore], previous: &[SubjectScore], level: &str) -> Vec<serde_json::Value> {
    let round = |v: f64| (v * 10.0).round() / 10.0;
    let mut rows: Vec<&SubjectScore> = scores.iter().filter(|s| s.level == level).collect();
    rows.sort_by(|a, b| b.composite.unwrap_or(-1.0).total_cmp(&a.composite.unwrap_or(-1.0)).then(a.subject.cmp(&b.subject)));
    rows.into_iter()
        .map(|s| {
            let before = previous.iter().find(|p| p.level == s.level && p.subject == s.subject).and_then(|p| p.composite);
            serde_json::json!({
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
        for (r, v) in view(scores, &[], level).iter().enumerate() {
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
