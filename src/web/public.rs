//! Pages for citizens: no login.

use actix_web::{HttpRequest, HttpResponse, get, http::header, web};
use entity::{attachment, unit};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use serde_json::json;

use crate::error::AppError;
use crate::evidence;
use crate::lists::catalog::{self, Filter, FilterParams};
use crate::lists::exchange::{self, Tab};
use crate::lists::{detail, feed, ledger, listing};
use crate::state::AppState;
use crate::store::stats;
use crate::web::page::Page;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(home)
        .service(lists)
        .service(export)
        .service(problem_page)
        .service(opinion_page)
        .service(problem_feed)
        .service(all_feed)
        .service(unit_ledger)
        .service(evidence_file)
        .service(satisfaction)
        .service(score_rules);
}

/// `/satisfaction/rules`: the rules in force, what each column means, and every change to them.
#[get("/satisfaction/rules")]
async fn score_rules(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    use crate::score::formula::ScoreSettings;
    let history = crate::settings::history::<ScoreSettings>(&state.db).await?;
    let day = |at: chrono::DateTime<chrono::Utc>| crate::domain::time::today(at).format("%Y 年 %-m 月 %-d 日").to_string();
    // Each version beside the one before it (the oldest beside the built-in defaults).
    let mut versions = Vec::new();
    for (i, (version, at, rules)) in history.iter().enumerate() {
        let before = history.get(i + 1).map_or_else(ScoreSettings::default, |(_, _, r)| r.clone());
        let changed: Vec<_> = rules
            .describe()
            .into_iter()
            .zip(before.describe())
            .filter(|(now, was)| now.1 != was.1)
            .map(|((name, now), (_, was))| json!({ "name": name, "was": was, "now": now }))
            .collect();
        versions.push(json!({ "version": version, "date": day(*at), "changed": changed }));
    }
    let current = history.first().map_or_else(ScoreSettings::default, |(_, _, r)| r.clone());
    let mut page = Page::new(&req, "satisfaction");
    page.insert("rules", &current.describe()).insert("versions", &versions).insert("min_ratings", &current.min_ratings);
    page.render(&state.tera, "public/score_rules.html")
}

#[derive(Deserialize)]
struct PeriodQuery {
    period: Option<String>,
}

/// `/satisfaction`: how satisfied citizens are, for the city and each unit, and why.
#[get("/satisfaction")]
async fn satisfaction(req: HttpRequest, state: web::Data<AppState>, query: web::Query<PeriodQuery>) -> Result<HttpResponse, AppError> {
    use crate::score::{period::Period, snapshot, view};
    let current = Period::quarter_of(state.clock.today());
    let period = query.period.as_deref().and_then(Period::parse).unwrap_or(current);
    let (shown, previous) = snapshot::with_previous(&state.db, &period, None).await?;
    // The city's last four quarters, oldest first, for the trend.
    let mut periods = vec![current];
    while periods.len() < 4 {
        periods.push(periods[periods.len() - 1].previous());
    }
    let city = snapshot::subject_over(&state.db, &periods, "city", "city").await?;
    let trend: Vec<_> = periods
        .iter()
        .zip(city)
        .rev()
        .map(|(p, city)| json!({ "period": p.name(), "city": view(&city.into_iter().collect::<Vec<_>>(), &[], "city", 0).into_iter().next() }))
        .collect();
    let periods: Vec<String> = periods.iter().map(|p| p.name()).collect();
    let (rules, saved) = crate::settings::at_version::<crate::score::formula::ScoreSettings>(&state.db, shown.version).await?;
    let min = rules.min_ratings;
    let mut page = Page::new(&req, "satisfaction");
    page.insert("period", &period.name())
        .insert("periods", &periods)
        .insert("version", &shown.version)
        .insert("rules_date", &saved.map(|at| crate::domain::time::today(at).format("%Y 年 %-m 月 %-d 日").to_string()))
        .insert("min_ratings", &min)
        .insert("published", &shown.published)
        .insert("computed_at", &shown.computed_at.map(crate::domain::time::minute))
        .insert("city", &view(&shown.scores, &previous, "city", 0).into_iter().next())
        .insert("units", &view(&shown.scores, &previous, "unit", min))
        .insert("map", &crate::geo::city_map(&state.db, &view(&shown.scores, &previous, "region", min)).await?)
        .insert("regions", &view(&shown.scores, &previous, "region", min))
        .insert("trend", &trend)
        .insert("settled", &crate::opinions::revisits::settled(&state.db).await?);
    page.render(&state.tera, "public/satisfaction.html")
}

#[get("/")]
async fn home(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let mut page = Page::new(&req, "home");
    let (reports, _) =
        crate::reports::public::published(&state.db, &crate::reports::public::Filter { region: None, unit: None, page: 1 }).await?;
    page.insert("headline", &stats::headline(&state.db, now).await?)
        .insert("updates", &stats::recent_updates(&state.db, 6).await?)
        .insert("reports", &reports.into_iter().take(3).collect::<Vec<_>>());
    page.render(&state.tera, "public/home.html")
}

#[derive(Deserialize)]
struct ListQuery {
    tab: Option<String>,
    #[serde(flatten)]
    filter: FilterParams,
}

#[get("/lists")]
async fn lists(req: HttpRequest, state: web::Data<AppState>, query: web::Query<ListQuery>) -> Result<HttpResponse, AppError> {
    let tab = query.tab.as_deref().and_then(Tab::parse).unwrap_or_default();
    let filter = Filter::from_params(&query.filter);
    let listing = listing::list(&state.db, state.clock.today(), &filter).await?;
    let base = filter.query();
    let tabs: Vec<_> = Tab::ALL
        .iter()
        .map(|t| json!({ "value": t.as_str(), "label": t.label(), "current": *t == tab, "url": with(&format!("tab={}", t.as_str()), &base) }))
        .collect();
    let page_url = |n: u64| with(&format!("tab={}", tab.as_str()), &format!("{base}{}page={n}", if base.is_empty() { "" } else { "&" }));
    let mut page = Page::new(&req, "lists");
    page.insert("tab", tab.as_str())
        .insert("tab_label", tab.label())
        .insert("tabs", &tabs)
        .insert("filter", &filter)
        .insert("listing", &listing)
        .insert("prev_url", &(listing.page > 1).then(|| page_url(listing.page - 1)))
        .insert("next_url", &(listing.page < listing.pages).then(|| page_url(listing.page + 1)))
        .insert("export_query", &with(&format!("tab={}", tab.as_str()), &base))
        .insert(
            "sorts",
            &[("updated", "最近更新"), ("created", "最新列入"), ("deadline", "完成时限"), ("progress", "进度从低到高"), ("code", "编号")],
        );
    page.render(&state.tera, "public/lists.html")
}

fn with(first: &str, rest: &str) -> String {
    if rest.is_empty() { first.to_string() } else { format!("{first}&{rest}") }
}

#[derive(Deserialize)]
struct ExportPath {
    format: String,
}

#[get("/lists/export.{format}")]
async fn export(state: web::Data<AppState>, path: web::Path<ExportPath>, query: web::Query<ListQuery>) -> Result<HttpResponse, AppError> {
    let tab = query.tab.as_deref().and_then(Tab::parse).unwrap_or_default();
    let mut filter = Filter::from_params(&query.filter);
    // An export holds every matching item (a city's lists hold thousands), up to a bound.
    filter.page = 1;
    filter.page_size = catalog::EXPORT_MAX_ROWS;
    let rows = listing::rows(&state.db, state.clock.today(), &filter).await?;
    let stamp = state.clock.today().format("%Y%m%d");
    let name = format!("{}-{stamp}", tab.label());
    let (content_type, ext) = match path.format.as_str() {
        "csv" => ("text/csv; charset=utf-8", "csv"),
        "xlsx" => ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        _ => return Err(AppError::NotFound),
    };
    let body = crate::web::off_workers(move || {
        let (headers, cells) = exchange::table(&rows, tab);
        match ext {
            "csv" => Ok(exchange::to_csv(&headers, &cells)),
            _ => exchange::to_xlsx(tab.label(), &headers, &cells).map_err(|e| AppError::Internal(format!("xlsx: {e}"))),
        }
    })
    .await??;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CONTENT_DISPOSITION, attachment_disposition(&format!("{name}.{ext}"))))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// `attachment` with the UTF-8 name, and an ASCII fallback for old clients.
fn attachment_disposition(name: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>().replace('+', "%20");
    format!("attachment; filename=\"lianxin-export\"; filename*=UTF-8''{encoded}")
}

#[get("/problems/{code}")]
async fn problem_page(req: HttpRequest, state: web::Data<AppState>, code: web::Path<String>) -> Result<HttpResponse, AppError> {
    let d = detail::load(&state.db, &code, state.clock.today()).await?.ok_or(AppError::NotFound)?;
    let (title, key) = (d.row.title.clone(), crate::search::documents::Source::key("problem", d.row.problem_id));
    // Related items are a courtesy: when search fails, the page shows without them.
    let (related, similar) = crate::web::search::blocking(&state, move |engine| {
        use crate::search::query::similar;
        Ok((similar(engine, title.as_str(), "problem", 4, Some(&key))?, similar(engine, title.as_str(), "opinion", 5, None)?))
    })
    .await
    .unwrap_or_else(|err| {
        tracing::error!(%err, "related items left out of a problem page");
        (Vec::new(), Vec::new())
    });
    let reports = crate::reports::public::about(&state.db, Some(d.row.problem_id), None).await?;
    let mut page = Page::new(&req, "lists");
    page.insert("d", &d).insert("related", &related).insert("similar", &similar).insert("reports", &reports);
    page.render(&state.tera, "public/problem.html")
}

/// `/opinions/{id}`: a public opinion, the page its search hit opens.
#[get("/opinions/{id:[0-9]{1,9}}")]
async fn opinion_page(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    use crate::opinions::public_view::{self, Shown};
    match public_view::load(&state.db, id.into_inner()).await?.ok_or(AppError::NotFound)? {
        Shown::MergedInto(kept) => Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, format!("/opinions/{kept}"))).finish()),
        Shown::Page(o) => {
            let mut page = Page::new(&req, "search");
            page.insert("o", &o);
            page.render(&state.tera, "public/opinion.html")
        }
    }
}

#[get("/units/{code}")]
async fn unit_ledger(req: HttpRequest, state: web::Data<AppState>, code: web::Path<String>) -> Result<HttpResponse, AppError> {
    let code = crate::domain::account::unit_code(&code).map_err(|_| AppError::NotFound)?;
    let found = unit::Entity::find().filter(unit::Column::Code.eq(code)).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let today = state.clock.today();
    let of_unit = Filter { unit: Some(found.code.clone()), page: 1, page_size: catalog::EXPORT_MAX_ROWS, ..Filter::default() };
    let rows = listing::rows(&state.db, today, &of_unit).await?;
    let on_time = ledger::on_time(&rows, &found.code, today);
    let open = rows.iter().filter(|r| !r.is_finished()).count();
    let mut page = Page::new(&req, "lists");
    page.insert("unit", &json!({ "code": found.code, "name": found.name, "kind": found.kind.label(), "region": found.region }))
        .insert("on_time", &on_time)
        .insert("open", &open)
        .insert("late", &rows.iter().filter(|r| r.is_overdue()).count())
        .insert("rows", &rows);
    page.render(&state.tera, "public/unit.html")
}

/// Evidence is public with its timeline entry; served so the browser can only show it.
#[get("/evidence/{id}")]
async fn evidence_file(state: web::Data<AppState>, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let file = attachment::Entity::find_by_id(id.into_inner()).one(&state.db).await?.ok_or(AppError::NotFound)?;
    if file.owner_type != evidence::OWNER_PROGRESS {
        return Err(AppError::NotFound);
    }
    stored_file(&state, &file, "public, max-age=86400, immutable")
}

/// A stored upload, with headers that let the browser only show it.
pub(crate) fn stored_file(state: &AppState, file: &attachment::Model, cache: &str) -> Result<HttpResponse, AppError> {
    let bytes = std::fs::read(evidence::path(&state.config.data_dir, &file.sha256)).map_err(|_| AppError::NotFound)?;
    let disposition = if file.content_type.starts_with("image/") { "inline" } else { "attachment" };
    let encoded: String = url::form_urlencoded::byte_serialize(file.file_name.as_bytes()).collect::<String>().replace('+', "%20");
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, file.content_type.as_str()))
        .insert_header((header::CONTENT_DISPOSITION, format!("{disposition}; filename=\"evidence\"; filename*=UTF-8''{encoded}")))
        .insert_header(("Content-Security-Policy", "default-src 'none'; img-src 'self'; sandbox"))
        .insert_header((header::CACHE_CONTROL, cache.to_string()))
        .body(bytes))
}

#[get("/feed.atom")]
async fn all_feed(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let changes = feed::recent(&state.db, None, 50).await?;
    atom(&req, &state, "连心桥 · 清单动态", "/feed.atom", changes)
}

#[get("/problems/{code}/feed.atom")]
async fn problem_feed(req: HttpRequest, state: web::Data<AppState>, code: web::Path<String>) -> Result<HttpResponse, AppError> {
    let p = detail::find(&state.db, &code).await?.ok_or(AppError::NotFound)?;
    let changes = feed::recent(&state.db, Some(p.id), 50).await?;
    let title = crate::privacy::PublicText::of(&format!("{} {}", p.code, p.title));
    atom(&req, &state, title.as_str(), &format!("/problems/{}/feed.atom", p.code), changes)
}

fn atom(req: &HttpRequest, state: &AppState, title: &str, self_path: &str, changes: Vec<feed::Change>) -> Result<HttpResponse, AppError> {
    // From the configured public address, never from request headers an attacker can set.
    let base = state.config.public_origin();
    let entries: Vec<_> = changes
        .iter()
        .map(|c| {
            json!({
                "id": format!("{base}/problems/{}#{}", c.code, c.key),
                "title": c.title,
                "summary": c.summary,
                "updated": c.at.with_timezone(&crate::domain::time::beijing()).to_rfc3339(),
                "link": format!("{base}/problems/{}", c.code),
            })
        })
        .collect();
    let updated = changes.first().map(|c| c.at).unwrap_or_else(|| state.clock.now());
    atom_feed(req, state, title, self_path, "/lists", &entries, updated)
}

/// An Atom feed of `entries` (each `id`, `title`, `summary`, `updated`, `link`), served from
/// `self_path`, whose page is `alternate`.
pub(crate) fn atom_feed(
    req: &HttpRequest,
    state: &AppState,
    title: &str,
    self_path: &str,
    alternate: &str,
    entries: &[serde_json::Value],
    updated: chrono::DateTime<chrono::Utc>,
) -> Result<HttpResponse, AppError> {
    let base = state.config.public_origin();
    let mut ctx = tera::Context::new();
    ctx.insert("title", title);
    ctx.insert("self_url", &format!("{base}{self_path}"));
    ctx.insert("alternate_url", &format!("{base}{alternate}"));
    ctx.insert("updated", &updated.with_timezone(&crate::domain::time::beijing()).to_rfc3339());
    ctx.insert("entries", entries);
    // A feed opened in the 长辈版 reads in it too (readers, which carry no cookie, never see this).
    ctx.insert("care", &crate::web::care::is_on(req));
    let body = state.tera.render("feeds/atom.xml", &ctx)?;
    // A browser shows `application/atom+xml` as bare text but applies the stylesheet to XML.
    let media = if opened_in_browser(req) { "application/xml; charset=utf-8" } else { "application/atom+xml; charset=utf-8" };
    Ok(HttpResponse::Ok().content_type(media).insert_header((header::VARY, "Accept")).body(body))
}

/// A person opening a feed in a browser (which asks for HTML first), not a feed reader.
pub(crate) fn opened_in_browser(req: &HttpRequest) -> bool {
    req.headers().get(header::ACCEPT).and_then(|a| a.to_str().ok()).is_some_and(|a| a.contains("text/html"))
}
