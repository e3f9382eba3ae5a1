//! The JSON API (`/api/v1/…`) and machine endpoints.

use actix_web::{HttpResponse, get, web};
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::{db, error::ApiError, state::AppState};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(healthz);
}

/// Liveness and the database engine in use; 503 when the database does not answer.
#[get("/healthz")]
async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let backend = db::backend_name(&state.db);
    match state.db.execute_unprepared("SELECT 1").await {
        Ok(_) => Ok(HttpResponse::Ok().json(json!({ "status": "ok", "db": backend }))),
        Err(err) => {
            tracing::error!(%err, "health check: database unreachable");
            Ok(HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable", "db": backend })))
        }
    }
}
