//! Deadlines passing without completion mark items 逾期.

use chrono::NaiveDate;
use entity::vocab::RectificationStatus;
use entity::{rectification, responsibility};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect};

use crate::journal::snapshot;
use crate::lists::{emit_rectification, save_rectification};
use crate::service::{Actor, ServiceError};
use crate::unit_of_work::{Context, UnitOfWork};

const BATCH: u64 = 200;

/// Marks every unfinished item whose deadline is before `today` as overdue; returns how many.
/// Safe to run from several servers at once: each batch is read and marked inside one unit of
/// work, so an item another server already marked is no longer a candidate.
pub async fn mark_overdue(ctx: Context<'_>, today: NaiveDate) -> Result<u64, ServiceError> {
    let mut marked = 0;
    loop {
        let mut uow = UnitOfWork::begin(ctx, &Actor::system("deadlines")).await?;
        let late = responsibility::Entity::find()
            .select_only()
            .column(responsibility::Column::Id)
            .filter(responsibility::Column::Deadline.lt(today));
        let candidates = rectification::Entity::find()
            .filter(rectification::Column::ResponsibilityId.in_subquery(sea_orm::QueryTrait::into_query(late)))
            .filter(rectification::Column::Status.is_in([
                RectificationStatus::NotStarted,
                RectificationStatus::InProgress,
                RectificationStatus::LongTerm,
            ]))
            .limit(BATCH)
            .all(uow.db())
            .await?;
        if candidates.is_empty() {
            return Ok(marked);
        }
        for before in candidates {
            let mut model = before.clone().into_active_model();
            model.status = Set(RectificationStatus::Overdue);
            let after = save_rectification(&mut uow, &before, model).await?;
            uow.audit("rectification.overdue", "rectification", after.id, snapshot(&before), snapshot(&after));
            emit_rectification(&mut uow, "rectification.overdue", &after).await?;
            marked += 1;
        }
        uow.commit().await?;
    }
}
