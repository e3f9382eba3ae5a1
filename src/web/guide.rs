//! Pages that explain the portal: help, privacy, the accessibility statement and how to subscribe.

use actix_web::{HttpRequest, HttpResponse, get, web};

use crate::error::AppError;
use crate::state::AppState;
use crate::web::page::Page;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(help).service(privacy).service(accessibility).service(subscribe);
}

fn guide(req: &HttpRequest, state: &AppState, nav: &str, template: &str) -> Result<HttpResponse, AppError> {
    let mut page = Page::new(req, nav);
    page.insert("chat_retention_days", &state.config.chat_retention_days).insert("feed_url", &state.config.absolute("/feed.atom"));
    page.render(&state.tera, template)
}

#[get("/help")]
async fn help(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    guide(&req, &state, "help", "public/help.html")
}

#[get("/privacy")]
async fn privacy(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    guide(&req, &state, "privacy", "public/privacy.html")
}

#[get("/accessibility")]
async fn accessibility(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    guide(&req, &state, "accessibility", "public/accessibility.html")
}

#[get("/subscribe")]
async fn subscribe(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    guide(&req, &state, "subscribe", "public/subscribe.html")
}
