//! Where a job that follows the events table got to, kept in the database beside the work it
//! did (written in the same unit of work), so a restart or a new leader neither repeats nor
//! skips anything.

use entity::{event, job_mark};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, QueryOrder, QuerySelect};

use crate::unit_of_work::UnitOfWork;

/// The id of the newest event written (0 when there is none): how far a follower could go.
pub async fn newest_event(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let newest: Option<i64> = event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .order_by_desc(event::Column::Id)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(newest.unwrap_or(0))
}

pub async fn read(db: &impl ConnectionTrait, name: &str) -> Result<Option<job_mark::Model>, DbErr> {
    job_mark::Entity::find_by_id(name.to_string()).one(db).await
}

/// Moves the mark of `name` to `last_event_id`, inside `uow`.
pub async fn write(uow: &UnitOfWork, name: &str, last_event_id: i64) -> Result<(), DbErr> {
    let row = job_mark::ActiveModel { name: Set(name.into()), last_event_id: Set(last_event_id), at: Set(uow.now()) };
    if read(uow.db(), name).await?.is_some() { row.update(uow.db()).await.map(|_| ()) } else { row.insert(uow.db()).await.map(|_| ()) }
}
