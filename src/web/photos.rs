//! `/photos/{id}`: a citizen's photo. Staff who may see the case see it; the public only once
//! the office has shown the photos of a public opinion. Anyone else gets 404, as for no photo.

use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, web};
use entity::vocab::Role;
use entity::{attachment, opinion};
use sea_orm::EntityTrait;

use crate::error::AppError;
use crate::evidence::OWNER_OPINION;
use crate::state::AppState;
use crate::web::session::CurrentUser;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(photo);
}

#[get("/photos/{id}")]
async fn photo(req: HttpRequest, state: web::Data<AppState>, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let file = attachment::Entity::find_by_id(id.into_inner())
        .one(&state.db)
        .await?
        .filter(|f| f.owner_type == OWNER_OPINION)
        .ok_or(AppError::NotFound)?;
    let o = opinion::Entity::find_by_id(file.owner_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let staff = req.extensions().get::<CurrentUser>().is_some_and(|CurrentUser(u)| match u.role {
        Role::Office | Role::Admin => true,
        Role::Unit => u.unit_id.is_some() && u.unit_id == o.routed_unit_id,
        _ => false,
    });
    if staff {
        return crate::web::public::stored_file(&state, &file, "private, no-store");
    }
    if o.photos_public && crate::opinions::public_view::is_public(&o) {
        return crate::web::public::stored_file(&state, &file, "public, max-age=300");
    }
    Err(AppError::NotFound)
}
