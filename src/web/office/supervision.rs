//! The office's 督办 board and the settings that close the loop (回访 quiet period, 督办
//! thresholds, the vague words a reply may not use without a date).

use actix_web::{HttpRequest, HttpResponse, get, http::StatusCode, post, web};
use entity::vocab::Role;
use serde::Deserialize;

use super::see_other;
use crate::error::{AppError, as_notice};
use crate::service::ServiceError;
use crate::settings::{self, FollowThrough};
use crate::state::AppState;
use crate::supervision;
use crate::web::{csrf::CsrfForm, page::Page, session::CurrentUser};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(board_view).service(issue).service(escalate).service(save_settings);
}

async fn board_page(
    req: &HttpRequest,
    state: &AppState,
    message: Option<String>,
    entered: Option<(&FollowThrough, serde_json::Value)>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let found = supervision::board(&state.db, state.clock.today()).await?;
    let (_, version) = settings::current::<FollowThrough>(&state.db).await?;
    let mut page = Page::new(req, "office");
    page.insert("board", &found).insert("message", &message).insert("settings_version", &version);
    match entered {
        Some((rules, errors)) => page.insert("rules", rules).insert("errors", &errors),
        None => page.insert("rules", &found.rules),
    };
    page.render_with_status(&state.tera, "office/supervision.html", status)
}

#[get("/office/supervision")]
async fn board_view(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    board_page(&req, &state, None, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct IssueForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
}

#[post("/office/supervision")]
async fn issue(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<IssueForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let id = form.id.trim().parse().map_err(|_| AppError::BadRequest("督办对象不对。".into()))?;
    match supervision::issue(state.ctx(), &user.actor(), &form.subject, id, &form.reason, &form.note).await {
        Ok(_) => Ok(see_other("/office/supervision")),
        Err(err) => {
            let (message, status) = as_notice(err)?;
            board_page(&req, &state, Some(message), None, status).await
        }
    }
}

#[post("/office/supervision/{id}/escalate")]
async fn escalate(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    match supervision::escalate(state.ctx(), &user.actor(), id.into_inner()).await {
        Ok(_) => Ok(see_other("/office/supervision")),
        Err(err) => {
            let (message, status) = as_notice(err)?;
            board_page(&req, &state, Some(message), None, status).await
        }
    }
}

/// Form fields arrive as text so a typo is reported, not rejected wholesale.
#[derive(Deserialize)]
struct SettingsForm {
    #[serde(default)]
    quiet_days: String,
    #[serde(default)]
    supervise_reopened: String,
    #[serde(default)]
    supervise_units: String,
    #[serde(default)]
    digest_hour: String,
    #[serde(default)]
    vague_words: String,
}

#[post("/office/settings/follow-through")]
async fn save_settings(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let number = |s: &str| s.trim().parse::<u32>().unwrap_or(0);
    let mut vague_words: Vec<String> = form
        .vague_words
        .split(|c: char| c.is_whitespace() || "，,、；;".contains(c))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    vague_words.dedup();
    let value = FollowThrough {
        quiet_days: number(&form.quiet_days),
        supervise_reopened: number(&form.supervise_reopened),
        supervise_units: number(&form.supervise_units),
        // 0 is a real hour (midnight): a blank field must fail, not mean it.
        digest_hour: form.digest_hour.trim().parse().unwrap_or(24),
        vague_words,
    };
    if let Err(ServiceError::Invalid(errors)) = value.validate() {
        let message = Some(errors.summary());
        return board_page(
            &req,
            &state,
            message,
            Some((&value, serde_json::to_value(errors.by_field()).unwrap_or_default())),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    settings::save(state.ctx(), &user.actor(), &value).await?;
    Ok(see_other("/office/supervision"))
}
