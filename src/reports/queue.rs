//! What the publicity desk could report on next: themes the office handed over, rectifications
//! the office verified as done in the last 30 days, long-term items whose promised update is due,
//! and items whose results citizens rated badly (three 差评 or more in 90 days). Each list is a
//! bounded, indexed query; nothing here walks a whole table.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, Utc};
use entity::vocab::{RatingLevel, RatingTarget, RectificationStatus, Verification};
use entity::{problem, rating, rectification, report_handover, report_link, responsibility, theme, unit};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

/// Entries per list.
const EACH: u64 = 20;

#[derive(Debug, Serialize)]
pub struct HandedTheme {
    pub theme_id: i32,
    pub title: String,
    pub size: i32,
    pub citizens: i32,
    pub note: String,
    pub handed_by: String,
    pub at: String,
}

#[derive(Debug, Serialize)]
pub struct ProblemLead {
    pub code: String,
    pub title: String,
    pub unit: String,
    pub status_label: &'static str,
    pub progress: i32,
    /// Why it is here: 核验通过于…, 承诺…前更新, 差评 N 条.
    pub why: String,
    /// Published reports already about it.
    pub reports: usize,
}

#[derive(Debug, Serialize)]
pub struct Queue {
    pub themes: Vec<HandedTheme>,
    pub verified: Vec<ProblemLead>,
    pub update_due: Vec<ProblemLead>,
    pub bad_ratings: Vec<ProblemLead>,
}

pub async fn load(db: &impl ConnectionTrait, now: chrono::DateTime<Utc>, today: NaiveDate) -> Result<Queue, DbErr> {
    let handed = report_handover::Entity::find()
        .filter(report_handover::Column::ReportId.is_null())
        .order_by_desc(report_handover::Column::Id)
        .limit(EACH)
        .all(db)
        .await?;
    let themes: HashMap<i32, theme::Model> = theme::Entity::find()
        .filter(theme::Column::Id.is_in(handed.iter().map(|h| h.theme_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let themes = handed
        .into_iter()
        .filter_map(|h| {
            let t = themes.get(&h.theme_id)?;
            Some(HandedTheme {
                theme_id: t.id,
                title: t.representative_title.clone(),
                size: t.size,
                citizens: t.distinct_citizens,
                note: h.note,
                handed_by: h.handed_by,
                at: crate::domain::time::minute(h.created_at),
            })
        })
        .collect();
    let verified = rectification::Entity::find()
        .filter(rectification::Column::Verification.eq(Verification::Passed))
        .filter(rectification::Column::VerifiedAt.gte(now - Duration::days(30)))
        .order_by_desc(rectification::Column::VerifiedAt)
        .limit(EACH)
        .all(db)
        .await?;
    let verified =
        leads(db, verified, |r| format!("核验通过于 {}", r.verified_at.map(crate::domain::time::minute).unwrap_or_default())).await?;
    let due = rectification::Entity::find()
        .filter(rectification::Column::Status.eq(RectificationStatus::LongTerm))
        .filter(rectification::Column::NextUpdateDue.lte(today))
        .order_by_asc(rectification::Column::NextUpdateDue)
        .limit(EACH)
        .all(db)
        .await?;
    let update_due =
        leads(db, due, |r| format!("承诺 {} 前更新进展", r.next_update_due.map(|d| d.to_string()).unwrap_or_default())).await?;
    let bad: Vec<(i32, i64)> = rating::Entity::find()
        .select_only()
        .column(rating::Column::RectificationId)
        .column_as(rating::Column::Id.count(), "n")
        .filter(rating::Column::Target.eq(RatingTarget::Rectification))
        .filter(rating::Column::Origin.eq(entity::vocab::RatingOrigin::Citizen))
        .filter(rating::Column::Level.lte(RatingLevel::Dissatisfied))
        .filter(rating::Column::CreatedAt.gte(now - Duration::days(90)))
        .group_by(rating::Column::RectificationId)
        .having(rating::Column::Id.count().gte(3))
        .order_by_desc(rating::Column::Id.count())
        .limit(EACH)
        .into_tuple::<(Option<i32>, i64)>()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(id, n)| id.map(|id| (id, n)))
        .collect();
    let counts: HashMap<i32, i64> = bad.iter().copied().collect();
    let mut rated = rectification::Entity::find().filter(rectification::Column::Id.is_in(bad.iter().map(|(id, _)| *id))).all(db).await?;
    rated.sort_by_key(|r| (std::cmp::Reverse(counts.get(&r.id).copied().unwrap_or(0)), r.id));
    let bad_ratings = leads(db, rated, |r| format!("近 90 天差评 {} 条", counts.get(&r.id).copied().unwrap_or(0))).await?;
    Ok(Queue { themes, verified, update_due, bad_ratings })
}

/// Each rectification's problem with its lead unit, state and the reports already about it.
async fn leads(
    db: &impl ConnectionTrait,
    rects: Vec<rectification::Model>,
    why: impl Fn(&rectification::Model) -> String,
) -> Result<Vec<ProblemLead>, DbErr> {
    let problem_ids: Vec<i32> = rects.iter().map(|r| r.problem_id).collect();
    let problems: HashMap<i32, problem::Model> = problem::Entity::find()
        .filter(problem::Column::Id.is_in(problem_ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let leads: HashMap<i32, i32> = responsibility::Entity::find()
        .filter(responsibility::Column::ProblemId.is_in(problem_ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.problem_id, r.lead_unit_id))
        .collect();
    let units: HashMap<i32, String> = unit::Entity::find()
        .filter(unit::Column::Id.is_in(leads.values().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut reports: HashMap<i32, usize> = HashMap::new();
    let linked: Vec<Option<i32>> = report_link::Entity::find()
        .select_only()
        .column(report_link::Column::ProblemId)
        .filter(report_link::Column::ProblemId.is_in(problem_ids))
        .filter(
            report_link::Column::ReportId.in_subquery(sea_orm::QueryTrait::into_query(
                entity::report::Entity::find()
                    .select_only()
                    .column(entity::report::Column::Id)
                    .filter(entity::report::Column::Status.eq(entity::vocab::ReportStatus::Published)),
            )),
        )
        .into_tuple()
        .all(db)
        .await?;
    for id in linked.into_iter().flatten() {
        *reports.entry(id).or_default() += 1;
    }
    Ok(rects
        .iter()
        .filter_map(|r| {
            let p = problems.get(&r.problem_id)?;
            Some(ProblemLead {
                code: p.code.clone(),
                title: p.title.clone(),
                unit: leads.get(&p.id).and_then(|u| units.get(u)).cloned().unwrap_or_default(),
                status_label: r.status.label(),
                progress: r.progress,
                why: why(r),
                reports: reports.get(&p.id).copied().unwrap_or(0),
            })
        })
        .collect())
}
