//! Deadlines passing without completion mark items 逾期.

use chrono::{NaiveDate, Utc};
use entity::vocab::{ChangeOp, RectificationStatus};
use entity::{rectification, responsibility};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel, QueryFilter};

use crate::journal::{self, snapshot};
use crate::service::{Actor, begin_write};

/// Marks every unfinished item whose deadline is before `today` as overdue; returns how many.
/// Safe to run from several servers at once: an item already overdue is left alone.
pub async fn mark_overdue(db: &DatabaseConnection, today: NaiveDate) -> Result<u64, DbErr> {
    let late: Vec<i32> = responsibility::Entity::find()
        .filter(responsibility::Column::Deadline.lt(today))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let candidates = rectification::Entity::find()
        .filter(rectification::Column::ResponsibilityId.is_in(late))
        .filter(rectification::Column::Status.is_in([
            RectificationStatus::NotStarted,
            RectificationStatus::InProgress,
            RectificationStatus::LongTerm,
        ]))
        .all(db)
        .await?;
    let actor = Actor::system("deadlines");
    let mut marked = 0;
    for before in candidates {
        let txn = begin_write(db).await?;
        // Re-read inside the transaction: another server may have got there first.
        let Some(current) = rectification::Entity::find_by_id(before.id).one(&txn).await? else { continue };
        if current.status != before.status {
            continue;
        }
        let mut model = current.clone().into_active_model();
        model.status = Set(RectificationStatus::Overdue);
        model.updated_at = Set(Utc::now());
        let after = model.update(&txn).await?;
        journal::audit(&txn, &actor, "rectification.overdue", "rectification", after.id, snapshot(&current), snapshot(&after)).await?;
        journal::changed(&txn, "rectification", after.id, ChangeOp::Upsert).await?;
        txn.commit().await?;
        marked += 1;
    }
    Ok(marked)
}
