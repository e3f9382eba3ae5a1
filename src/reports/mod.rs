//! 跟踪报道: follow-up reports written, reviewed and published by the publicity department, read
//! by the public beside the problems they report on.

pub mod diff;
pub mod facts;
pub mod handover;
pub mod images;
pub mod public;
pub mod queue;
pub mod render;
pub mod workflow;

use entity::report;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder, QuerySelect};

/// The reports on the publicity desk, last changed first.
pub async fn on_desk(db: &impl ConnectionTrait) -> Result<Vec<report::Model>, DbErr> {
    report::Entity::find().order_by_desc(report::Column::UpdatedAt).order_by_desc(report::Column::Id).limit(200).all(db).await
}
