//! Search for everyone: citizens see public records, staff see everything.

use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use serde_json::json;

use crate::error::{ApiError, AppError};
use crate::search::query::{self, SearchParams, SearchRequest, SearchResults};
use crate::state::AppState;
use crate::web::{page::Page, session::CurrentUser};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(page).service(api).service(similar);
}

/// Runs search work off the async workers. A panic in it is a bug, logged with its message;
/// the visitor gets a clean 503, and the worker thread lives on.
pub async fn blocking<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&crate::search::SearchEngine) -> Result<T, crate::search::SearchError> + Send + 'static,
) -> Result<T, AppError> {
    let engine = state.search.clone();
    match tokio::task::spawn_blocking(move || work(&engine)).await {
        Ok(Ok(found)) => Ok(found),
        Ok(Err(err)) => Err(AppError::Unavailable(err.to_string())),
        Err(join) => Err(AppError::Unavailable(format!("search task failed: {join}"))),
    }
}

async fn run(state: &AppState, req: SearchRequest) -> Result<SearchResults, AppError> {
    blocking(state, move |engine| query::run(engine, &req)).await
}

fn is_staff(req: &HttpRequest) -> bool {
    req.extensions().get::<CurrentUser>().is_some()
}

#[get("/search")]
async fn page(req: HttpRequest, state: web::Data<AppState>, params: web::Query<SearchParams>) -> Result<HttpResponse, AppError> {
    let request = SearchRequest::from_params(&params, !is_staff(&req));
    let results = run(&state, request).await?;
    // The query without page, for the pager and the facet links.
    let mut base = url::form_urlencoded::Serializer::new(String::new());
    let r = &results.request;
    for (key, value) in [
        ("q", Some(&r.text)),
        ("type", r.doc_type.as_ref()),
        ("region", r.region.as_ref()),
        ("category", r.category.as_ref()),
        ("status", r.status.as_ref()),
        ("unit", r.unit.as_ref()),
        ("from", r.from.as_ref()),
        ("to", r.to.as_ref()),
    ] {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            base.append_pair(key, value);
        }
    }
    if r.by_time {
        base.append_pair("sort", "time");
    }
    let facet_groups = json!([
        { "param": "type", "label": "类型", "values": results.types },
        { "param": "region", "label": "区域", "values": results.regions },
        { "param": "category", "label": "类别", "values": results.categories },
        { "param": "status", "label": "状态", "values": results.statuses },
    ]);
    let mut page = Page::new(&req, "search");
    page.insert("results", &results).insert("base", &base.finish()).insert("facet_groups", &facet_groups);
    page.render(&state.tera, "public/search.html")
}

/// `GET /api/v1/search`: the same search as JSON.
#[get("/api/v1/search")]
async fn api(req: HttpRequest, state: web::Data<AppState>, params: web::Query<SearchParams>) -> Result<HttpResponse, ApiError> {
    let mut request = SearchRequest::from_params(&params, !is_staff(&req));
    if let Some(size) = params.page_size.as_deref() {
        request.page_size = size
            .trim()
            .parse()
            .ok()
            .filter(|n| (1..=query::MAX_PAGE_SIZE).contains(n))
            .ok_or_else(|| ApiError(AppError::BadRequest(format!("page_size 应为 1 到 {} 之间的整数", query::MAX_PAGE_SIZE))))?;
    }
    let results = run(&state, request).await?;
    Ok(HttpResponse::Ok().json(json!({
        "query": results.request.text,
        "total": results.total,
        "page": results.page,
        "page_size": results.request.page_size,
        "pages": results.pages,
        "max_page": results.max_page,
        "partial": results.partial,
        "exact": results.exact,
        "hits": results.hits,
        "facets": { "type": results.types, "region": results.regions, "category": results.categories, "status": results.statuses, "unit": results.units },
    })))
}

#[derive(Deserialize)]
struct SimilarParams {
    #[serde(default)]
    text: String,
}

/// `GET /api/v1/similar?text=`: 相似意见 and 相关问题 while a citizen types a title.
#[get("/api/v1/similar")]
async fn similar(state: web::Data<AppState>, params: web::Query<SimilarParams>) -> Result<HttpResponse, ApiError> {
    let text: String = params.text.chars().take(100).collect();
    let (opinions, problems) = blocking(&state, move |engine| {
        Ok((query::similar(engine, &text, "opinion", 5, None)?, query::similar(engine, &text, "problem", 3, None)?))
    })
    .await?;
    let brief = |h: &query::Hit| json!({ "title": h.title, "url": h.url, "code": h.code, "status": h.status, "date": h.date });
    Ok(HttpResponse::Ok().json(json!({
        "opinions": opinions.iter().map(brief).collect::<Vec<_>>(),
        "problems": problems.iter().map(brief).collect::<Vec<_>>(),
    })))
}
