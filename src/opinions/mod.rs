//! Citizen opinions (群众意见建议): submitted, tracked by code, routed, answered and rated.

pub mod handling;
pub mod import;
pub mod ratings;
pub mod submit;
pub mod track;

use chrono::{DateTime, Utc};
use entity::vocab::{ChangeOp, OpinionStatus};
use entity::{notification, opinion, opinion_event};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr};

use crate::journal;

/// One step in an opinion's life: the event the citizen sees, a note on their tracking page,
/// and the change-log entry that keeps derived indexes current.
pub async fn record_step(
    db: &impl ConnectionTrait,
    opinion: &opinion::Model,
    from: Option<OpinionStatus>,
    actor_user_id: Option<i32>,
    actor_label: &str,
    note: Option<String>,
    public: bool,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    opinion_event::ActiveModel {
        opinion_id: Set(opinion.id),
        from_status: Set(from),
        to_status: Set(opinion.status),
        actor_user_id: Set(actor_user_id),
        actor_label: Set(actor_label.into()),
        note: Set(note.clone()),
        public: Set(public),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    if public && from.is_some() {
        let message = match &note {
            Some(note) => format!("您的意见状态更新为“{}”：{note}", opinion.status.label()),
            None => format!("您的意见状态更新为“{}”。", opinion.status.label()),
        };
        notification::ActiveModel {
            opinion_id: Set(opinion.id),
            kind: Set("status_changed".into()),
            message: Set(message),
            sent_at: Set(None),
            created_at: Set(at),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    journal::changed(db, "opinion", opinion.id, ChangeOp::Upsert).await
}

/// Statuses from which the citizen may rate the handling.
pub const RATEABLE: [OpinionStatus; 3] = [OpinionStatus::Closed, OpinionStatus::Revisited, OpinionStatus::Explained];
