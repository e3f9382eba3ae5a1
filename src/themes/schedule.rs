//! When themes are mined again: once a day, and soon after the office asks. Mining reads every
//! opinion and takes minutes at a city's size, so a request only queues it; the leader's
//! `themes` job does the work, whichever server the office is using.

use chrono::{DateTime, Utc};
use entity::event;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::service::{Actor, ServiceError};
use crate::unit_of_work::{Context, Event, UnitOfWork};

/// The event the office's request writes.
pub const REQUESTED: &str = "themes.requested";
/// The job mark a rebuild moves: the newest event its themes reflect, and when it ran.
pub const MARK: &str = "themes";

/// How fresh the themes are, for the office's page.
pub struct Freshness {
    pub mined_at: Option<DateTime<Utc>>,
    /// A request not yet answered by a rebuild.
    pub queued: bool,
}

/// Asks for a rebuild, on behalf of the office.
pub async fn request(ctx: Context<'_>, actor: &Actor) -> Result<(), ServiceError> {
    actor.require(&[entity::vocab::Role::Office])?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    uow.emit(Event { topic: REQUESTED, entity_type: "theme", entity_id: 0, citizens: Vec::new(), data: None });
    uow.audit("themes.request", "theme", "all", None, None);
    uow.commit().await?;
    Ok(())
}

pub async fn freshness(db: &impl ConnectionTrait) -> Result<Freshness, DbErr> {
    let mark = crate::jobs::marks::read(db, MARK).await?;
    let after = mark.as_ref().map_or(0, |m| m.last_event_id);
    let queued =
        event::Entity::find().filter(event::Column::Id.gt(after)).filter(event::Column::Topic.eq(REQUESTED)).one(db).await?.is_some();
    Ok(Freshness { mined_at: mark.map(|m| m.at), queued })
}

/// Whether the job should mine now: asked for since the last rebuild, or the last one (or, if
/// there never was one, the server's start) is older than `every`.
pub async fn due(db: &impl ConnectionTrait, now: DateTime<Utc>, started: DateTime<Utc>, every: chrono::Duration) -> Result<bool, DbErr> {
    let fresh = freshness(db).await?;
    Ok(fresh.queued || now - fresh.mined_at.unwrap_or(started) >= every)
}
