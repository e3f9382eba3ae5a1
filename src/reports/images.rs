//! A report's pictures: uploaded like evidence (checked by content, images only, 5 MB each,
//! stored once by hash), public once the report is; and the pictures already public as evidence
//! on the problems it reports on, offered for the body as they are.

use entity::vocab::{ReportStatus, Role};
use entity::{attachment, progress_update, rectification, report, report_link};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use serde::Serialize;

use crate::evidence::{self, Upload};
use crate::service::{Actor, FieldErrors, ServiceError};
use crate::unit_of_work::{Context, UnitOfWork};

pub const OWNER_REPORT: &str = "report";

#[derive(Debug, Serialize)]
pub struct Picture {
    pub id: i32,
    pub file_name: String,
    /// What to paste into the body to show it.
    pub markdown: String,
}

/// Stores `uploads` as pictures of draft `report_id`; how many.
pub async fn upload(
    ctx: Context<'_>,
    data_dir: &std::path::Path,
    actor: &Actor,
    report_id: i32,
    uploads: Vec<Upload>,
) -> Result<usize, ServiceError> {
    actor.require(&[Role::Publicity])?;
    let mut errors = FieldErrors::default();
    let files = evidence::check_apart(uploads, "evidence", &mut errors).await;
    if files.iter().any(|f| !f.content_type.starts_with("image/")) {
        errors.add("evidence", "not_an_image", "报道配图只能是 JPEG、PNG 或 WebP 图片");
    }
    if files.is_empty() && errors.is_empty() {
        errors.add("evidence", "empty", "请选择要上传的图片");
    }
    errors.check()?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let r = report::Entity::find_by_id(report_id).one(uow.db()).await?.ok_or(ServiceError::NotFound)?;
    if r.status != ReportStatus::Draft {
        return Err(ServiceError::Refused("只有草稿可以添加配图".into()));
    }
    for file in &files {
        // Written before the commit: a failed commit leaves an unreferenced file, never a
        // reference without its file.
        evidence::store(data_dir, file).map_err(|e| ServiceError::Refused(format!("图片保存失败：{e}")))?;
        let saved = attachment::ActiveModel {
            owner_type: Set(OWNER_REPORT.into()),
            owner_id: Set(report_id),
            file_name: Set(file.file_name.clone()),
            content_type: Set(file.content_type.into()),
            size_bytes: Set(file.bytes.len() as i64),
            sha256: Set(file.sha256.clone()),
            uploaded_by: Set(actor.user_id),
            created_at: Set(uow.now()),
            ..Default::default()
        }
        .insert(uow.db())
        .await?;
        uow.audit("report.image", "report", report_id, None, Some(serde_json::json!({ "attachment": saved.id, "file": saved.file_name })));
    }
    uow.commit().await?;
    Ok(files.len())
}

fn picture(a: attachment::Model, path: &str) -> Picture {
    let alt: String =
        a.file_name.rsplit_once('.').map_or(a.file_name.as_str(), |(stem, _)| stem).chars().filter(|c| !"[]()".contains(*c)).collect();
    Picture { markdown: format!("![{alt}](/{path}/{})", a.id), id: a.id, file_name: a.file_name }
}

/// The report's own pictures, oldest first.
pub async fn of_report(db: &impl ConnectionTrait, report_id: i32) -> Result<Vec<Picture>, DbErr> {
    let rows = attachment::Entity::find()
        .filter(attachment::Column::OwnerType.eq(OWNER_REPORT))
        .filter(attachment::Column::OwnerId.eq(report_id))
        .order_by_asc(attachment::Column::Id)
        .limit(100)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|a| picture(a, "reports/images")).collect())
}

/// Evidence pictures of the problems the report links to, newest first.
pub async fn from_linked(db: &impl ConnectionTrait, report_id: i32) -> Result<Vec<Picture>, DbErr> {
    let problems = report_link::Entity::find()
        .select_only()
        .column(report_link::Column::ProblemId)
        .filter(report_link::Column::ReportId.eq(report_id));
    let rects = rectification::Entity::find()
        .select_only()
        .column(rectification::Column::Id)
        .filter(rectification::Column::ProblemId.in_subquery(problems.into_query()));
    let updates = progress_update::Entity::find()
        .select_only()
        .column(progress_update::Column::Id)
        .filter(progress_update::Column::RectificationId.in_subquery(rects.into_query()));
    let rows = attachment::Entity::find()
        .filter(attachment::Column::OwnerType.eq(evidence::OWNER_PROGRESS))
        .filter(attachment::Column::OwnerId.in_subquery(updates.into_query()))
        .filter(attachment::Column::ContentType.starts_with("image/"))
        .order_by_desc(attachment::Column::Id)
        .limit(30)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|a| picture(a, "evidence")).collect())
}

/// Picture `id` of a report, if `reader_is_publicity` or its report is public.
pub async fn servable(db: &impl ConnectionTrait, id: i32, reader_is_publicity: bool) -> Result<Option<attachment::Model>, DbErr> {
    let Some(a) = attachment::Entity::find_by_id(id).one(db).await?.filter(|a| a.owner_type == OWNER_REPORT) else { return Ok(None) };
    if reader_is_publicity {
        return Ok(Some(a));
    }
    // Public only while published, and only if the body shows it: a picture taken out of the
    // text (a face, an ID card) stays private.
    let public = report::Entity::find_by_id(a.owner_id)
        .one(db)
        .await?
        .is_some_and(|r| r.status == ReportStatus::Published && r.body_md.contains(&format!("/reports/images/{})", a.id)));
    Ok(public.then_some(a))
}
