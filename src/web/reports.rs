//! Follow-up reports for the public: the list, one report beside the live state of what it
//! reports on (a withdrawn one keeps its page, with the notice), the feed and the API.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use serde_json::json;

use crate::error::{ApiError, AppError};
use crate::reports::public::{self, Filter, PAGE_SIZE};
use crate::state::AppState;
use crate::web::page::Page;

pub fn configure(cfg: &mut web::ServiceConfig) {
    // The feed before `{slug}`, which would take it.
    cfg.service(feed).service(list_page).service(image).service(facts).service(report_page).service(api_list).service(api_one);
}

#[derive(Deserialize)]
struct ListQuery {
    region: Option<String>,
    unit: Option<String>,
    page: Option<u64>,
}

impl ListQuery {
    fn filter(&self) -> Filter {
        let clean = |s: &Option<String>| s.as_deref().and_then(|s| crate::domain::text::line(s, 32).ok()).filter(|s| !s.is_empty());
        Filter {
            region: clean(&self.region),
            unit: clean(&self.unit).map(|u| u.to_uppercase()),
            page: self.page.unwrap_or(1).clamp(1, 10_000),
        }
    }
}

#[get("/reports")]
async fn list_page(req: HttpRequest, state: web::Data<AppState>, query: web::Query<ListQuery>) -> Result<HttpResponse, AppError> {
    let filter = query.filter();
    let (reports, total) = public::published(&state.db, &filter).await?;
    let units = crate::units::list_units(&state.db).await?;
    let mut regions: Vec<String> = units.iter().filter_map(|u| u.region.clone()).collect();
    regions.sort();
    regions.dedup();
    let units: Vec<(String, String)> = units.into_iter().map(|u| (u.code, u.name)).collect();
    let mut page = Page::new(&req, "reports");
    page.insert("reports", &reports)
        .insert("total", &total)
        .insert("region", &filter.region)
        .insert("unit", &filter.unit)
        .insert("regions", &regions)
        .insert("units", &units)
        .insert("page", &filter.page)
        .insert("more", &(filter.page * PAGE_SIZE < total));
    page.render(&state.tera, "public/reports.html")
}

#[get("/reports/feed.atom")]
async fn feed(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let (reports, _) = public::published(&state.db, &Filter { page: 1, ..Filter::default() }).await?;
    let base = state.config.public_origin();
    let entries: Vec<_> = reports
        .iter()
        .map(|r| {
            json!({
                "id": format!("{base}/reports/{}", r.slug),
                "title": r.title,
                "summary": r.summary,
                "updated": r.published.with_timezone(&crate::domain::time::beijing()).to_rfc3339(),
                "link": format!("{base}/reports/{}", r.slug),
            })
        })
        .collect();
    let updated = reports.first().map(|r| r.published).unwrap_or_else(|| state.clock.now());
    crate::web::public::atom_feed(&req, &state, "连心桥 · 跟踪报道", "/reports/feed.atom", "/reports", &entries, updated)
}

/// A report's picture: public once the report is; before that, for the publicity desk only.
#[get("/reports/images/{id}")]
async fn image(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    use actix_web::HttpMessage;
    let publicity =
        req.extensions().get::<crate::web::session::CurrentUser>().is_some_and(|u| u.require(&[entity::vocab::Role::Publicity]).is_ok());
    let file = crate::reports::images::servable(&state.db, id.into_inner(), publicity).await?.ok_or(AppError::NotFound)?;
    crate::web::public::stored_file(&state, &file, if publicity { "private, no-store" } else { "public, max-age=3600" })
}

/// The media kit: the facts behind a report as a workbook, for newsrooms to check.
#[get("/reports/{slug}/facts.xlsx")]
async fn facts(state: web::Data<AppState>, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    let found = crate::reports::facts::of_report(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    let body = crate::web::off_workers(move || crate::reports::facts::workbook(&found))
        .await?
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"report-facts.xlsx\"; filename*=UTF-8''%E6%8A%A5%E9%81%93%E4%BA%8B%E5%AE%9E.xlsx",
        ))
        .body(body))
}

#[get("/reports/{slug}")]
async fn report_page(req: HttpRequest, state: web::Data<AppState>, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    let report = public::by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    let mut page = Page::new(&req, "reports");
    page.insert("r", &report).insert("origin", &state.config.public_origin());
    page.render(&state.tera, "public/report.html")
}

#[get("/api/v1/reports")]
async fn api_list(state: web::Data<AppState>, query: web::Query<ListQuery>) -> Result<HttpResponse, ApiError> {
    let filter = query.filter();
    let (reports, total) = public::published(&state.db, &filter).await.map_err(|e| ApiError(e.into()))?;
    let items: Vec<_> = reports
        .iter()
        .map(|r| json!({ "slug": r.slug, "title": r.title, "summary": r.summary, "published_at": r.published.to_rfc3339(), "url": format!("/reports/{}", r.slug) }))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "total": total, "page": filter.page, "page_size": PAGE_SIZE, "items": items })))
}

#[get("/api/v1/reports/{slug}")]
async fn api_one(state: web::Data<AppState>, slug: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let r = public::by_slug(&state.db, &slug).await.map_err(|e| ApiError(e.into()))?.ok_or(ApiError(AppError::NotFound))?;
    Ok(HttpResponse::Ok().json(json!({
        "slug": r.slug, "title": r.title, "summary": r.summary, "html": r.html, "published_at": r.published_at,
        "withdrawn": r.withdrawn, "withdrawn_reason": r.withdrawn_reason, "withdrawn_at": r.withdrawn_at, "problems": r.problems,
    })))
}
