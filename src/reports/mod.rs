//! 跟踪报道: follow-up reports written and published by the publicity department.

use entity::{
    report,
    vocab::{ReportStatus, Role},
};
use rand::RngExt;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, QueryOrder};

use crate::dependencies::Record;
use crate::domain::text;
use crate::journal::snapshot;
use crate::service::{Actor, FieldErrors, ServiceError};
use crate::unit_of_work::{Context, UnitOfWork};

pub struct Draft<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub body_md: &'a str,
}

pub async fn create_draft(ctx: Context<'_>, actor: &Actor, input: Draft<'_>) -> Result<report::Model, ServiceError> {
    actor.require(&[Role::Publicity])?;
    let mut errors = FieldErrors::default();
    let title = errors.text("title", text::line(input.title, 100));
    let summary = errors.text("summary", text::line(input.summary, 300));
    let body = errors.text("body_md", text::block(input.body_md, 20_000));
    let (true, Some(title), Some(summary), Some(body)) = (errors.is_empty(), title, summary, body) else {
        return Err(ServiceError::Invalid(errors));
    };
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let now = uow.now();
    let slug = format!("r-{}-{:04x}", now.format("%Y%m%d"), rand::rng().random_range(0..0xffffu32));
    let created = report::ActiveModel {
        slug: Set(slug),
        title: Set(title),
        summary: Set(summary),
        body_md: Set(body),
        status: Set(ReportStatus::Draft),
        author_id: Set(actor.user_id),
        reviewer_id: Set(None),
        review_note: Set(None),
        published_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(uow.db())
    .await?;
    uow.audit("report.create", "report", created.id, None, snapshot(&created));
    uow.touch(Record::Report(created.id));
    uow.commit().await?;
    Ok(created)
}

pub async fn list_all(db: &impl ConnectionTrait) -> Result<Vec<report::Model>, ServiceError> {
    Ok(report::Entity::find().order_by_desc(report::Column::UpdatedAt).all(db).await?)
}
