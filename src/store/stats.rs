//! Headline figures for the home page.

use std::collections::HashMap;

use super::count::{Capped, up_to_cap};
use chrono::{DateTime, Duration, Utc};
use entity::vocab::{OpinionStatus, RatingLevel, RatingOrigin, RectificationStatus};
use entity::{opinion, problem, progress_update, rating, rectification, responsibility, summary, unit};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Headline {
    pub problems: u64,
    /// Rectifications per status, in the vocabulary's order, with Chinese labels.
    pub by_status: Vec<StatusCount>,
    /// Overdue items and unfinished ones whose promised update date has passed (逾期或逾期未更新).
    pub late_updates: u64,
    pub units: u64,
    /// Counted by the `scores` job; `None` until its first pass.
    pub voice: Option<Voice>,
    pub voice_at: Option<String>,
}

/// The citizens' side of the home page: a year of opinions and every citizen rating, too many
/// rows to count per request at a city's scale, so the `scores` job counts them.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct Voice {
    pub opinions_last_year: u64,
    /// Share of last year's opinions that reached an end state, in percent.
    pub opinions_done_pct: Option<u32>,
    pub citizen_ratings: u64,
    /// 满意率: 基本满意 and above among citizen ratings, in percent.
    pub satisfied_pct: Option<u32>,
}

const VOICE: &str = "home.voice";

#[derive(Debug, Serialize)]
pub struct StatusCount {
    pub status: &'static str,
    pub label: &'static str,
    pub count: u64,
}

pub async fn headline(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Headline, DbErr> {
    let problems = problem::Entity::find().count(db).await?;
    let counts: HashMap<RectificationStatus, i64> = rectification::Entity::find()
        .select_only()
        .column(rectification::Column::Status)
        .column_as(rectification::Column::Id.count(), "n")
        .group_by(rectification::Column::Status)
        .into_tuple::<(RectificationStatus, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let by_status = RectificationStatus::ALL
        .iter()
        .map(|s| StatusCount { status: s.as_str(), label: s.label(), count: counts.get(s).copied().unwrap_or(0) as u64 })
        .collect();
    let today = crate::domain::time::today(now);
    // What the lists' 逾期 filter shows, so the home page's number is the list it links to.
    let late_updates = rectification::Entity::find().filter(crate::lists::listing::overdue(today)).count(db).await?;
    let voice = summary::Entity::find_by_id(VOICE).one(db).await?;
    Ok(Headline {
        problems,
        by_status,
        late_updates,
        units: unit::Entity::find().count(db).await?,
        voice_at: voice.as_ref().map(|v| crate::domain::time::minute(v.computed_at)),
        voice: voice.and_then(|v| serde_json::from_str(&v.payload_json).ok()),
    })
}

/// Counts the citizens' figures as of `now` (the `scores` job's work, never a request's).
pub async fn count_voice(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Voice, DbErr> {
    let year_ago = now - Duration::days(365);
    let recent = opinion::Entity::find().filter(opinion::Column::SubmittedAt.gte(year_ago));
    let opinions_last_year = recent.clone().count(db).await?;
    let done = recent
        .filter(opinion::Column::Status.is_in([OpinionStatus::Closed, OpinionStatus::Revisited, OpinionStatus::Explained]))
        .count(db)
        .await?;
    let citizen = rating::Entity::find().filter(rating::Column::Origin.eq(RatingOrigin::Citizen));
    let citizen_ratings = citizen.clone().count(db).await?;
    let satisfied = citizen.filter(rating::Column::Level.gte(RatingLevel::Basic)).count(db).await?;
    Ok(Voice {
        opinions_last_year,
        opinions_done_pct: percent(done, opinions_last_year),
        citizen_ratings,
        satisfied_pct: percent(satisfied, citizen_ratings),
    })
}

/// Replaces the stored citizens' figures (inside the `scores` job's unit of work).
pub async fn save_voice(db: &impl ConnectionTrait, voice: &Voice, at: DateTime<Utc>) -> Result<(), DbErr> {
    summary::Entity::delete_by_id(VOICE).exec(db).await?;
    summary::ActiveModel {
        name: Set(VOICE.into()),
        payload_json: Set(serde_json::to_string(voice).expect("figures serialise")),
        computed_at: Set(at),
    }
    .insert(db)
    .await?;
    Ok(())
}

fn percent(part: u64, whole: u64) -> Option<u32> {
    (whole > 0).then(|| ((part as f64 / whole as f64) * 100.0).round() as u32)
}

#[derive(Debug, Serialize)]
pub struct RecentUpdate {
    pub problem_code: String,
    pub problem_title: crate::privacy::PublicText,
    pub unit_name: String,
    pub text: crate::privacy::PublicText,
    pub percent: i32,
    pub at: String,
}

/// The newest entries of all rectification timelines.
pub async fn recent_updates(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<RecentUpdate>, DbErr> {
    let updates = progress_update::Entity::find()
        .order_by_desc(progress_update::Column::CreatedAt)
        .order_by_desc(progress_update::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let rect_ids: Vec<i32> = updates.iter().map(|u| u.rectification_id).collect();
    let rects: HashMap<i32, rectification::Model> = rectification::Entity::find()
        .filter(rectification::Column::Id.is_in(rect_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let problems: HashMap<i32, problem::Model> = problem::Entity::find()
        .filter(problem::Column::Id.is_in(rects.values().map(|r| r.problem_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let leads: HashMap<i32, i32> = responsibility::Entity::find()
        .filter(responsibility::Column::Id.is_in(rects.values().map(|r| r.responsibility_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.lead_unit_id))
        .collect();
    let units: HashMap<i32, String> = unit::Entity::find()
        .filter(unit::Column::Id.is_in(leads.values().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();

    Ok(updates
        .into_iter()
        .filter_map(|u| {
            let rect = rects.get(&u.rectification_id)?;
            let problem = problems.get(&rect.problem_id)?;
            let unit_name = leads.get(&rect.responsibility_id).and_then(|id| units.get(id)).cloned();
            Some(RecentUpdate {
                problem_code: problem.code.clone(),
                problem_title: crate::privacy::PublicText::of(&problem.title),
                unit_name: unit_name.unwrap_or_default(),
                text: crate::privacy::PublicText::of(&u.text),
                percent: u.percent,
                at: crate::domain::time::minute(u.created_at),
            })
        })
        .collect())
}

/// What is waiting on the performance office.
#[derive(Debug, Serialize)]
pub struct OfficeQueue {
    pub opinions_to_route: Capped,
    pub followups_open: Capped,
    pub awaiting_verification: Capped,
    pub overdue: Capped,
}

/// The office's to-do figures, each counted up to a cap: a backlog of a million reads "10000+".
pub async fn office_queue(db: &impl ConnectionTrait) -> Result<OfficeQueue, DbErr> {
    use entity::{followup_task, vocab::FollowupStatus};
    let rectifications = |status| rectification::Entity::find().filter(rectification::Column::Status.eq(status));
    Ok(OfficeQueue {
        opinions_to_route: up_to_cap(db, opinion::Entity::find().filter(opinion::Column::Status.eq(OpinionStatus::Received))).await?,
        followups_open: up_to_cap(db, followup_task::Entity::find().filter(followup_task::Column::Status.eq(FollowupStatus::Open))).await?,
        awaiting_verification: up_to_cap(db, rectifications(RectificationStatus::Reported)).await?,
        overdue: up_to_cap(db, rectifications(RectificationStatus::Overdue)).await?,
    })
}
