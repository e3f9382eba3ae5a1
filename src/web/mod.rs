//! HTTP routes, one module per audience. Only this layer knows actix.

pub mod api;
pub mod assets;
pub mod public;
pub mod templates;

use actix_web::{HttpRequest, HttpResponse, middleware::DefaultHeaders, web};

use crate::error::{ApiError, AppError};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(assets::configure)
        .configure(api::configure)
        .configure(public::configure)
        .default_service(web::to(not_found));
}

/// Unknown paths: JSON under `/api/`, a Chinese page elsewhere.
async fn not_found(req: HttpRequest) -> HttpResponse {
    use actix_web::ResponseError;
    if req.path().starts_with("/api/") {
        ApiError(AppError::NotFound).error_response()
    } else {
        AppError::NotFound.error_response()
    }
}

/// Headers every response carries. No inline script or style is allowed anywhere.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "same-origin"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Permissions-Policy", "camera=(), microphone=(), geolocation=()"))
}
