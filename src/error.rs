//! Web-layer errors and their mapping to HTTP, in one place.

use actix_web::{
    HttpResponse, ResponseError,
    http::{StatusCode, header},
};
use serde_json::json;

use crate::service::{FieldErrors, ServiceError};

/// What a handler can fail with. Rendered as a Chinese HTML page; `ApiError` renders JSON.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("login required")]
    LoginRequired { next: String },
    #[error("forbidden")]
    Forbidden,
    /// Someone else got there first; the message is for people.
    #[error("{0}")]
    Conflict(String),
    #[error("csrf token missing or wrong")]
    Csrf,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("payload too large")]
    PayloadTooLarge,
    /// A part of the service (search) failed; the detail is logged, the visitor told to retry.
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    /// A stable code for JSON clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::BadRequest(_) => "bad_request",
            Self::Invalid(_) => "invalid",
            Self::LoginRequired { .. } => "login_required",
            Self::Forbidden => "forbidden",
            Self::Conflict(_) => "conflict",
            Self::Csrf => "csrf",
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::PayloadTooLarge => "payload_too_large",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// The message people see; internal details stay in the log.
    pub fn public_message(&self) -> String {
        match self {
            Self::NotFound => "您要找的页面不存在或已被移除。".into(),
            Self::BadRequest(msg) => msg.clone(),
            Self::Invalid(errors) => format!("提交的内容有误：{}", errors.summary()),
            Self::LoginRequired { .. } => "请先登录。".into(),
            Self::Forbidden => "您的账号无权进行此操作。".into(),
            Self::Conflict(msg) => msg.clone(),
            Self::Csrf => "页面已过期或来源不明，请刷新页面后重试。".into(),
            Self::TooManyRequests { retry_after_secs } => {
                format!("操作太频繁，请 {} 后再试。", wait_text(*retry_after_secs))
            }
            Self::PayloadTooLarge => "提交的内容太大，请精简后再试。".into(),
            Self::Unavailable(_) => "搜索暂时不可用，请稍后再试。".into(),
            Self::Internal(_) => "服务器暂时无法处理您的请求，请稍后再试。".into(),
        }
    }

    fn log(&self) {
        if let Self::Internal(detail) | Self::Unavailable(detail) = self {
            tracing::error!(%detail, "request failed");
        }
    }

    fn decorate(&self, builder: &mut actix_web::HttpResponseBuilder) {
        if let Self::TooManyRequests { retry_after_secs } = self {
            builder.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
    }
}

fn wait_text(secs: u64) -> String {
    if secs < 60 { format!("{secs} 秒") } else { format!("{} 分钟", secs.div_ceil(60)) }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Internal(format!("database: {err}"))
    }
}

impl From<ServiceError> for AppError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::NotFound => Self::NotFound,
            ServiceError::Forbidden => Self::Forbidden,
            ServiceError::Invalid(errors) => Self::Invalid(errors),
            ServiceError::Refused(msg) => Self::BadRequest(msg),
            ServiceError::Conflict(msg) => Self::Conflict(msg),
            ServiceError::Db(err) => err.into(),
        }
    }
}

/// A refused action to show again on its page: the message and the status, or the error
/// itself when it is not the kind a page can explain (not found, forbidden, database).
pub fn as_notice(err: ServiceError) -> Result<(String, StatusCode), AppError> {
    match err {
        ServiceError::Invalid(errors) => Ok((errors.summary(), StatusCode::BAD_REQUEST)),
        ServiceError::Refused(message) | ServiceError::Conflict(message) => Ok((message, StatusCode::CONFLICT)),
        other => Err(other.into()),
    }
}

impl From<tera::Error> for AppError {
    fn from(err: tera::Error) -> Self {
        // tera hides the useful part in the source chain.
        let mut detail = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(inner) = source {
            detail.push_str(": ");
            detail.push_str(&inner.to_string());
            source = inner.source();
        }
        Self::Internal(format!("template: {detail}"))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadRequest(_) | Self::Invalid(_) => StatusCode::BAD_REQUEST,
            Self::LoginRequired { .. } => StatusCode::SEE_OTHER,
            Self::Forbidden | Self::Csrf => StatusCode::FORBIDDEN,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.log();
        if let Self::LoginRequired { next } = self {
            let target = format!("/login?next={}", url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>());
            return HttpResponse::SeeOther().insert_header((header::LOCATION, target)).finish();
        }
        let mut builder = HttpResponse::build(self.status_code());
        self.decorate(&mut builder);
        let message = self.public_message();
        builder.extensions_mut().insert(crate::web::error_page::Said(message.to_string()));
        builder.content_type("text/html; charset=utf-8").body(crate::web::templates::error_page(self.status_code(), &message))
    }
}

/// The same errors for `/api/`: JSON `{"error": {"code", "message", "fields"?}}`.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ApiError(#[from] pub AppError);

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self(err.into())
    }
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        Self(err.into())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match &self.0 {
            AppError::LoginRequired { .. } => StatusCode::UNAUTHORIZED,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            other => other.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.0.log();
        let mut body = json!({ "code": self.0.code(), "message": self.0.public_message() });
        if let AppError::Invalid(errors) = &self.0 {
            body["fields"] = json!(errors.0);
        }
        let mut builder = HttpResponse::build(self.status_code());
        self.0.decorate(&mut builder);
        builder.json(json!({ "error": body }))
    }
}
