//! The office's analysis desk: hot themes, a theme's page, rebuilding, and retraining the router.

use actix_web::{HttpRequest, HttpResponse, get, http::header, post, web};
use entity::vocab::Role;
use serde::Deserialize;

use super::see_other;
use crate::error::AppError;
use crate::score::period::Period;
use crate::state::AppState;
use crate::web::{csrf::CsrfForm, page::Page, session::CurrentUser};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(themes_page)
        .service(mine_period)
        .service(theme_page)
        .service(theme_report)
        .service(theme_report_xlsx)
        .service(hand_over)
        .service(rebuild_themes)
        .service(retrain_routing);
}

/// Retrains the routing suggester now, so the office's latest corrections count at once.
#[post("/office/routing/retrain")]
async fn retrain_routing(
    state: web::Data<AppState>,
    user: CurrentUser,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    crate::background::retrain_routing(&state.db, &state.search, &state.routing).await.map_err(AppError::Internal)?;
    Ok(see_other("/office/opinions"))
}

#[derive(Deserialize)]
struct ThemesQuery {
    region: Option<String>,
    /// `2026-Q3`, `2026-07`, `2026`; or a range of days by `from` and `to`.
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

impl ThemesQuery {
    /// The period asked for: `Ok(None)` for all time, `Err` for one that does not read as a period.
    fn period(&self) -> Result<Option<Period>, ()> {
        let filled = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let asked = match (filled(&self.from), filled(&self.to), filled(&self.period)) {
            (Some(from), Some(to), _) => Some(format!("{from}~{to}")),
            (None, None, period) => period,
            _ => return Err(()),
        };
        asked.map(|p| Period::parse_span(&p).ok_or(())).transpose()
    }
}

/// The periods offered at a click: the last three months, four quarters and two years.
fn offered_periods(today: chrono::NaiveDate) -> Vec<String> {
    let walk =
        |first: Period, n: usize| std::iter::successors(Some(first), |p| Some(p.previous())).take(n).map(|p| p.name()).collect::<Vec<_>>();
    let month = Period::parse(&today.format("%Y-%m").to_string()).expect("a month parses");
    let year = Period::parse(&today.format("%Y").to_string()).expect("a year parses");
    [walk(month, 3), walk(Period::quarter_of(today), 4), walk(year, 2)].concat()
}

#[get("/office/themes")]
async fn themes_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ThemesQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let region = query.region.as_deref().and_then(|r| crate::domain::text::line(r, 32).ok());
    let (period, bad_period) = match query.period() {
        Ok(p) => (p, false),
        Err(()) => (None, true),
    };
    let rows = crate::themes::views::ranked(&state.db, region.as_deref(), period.as_ref(), state.clock.now()).await?;
    let mut regions: Vec<String> = crate::units::list_units(&state.db).await?.into_iter().filter_map(|u| u.region).collect();
    regions.sort();
    let (ran_at, queued) = match &period {
        Some(p) => {
            let standing = crate::themes::periods::standing(&state.db, p).await?;
            (standing.mined_at, standing.queued)
        }
        None => {
            let fresh = crate::jobs::schedule::THEMES.freshness(&state.db).await?;
            (fresh.ran_at, fresh.queued)
        }
    };
    let mut page = Page::new(&req, "office");
    page.insert("themes", &rows)
        .insert("ran_at", &ran_at.map(crate::domain::time::minute))
        .insert("queued", &queued)
        .insert("region", &region)
        .insert("regions", &regions)
        .insert("period", &period.map(|p| p.name()))
        .insert("previous", &period.map(|p| p.previous().name()))
        .insert("range", &period.map(|p| (p.start.to_string(), p.end.pred_opt().unwrap_or(p.end).to_string())))
        .insert("bad_period", &bad_period)
        .insert("periods", &offered_periods(state.clock.today()));
    page.render(&state.tera, "office/themes.html")
}

#[derive(Deserialize)]
struct PeriodForm {
    period: String,
}

/// Queues mining the period's themes (with the period before, to compare); the leader's job
/// answers within seconds to minutes, by the period's size.
#[post("/office/themes/periods")]
async fn mine_period(
    state: web::Data<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<PeriodForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let period = Period::parse_span(&form.period)
        .ok_or_else(|| AppError::BadRequest("统计期格式不对：请选择月份、季度、年份，或填写起止日期。".into()))?;
    crate::themes::periods::request(state.ctx(), &user.actor(), period).await?;
    let to: String = url::form_urlencoded::byte_serialize(period.name().as_bytes()).collect();
    Ok(see_other(&format!("/office/themes?period={to}")))
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
}

#[get("/office/themes/{id}")]
async fn theme_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let mut page = theme_view(&req, &state, id.into_inner()).await?;
    page.insert("handed", &(done.done.as_deref() == Some("handover")));
    page.render(&state.tera, "office/theme.html")
}

/// A theme's page: its figures, its handovers to the publicity department and its reports.
async fn theme_view(req: &HttpRequest, state: &AppState, id: i32) -> Result<Page, AppError> {
    let detail = crate::themes::detail::detail(&state.db, id, state.clock.today()).await?.ok_or(AppError::NotFound)?;
    let handovers: Vec<_> = crate::reports::handover::of_theme(&state.db, id)
        .await?
        .into_iter()
        .map(|h| serde_json::json!({ "at": crate::domain::time::minute(h.created_at), "by": h.handed_by, "note": h.note, "answered": h.report_id.is_some() }))
        .collect();
    let reports = crate::reports::public::about(&state.db, None, Some(id)).await?;
    let mut page = Page::new(req, "office");
    page.insert("t", &detail).insert("handovers", &handovers).insert("reports", &reports);
    Ok(page)
}

/// The theme's report as a page to print for the 绩效 meeting.
#[get("/office/themes/{id}/report")]
async fn theme_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office, Role::Publicity])?;
    let report = crate::themes::report::build(&state.db, id.into_inner(), state.clock.now(), state.clock.today())
        .await?
        .ok_or(AppError::NotFound)?;
    let mut page = Page::new(&req, "office");
    page.insert("r", &report);
    page.render(&state.tera, "office/theme_report.html")
}

#[get("/office/themes/{id}/report.xlsx")]
async fn theme_report_xlsx(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office, Role::Publicity])?;
    let id = id.into_inner();
    let report = crate::themes::report::build(&state.db, id, state.clock.now(), state.clock.today()).await?.ok_or(AppError::NotFound)?;
    let body = crate::web::off_workers(move || crate::themes::report::workbook(&report))
        .await?
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"theme-{id}.xlsx\"; filename*=UTF-8''%E4%B8%BB%E9%A2%98%E6%8A%A5%E5%91%8A-{id}.xlsx"),
        ))
        .body(body))
}

#[derive(Deserialize)]
struct HandoverForm {
    #[serde(default)]
    note: String,
}

/// Hands the theme to the publicity department for a follow-up report, with a note.
#[post("/office/themes/{id}/handover")]
async fn hand_over(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    CsrfForm(form): CsrfForm<HandoverForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let id = id.into_inner();
    match crate::reports::handover::hand_over(state.ctx(), &user.actor(), id, &form.note).await {
        Ok(_) => Ok(see_other(&format!("/office/themes/{id}?done=handover#handover-title"))),
        Err(err) => {
            let (notice, status) = crate::error::as_notice(err)?;
            let mut page = theme_view(&req, &state, id).await?;
            page.insert("notice", &notice);
            page.render_with_status(&state.tera, "office/theme.html", status)
        }
    }
}

#[post("/office/themes/rebuild")]
async fn rebuild_themes(
    state: web::Data<AppState>,
    user: CurrentUser,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    crate::jobs::schedule::THEMES.request(state.ctx(), &user.actor()).await?;
    Ok(see_other("/office/themes"))
}
