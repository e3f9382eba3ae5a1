//! Posting progress on a rectification: a dated, public timeline entry with its evidence.

use std::path::Path;

use chrono::Duration;
use entity::vocab::{RectificationStatus, ResponsibilityKind};
use entity::{attachment, progress_update, rectification, responsibility};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};

use crate::domain::text;
use crate::evidence::{self, Upload};
use crate::journal::snapshot;
use crate::lists::scope::ensure_may_work_on;
use crate::lists::{emit_rectification, save_rectification};
use crate::service::{Actor, FieldErrors, ServiceError};
use crate::unit_of_work::{Context, UnitOfWork};

/// Days until the next public update is due, when a unit does not promise a date itself.
pub const DEFAULT_UPDATE_INTERVAL_DAYS: i64 = 30;

pub struct NewProgress<'a> {
    pub text: &'a str,
    pub percent: &'a str,
    pub evidence: Vec<Upload>,
}

pub async fn post_progress(
    ctx: Context<'_>,
    data_dir: &Path,
    actor: &Actor,
    rectification_id: i32,
    input: NewProgress<'_>,
) -> Result<progress_update::Model, ServiceError> {
    let mut errors = FieldErrors::default();
    let body = errors.text("text", "进展说明", text::block(input.text, 2000));
    let percent = match input.percent.trim().parse::<i32>() {
        Ok(p) if (0..=100).contains(&p) => Some(p),
        _ => {
            errors.add("percent", "out_of_range", "进度须为 0 到 100 的整数");
            None
        }
    };
    let files = evidence::check_apart(input.evidence, "evidence", &mut errors).await;
    let (true, Some(body), Some(percent)) = (errors.is_empty(), body, percent) else { return Err(ServiceError::Invalid(errors)) };

    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let txn = uow.db();
    let before = rectification::Entity::find_by_id(rectification_id).one(txn).await?.ok_or(ServiceError::NotFound)?;
    ensure_may_work_on(txn, actor, rectification_id).await?;
    if matches!(before.status, RectificationStatus::Reported | RectificationStatus::Rectified) {
        return Err(ServiceError::Refused("该事项已报结，不能再更新进展".into()));
    }
    let kind = responsibility::Entity::find_by_id(before.responsibility_id).one(txn).await?.map(|r| r.kind);
    let now = uow.now();
    let update = progress_update::ActiveModel {
        rectification_id: Set(rectification_id),
        author_id: Set(actor.user_id),
        text: Set(body),
        percent: Set(percent),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    for file in &files {
        // Written before the commit: if the commit fails, an unreferenced file remains,
        // never a reference without its file.
        evidence::store(data_dir, file).map_err(|e| ServiceError::Refused(format!("证明材料保存失败：{e}")))?;
        attachment::ActiveModel {
            owner_type: Set(evidence::OWNER_PROGRESS.into()),
            owner_id: Set(update.id),
            file_name: Set(file.file_name.clone()),
            content_type: Set(file.content_type.into()),
            size_bytes: Set(file.bytes.len() as i64),
            sha256: Set(file.sha256.clone()),
            uploaded_by: Set(actor.user_id),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    let mut model = before.clone().into_active_model();
    model.progress = Set(percent);
    model.last_update_at = Set(Some(now));
    model.next_update_due = Set(Some(uow.today() + Duration::days(DEFAULT_UPDATE_INTERVAL_DAYS)));
    if before.status == RectificationStatus::NotStarted {
        let started =
            if kind == Some(ResponsibilityKind::LongTerm) { RectificationStatus::LongTerm } else { RectificationStatus::InProgress };
        model.status = Set(started);
    }
    let after = save_rectification(&mut uow, &before, model).await?;
    let detail =
        serde_json::json!({ "rectification": after, "update": update.id, "evidence": files.iter().map(|f| &f.sha256).collect::<Vec<_>>() });
    uow.audit("rectification.progress", "rectification", rectification_id, snapshot(&before), Some(detail));
    emit_rectification(&mut uow, "rectification.progress", &after).await?;
    uow.commit().await?;
    Ok(update)
}
