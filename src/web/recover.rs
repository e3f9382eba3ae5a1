//! 找回查询码: a citizen asks for a link by the phone or email they left, then opens it to get
//! new codes. Opening the link only shows a button, so a mail scanner that follows it changes
//! nothing.

use actix_web::{HttpRequest, HttpResponse, get, http::StatusCode, post, web};
use serde::Deserialize;

use crate::error::{AppError, as_notice};
use crate::limits::Policy;
use crate::opinions::recovery::{self, Contact};
use crate::service::ServiceError;
use crate::state::AppState;
use crate::web::{client::limit, csrf::CsrfForm, page::Page};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(ask).service(link_page).service(redeem);
}

#[derive(Deserialize)]
struct AskForm {
    #[serde(default)]
    contact: String,
}

/// The channels this server sends through.
fn open_channels(state: &AppState) -> Vec<&'static str> {
    let config = &state.config;
    [("email", config.smtp_url.is_some()), ("sms", config.sms_url.is_some())].into_iter().filter(|(_, on)| *on).map(|(c, _)| c).collect()
}

#[post("/my/recover")]
async fn ask(req: HttpRequest, state: web::Data<AppState>, CsrfForm(form): CsrfForm<AskForm>) -> Result<HttpResponse, AppError> {
    // Each request may send a message: limited like submissions.
    limit(&req, &state, Policy::SubmitOpinion)?;
    let mut page = Page::new(&req, "track");
    page.insert("contact", &form.contact);
    let outcome = match Contact::try_from(form.contact.as_str()) {
        Ok(contact) => recovery::request(state.ctx(), &contact, &open_channels(&state)).await,
        Err(err) => Err(err),
    };
    let status = match outcome {
        Ok(()) => {
            page.insert("sent", &true);
            StatusCode::OK
        }
        Err(ServiceError::Invalid(errors)) => page.errors(Some(&errors)),
        Err(err) => {
            let (message, status) = as_notice(err)?;
            page.insert("notice", &message);
            status
        }
    };
    page.render_with_status(&state.tera, "citizen/mine.html", status).map(crate::web::no_store)
}

/// The page a recovery link opens: what will happen, and one button.
#[get("/my/recover/{id}/{expires}/{mac}")]
async fn link_page(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(i32, i64, String)>) -> Result<HttpResponse, AppError> {
    limit(&req, &state, Policy::Track)?;
    let (id, expires, mac) = path.into_inner();
    let outcome = recovery::check(state.ctx(), id, expires, &mac).await;
    let mut page = Page::new(&req, "track");
    page.insert("action", &format!("/my/recover/{id}/{expires}/{mac}"));
    recovered(&state, page, outcome.map(|()| None))
}

#[post("/my/recover/{id}/{expires}/{mac}")]
async fn redeem(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(i32, i64, String)>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> Result<HttpResponse, AppError> {
    limit(&req, &state, Policy::Track)?;
    let (id, expires, mac) = path.into_inner();
    let outcome = recovery::reissue(state.ctx(), id, expires, &mac).await;
    recovered(&state, Page::new(&req, "track"), outcome.map(Some))
}

fn recovered(
    state: &AppState,
    mut page: Page,
    outcome: Result<Option<Vec<recovery::Reissued>>, ServiceError>,
) -> Result<HttpResponse, AppError> {
    let status = match outcome {
        Ok(codes) => {
            page.insert("codes", &codes);
            StatusCode::OK
        }
        Err(ServiceError::NotFound) => return Err(AppError::NotFound),
        Err(err) => {
            let (message, status) = as_notice(err)?;
            page.insert("notice", &message);
            status
        }
    };
    page.render_with_status(&state.tera, "citizen/recover.html", status).map(crate::web::no_store)
}
