//! The admin's pages: accounts, units and the audit trail.

use actix_web::{
    HttpRequest, HttpResponse, get,
    http::{StatusCode, header},
    post, web,
};
use entity::vocab::{Role, UnitKind};
use serde::Deserialize;
use serde_json::json;

use crate::accounts::{self, NewUser};
use crate::error::AppError;
use crate::journal;
use crate::service::ServiceError;
use crate::state::AppState;
use crate::units::{self, UnitInput};
use crate::web::{csrf::CsrfForm, page::Page, session::CurrentUser};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(index)
        .service(create_user)
        .service(set_user_active)
        .service(reset_password)
        .service(create_unit)
        .service(update_unit)
        .service(audit_trail);
}

/// The notices the admin page shows: a fixed list, picked by name, so a link cannot make the
/// page say anything else.
const NOTICES: &[(&str, &str)] = &[
    ("user_created", "账号已创建。"),
    ("user_enabled", "账号已启用。"),
    ("user_disabled", "账号已停用，其所有登录已退出。"),
    ("password_reset", "密码已重置，该账号的所有登录已退出。"),
    ("unit_created", "单位已添加。"),
    ("unit_saved", "单位已保存。"),
];

fn back_to_admin(notice: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, format!("/admin?notice={notice}"))).finish()
}

#[derive(Deserialize)]
struct Notice {
    notice: Option<String>,
}

async fn admin_page(req: &HttpRequest, state: &AppState, notice: Option<&str>) -> Result<Page, AppError> {
    let users = accounts::list_users(&state.db).await?;
    let units = units::list_units(&state.db).await?;
    let unit_names: std::collections::HashMap<i32, &str> = units.iter().map(|u| (u.id, u.name.as_str())).collect();
    let users: Vec<_> = users
        .iter()
        .map(|u| {
            json!({
                "id": u.id, "username": u.username, "display_name": u.display_name,
                "role": u.role.label(), "unit": u.unit_id.and_then(|id| unit_names.get(&id)).copied().unwrap_or(""),
                "active": u.active,
            })
        })
        .collect();
    let units_view: Vec<_> = units
        .iter()
        .map(|u| json!({ "id": u.id, "code": u.code, "name": u.name, "kind": u.kind.as_str(), "kind_label": u.kind.label(), "region": u.region, "active": u.active }))
        .collect();
    let mut page = Page::new(req, "admin");
    page.insert("users", &users)
        .insert("units", &units_view)
        .insert("roles", &Role::ALL.iter().map(|r| json!({ "value": r.as_str(), "label": r.label() })).collect::<Vec<_>>())
        .insert("unit_kinds", &UnitKind::ALL.iter().map(|k| json!({ "value": k.as_str(), "label": k.label() })).collect::<Vec<_>>())
        .insert("notice", &notice.and_then(|n| NOTICES.iter().find(|(name, _)| *name == n)).map(|(_, text)| *text));
    Ok(page)
}

#[get("/admin")]
async fn index(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<Notice>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin])?;
    admin_page(&req, &state, query.notice.as_deref()).await?.render(&state.tera, "admin/index.html")
}

/// Shows the admin page again with the form's errors and what was typed.
async fn form_again(
    req: &HttpRequest,
    state: &AppState,
    form: &str,
    err: ServiceError,
    values: serde_json::Value,
) -> Result<HttpResponse, AppError> {
    let ServiceError::Invalid(errors) = err else { return Err(err.into()) };
    let mut page = admin_page(req, state, None).await?;
    page.insert("form", form).insert("errors", &errors.by_field()).insert("values", &values);
    page.render_with_status(&state.tera, "admin/index.html", StatusCode::BAD_REQUEST)
}

#[derive(Deserialize)]
struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    unit: Option<String>,
    #[serde(default)]
    password: String,
}

#[post("/admin/users")]
async fn create_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<UserForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin])?;
    let input = NewUser {
        username: &form.username,
        display_name: &form.display_name,
        role: &form.role,
        unit_code: form.unit.as_deref(),
        password: &form.password,
    };
    match accounts::create_user(state.ctx(), &user.actor(), input).await {
        Ok(_) => Ok(back_to_admin("user_created")),
        Err(err) => {
            let values = json!({ "username": form.username, "display_name": form.display_name, "role": form.role, "unit": form.unit });
            form_again(&req, &state, "user", err, values).await
        }
    }
}

#[derive(Deserialize)]
struct ActiveForm {
    active: String,
}

#[post("/admin/users/{id}/active")]
async fn set_user_active(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i32>,
    CsrfForm(form): CsrfForm<ActiveForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin])?;
    let active = form.active == "true";
    accounts::set_active(state.ctx(), &user.actor(), path.into_inner(), active).await?;
    Ok(back_to_admin(if active { "user_enabled" } else { "user_disabled" }))
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    password: String,
}

#[post("/admin/users/{id}/password")]
async fn reset_password(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i32>,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin])?;
    accounts::set_password(state.ctx(), &user.actor(), path.into_inner(), &form.password).await?;
    Ok(back_to_admin("password_reset"))
}

#[derive(Deserialize)]
struct UnitForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    region: Option<String>,
    active: Option<String>,
}

impl UnitForm {
    fn input(&self) -> UnitInput<'_> {
        UnitInput { code: &self.code, name: &self.name, kind: &self.kind, region: self.region.as_deref() }
    }

    fn values(&self) -> serde_json::Value {
        json!({ "code": self.code, "name": self.name, "kind": self.kind, "region": self.region })
    }
}

#[post("/admin/units")]
async fn create_unit(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<UnitForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin])?;
    match units::create_unit(state.ctx(), &user.actor(), form.input()).await {
        Ok(_) => Ok(back_to_admin("unit_created")),
        Err(err) => form_again(&req, &state, "unit", err, form.values()).await,
    }
}

#[post("/admin/units/{id}")]
async fn update_unit(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i32>,
    CsrfForm(form): CsrfForm<UnitForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin])?;
    let active = form.active.as_deref() != Some("false");
    match units::update_unit(state.ctx(), &user.actor(), path.into_inner(), form.input(), active).await {
        Ok(_) => Ok(back_to_admin("unit_saved")),
        Err(err) => form_again(&req, &state, "unit", err, form.values()).await,
    }
}

#[derive(Deserialize)]
struct AuditFilter {
    actor: Option<String>,
    action: Option<String>,
    entity_type: Option<String>,
    entity_id: Option<String>,
    page: Option<u64>,
}

const AUDIT_PAGE: u64 = 50;

#[get("/admin/audit")]
async fn audit_trail(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    filter: web::Query<AuditFilter>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin])?;
    let clean = |v: &Option<String>| v.as_deref().and_then(|s| crate::domain::text::line(s, 64).ok());
    let trail_filter = journal::TrailFilter {
        actor: clean(&filter.actor),
        action: clean(&filter.action),
        entity_type: clean(&filter.entity_type),
        entity_id: clean(&filter.entity_id),
    };
    let (found, page_no, pages) = journal::trail(&state.db, &trail_filter, filter.page.unwrap_or(1), AUDIT_PAGE).await?;
    let entries: Vec<_> = found
        .into_iter()
        .map(|e| {
            json!({
                "id": e.id, "actor": e.actor, "action": e.action, "entity_type": e.entity_type, "entity_id": e.entity_id,
                "at": crate::domain::time::minute(e.created_at), "before": e.before_json, "after": e.after_json,
                "hash": &e.hash[..12],
            })
        })
        .collect();
    // The filters again, for the pager's links.
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in
        [("actor", &filter.actor), ("action", &filter.action), ("entity_type", &filter.entity_type), ("entity_id", &filter.entity_id)]
    {
        if let Some(value) = clean(value) {
            query.append_pair(key, &value);
        }
    }
    let mut query = query.finish();
    if !query.is_empty() {
        query.push('&');
    }
    let mut page = Page::new(&req, "admin");
    page.insert("query", &query)
        .insert("entries", &entries)
        .insert(
            "filter",
            &json!({
                "actor": clean(&filter.actor), "action": clean(&filter.action),
                "entity_type": clean(&filter.entity_type), "entity_id": clean(&filter.entity_id),
            }),
        )
        .insert("page_no", &page_no)
        .insert("pages", &pages);
    page.render(&state.tera, "admin/audit.html")
}
