//! The three lists (问题清单, 责任清单, 整改清单) and the work on them.

use entity::rectification;
use entity::vocab::OpinionStatus;
use sea_orm::{ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, QueryFilter};

use crate::dependencies::Record;
use crate::service::ServiceError;
use crate::unit_of_work::{Event, UnitOfWork};

pub mod catalog;
pub mod deadlines;
pub mod detail;
pub mod exchange;
pub mod feed;
pub mod ledger;
pub mod listing;
pub mod progress;
pub mod scope;
pub mod workflow;

/// Opinions that never count publicly: hidden for abuse, withdrawn by the citizen.
pub const HIDDEN_OPINION_STATUSES: [OpinionStatus; 2] = [OpinionStatus::Hidden, OpinionStatus::Withdrawn];

/// Writes a rectification's change: only while it is still in the status it was read in (a lost
/// race answers 409, never a second outcome), touching it for the index.
pub async fn save_rectification(
    uow: &mut UnitOfWork,
    before: &rectification::Model,
    mut model: rectification::ActiveModel,
) -> Result<rectification::Model, ServiceError> {
    model.updated_at = Set(uow.now());
    let guarded = rectification::Entity::update(model).validate()?.filter(rectification::Column::Status.eq(before.status));
    let after = match guarded.exec(uow.db()).await {
        Err(DbErr::RecordNotUpdated) => return Err(ServiceError::Conflict("该事项刚刚已被他人处理，请刷新页面查看最新状态".into())),
        other => other?,
    };
    uow.touch(Record::Rectification(after.id));
    Ok(after)
}

/// The opinions linked to a problem: the citizens told when its rectification moves.
pub async fn linked_opinions(uow: &UnitOfWork, problem_id: i32) -> Result<Vec<i32>, DbErr> {
    use sea_orm::QuerySelect;
    entity::opinion::Entity::find()
        .select_only()
        .column(entity::opinion::Column::Id)
        .filter(entity::opinion::Column::ProblemId.eq(problem_id))
        .filter(entity::opinion::Column::Status.is_not_in(HIDDEN_OPINION_STATUSES))
        .into_tuple()
        .all(uow.db())
        .await
}

/// Tells followers a rectification moved, with every linked citizen (returned).
pub async fn emit_rectification(uow: &mut UnitOfWork, topic: &'static str, after: &rectification::Model) -> Result<Vec<i32>, DbErr> {
    let citizens = linked_opinions(uow, after.problem_id).await?;
    uow.emit(Event {
        topic,
        entity_type: "rectification",
        entity_id: after.id,
        citizens: citizens.clone(),
        data: Some(serde_json::json!({ "status": after.status.as_str(), "progress": after.progress, "verification": after.verification.map(|v| v.as_str()) })),
    });
    Ok(citizens)
}
