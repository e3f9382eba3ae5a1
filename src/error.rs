//! Web-layer errors and their mapping to HTTP, in one place.

use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use serde_json::json;

/// What a handler can fail with. Rendered as a Chinese HTML page.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("页面不存在")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("内部错误")]
    Internal(String),
}

impl AppError {
    /// A stable code for JSON clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::BadRequest(_) => "bad_request",
            Self::Internal(_) => "internal",
        }
    }

    /// The message people see; internal details stay in the log.
    fn public_message(&self) -> String {
        match self {
            Self::NotFound => "您要找的页面不存在或已被移除。".into(),
            Self::BadRequest(msg) => msg.clone(),
            Self::Internal(_) => "服务器暂时无法处理您的请求，请稍后再试。".into(),
        }
    }

    fn log(&self) {
        if let Self::Internal(detail) = self {
            tracing::error!(%detail, "request failed");
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Internal(format!("database: {err}"))
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
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.log();
        HttpResponse::build(self.status_code())
            .content_type("text/html; charset=utf-8")
            .body(crate::web::templates::error_page(self.status_code(), &self.public_message()))
    }
}

/// The same errors for `/api/`: JSON `{"error": {"code", "message"}}`.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ApiError(#[from] pub AppError);

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self(err.into())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        self.0.log();
        HttpResponse::build(self.status_code()).json(json!({
            "error": { "code": self.0.code(), "message": self.0.public_message() }
        }))
    }
}
