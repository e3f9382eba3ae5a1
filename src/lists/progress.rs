//! Posting progress on a rectification: a dated, public timeline entry.

use chrono::{Duration, Utc};
use entity::{progress_update, rectification, vocab::{ChangeOp, RectificationStatus}};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait, IntoActiveModel};

use crate::domain::{text, time};
use crate::journal::{self, snapshot};
use crate::lists::scope::ensure_may_work_on;
use crate::service::{Actor, FieldErrors, ServiceError, begin_write};

/// Days until the next public update is due, when a unit does not promise a date itself.
pub const DEFAULT_UPDATE_INTERVAL_DAYS: i64 = 30;

pub struct NewProgress<'a> {
    pub text: &'a str,
    pub percent: &'a str,
}

pub async fn post_progress(
    db: &DatabaseConnection,
    actor: &Actor,
    rectification_id: i32,
    input: NewProgress<'_>,
) -> Result<progress_update::Model, ServiceError> {
    let mut errors = FieldErrors::default();
    let body = errors.text("text", text::block(input.text, 2000));
    let percent = match input.percent.trim().parse::<i32>() {
        Ok(p) if (0..=100).contains(&p) => Some(p),
        _ => {
            errors.add("percent", "out_of_range", "进度须为 0 到 100 的整数");
            None
        }
    };
    errors.check()?;
    let (body, percent) = (body.expect("checked"), percent.expect("checked"));

    let txn = begin_write(db).await?;
    let before = rectification::Entity::find_by_id(rectification_id).one(&txn).await?.ok_or(ServiceError::NotFound)?;
    ensure_may_work_on(&txn, actor, rectification_id).await?;
    if matches!(before.status, RectificationStatus::Reported | RectificationStatus::Rectified) {
        return Err(ServiceError::Refused("该事项已报结，不能再更新进展".into()));
    }
    let now = Utc::now();
    let update = progress_update::ActiveModel {
        rectification_id: Set(rectification_id),
        author_id: Set(actor.user_id),
        text: Set(body),
        percent: Set(percent),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut model = before.clone().into_active_model();
    model.progress = Set(percent);
    model.last_update_at = Set(Some(now));
    model.next_update_due = Set(Some(time::today(now) + Duration::days(DEFAULT_UPDATE_INTERVAL_DAYS)));
    if before.status == RectificationStatus::NotStarted {
        model.status = Set(RectificationStatus::InProgress);
    }
    model.updated_at = Set(now);
    let after = model.update(&txn).await?;
    journal::audit(&txn, actor, "rectification.progress", "rectification", rectification_id, snapshot(&before), snapshot(&after)).await?;
    journal::changed(&txn, "rectification", rectification_id, ChangeOp::Upsert).await?;
    txn.commit().await?;
    Ok(update)
}
