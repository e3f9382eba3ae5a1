//! Work the office asks for that is too heavy for a request (mining themes, discovering new
//! words: each reads many opinions): a request only queues it, as an event; the leader's job
//! does the work, whichever server the office is using, when asked or when its last run is old.

use chrono::{DateTime, Utc};
use entity::event;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::service::{Actor, ServiceError};
use crate::unit_of_work::{Context, Event, UnitOfWork};

/// One kind of queued work: the event a request writes and the job mark a run moves (the newest
/// event its result reflects, and when it ran).
pub struct Schedule {
    pub requested: &'static str,
    pub mark: &'static str,
}

/// Hot themes, mined by the `themes` job.
pub const THEMES: Schedule = Schedule { requested: "themes.requested", mark: "themes" };
/// New-word proposals, discovered by the `words` job.
pub const WORDS: Schedule = Schedule { requested: "words.requested", mark: "words" };

/// How fresh the work is, for the office's page.
pub struct Freshness {
    pub ran_at: Option<DateTime<Utc>>,
    /// A request not yet answered by a run.
    pub queued: bool,
}

impl Schedule {
    /// Asks for a run, on behalf of the office.
    pub async fn request(&self, ctx: Context<'_>, actor: &Actor) -> Result<(), ServiceError> {
        actor.require(&[entity::vocab::Role::Office])?;
        let mut uow = UnitOfWork::begin(ctx, actor).await?;
        uow.emit(Event { topic: self.requested, entity_type: self.mark, entity_id: 0, citizens: Vec::new(), data: None });
        uow.audit(self.requested, self.mark, "all", None, None);
        uow.commit().await?;
        Ok(())
    }

    pub async fn freshness(&self, db: &impl ConnectionTrait) -> Result<Freshness, DbErr> {
        let mark = super::marks::read(db, self.mark).await?;
        let after = mark.as_ref().map_or(0, |m| m.last_event_id);
        let queued = event::Entity::find()
            .filter(event::Column::Id.gt(after))
            .filter(event::Column::Topic.eq(self.requested))
            .one(db)
            .await?
            .is_some();
        Ok(Freshness { ran_at: mark.map(|m| m.at), queued })
    }

    /// Whether the job should run now: asked for since the last run, or the last one (or, if
    /// there never was one, the server's start) is older than `every`.
    pub async fn due(
        &self,
        db: &impl ConnectionTrait,
        now: DateTime<Utc>,
        started: DateTime<Utc>,
        every: chrono::Duration,
    ) -> Result<bool, DbErr> {
        let fresh = self.freshness(db).await?;
        Ok(fresh.queued || now - fresh.ran_at.unwrap_or(started) >= every)
    }
}
