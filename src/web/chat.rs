//! The chatbot for citizens: `/chat` (a page that works without script: each message is a form
//! post, the conversation is rendered by the server), the same page enhanced by `chat.js`, and
//! `POST /api/v1/chat` with `POST /api/v1/chat/feedback` for "did this answer your question".

use actix_web::{HttpRequest, HttpResponse, get, http::StatusCode, post, web};
use serde::Deserialize;

use crate::chat::{Bot, Deps, Reply, state};
use crate::error::{ApiError, AppError};
use crate::limits::Policy;
use crate::service::ServiceError;
use crate::state::AppState;
use crate::web::{
    client::{client_ip, limit},
    csrf::CsrfForm,
    page::Page,
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(chat_page).service(say).service(api_turn).service(api_feedback);
}

#[derive(Deserialize)]
struct Said {
    #[serde(default)]
    session: Option<String>,
    #[serde(default)]
    message: String,
}

async fn turn(req: &HttpRequest, state: &AppState, said: &Said) -> Result<Reply, ServiceError> {
    let ip = client_ip(req, state.config.trust_proxy);
    let may = |policy: Policy| state.limiter.check(policy, ip).is_ok();
    let deps = Deps { ctx: state.ctx(), search: &state.search, intake: &state.intake, may: &may };
    let bot: &Bot = &state.chat;
    bot.turn(&deps, said.session.as_deref().filter(|s| !s.is_empty()), &said.message).await
}

#[get("/chat")]
async fn chat_page(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let mut page = Page::new(&req, "chat");
    page.insert("lines", &Vec::<state::Line>::new());
    page.render(&state.tera, "citizen/chat.html").map(crate::web::no_store)
}

/// Without script: the message is posted, the conversation rendered again with the answer.
#[post("/chat")]
async fn say(req: HttpRequest, state: web::Data<AppState>, CsrfForm(said): CsrfForm<Said>) -> Result<HttpResponse, AppError> {
    limit(&req, &state, Policy::Chat)?;
    let mut page = Page::new(&req, "chat");
    let status = match turn(&req, &state, &said).await {
        Ok(reply) => {
            let lines = state::transcript(state.ctx(), &reply.session, 20).await?;
            page.insert("lines", &lines).insert("reply", &reply).insert("session", &reply.session);
            StatusCode::OK
        }
        Err(ServiceError::Invalid(errors)) => {
            if let Some(session) = said.session.as_deref().filter(|s| !s.is_empty()) {
                page.insert("lines", &state::transcript(state.ctx(), session, 20).await?).insert("session", session);
            } else {
                page.insert("lines", &Vec::<state::Line>::new());
            }
            page.errors(Some(&errors))
        }
        Err(err) => return Err(err.into()),
    };
    page.render_with_status(&state.tera, "citizen/chat.html", status).map(crate::web::no_store)
}

/// `POST /api/v1/chat` `{"session"?, "message"}`.
#[post("/api/v1/chat")]
async fn api_turn(req: HttpRequest, state: web::Data<AppState>, said: web::Json<Said>) -> Result<HttpResponse, ApiError> {
    limit(&req, &state, Policy::Chat)?;
    let reply = turn(&req, &state, &said).await?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(reply))
}

#[derive(Deserialize)]
struct Vote {
    session: String,
    message_id: i64,
    helpful: bool,
}

/// `POST /api/v1/chat/feedback` `{"session", "message_id", "helpful"}`: 204, or 404 for a
/// message not of this conversation.
#[post("/api/v1/chat/feedback")]
async fn api_feedback(req: HttpRequest, state: web::Data<AppState>, vote: web::Json<Vote>) -> Result<HttpResponse, ApiError> {
    limit(&req, &state, Policy::Chat)?;
    if state::vote(state.ctx(), &vote.session, vote.message_id, vote.helpful).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError(AppError::NotFound))
    }
}
