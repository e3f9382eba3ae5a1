//! The performance office's desk (绩效办), one module per concern.

mod chat;
mod map;
mod opinions;
mod problems;
mod scores;
mod supervision;
mod themes;
mod verify;
mod words;

use actix_web::{HttpRequest, HttpResponse, get, http::StatusCode, http::header, post, web};
use entity::vocab::Role;
use serde::Deserialize;

use crate::error::AppError;
use crate::service::ServiceError;
use crate::settings::{self, Deadlines};
use crate::state::AppState;
use crate::store::stats;
use crate::web::{csrf::CsrfForm, page::Page, session::CurrentUser};

const DEADLINE_FIELDS: [(&str, &str); 7] = [
    ("consult", "咨询"),
    ("help", "求助"),
    ("suggestion", "建议"),
    ("complaint", "投诉"),
    ("report", "举报"),
    ("praise", "表扬"),
    ("followup", "差评回访"),
];

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(desk).service(save_deadlines);
    chat::configure(cfg);
    map::configure(cfg);
    scores::configure(cfg);
    themes::configure(cfg);
    words::configure(cfg);
    opinions::configure(cfg);
    problems::configure(cfg);
    supervision::configure(cfg);
    verify::configure(cfg);
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish()
}

async fn desk_page(req: &HttpRequest, state: &AppState) -> Result<Page, AppError> {
    let (deadlines, version) = settings::current::<Deadlines>(&state.db).await?;
    let mut page = Page::new(req, "office");
    page.insert("queue", &stats::office_queue(&state.db).await?)
        .insert("deadlines", &deadlines)
        .insert("deadlines_version", &version)
        .insert("deadline_fields", &DEADLINE_FIELDS);
    Ok(page)
}

#[get("/office")]
async fn desk(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    desk_page(&req, &state).await?.render(&state.tera, "office/index.html")
}

/// Form fields arrive as text so a typo is reported, not rejected wholesale.
#[derive(Deserialize)]
struct DeadlinesForm {
    consult: String,
    help: String,
    suggestion: String,
    complaint: String,
    report: String,
    praise: String,
    followup: String,
}

#[post("/office/settings/deadlines")]
async fn save_deadlines(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<DeadlinesForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let day = |s: &str| s.trim().parse::<u32>().unwrap_or(0);
    let value = Deadlines {
        consult: day(&form.consult),
        help: day(&form.help),
        suggestion: day(&form.suggestion),
        complaint: day(&form.complaint),
        report: day(&form.report),
        praise: day(&form.praise),
        followup: day(&form.followup),
    };
    if let Err(ServiceError::Invalid(errors)) = value.validate() {
        let mut page = desk_page(&req, &state).await?;
        page.insert("errors", &errors.by_field()).insert("deadlines", &value);
        return page.render_with_status(&state.tera, "office/index.html", StatusCode::BAD_REQUEST);
    }
    settings::save(state.ctx(), &user.actor(), &value).await?;
    Ok(see_other("/office"))
}
