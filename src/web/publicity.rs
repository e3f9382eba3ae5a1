//! The publicity department's desk (宣传部): follow-up reports written, previewed, reviewed by a
//! colleague, published (now or at a set time) and, if need be, withdrawn.

use actix_web::{
    HttpRequest, HttpResponse, get,
    http::{StatusCode, header},
    post, web,
};
use entity::vocab::{ReportStatus, Role};
use sea_orm::EntityTrait;
use serde::Deserialize;
use serde_json::json;

use crate::error::{AppError, as_notice};
use crate::reports::workflow::{self, Draft, Step};
use crate::service::ServiceError;
use crate::state::AppState;
use crate::web::{csrf::CsrfForm, page::Page, session::CurrentUser};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(desk)
        .service(create_draft)
        .service(editor)
        .service(revision)
        .service(upload_images)
        .service(preview)
        .service(save)
        .service(step);
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location.to_string())).finish()
}

#[derive(Deserialize, Default)]
struct Begin {
    /// A draft begun from the queue: about this problem (by code) or this theme.
    problem: Option<String>,
    theme: Option<i32>,
}

/// The new-draft form's values for a draft begun from the queue.
async fn begun(state: &AppState, begin: &Begin) -> Result<Option<serde_json::Value>, AppError> {
    if let Some(code) = &begin.problem {
        let found = crate::lists::detail::find(&state.db, code).await?;
        return Ok(found
            .map(|p| json!({ "title": format!("{}整改跟踪", p.title), "summary": "", "body_md": "", "problems": p.code, "themes": "" })));
    }
    if let Some(id) = begin.theme {
        let found = entity::theme::Entity::find_by_id(id).one(&state.db).await?;
        return Ok(found.map(|t| json!({ "title": format!("{}跟踪", t.representative_title), "summary": "", "body_md": "", "problems": "", "themes": t.id.to_string() })));
    }
    Ok(None)
}

async fn desk_page(req: &HttpRequest, state: &AppState) -> Result<Page, AppError> {
    let reports: Vec<_> = crate::reports::on_desk(&state.db)
        .await?
        .into_iter()
        .map(|r| json!({ "id": r.id, "title": r.title, "status": r.status.as_str(), "status_label": r.status.label(), "updated": crate::domain::time::minute(r.updated_at) }))
        .collect();
    let queue = crate::reports::queue::load(&state.db, state.clock.now(), state.clock.today()).await?;
    let mut page = Page::new(req, "publicity");
    page.insert("reports", &reports).insert("queue", &queue);
    Ok(page)
}

#[get("/publicity")]
async fn desk(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser, begin: web::Query<Begin>) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Publicity])?;
    let mut page = desk_page(&req, &state).await?;
    if let Some(values) = begun(&state, &begin).await? {
        page.insert("values", &values).insert("begun", &true);
    }
    page.render(&state.tera, "publicity/index.html")
}

#[derive(Deserialize)]
struct DraftForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    body_md: String,
    #[serde(default)]
    problems: String,
    #[serde(default)]
    themes: String,
    /// `preview` shows the text rendered without saving it.
    #[serde(default)]
    action: String,
}

impl DraftForm {
    fn draft(&self) -> Draft<'_> {
        Draft { title: &self.title, summary: &self.summary, body_md: &self.body_md, problems: &self.problems, themes: &self.themes }
    }

    fn values(&self) -> serde_json::Value {
        json!({ "title": self.title, "summary": self.summary, "body_md": self.body_md, "problems": self.problems, "themes": self.themes })
    }
}

#[post("/publicity/reports")]
async fn create_draft(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<DraftForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Publicity])?;
    match workflow::create_draft(state.ctx(), &user.actor(), form.draft()).await {
        Ok(created) => Ok(see_other(&format!("/publicity/reports/{}?done=created", created.id))),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = desk_page(&req, &state).await?;
            page.insert("errors", &errors.by_field()).insert("values", &form.values());
            page.render_with_status(&state.tera, "publicity/index.html", StatusCode::BAD_REQUEST)
        }
        Err(err) => Err(err.into()),
    }
}

/// The editor's page: the form (while a draft), the rendered text, the steps this user may take,
/// and the revisions.
async fn editor_page(req: &HttpRequest, state: &AppState, user: &CurrentUser, id: i32) -> Result<Page, AppError> {
    let report = entity::report::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let problems = crate::reports::public::linked_problems(&state.db, id).await?;
    let codes: Vec<&str> = problems.iter().map(|p| p.code.as_str()).collect();
    let revisions: Vec<_> = workflow::revisions(&state.db, id)
        .await?
        .into_iter()
        .map(|r| json!({ "number": r.number, "editor": r.editor, "note": r.note, "at": crate::domain::time::minute(r.created_at), "title": r.title }))
        .collect();
    let is_author = report.author_id.is_some() && report.author_id == user.actor().user_id;
    let mut page = Page::new(req, "publicity");
    page.insert(
        "report",
        &json!({
            "id": report.id, "slug": report.slug, "title": report.title, "status": report.status.as_str(),
            "status_label": report.status.label(), "review_note": report.review_note, "withdrawn_reason": report.withdrawn_reason,
            "publish_at": report.publish_at.map(crate::domain::time::minute),
            "public": matches!(report.status, ReportStatus::Published | ReportStatus::Withdrawn),
        }),
    )
    .insert(
        "values",
        &json!({ "title": report.title, "summary": report.summary, "body_md": report.body_md, "problems": codes.join("、"), "themes": "" }),
    )
    .insert("preview", &crate::reports::render::to_html(&report.body_md))
    .insert("problems", &problems)
    .insert("is_author", &is_author)
    .insert("pictures", &crate::reports::images::of_report(&state.db, id).await?)
    .insert("evidence", &crate::reports::images::from_linked(&state.db, id).await?)
    .insert("revisions", &revisions);
    Ok(page)
}

#[derive(Deserialize)]
struct Done {
    /// What the last action did, said once at the top of the page it returns to.
    done: Option<String>,
}

fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "created" => "草稿已创建。",
        "saved" => "草稿已保存。",
        "submitted" => "已保存并提交审核，等待另一位宣传部同事审核。",
        "uploaded" => "图片已上传，把下面的一行复制到正文即可显示。",
        "published" => "已审核通过并发布。",
        "scheduled" => "已审核通过，将按设定时间发布。",
        "sent_back" => "已退回草稿，作者会看到审核意见。",
        "withdrawn" => "已撤回，公开页面保留并显示撤回原因。",
        _ => return None,
    })
}

/// The editor's page again, saying why the action was refused.
async fn refused(req: &HttpRequest, state: &AppState, user: &CurrentUser, id: i32, err: ServiceError) -> Result<HttpResponse, AppError> {
    let (notice, status) = as_notice(err)?;
    let mut page = editor_page(req, state, user, id).await?;
    page.insert("notice", &notice);
    page.render_with_status(&state.tera, "publicity/report.html", status)
}

#[get("/publicity/reports/{id}")]
async fn editor(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Publicity])?;
    let mut page = editor_page(&req, &state, &user, id.into_inner()).await?;
    page.insert("done", &done.done.as_deref().and_then(done_message));
    page.render(&state.tera, "publicity/report.html")
}

/// What revision `number` changed against the one before it.
#[get("/publicity/reports/{id}/revisions/{number}")]
async fn revision(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i32, i32)>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Publicity])?;
    let (id, number) = path.into_inner();
    let revisions = workflow::revisions(&state.db, id).await?;
    let this = revisions.iter().find(|r| r.number == number).ok_or(AppError::NotFound)?;
    let before = revisions.iter().find(|r| r.number == number - 1);
    let text = |r: &entity::report_revision::Model| format!("{}\n{}\n\n{}", r.title, r.summary, r.body_md);
    let diff = crate::reports::diff::lines(&before.map(text).unwrap_or_default(), &text(this));
    let mut page = Page::new(&req, "publicity");
    page.insert("id", &id)
        .insert("number", &number)
        .insert("before", &before.map(|r| r.number))
        .insert("editor", &this.editor)
        .insert("note", &this.note)
        .insert("at", &crate::domain::time::minute(this.created_at))
        .insert("diff", &diff);
    page.render(&state.tera, "publicity/revision.html")
}

#[post("/publicity/reports/{id}")]
async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    CsrfForm(form): CsrfForm<DraftForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Publicity])?;
    let id = id.into_inner();
    if form.action == "preview" {
        let mut page = editor_page(&req, &state, &user, id).await?;
        page.insert("values", &form.values())
            .insert("preview", &crate::reports::render::to_html(&form.body_md))
            .insert("previewing", &true);
        return page.render(&state.tera, "publicity/report.html");
    }
    let saved = match workflow::edit(state.ctx(), &user.actor(), id, form.draft()).await {
        // 保存并提交审核: what is on the screen is what goes to review.
        Ok(_) if form.action == "submit" => workflow::take(state.ctx(), &user.actor(), id, Step::Submit).await.map(|_| "submitted"),
        Ok(_) => Ok("saved"),
        Err(err) => Err(err),
    };
    match saved {
        Ok(done) => Ok(see_other(&format!("/publicity/reports/{id}?done={done}"))),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = editor_page(&req, &state, &user, id).await?;
            page.insert("errors", &errors.by_field()).insert("values", &form.values());
            page.render_with_status(&state.tera, "publicity/report.html", StatusCode::BAD_REQUEST)
        }
        Err(err) => refused(&req, &state, &user, id, err).await,
    }
}

#[derive(Deserialize)]
struct PreviewForm {
    #[serde(default)]
    body_md: String,
}

/// The body rendered and cleaned as the public page will show it: the editor's live preview.
#[post("/publicity/preview")]
async fn preview(user: CurrentUser, CsrfForm(form): CsrfForm<PreviewForm>) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Publicity])?;
    let body: String = form.body_md.chars().take(20_000).collect();
    let html = crate::web::off_workers(move || crate::reports::render::to_html(&body)).await?;
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").insert_header((header::CACHE_CONTROL, "no-store")).body(html))
}

#[post("/publicity/reports/{id}/images")]
async fn upload_images(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    mut form: crate::web::upload::CsrfMultipart,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Publicity])?;
    let id = id.into_inner();
    let files = std::mem::take(&mut form.files);
    match crate::reports::images::upload(state.ctx(), &state.config.data_dir, &user.actor(), id, files).await {
        Ok(_) => Ok(see_other(&format!("/publicity/reports/{id}?done=uploaded#pictures-title"))),
        Err(err) => refused(&req, &state, &user, id, err).await,
    }
}

#[derive(Deserialize)]
struct StepForm {
    step: String,
    /// For `approve`: a Beijing time (`2026-12-05T09:00`) to publish at; empty for now.
    #[serde(default)]
    at: String,
    #[serde(default)]
    note: String,
}

impl StepForm {
    fn step(&self) -> Result<Step<'_>, String> {
        match self.step.as_str() {
            "submit" => Ok(Step::Submit),
            "approve" => {
                let at = self.at.trim();
                if at.is_empty() {
                    return Ok(Step::Approve { at: None });
                }
                let local = chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M")
                    .map_err(|_| "发布时间格式不对，请用日期时间选择器填写".to_string())?;
                let at = local.and_local_timezone(crate::domain::time::beijing()).single().map(|t| t.with_timezone(&chrono::Utc));
                Ok(Step::Approve { at })
            }
            "send_back" => Ok(Step::SendBack { note: &self.note }),
            "withdraw" => Ok(Step::Withdraw { reason: &self.note }),
            _ => Err("未知的操作".into()),
        }
    }
}

#[post("/publicity/reports/{id}/step")]
async fn step(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    CsrfForm(form): CsrfForm<StepForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Publicity])?;
    let id = id.into_inner();
    let outcome = match form.step() {
        Ok(step) => workflow::take(state.ctx(), &user.actor(), id, step).await,
        Err(message) => Err(ServiceError::Refused(message)),
    };
    match outcome {
        Ok(after) => {
            let done = match after.status {
                ReportStatus::InReview => "submitted",
                ReportStatus::Scheduled => "scheduled",
                ReportStatus::Published => "published",
                ReportStatus::Draft => "sent_back",
                ReportStatus::Withdrawn => "withdrawn",
            };
            Ok(see_other(&format!("/publicity/reports/{id}?done={done}")))
        }
        Err(err) => refused(&req, &state, &user, id, err).await,
    }
}
