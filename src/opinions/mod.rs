//! Citizen opinions (群众意见建议): submitted, tracked by code, routed, answered and rated.

pub mod handling;
pub mod import;
pub mod intake;
pub mod progress;
pub mod public_view;
pub mod ratings;
pub mod recovery;
pub mod reply_check;
pub mod revisits;
pub mod submit;
pub mod track;
pub mod triage;
pub mod updates;

use entity::vocab::OpinionStatus;
use entity::{notification, opinion, opinion_event};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, QueryFilter};

use crate::dependencies::Record;
use crate::service::ServiceError;
use crate::unit_of_work::{Event, UnitOfWork};

/// Writes an opinion's change. The one place an opinion row is updated: only while it is still
/// in the status it was read in (a lost race answers 409), and touching both the problem it left
/// and the one it joined when a link moves.
pub async fn save(uow: &mut UnitOfWork, before: &opinion::Model, mut model: opinion::ActiveModel) -> Result<opinion::Model, ServiceError> {
    model.updated_at = Set(uow.now());
    let guarded = opinion::Entity::update(model).validate()?.filter(opinion::Column::Status.eq(before.status));
    let after = match guarded.exec(uow.db()).await {
        Err(DbErr::RecordNotUpdated) => return Err(ServiceError::Conflict("这条意见刚刚已被他人办理，请刷新页面查看最新状态".into())),
        other => other?,
    };
    if crate::search::documents::opinion_change_shows(before, &after) {
        uow.touch(Record::Opinion(after.id));
    }
    if let Some(old) = before.problem_id.filter(|old| Some(*old) != after.problem_id) {
        uow.touch(Record::Problem(old));
    }
    Ok(after)
}

/// A message on the case's tracking page (and, by the `deliver` job, to its citizen's address).
pub(crate) async fn tell(uow: &UnitOfWork, opinion_id: i32, kind: &str, message: String) -> Result<notification::Model, DbErr> {
    notification::ActiveModel {
        opinion_id: Set(opinion_id),
        kind: Set(kind.into()),
        message: Set(message),
        sent_at: Set(None),
        created_at: Set(uow.now()),
        ..Default::default()
    }
    .insert(uow.db())
    .await
}

/// One step in an opinion's life: the event the citizen sees, a note on their tracking page,
/// and the event for followers. `label` names who acted as the citizen sees it (a unit's name,
/// 绩效办, 系统).
pub async fn record_step(
    uow: &mut UnitOfWork,
    opinion: &opinion::Model,
    from: Option<OpinionStatus>,
    label: &str,
    note: Option<String>,
    public: bool,
) -> Result<(), DbErr> {
    let at = uow.now();
    opinion_event::ActiveModel {
        opinion_id: Set(opinion.id),
        from_status: Set(from),
        to_status: Set(opinion.status),
        actor_user_id: Set(uow.actor().user_id),
        actor_label: Set(label.into()),
        note: Set(note.clone()),
        public: Set(public),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(uow.db())
    .await?;
    if public && from.is_some() {
        let message = match &note {
            Some(note) => format!("您的意见状态更新为“{}”：{note}", opinion.status.label()),
            None => format!("您的意见状态更新为“{}”。", opinion.status.label()),
        };
        tell(uow, opinion.id, "status_changed", message).await?;
    }
    uow.touch(Record::Opinion(opinion.id));
    uow.emit(Event {
        topic: if from.is_none() { "opinion.received" } else { "opinion.status" },
        entity_type: "opinion",
        entity_id: opinion.id,
        citizens: if public { vec![opinion.id] } else { Vec::new() },
        data: Some(serde_json::json!({ "from": from.map(|s| s.as_str()), "to": opinion.status.as_str() })),
    });
    Ok(())
}

/// Statuses from which the citizen may rate the handling.
pub const RATEABLE: [OpinionStatus; 3] = [OpinionStatus::Closed, OpinionStatus::Revisited, OpinionStatus::Explained];
