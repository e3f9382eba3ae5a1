//! Which rectifications a unit answers for: those it leads and those it cooperates on.

use entity::{rectification, responsibility, responsibility_unit, vocab::Role};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, QueryFilter};

use crate::lists::catalog::{Filter, ListRow};

use crate::service::{Actor, ServiceError};

/// The rectification ids unit `unit_id` may work on.
pub async fn unit_rectification_ids(db: &impl ConnectionTrait, unit_id: i32) -> Result<Vec<i32>, DbErr> {
    let cooperating: Vec<i32> = responsibility_unit::Entity::find()
        .filter(responsibility_unit::Column::UnitId.eq(unit_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.responsibility_id)
        .collect();
    let responsibilities: Vec<i32> = responsibility::Entity::find()
        .filter(responsibility::Column::LeadUnitId.eq(unit_id).or(responsibility::Column::Id.is_in(cooperating)))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    Ok(rectification::Entity::find()
        .filter(rectification::Column::ResponsibilityId.is_in(responsibilities))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

/// Refuses unless the actor may work on this rectification: the office may work on all,
/// a unit only on its own.
pub async fn ensure_may_work_on(db: &impl ConnectionTrait, actor: &Actor, rectification_id: i32) -> Result<(), ServiceError> {
    match (actor.role, actor.unit_id) {
        (Some(Role::Office), _) => Ok(()),
        (Some(Role::Unit), Some(unit)) if unit_rectification_ids(db, unit).await?.contains(&rectification_id) => Ok(()),
        _ => Err(ServiceError::Forbidden),
    }
}

/// A unit's own items (led or cooperated on), work still to do first, newest first.
pub async fn unit_work_items(db: &impl ConnectionTrait, unit_code: &str, today: chrono::NaiveDate) -> Result<Vec<ListRow>, DbErr> {
    let own = Filter { unit: Some(unit_code.to_string()), page: 1, page_size: crate::lists::catalog::EXPORT_MAX_ROWS, ..Filter::default() };
    let mut rows: Vec<ListRow> = crate::lists::listing::rows(db, today, &own).await?;
    rows.sort_by(|a, b| a.is_finished().cmp(&b.is_finished()).then(b.created_at.cmp(&a.created_at)));
    Ok(rows)
}
