//! The office hands a hot theme to the publicity department for a follow-up report (跟踪报道);
//! the desk's queue lists it until a report is drafted from it.

use entity::report_handover;
use entity::vocab::Role;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::domain::text;
use crate::journal::snapshot;
use crate::service::{Actor, FieldErrors, ServiceError};
use crate::unit_of_work::{Context, UnitOfWork};

pub async fn hand_over(ctx: Context<'_>, actor: &Actor, theme_id: i32, note: &str) -> Result<report_handover::Model, ServiceError> {
    actor.require(&[Role::Office])?;
    let mut errors = FieldErrors::default();
    let Some(note) = errors.text("note", "交办说明", text::line(note, 200)) else { return Err(ServiceError::Invalid(errors)) };
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    entity::theme::Entity::find_by_id(theme_id).one(uow.db()).await?.ok_or(ServiceError::NotFound)?;
    let waiting = report_handover::Entity::find()
        .filter(report_handover::Column::ThemeId.eq(theme_id))
        .filter(report_handover::Column::ReportId.is_null())
        .one(uow.db())
        .await?;
    if waiting.is_some() {
        return Err(ServiceError::Conflict("该主题已交宣传部，尚未成稿".into()));
    }
    let created = report_handover::ActiveModel {
        theme_id: Set(theme_id),
        note: Set(note),
        handed_by: Set(actor.label.chars().take(64).collect()),
        created_at: Set(uow.now()),
        report_id: Set(None),
        ..Default::default()
    }
    .insert(uow.db())
    .await?;
    uow.audit("report.handover", "theme", theme_id, None, snapshot(&created));
    uow.commit().await?;
    Ok(created)
}

/// A theme's handovers, newest first.
pub async fn of_theme(db: &impl ConnectionTrait, theme_id: i32) -> Result<Vec<report_handover::Model>, DbErr> {
    report_handover::Entity::find()
        .filter(report_handover::Column::ThemeId.eq(theme_id))
        .order_by_desc(report_handover::Column::Id)
        .all(db)
        .await
}
