//! The office's work on the lists: new problems (from scratch, an opinion or a theme), verification, spreadsheet import.

use actix_web::{HttpRequest, HttpResponse, get, http::StatusCode, post, web};
use entity::vocab::Role;
use serde::Deserialize;
use serde_json::json;

use super::see_other;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::{csrf::CsrfForm, page::Page, session::CurrentUser};
use entity::vocab::{ProblemSource, ResponsibilityKind};

use crate::domain::DEFAULT_CATEGORIES;
use crate::idempotency;
use crate::lists::exchange;
use crate::lists::workflow::{self, NewProblem, Origin};
use crate::service::{FieldErrors, ServiceError};
use crate::web::upload::CsrfMultipart;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(new_problem).service(create_problem).service(import_page).service(import);
}

async fn problem_form(
    req: &HttpRequest,
    state: &AppState,
    errors: Option<&FieldErrors>,
    values: serde_json::Value,
) -> Result<HttpResponse, AppError> {
    let units: Vec<_> = crate::units::list_units(&state.db)
        .await?
        .into_iter()
        .filter(|u| u.active)
        .map(|u| json!({ "code": u.code, "name": u.name }))
        .collect();
    let mut page = Page::new(req, "office");
    page.insert("units", &units)
        .insert("categories", DEFAULT_CATEGORIES)
        .insert("sources", &ProblemSource::ALL.iter().map(|s| json!({ "value": s.as_str(), "label": s.label() })).collect::<Vec<_>>())
        .insert("kinds", &ResponsibilityKind::ALL.iter().map(|k| json!({ "value": k.as_str(), "label": k.label() })).collect::<Vec<_>>())
        .insert("values", &values)
        .insert("form_token", &idempotency::Key::token());
    let status = page.errors(errors);
    page.render_with_status(&state.tera, "office/problem_new.html", status)
}

#[derive(Deserialize)]
struct FromOpinion {
    from_opinion: Option<i32>,
    from_theme: Option<i32>,
}

/// A blank form, or one filled from the opinion the problem is made from.
#[get("/office/problems/new")]
async fn new_problem(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<FromOpinion>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let draft = match (query.from_opinion, query.from_theme) {
        (Some(id), _) => Some(workflow::draft_from_opinion(&state.db, id).await?.ok_or(AppError::NotFound)?),
        (None, Some(id)) => Some(crate::themes::store::problem_draft(&state.db, id, state.clock.today()).await?.ok_or(AppError::NotFound)?),
        (None, None) => None,
    };
    let values = draft.map(|d| {
        json!({
            "title": d.title, "description": d.description, "category": d.category, "region": d.region,
            "source": ProblemSource::Opinion.as_str(), "from_opinion": query.from_opinion, "from_theme": query.from_theme,
        })
    });
    let values = values.unwrap_or_else(|| json!({}));
    problem_form(&req, &state, None, values).await
}

#[derive(Deserialize, serde::Serialize)]
struct ProblemForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    lead_unit: String,
    /// Unit codes separated by commas (the form's multi-select joins them).
    #[serde(default)]
    cooperating: String,
    #[serde(default)]
    responsible_post: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    measures: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    target: String,
    /// The opinion this problem was made from, linked once the problem exists.
    #[serde(default)]
    from_opinion: Option<String>,
    /// The theme this problem was promoted from: all its opinions are linked.
    #[serde(default)]
    from_theme: Option<String>,
    /// The form's one-time token: sending the form twice makes one problem.
    #[serde(default, skip_serializing)]
    form_token: Option<String>,
}

#[post("/office/problems")]
async fn create_problem(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<ProblemForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let input = NewProblem {
        title: &form.title,
        description: &form.description,
        category: &form.category,
        region: &form.region,
        source: &form.source,
        lead_unit: &form.lead_unit,
        cooperating: form.cooperating.split([',', '、', '，']).collect(),
        responsible_post: &form.responsible_post,
        deadline: &form.deadline,
        kind: &form.kind,
        measures: &form.measures,
        plan: &form.plan,
        target: &form.target,
    };
    let number = |v: &Option<String>| v.as_deref().and_then(|v| v.trim().parse::<i32>().ok());
    let origin = Origin { opinion: number(&form.from_opinion), theme: number(&form.from_theme) };
    let once = form.form_token.as_deref().map(|t| idempotency::Key::parse("problem.form", t, &form)).transpose()?;
    match workflow::create_problem(state.ctx(), &user.actor(), input, origin, once.as_ref()).await {
        Ok(created) => Ok(see_other(&format!("/problems/{}", created.code))),
        Err(ServiceError::Invalid(errors)) => problem_form(&req, &state, Some(&errors), json!(form)).await,
        Err(err) => Err(err.into()),
    }
}

#[get("/office/import")]
async fn import_page(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    Page::new(&req, "office").render(&state.tera, "office/import.html")
}

#[post("/office/import")]
async fn import(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser, form: CsrfMultipart) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let mut page = Page::new(&req, "office");
    let Some(file) = form.files.into_iter().next() else {
        page.insert("error", "请选择要导入的文件。");
        return page.render_with_status(&state.tera, "office/import.html", StatusCode::BAD_REQUEST);
    };
    match crate::web::off_workers(move || crate::tabular::read_table(&file.file_name, &file.bytes)).await? {
        Ok(table) => {
            let report = exchange::import_problems(state.ctx(), &user.actor(), table).await?;
            page.insert("report", &report);
            page.render(&state.tera, "office/import.html")
        }
        Err(message) => {
            page.insert("error", &message);
            page.render_with_status(&state.tera, "office/import.html", StatusCode::BAD_REQUEST)
        }
    }
}
