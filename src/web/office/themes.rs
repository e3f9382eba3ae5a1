//! The office's analysis desk: hot themes, a theme's page, rebuilding, and retraining the router.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use entity::vocab::Role;
use serde::Deserialize;

use super::see_other;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::{csrf::CsrfForm, page::Page, session::CurrentUser};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(themes_page).service(theme_page).service(rebuild_themes).service(retrain_routing);
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
struct RegionQuery {
    region: Option<String>,
    period: Option<String>,
}

#[get("/office/themes")]
async fn themes_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<RegionQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let region = query.region.as_deref().and_then(|r| crate::domain::text::line(r, 32).ok());
    let period = query.period.as_deref().and_then(crate::score::period::Period::parse);
    let rows = crate::themes::views::ranked(&state.db, region.as_deref(), period.as_ref(), state.clock.now()).await?;
    let current = crate::score::period::Period::quarter_of(state.clock.today());
    let periods: Vec<String> = (0..4)
        .scan(current, |p, _| {
            let name = p.name();
            *p = p.previous();
            Some(name)
        })
        .collect();
    let mut regions: Vec<String> = crate::units::list_units(&state.db).await?.into_iter().filter_map(|u| u.region).collect();
    regions.sort();
    let fresh = crate::jobs::schedule::THEMES.freshness(&state.db).await?;
    let mut page = Page::new(&req, "office");
    page.insert("themes", &rows)
        .insert("ran_at", &fresh.ran_at.map(crate::domain::time::minute))
        .insert("queued", &fresh.queued)
        .insert("region", &region)
        .insert("regions", &regions)
        .insert("period", &period.map(|p| p.name()))
        .insert("periods", &periods);
    page.render(&state.tera, "office/themes.html")
}

#[get("/office/themes/{id}")]
async fn theme_page(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let detail = crate::themes::views::detail(&state.db, id.into_inner(), state.clock.today()).await?.ok_or(AppError::NotFound)?;
    let mut page = Page::new(&req, "office");
    page.insert("t", &detail);
    page.render(&state.tera, "office/theme.html")
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
