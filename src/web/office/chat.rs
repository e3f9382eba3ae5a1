//! The office's chatbot page: how the bot is doing, what it could not answer, and a conversation
//! read whole.

use actix_web::{HttpRequest, HttpResponse, get, web};
use entity::vocab::Role;
use serde::Deserialize;

use crate::chat::review::{self, Window};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::{page::Page, session::CurrentUser};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(overview).service(conversation);
}

#[derive(Deserialize)]
struct WindowQuery {
    days: Option<String>,
}

#[get("/office/chat")]
async fn overview(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<WindowQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let window = Window::parse(query.days.as_deref());
    let found = review::overview(&state.db, state.clock.now(), window).await?;
    let mut page = Page::new(&req, "office");
    page.insert("chat", &found).insert("choices", &Window::CHOICES).insert("retention_days", &state.config.chat_retention_days);
    page.render(&state.tera, "office/chat.html")
}

#[get("/office/chat/{id:[0-9]{1,18}}")]
async fn conversation(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let id = id.into_inner();
    let lines = review::conversation(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let mut page = Page::new(&req, "office");
    page.insert("lines", &lines).insert("chosen", &id).insert("most", &review::CONVERSATION_LINES);
    page.render(&state.tera, "office/chat_conversation.html")
}
