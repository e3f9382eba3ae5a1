//! The JSON API (`/api/v1/…`) and machine endpoints.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use entity::vocab::Channel;
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::domain::time;
use crate::error::{ApiError, AppError};
use crate::idempotency;
use crate::limits::Policy;
use crate::lists::catalog::{Filter, FilterParams, ListRow};
use crate::lists::detail;
use crate::opinions::{submit::OpinionInput, track};
use crate::web::client::limit;
use crate::{db, state::AppState};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(healthz).service(problems).service(problem).service(submit_opinion).service(track_opinion).service(scores);
}

#[derive(serde::Deserialize)]
struct ScoreQuery {
    level: Option<String>,
    period: Option<String>,
}

/// `GET /api/v1/scores?level=city|unit|region|category|theme&period=2026-Q3`.
#[get("/api/v1/scores")]
async fn scores(state: web::Data<AppState>, query: web::Query<ScoreQuery>) -> Result<HttpResponse, ApiError> {
    use crate::score::{LEVELS, period::Period, snapshot, view};
    let level = query.level.as_deref().unwrap_or("city");
    if !LEVELS.iter().any(|(l, _)| *l == level) {
        return Err(ApiError(AppError::BadRequest("level 须为 city、unit、region、category 或 theme".into())));
    }
    let period = match query.period.as_deref() {
        Some(p) => Period::parse(p).ok_or_else(|| ApiError(AppError::BadRequest("period 格式应如 2026-Q3、2026-07 或 2026".into())))?,
        None => Period::quarter_of(state.clock.today()),
    };
    let (shown, previous) = snapshot::with_previous(&state.db, &period, Some(level)).await?;
    let (rules, _) = crate::settings::at_version::<crate::score::formula::ScoreSettings>(&state.db, shown.version).await?;
    Ok(HttpResponse::Ok().json(json!({
        "period": period.name(),
        "level": level,
        "settings_version": shown.version,
        "published": shown.published,
        "computed_at": shown.computed_at.map(|t| t.with_timezone(&time::beijing()).to_rfc3339()),
        "min_ratings": rules.min_ratings,
        "subjects": view(&shown.scores, &previous, level, rules.min_ratings),
    })))
}

/// `POST /api/v1/opinions`: 201 with the tracking code, or 422 with a stable code per field.
#[post("/api/v1/opinions")]
async fn submit_opinion(req: HttpRequest, state: web::Data<AppState>, input: web::Json<OpinionInput>) -> Result<HttpResponse, ApiError> {
    limit(&req, &state, Policy::SubmitOpinion)?;
    // A client that sends `Idempotency-Key` may retry freely: the first opinion's code comes back.
    let key = req.headers().get("Idempotency-Key").map(|v| v.to_str().unwrap_or_default().to_string());
    let once = key.map(|k| idempotency::Key::parse("opinion.api", &k, &*input)).transpose()?;
    let done = state.intake.submit(state.ctx(), &input, Channel::Web, once).await?;
    let mut response = HttpResponse::Created();
    if done.replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(response.json(json!({
        "tracking_code": done.code.to_string(),
        "status": done.opinion.status.as_str(),
        "status_label": done.opinion.status.label(),
        "submitted_datetime": iso(done.opinion.submitted_at),
    })))
}

/// `GET /api/v1/opinions/{code}`: the same for a malformed and an unknown code.
#[get("/api/v1/opinions/{code}")]
async fn track_opinion(req: HttpRequest, state: web::Data<AppState>, code: web::Path<String>) -> Result<HttpResponse, ApiError> {
    limit(&req, &state, Policy::Track)?;
    let view = track::view(&state.db, &state.secrets, &code).await?.ok_or(ApiError(AppError::NotFound))?;
    Ok(crate::web::no_store(HttpResponse::Ok().json(view)))
}

/// Beijing time with its offset, as ISO 8601 (e.g. `2026-11-28T09:30:00+08:00`).
fn iso(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&time::beijing()).to_rfc3339()
}

/// A deadline date means the end of that day in Beijing.
fn end_of_day(date: chrono::NaiveDate) -> String {
    format!("{}T23:59:59+08:00", date.format("%Y-%m-%d"))
}

/// One item in Open311 terms where one fits.
fn summary(row: &ListRow) -> serde_json::Value {
    json!({
        "service_request_id": row.code,
        "code": row.code,
        "title": row.title,
        "category": row.category,
        "region": row.region,
        "source": row.source.as_str(),
        "status": row.status.as_str(),
        "status_label": row.labels.status,
        "agency_responsible": row.lead.name,
        "agency_code": row.lead.code,
        "cooperating_agencies": row.cooperating.iter().map(|u| &u.name).collect::<Vec<_>>(),
        "responsible_post": row.responsible_post,
        "kind": row.kind.as_str(),
        "progress": row.progress,
        "requested_datetime": iso(row.created_at),
        "updated_datetime": iso(row.updated_at),
        "expected_datetime": end_of_day(row.deadline),
        "next_update_due": row.next_update_due.map(end_of_day),
        "late_update": row.late_update,
        "overdue": row.is_overdue(),
        "verification": row.verification.map(|v| v.as_str()),
        "opinion_count": row.opinion_count,
        "url": format!("/problems/{}", row.code),
    })
}

#[get("/api/v1/problems")]
async fn problems(state: web::Data<AppState>, query: web::Query<FilterParams>) -> Result<HttpResponse, ApiError> {
    let filter = Filter::from_params(&query);
    let listing = crate::lists::listing::list(&state.db, state.clock.today(), &filter).await?;
    Ok(HttpResponse::Ok().json(json!({
        "total": listing.total,
        "page": listing.page,
        "page_size": filter.page_size,
        "pages": listing.pages,
        "items": listing.rows.iter().map(summary).collect::<Vec<_>>(),
    })))
}

#[get("/api/v1/problems/{code}")]
async fn problem(state: web::Data<AppState>, code: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let d = detail::load(&state.db, &code, state.clock.today()).await?.ok_or(ApiError(AppError::NotFound))?;
    let mut body = summary(&d.row);
    body["description"] = json!(d.description);
    body["status_notes"] = json!(d.verification_reason.clone().or_else(|| d.timeline.last().map(|t| t.text.clone())));
    body["responsibility"] = json!({
        "agency_responsible": d.row.lead.name,
        "cooperating_agencies": d.row.cooperating.iter().map(|u| &u.name).collect::<Vec<_>>(),
        "responsible_post": d.row.responsible_post,
        "expected_datetime": end_of_day(d.row.deadline),
        "kind": d.row.kind.as_str(),
        "kind_label": d.row.labels.kind,
    });
    body["rectification"] = json!({
        "measures": d.measures,
        "plan": d.plan,
        "target": d.target,
        "next_milestone": d.next_milestone,
        "progress": d.row.progress,
        "status": d.row.status.as_str(),
        "verification": d.row.verification.map(|v| v.as_str()),
        "verification_reason": d.verification_reason,
        "citizen_confirmation": d.citizen_confirmation,
        "revisit": d.revisit,
    });
    body["timeline"] = json!(d.timeline.iter().map(|t| json!({
        "datetime": t.at_iso,
        "text": t.text,
        "percent": t.percent,
        "evidence": t.evidence.iter().map(|e| json!({ "url": format!("/evidence/{}", e.id), "file_name": e.file_name })).collect::<Vec<_>>(),
    })).collect::<Vec<_>>());
    body["ratings"] = json!(d.ratings);
    Ok(HttpResponse::Ok().json(body))
}

/// Liveness and the database engine in use; 503 when the database does not answer.
/// `GET /healthz`: the database, each background job, and how far the search index lags the
/// events table. 503 when the database is unreachable, the index is more than a minute behind,
/// or a job keeps failing.
#[get("/healthz")]
async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    const MAX_LAG_SECS: i64 = 60;
    let backend = db::backend_name(&state.db);
    let jobs = state.jobs.snapshot();
    let failing: Vec<&str> = jobs.iter().filter(|(_, j)| j.failing()).map(|(name, _)| *name).collect();
    let (db_ok, lag) = match state.db.execute_unprepared("SELECT 1").await {
        Ok(_) => (true, crate::search::indexer::lag(&state.search, &state.db, state.clock.now()).await.ok()),
        Err(err) => {
            tracing::error!(%err, "health check: database unreachable");
            (false, None)
        }
    };
    let behind = lag.is_some_and(|(_, age)| age > MAX_LAG_SECS);
    let healthy = db_ok && !behind && failing.is_empty();
    let body = json!({
        "status": if healthy { "ok" } else { "unavailable" },
        "db": backend,
        "index": lag.map(|(events, age)| json!({
            "events_behind": events,
            "oldest_seconds": age,
            "applied": state.search.applied(),
            // Set aside and retried while the follower goes on; which and why are in the log.
            "failed_documents": state.search.failures.list().len(),
        })),
        "failing": failing,
        "jobs": jobs,
    });
    Ok(if healthy { HttpResponse::Ok().json(body) } else { HttpResponse::ServiceUnavailable().json(body) })
}
