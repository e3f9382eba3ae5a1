//! The office asks for a period's themes (a month, quarter, year or range of days); the request
//! is queued as an event and the leader's `theme-periods` job mines it (see
//! [`super::mining::mine_period`]), one request at a time, oldest first.

use chrono::{DateTime, Utc};
use entity::event;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::jobs::schedule::Schedule;
use crate::score::period::Period;
use crate::service::{Actor, ServiceError};
use crate::unit_of_work::{Context, Event, UnitOfWork};

/// Requests for a period's themes, answered in order.
pub const QUEUE: Schedule = Schedule { requested: "themes.period_requested", mark: "themes.periods" };

/// The job mark of one period's mining: when it last ran.
pub fn mark(period: &str) -> String {
    format!("themes@{period}")
}

/// Asks for `period`'s themes, on behalf of the office.
pub async fn request(ctx: Context<'_>, actor: &Actor, period: Period) -> Result<(), ServiceError> {
    actor.require(&[entity::vocab::Role::Office])?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let name = period.name();
    uow.emit(Event {
        topic: QUEUE.requested,
        entity_type: "themes",
        entity_id: 0,
        citizens: Vec::new(),
        data: Some(serde_json::json!({ "period": name })),
    });
    uow.audit(QUEUE.requested, "theme", name, None, None);
    uow.commit().await?;
    Ok(())
}

/// Requests not yet answered, oldest first: their event ids and periods (a request whose
/// period no longer parses comes back as `None`, to be passed over).
async fn waiting(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<(i64, Option<Period>)>, DbErr> {
    let after = crate::jobs::marks::read(db, QUEUE.mark).await?.map_or(0, |m| m.last_event_id);
    let rows: Vec<(i64, Option<String>)> = event::Entity::find()
        .select_only()
        .columns([event::Column::Id, event::Column::DataJson])
        .filter(event::Column::Id.gt(after))
        .filter(event::Column::Topic.eq(QUEUE.requested))
        .order_by_asc(event::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, data)| {
            let period = data
                .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
                .and_then(|d| d["period"].as_str().and_then(Period::parse_span));
            (id, period)
        })
        .collect())
}

/// How one period's themes stand, for the office's page.
pub struct Standing {
    pub mined_at: Option<DateTime<Utc>>,
    pub queued: bool,
}

pub async fn standing(db: &impl ConnectionTrait, period: &Period) -> Result<Standing, DbErr> {
    let mined_at = crate::jobs::marks::read(db, &mark(&period.name())).await?.map(|m| m.at);
    // The office asks for a few periods at a time; a hundred waiting is already a long queue.
    let queued = waiting(db, 100).await?.iter().any(|(_, p)| p.as_ref() == Some(period));
    Ok(Standing { mined_at, queued })
}

/// Answers the oldest waiting request, if any; its period's name and themes.
pub async fn answer_next(
    ctx: Context<'_>,
    actor: &Actor,
    jieba: std::sync::Arc<jieba_rs::Jieba>,
) -> Result<Option<(String, usize)>, ServiceError> {
    let Some((id, period)) = waiting(ctx.db, 1).await?.into_iter().next() else { return Ok(None) };
    let Some(period) = period else {
        let uow = UnitOfWork::begin(ctx, actor).await?;
        crate::jobs::marks::write(&uow, QUEUE.mark, id).await?;
        uow.commit().await?;
        return Ok(None);
    };
    let done = super::mining::mine_period(ctx, actor, jieba, period, id).await?;
    Ok(Some((period.name(), done.themes)))
}
