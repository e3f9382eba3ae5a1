//! 跟踪报道: follow-up reports written and published by the publicity department.

use chrono::Utc;
use entity::{
    report,
    vocab::{ChangeOp, ReportStatus, Role},
};
use rand::RngExt;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait, QueryOrder};

use crate::domain::text;
use crate::journal::{self, snapshot};
use crate::service::{Actor, FieldErrors, ServiceError, begin_write};

pub struct Draft<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub body_md: &'a str,
}

pub async fn create_draft(db: &DatabaseConnection, actor: &Actor, input: Draft<'_>) -> Result<report::Model, ServiceError> {
    actor.require(&[Role::Publicity])?;
    let mut errors = FieldErrors::default();
    let title = errors.text("title", text::line(input.title, 100));
    let summary = errors.text("summary", text::line(input.summary, 300));
    let body = errors.text("body_md", text::block(input.body_md, 20_000));
    errors.check()?;
    let now = Utc::now();
    let slug = format!("r-{}-{:04x}", now.format("%Y%m%d"), rand::rng().random_range(0..0xffffu32));
    let txn = begin_write(db).await?;
    let created = report::ActiveModel {
        slug: Set(slug),
        title: Set(title.expect("checked")),
        summary: Set(summary.expect("checked")),
        body_md: Set(body.expect("checked")),
        status: Set(ReportStatus::Draft),
        author_id: Set(actor.user_id),
        reviewer_id: Set(None),
        review_note: Set(None),
        published_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    journal::audit(&txn, actor, "report.create", "report", created.id, None, snapshot(&created)).await?;
    journal::changed(&txn, "report", created.id, ChangeOp::Upsert).await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn list_all(db: &impl ConnectionTrait) -> Result<Vec<report::Model>, ServiceError> {
    Ok(report::Entity::find().order_by_desc(report::Column::UpdatedAt).all(db).await?)
}
