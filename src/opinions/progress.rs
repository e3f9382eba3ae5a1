//! How an opinion moved, as its readers see it: the public steps, the unit handling it and the
//! problem it was listed under. The citizen's tracking page and the public opinion page show the
//! same things; only the citizen sees the notes written to them.

use entity::vocab::RectificationStatus;
use entity::{opinion, opinion_event, problem, rectification, unit};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use crate::domain::time;
use crate::privacy::PublicText;

#[derive(Debug, Serialize)]
pub struct Step {
    pub at: String,
    pub at_iso: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub actor: String,
    pub note: Option<PublicText>,
}

/// Whose page the steps are for: a step's note is written to the citizen, not to the world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Citizen,
    Public,
}

#[derive(Debug, Serialize)]
pub struct LinkedProblem {
    pub code: String,
    pub title: PublicText,
    pub status: &'static str,
    pub status_label: &'static str,
    pub progress: i32,
    #[serde(skip)]
    pub rectification: RectificationStatus,
}

/// The opinion's public status changes, oldest first.
pub async fn steps(db: &impl ConnectionTrait, opinion_id: i32, reader: Reader) -> Result<Vec<Step>, DbErr> {
    Ok(opinion_event::Entity::find()
        .filter(opinion_event::Column::OpinionId.eq(opinion_id))
        .filter(opinion_event::Column::Public.eq(true))
        .order_by_asc(opinion_event::Column::CreatedAt)
        .order_by_asc(opinion_event::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|e| Step {
            at: time::minute(e.created_at),
            at_iso: e.created_at.with_timezone(&time::beijing()).to_rfc3339(),
            status: e.to_status.as_str(),
            status_label: e.to_status.label(),
            actor: e.actor_label,
            note: e.note.as_deref().filter(|_| reader == Reader::Citizen).map(PublicText::of),
        })
        .collect())
}

/// The name of the unit the opinion was routed to.
pub async fn routed_unit(db: &impl ConnectionTrait, o: &opinion::Model) -> Result<Option<String>, DbErr> {
    match o.routed_unit_id {
        Some(id) => Ok(unit::Entity::find_by_id(id).one(db).await?.map(|u| u.name)),
        None => Ok(None),
    }
}

/// The problem the opinion was listed under, with its rectification's progress.
pub async fn linked_problem(db: &impl ConnectionTrait, o: &opinion::Model) -> Result<Option<LinkedProblem>, DbErr> {
    let Some(id) = o.problem_id else { return Ok(None) };
    let found = problem::Entity::find_by_id(id)
        .one(db)
        .await?
        .zip(rectification::Entity::find().filter(rectification::Column::ProblemId.eq(id)).one(db).await?);
    Ok(found.map(|(p, r)| LinkedProblem {
        code: p.code,
        title: PublicText::of(&p.title),
        status: r.status.as_str(),
        status_label: r.status.label(),
        progress: r.progress,
        rectification: r.status,
    }))
}
