//! The context every HTML page renders with: who is logged in, the CSRF token, the nav.

use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use serde::Serialize;
use tera::{Context, Tera};

use crate::{
    error::AppError,
    web::{
        care, csrf,
        session::{CurrentUser, home_of},
    },
};

pub struct Page {
    ctx: Context,
}

impl Page {
    pub fn new(req: &HttpRequest, nav: &str) -> Self {
        let mut ctx = Context::new();
        ctx.insert("site_name", "连心桥");
        ctx.insert("nav", nav);
        ctx.insert("csrf_token", &csrf::token_of(req));
        ctx.insert("care", &care::is_on(req));
        // Where the 长辈版 switch comes back to.
        ctx.insert("here", req.uri().path_and_query().map_or("/", |pq| pq.as_str()));
        if let Some(state) = req.app_data::<actix_web::web::Data<crate::state::AppState>>() {
            ctx.insert("portal", &state.config.portal);
        }
        if let Some(CurrentUser(user)) = req.extensions().get::<CurrentUser>() {
            ctx.insert(
                "staff",
                &serde_json::json!({
                    "username": user.username,
                    "display_name": user.display_name,
                    "role": user.role.as_str(),
                    "role_label": user.role.label(),
                    "home": home_of(user.role),
                }),
            );
        }
        Self { ctx }
    }

    pub fn insert(&mut self, key: &str, value: &(impl Serialize + ?Sized)) -> &mut Self {
        self.ctx.insert(key, value);
        self
    }

    /// Adds a form's errors, if any, and returns the status to answer with.
    pub fn errors(&mut self, errors: Option<&crate::service::FieldErrors>) -> actix_web::http::StatusCode {
        match errors {
            Some(errors) => {
                self.ctx.insert("errors", &errors.by_field());
                // In the form's order, for the summary above it.
                self.ctx.insert("error_list", &errors.0);
                actix_web::http::StatusCode::BAD_REQUEST
            }
            None => actix_web::http::StatusCode::OK,
        }
    }

    pub fn render(&self, tera: &Tera, template: &str) -> Result<HttpResponse, AppError> {
        self.render_with_status(tera, template, actix_web::http::StatusCode::OK)
    }

    /// For a form shown again with its errors.
    pub fn render_with_status(&self, tera: &Tera, template: &str, status: actix_web::http::StatusCode) -> Result<HttpResponse, AppError> {
        let body = tera.render(template, &self.ctx)?;
        Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(body))
    }
}
