//! A responsible unit's desk (责任单位): its own items, and progress on them.

use actix_web::{HttpRequest, HttpResponse, get, http::{StatusCode, header}, post, web};
use entity::{unit, vocab::Role};
use sea_orm::EntityTrait;
use serde::Deserialize;
use serde_json::json;

use crate::error::AppError;
use crate::lists::{progress::{self, NewProgress}, scope};
use crate::service::ServiceError;
use crate::state::AppState;
use crate::web::{csrf::CsrfForm, page::Page, session::CurrentUser};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(desk).service(post_progress);
}

async fn desk_page(req: &HttpRequest, state: &AppState, user: &CurrentUser) -> Result<Page, AppError> {
    let unit_id = user.0.unit_id.ok_or(AppError::Forbidden)?;
    let unit = unit::Entity::find_by_id(unit_id).one(&state.db).await?.ok_or(AppError::Forbidden)?;
    let mut page = Page::new(req, "unit");
    page.insert("unit", &json!({ "code": unit.code, "name": unit.name }))
        .insert("items", &scope::unit_work_items(&state.db, unit_id).await?);
    Ok(page)
}

#[get("/unit")]
async fn desk(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Unit])?;
    desk_page(&req, &state, &user).await?.render(&state.tera, "unit/index.html")
}

#[derive(Deserialize)]
struct ProgressForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    percent: String,
}

#[post("/unit/rectifications/{id}/progress")]
async fn post_progress(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i32>,
    CsrfForm(form): CsrfForm<ProgressForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Unit])?;
    let id = path.into_inner();
    let input = NewProgress { text: &form.text, percent: &form.percent };
    match progress::post_progress(&state.db, &user.actor(), id, input).await {
        Ok(_) => Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, "/unit")).finish()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = desk_page(&req, &state, &user).await?;
            page.insert("errors", &errors.by_field())
                .insert("failed_id", &id)
                .insert("values", &json!({ "text": form.text, "percent": form.percent }));
            page.render_with_status(&state.tera, "unit/index.html", StatusCode::BAD_REQUEST)
        }
        Err(err) => Err(err.into()),
    }
}
