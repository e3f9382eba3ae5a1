//! Public pages served from memory while nothing has changed. A city's visitors mostly read the
//! same few pages; each costs a dozen queries to build and nothing to repeat. An entry is keyed
//! by the full path and query and is valid while the data is as it was when it was built — no
//! request that may write (anything but GET and HEAD) answered with success by this server since, no event
//! applied since (every change, from any server or job, writes one in its own transaction; the
//! index follower reads them once a second), the same day — and for at most a few seconds (for
//! read models that change without an event, such as the scores job's rows).
//!
//! Private by construction: only GETs of a fixed list of public paths, only from visitors with no
//! session, only 200 answers without cookies or `no-store`, and never a body holding the
//! request's own CSRF token.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{Error, HttpMessage, HttpResponse, web};
use chrono::NaiveDate;

use crate::state::AppState;
use crate::web::session::CurrentSession;

/// Paths served from the cache exactly, and by prefix.
const EXACT: &[&str] =
    &["/", "/lists", "/satisfaction", "/search", "/feed.atom", "/api/v1/problems", "/api/v1/search", "/api/v1/scores", "/api/v1/similar"];
const PREFIXES: &[&str] = &["/problems/", "/api/v1/problems/", "/units/"];
/// Longest an entry lives, whatever happens.
const TTL: Duration = Duration::from_secs(5);
/// Bounds memory against visitors who vary the query string: past this many, the oldest half goes.
const MAX_ENTRIES: usize = 4_096;
const MAX_BODY: usize = 512 * 1024;

#[derive(Clone)]
struct Entry {
    generation: (i64, u64),
    day: NaiveDate,
    stored: Instant,
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

#[derive(Default)]
pub struct PageCache {
    entries: Mutex<HashMap<String, Entry>>,
    /// Requests that may have written, answered by this server.
    writes: std::sync::atomic::AtomicU64,
}

impl PageCache {
    fn get(&self, key: &str, generation: (i64, u64), day: NaiveDate) -> Option<Entry> {
        let entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.get(key).filter(|e| e.generation == generation && e.day == day && e.stored.elapsed() < TTL).cloned()
    }

    fn put(&self, key: String, entry: Entry) {
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= MAX_ENTRIES {
            let mut ages: Vec<Instant> = entries.values().map(|e| e.stored).collect();
            ages.sort_unstable();
            let cut = ages[ages.len() / 2];
            entries.retain(|_, e| e.stored > cut && e.generation == entry.generation);
        }
        entries.insert(key, entry);
    }

    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn cacheable_path(path: &str) -> bool {
    EXACT.contains(&path) || PREFIXES.iter().any(|p| path.starts_with(p))
}

/// The middleware: answers from the cache when it can, else builds the page and keeps it if it
/// may be shared.
pub async fn serve(req: ServiceRequest, next: Next<BoxBody>) -> Result<ServiceResponse<BoxBody>, Error> {
    let anonymous = req.extensions().get::<CurrentSession>().is_none();
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else { return next.call(req).await };
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let response = next.call(req).await;
        // Counted once answered, and only when it succeeded: a refused request wrote nothing, and
        // a flood of refused ones must not keep every page from the cache.
        if response.as_ref().is_ok_and(|r| r.status().as_u16() < 400) {
            state.page_cache.writes.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        }
        return response;
    }
    if !(req.method() == Method::GET && anonymous && cacheable_path(req.path())) {
        return next.call(req).await;
    }
    let path = req.uri().path_and_query().map(|pq| pq.as_str()).unwrap_or_default();
    // The 长辈版 is another rendering of the same page.
    let mut key = if crate::web::care::is_on(req.request()) { format!("care:{path}") } else { path.to_string() };
    // A feed is another document for a browser than for a feed reader.
    if path.ends_with(".atom") && crate::web::public::opened_in_browser(req.request()) {
        key.insert_str(0, "page:");
    }
    // Changes by other servers and jobs arrive through the event follower; this server's own at once.
    let writes = state.page_cache.writes.load(std::sync::atomic::Ordering::Acquire);
    let (generation, day) = ((state.search.generation(), writes), state.clock.today());
    if let Some(hit) = state.page_cache.get(&key, generation, day) {
        let mut response = HttpResponse::build(hit.status);
        for (name, value) in hit.headers {
            response.insert_header((name, value));
        }
        response.insert_header((HeaderName::from_static("x-cache"), HeaderValue::from_static("hit")));
        return Ok(req.into_response(response.body(hit.body)));
    }
    let token = crate::web::csrf::token_of(req.request());
    let response = next.call(req).await?;
    let shareable = response.status() == StatusCode::OK
        && matches!(response.response().body().size(), BodySize::Sized(n) if n as usize <= MAX_BODY)
        && !response.headers().contains_key(header::SET_COOKIE)
        && !response.headers().get(header::CACHE_CONTROL).is_some_and(|v| v.to_str().unwrap_or_default().contains("no-store"));
    if !shareable {
        return Ok(response);
    }
    let (request, response) = response.into_parts();
    let status = response.status();
    let headers: Vec<(HeaderName, HeaderValue)> = response.headers().iter().map(|(n, v)| (n.clone(), v.clone())).collect();
    // A sized body is bytes in memory already: reading it cannot fail or grow.
    let body = actix_web::body::to_bytes(response.into_body()).await?;
    let holds_token = !token.is_empty() && body.windows(token.len()).any(|w| w == token.as_bytes());
    if !holds_token {
        state.page_cache.put(key, Entry { generation, day, stored: Instant::now(), status, headers: headers.clone(), body: body.clone() });
    }
    let mut rebuilt = HttpResponse::build(status);
    for (name, value) in headers {
        rebuilt.insert_header((name, value));
    }
    Ok(ServiceResponse::new(request, rebuilt.body(body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_paths_are_cacheable() {
        for path in ["/", "/lists", "/problems/WT-2026-0001", "/units/STHJJ", "/api/v1/search"] {
            assert!(cacheable_path(path), "{path}");
        }
        for path in ["/track", "/opinions/new", "/office", "/api/v1/opinions/ABCD", "/lists/export.csv", "/healthz", "/account", "/login"] {
            assert!(!cacheable_path(path), "{path}");
        }
    }

    #[test]
    fn entries_are_bounded_and_expire_with_the_data() {
        let cache = PageCache::default();
        let day = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let entry = |generation: (i64, u64)| Entry {
            generation,
            day,
            stored: Instant::now(),
            status: StatusCode::OK,
            headers: vec![],
            body: Bytes::from_static(b"page"),
        };
        for n in 0..MAX_ENTRIES * 3 {
            cache.put(format!("/search?q={n}"), entry((1, 0)));
        }
        assert!(cache.len() <= MAX_ENTRIES, "{}", cache.len());
        cache.put("/lists".into(), entry((1, 0)));
        assert!(cache.get("/lists", (1, 0), day).is_some());
        assert!(cache.get("/lists", (2, 0), day).is_none(), "a change elsewhere since");
        assert!(cache.get("/lists", (1, 1), day).is_none(), "a change here since");
        assert!(cache.get("/lists", (1, 0), day.succ_opt().unwrap()).is_none(), "a new day");
    }
}
