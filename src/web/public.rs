//! Pages for citizens: no login.

use actix_web::{HttpResponse, get, web};
use tera::Context;

use crate::{error::AppError, state::AppState, store::stats, web::templates::render};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(home);
}

#[get("/")]
async fn home(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let now = chrono::Utc::now();
    let mut ctx = Context::new();
    ctx.insert("nav", "home");
    ctx.insert("headline", &stats::headline(&state.db, now).await?);
    ctx.insert("updates", &stats::recent_updates(&state.db, 6).await?);
    render(&state.tera, "public/home.html", ctx)
}
