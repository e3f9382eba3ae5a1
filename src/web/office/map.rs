//! The districts' outlines for the public satisfaction map: the office pastes the city's GeoJSON,
//! sees it drawn, and saves it as a new settings version.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use entity::vocab::Role;
use serde::Deserialize;

use super::see_other;
use crate::error::AppError;
use crate::geo::MapSettings;
use crate::service::{FieldErrors, ServiceError};
use crate::settings;
use crate::state::AppState;
use crate::web::{page::Page, session::CurrentUser, upload::CsrfMultipart};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(map_page).service(save_map);
}

async fn page(
    req: &HttpRequest,
    state: &AppState,
    geojson: &str,
    errors: Option<&FieldErrors>,
    saved: bool,
) -> Result<HttpResponse, AppError> {
    let mut page = Page::new(req, "office");
    // The box holds what a plain form can send back; a larger map is changed by uploading a file.
    page.insert("geojson", if geojson.len() < 60_000 { geojson } else { "" })
        .insert("large", &(geojson.len() >= 60_000))
        .insert("map", &crate::geo::draw(geojson).ok())
        .insert("saved", &saved);
    let status = page.errors(errors);
    page.render_with_status(&state.tera, "office/map.html", status)
}

#[derive(Deserialize)]
struct Saved {
    saved: Option<String>,
}

#[get("/office/map")]
async fn map_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<Saved>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let (current, _) = settings::current::<MapSettings>(&state.db).await?;
    page(&req, &state, &current.geojson, None, query.saved.is_some()).await
}

/// A city's outlines run to megabytes: they come as a file (or, small, typed into the box).
#[post("/office/map")]
async fn save_map(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser, form: CsrfMultipart) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let text = match form.files.first() {
        Some(file) => String::from_utf8_lossy(&file.bytes).into_owned(),
        None => form.text("geojson").to_string(),
    };
    let value = MapSettings { geojson: text.trim().to_string() };
    // An empty box is not taken as "no map": a large map is not shown in it, so sending the page
    // back unchanged must not wipe it. Clearing is asked for in so many words.
    if value.geojson.is_empty() && form.text("clear") != "on" {
        let mut errors = FieldErrors::default();
        errors.add("geojson", "required", "区县边界：请上传 GeoJSON 文件或在框内填写；不再显示地图请勾选“不显示地图”");
        return page(&req, &state, "", Some(&errors), false).await;
    }
    match value.validate() {
        Err(ServiceError::Invalid(errors)) => page(&req, &state, &value.geojson, Some(&errors), false).await,
        Err(other) => Err(other.into()),
        Ok(()) => {
            settings::save(state.ctx(), &user.actor(), &value).await?;
            Ok(see_other("/office/map?saved=1"))
        }
    }
}
