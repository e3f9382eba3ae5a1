//! One problem as the public sees it: who, what, by when, how far, and the evidence.

use chrono::NaiveDate;
use entity::vocab::{RatingLevel, RatingOrigin};
use entity::{attachment, problem, progress_update, rating, rectification};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use crate::domain::time;
use crate::lists::catalog::{ListRow, load_rows};
use crate::privacy::PublicText;

#[derive(Debug, Serialize)]
pub struct Evidence {
    pub id: i32,
    pub file_name: PublicText,
    pub is_image: bool,
}

#[derive(Debug, Serialize)]
pub struct TimelineEntry {
    pub at: String,
    pub at_iso: String,
    pub text: PublicText,
    pub percent: i32,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Serialize)]
pub struct LevelCount {
    pub label: &'static str,
    pub score: i32,
    pub count: u64,
}

#[derive(Debug, Serialize)]
pub struct RatingSummary {
    pub n: u64,
    pub levels: Vec<LevelCount>,
    /// 基本满意 and above, in percent.
    pub satisfied_pct: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct ProblemDetail {
    pub row: ListRow,
    pub description: PublicText,
    pub measures: PublicText,
    pub plan: PublicText,
    pub target: PublicText,
    pub next_milestone: Option<PublicText>,
    pub verification_reason: Option<PublicText>,
    pub citizen_confirmation: Option<&'static str>,
    /// The latest round of 回访 on the item reported done.
    pub revisit: Option<crate::opinions::revisits::Tally>,
    pub timeline: Vec<TimelineEntry>,
    pub ratings: RatingSummary,
}

/// The problem a code in a URL names, if the code has a problem's shape and the problem exists.
pub async fn find(db: &impl ConnectionTrait, code: &str) -> Result<Option<problem::Model>, DbErr> {
    let Some(code) = crate::domain::problem_code::ProblemCode::parse(code) else { return Ok(None) };
    problem::Entity::find().filter(problem::Column::Code.eq(code.as_str())).one(db).await
}

pub async fn load(db: &impl ConnectionTrait, code: &str, today: NaiveDate) -> Result<Option<ProblemDetail>, DbErr> {
    let Some(p) = find(db, code).await? else { return Ok(None) };
    let Some(row) = load_rows(db, today, &[p.id]).await?.pop() else { return Ok(None) };
    let Some(rect) = rectification::Entity::find_by_id(row.rectification_id).one(db).await? else { return Ok(None) };
    let updates = progress_update::Entity::find()
        .filter(progress_update::Column::RectificationId.eq(rect.id))
        .order_by_asc(progress_update::Column::CreatedAt)
        .order_by_asc(progress_update::Column::Id)
        .all(db)
        .await?;
    let files = attachment::Entity::find()
        .filter(attachment::Column::OwnerType.eq(crate::evidence::OWNER_PROGRESS))
        .filter(attachment::Column::OwnerId.is_in(updates.iter().map(|u| u.id)))
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await?;
    let timeline = updates
        .into_iter()
        .map(|u| TimelineEntry {
            at: time::minute(u.created_at),
            at_iso: u.created_at.with_timezone(&time::beijing()).to_rfc3339(),
            text: PublicText::of(&u.text),
            percent: u.percent,
            evidence: files
                .iter()
                .filter(|f| f.owner_id == u.id)
                .map(|f| Evidence { id: f.id, file_name: PublicText::of(&f.file_name), is_image: f.content_type.starts_with("image/") })
                .collect(),
        })
        .collect();
    // Counted in SQL: a problem the whole city rated has thousands of ratings.
    let counts: Vec<(RatingLevel, i64)> = rating::Entity::find()
        .select_only()
        .column(rating::Column::Level)
        .column_as(rating::Column::Id.count(), "n")
        .filter(rating::Column::RectificationId.eq(rect.id))
        .filter(rating::Column::Origin.eq(RatingOrigin::Citizen))
        .group_by(rating::Column::Level)
        .into_tuple()
        .all(db)
        .await?;
    let count_of = |level: &RatingLevel| counts.iter().filter(|(l, _)| l == level).map(|(_, n)| *n as u64).sum::<u64>();
    let n = RatingLevel::ALL.iter().map(count_of).sum::<u64>();
    let satisfied = RatingLevel::ALL.iter().filter(|l| **l >= RatingLevel::Basic).map(count_of).sum::<u64>();
    let ratings = RatingSummary {
        n,
        levels: RatingLevel::ALL.iter().map(|l| LevelCount { label: l.label(), score: l.score(), count: count_of(l) }).collect(),
        satisfied_pct: (n > 0).then(|| (satisfied * 100 / n) as u32),
    };
    Ok(Some(ProblemDetail {
        description: PublicText::of(&p.description),
        measures: PublicText::of(&rect.measures),
        plan: PublicText::of(&rect.plan),
        target: PublicText::of(&rect.target),
        next_milestone: rect.next_milestone.as_deref().map(PublicText::of),
        verification_reason: rect.verification_reason.as_deref().map(PublicText::of),
        citizen_confirmation: rect.citizen_confirmation.map(|c| c.label()),
        revisit: crate::opinions::revisits::tally(db, &rect).await?,
        timeline,
        ratings,
        row,
    }))
}
