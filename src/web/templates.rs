//! Tera templates, compiled into the binary. Names end in `.html`, so tera autoescapes them.

use actix_web::{HttpResponse, http::StatusCode};
use tera::{Context, Tera};

use crate::error::AppError;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("public/home.html", include_str!("../../templates/public/home.html")),
];

pub fn load() -> tera::Result<Tera> {
    let mut tera = Tera::default();
    tera.add_raw_templates(TEMPLATES.iter().copied())?;
    Ok(tera)
}

/// Renders a page with the context every page needs.
pub fn render(tera: &Tera, name: &str, mut ctx: Context) -> Result<HttpResponse, AppError> {
    ctx.insert("site_name", "连心桥");
    let body = tera.render(name, &ctx)?;
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(body))
}

/// The error page. Loads its own copy so an error can render even without app state.
pub fn error_page(status: StatusCode, message: &str) -> String {
    let mut ctx = Context::new();
    ctx.insert("site_name", "连心桥");
    ctx.insert("status", &status.as_u16());
    ctx.insert("message", message);
    ERROR_TERA
        .with(|tera| tera.render("error.html", &ctx))
        .unwrap_or_else(|_| format!("{} {message}", status.as_u16()))
}

thread_local! {
    static ERROR_TERA: Tera = load().expect("templates compiled into the binary parse");
}
