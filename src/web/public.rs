//! Pages for citizens: no login.

use actix_web::{HttpRequest, HttpResponse, get, web};

use crate::{error::AppError, state::AppState, store::stats, web::page::Page};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(home);
}

#[get("/")]
async fn home(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let now = chrono::Utc::now();
    let mut page = Page::new(&req, "home");
    page.insert("headline", &stats::headline(&state.db, now).await?)
        .insert("updates", &stats::recent_updates(&state.db, 6).await?);
    page.render(&state.tera, "public/home.html")
}
