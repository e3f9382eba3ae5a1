//! Which rectifications a unit answers for: those it leads and those it cooperates on.

use entity::{problem, rectification, responsibility, responsibility_unit, vocab::Role};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, QueryFilter, QueryOrder};
use serde::Serialize;

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
        .filter(
            responsibility::Column::LeadUnitId
                .eq(unit_id)
                .or(responsibility::Column::Id.is_in(cooperating)),
        )
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

#[derive(Debug, Serialize)]
pub struct WorkItem {
    pub rectification_id: i32,
    pub code: String,
    pub title: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub progress: i32,
    pub lead: bool,
    pub next_update_due: Option<String>,
}

/// A unit's own items, newest problems first.
pub async fn unit_work_items(db: &impl ConnectionTrait, unit_id: i32) -> Result<Vec<WorkItem>, DbErr> {
    let ids = unit_rectification_ids(db, unit_id).await?;
    let rects = rectification::Entity::find().filter(rectification::Column::Id.is_in(ids)).all(db).await?;
    let problems = problem::Entity::find()
        .filter(problem::Column::Id.is_in(rects.iter().map(|r| r.problem_id)))
        .order_by_desc(problem::Column::CreatedAt)
        .all(db)
        .await?;
    let leads: std::collections::HashMap<i32, i32> = responsibility::Entity::find()
        .filter(responsibility::Column::Id.is_in(rects.iter().map(|r| r.responsibility_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.lead_unit_id))
        .collect();
    Ok(problems
        .into_iter()
        .filter_map(|p| {
            let r = rects.iter().find(|r| r.problem_id == p.id)?;
            Some(WorkItem {
                rectification_id: r.id,
                code: p.code,
                title: p.title,
                status: r.status.as_str(),
                status_label: r.status.label(),
                progress: r.progress,
                lead: leads.get(&r.responsibility_id) == Some(&unit_id),
                next_update_due: r.next_update_due.map(|d| d.to_string()),
            })
        })
        .collect())
}
