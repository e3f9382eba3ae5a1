//! HTTP routes, one module per audience. Only this layer knows actix.

pub mod admin;
pub mod api;
pub mod assets;
pub mod auth;
pub mod care;
pub mod chat;
pub mod citizen;
pub mod client;
pub mod csrf;
pub mod error_page;
pub mod guide;
pub mod office;
pub mod page;
pub mod page_cache;
pub mod photos;
pub mod public;
pub mod publicity;
pub mod receipt;
pub mod recover;
pub mod reports;
pub mod search;
pub mod session;
pub mod templates;
pub mod unit;
pub mod upload;

use actix_web::{HttpRequest, HttpResponse, middleware::DefaultHeaders, web};

use crate::error::{ApiError, AppError};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PathConfig::default().error_handler(|_, req| wrap(req, AppError::NotFound)))
        .app_data(web::QueryConfig::default().error_handler(|_, req| wrap(req, AppError::BadRequest("查询参数格式有误。".into()))))
        .app_data(web::JsonConfig::default().limit(csrf::FORM_LIMIT).error_handler(|err, req| {
            let error = match err {
                actix_web::error::JsonPayloadError::Overflow { .. } | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => {
                    AppError::PayloadTooLarge
                }
                actix_web::error::JsonPayloadError::ContentType => AppError::BadRequest("请以 application/json 格式提交。".into()),
                _ => AppError::BadRequest("JSON 格式有误。".into()),
            };
            wrap(req, error)
        }))
        .configure(assets::configure)
        .configure(api::configure)
        .configure(care::configure)
        .configure(photos::configure)
        .configure(guide::configure)
        .configure(public::configure)
        .configure(reports::configure)
        .configure(search::configure)
        .configure(citizen::configure)
        .configure(chat::configure)
        .configure(recover::configure)
        .configure(auth::configure)
        .configure(admin::configure)
        .configure(office::configure)
        .configure(publicity::configure)
        .configure(unit::configure)
        .default_service(web::to(not_found));
}

/// An extractor's error in the format the path calls for: JSON under `/api/`, a page elsewhere.
fn wrap(req: &HttpRequest, error: AppError) -> actix_web::Error {
    if req.path().starts_with("/api/") { ApiError(error).into() } else { error.into() }
}

async fn not_found(req: HttpRequest) -> HttpResponse {
    wrap(&req, AppError::NotFound).error_response()
}

/// Middleware: a NUL byte has no place in a path of the portal (PostgreSQL refuses it in text,
/// and path segments name records), so such a request is answered 404, as any path naming
/// nothing is, before a handler sees it. Query values are free text, cleaned where they are read.
pub async fn refuse_nul<B: actix_web::body::MessageBody + 'static>(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<B>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let path = req.uri().path().to_ascii_lowercase();
    if path.contains("%00") || path.contains('\0') {
        let (http, _) = req.into_parts();
        let err = crate::error::AppError::NotFound;
        let response = if http.path().starts_with("/api/") {
            actix_web::ResponseError::error_response(&crate::error::ApiError(err))
        } else {
            actix_web::ResponseError::error_response(&err)
        };
        return Ok(actix_web::dev::ServiceResponse::new(http, response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// Marks a response that carries a citizen's case or a staff export as never to be cached.
pub fn no_store(mut response: actix_web::HttpResponse) -> actix_web::HttpResponse {
    response.headers_mut().insert(actix_web::http::header::CACHE_CONTROL, actix_web::http::header::HeaderValue::from_static("no-store"));
    response
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

/// Runs CPU-bound work (building or parsing a spreadsheet) off the async workers, so other
/// requests are not held up behind it.
pub async fn off_workers<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| AppError::Internal(format!("background work stopped: {e}")))
}
