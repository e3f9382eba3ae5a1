//! The publicity department's desk (宣传部): follow-up reports.

use actix_web::{
    HttpRequest, HttpResponse, get,
    http::{StatusCode, header},
    post, web,
};
use entity::vocab::Role;
use serde::Deserialize;
use serde_json::json;

use crate::error::AppError;
use crate::reports::{self, Draft};
use crate::service::ServiceError;
use crate::state::AppState;
use crate::web::{csrf::CsrfForm, page::Page, session::CurrentUser};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(desk).service(create_draft);
}

async fn desk_page(req: &HttpRequest, state: &AppState) -> Result<Page, AppError> {
    let reports: Vec<_> = reports::list_all(&state.db)
        .await?
        .into_iter()
        .map(|r| json!({ "title": r.title, "status": r.status.as_str(), "status_label": r.status.label(), "updated": crate::domain::time::minute(r.updated_at) }))
        .collect();
    let mut page = Page::new(req, "publicity");
    page.insert("reports", &reports);
    Ok(page)
}

#[get("/publicity")]
async fn desk(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Publicity])?;
    desk_page(&req, &state).await?.render(&state.tera, "publicity/index.html")
}

#[derive(Deserialize)]
struct DraftForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    body_md: String,
}

#[post("/publicity/reports")]
async fn create_draft(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<DraftForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Publicity])?;
    let input = Draft { title: &form.title, summary: &form.summary, body_md: &form.body_md };
    match reports::create_draft(state.ctx(), &user.actor(), input).await {
        Ok(_) => Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, "/publicity")).finish()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = desk_page(&req, &state).await?;
            page.insert("errors", &errors.by_field())
                .insert("values", &json!({ "title": form.title, "summary": form.summary, "body_md": form.body_md }));
            page.render_with_status(&state.tera, "publicity/index.html", StatusCode::BAD_REQUEST)
        }
        Err(err) => Err(err.into()),
    }
}
