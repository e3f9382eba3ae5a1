//! The performance office's desk (绩效办).

use actix_web::{HttpRequest, HttpResponse, get, http::{StatusCode, header}, post, web};
use entity::vocab::Role;
use serde::Deserialize;

use entity::vocab::{ProblemSource, RectificationStatus, ResponsibilityKind};
use serde_json::json;

use crate::domain::DEFAULT_CATEGORIES;
use crate::error::AppError;
use crate::lists::catalog::{self, Filter, Sort};
use crate::lists::exchange;
use crate::lists::workflow::{self, NewProblem};
use crate::service::{FieldErrors, ServiceError};
use crate::settings::{self, Deadlines};
use crate::state::AppState;
use crate::store::stats;
use crate::web::{csrf::CsrfForm, page::Page, session::CurrentUser, upload::CsrfMultipart};

const DEADLINE_FIELDS: [(&str, &str); 7] = [
    ("consult", "咨询"),
    ("help", "求助"),
    ("suggestion", "建议"),
    ("complaint", "投诉"),
    ("report", "举报"),
    ("praise", "表扬"),
    ("followup", "差评回访"),
];

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(desk)
        .service(save_deadlines)
        .service(new_problem)
        .service(create_problem)
        .service(verify_queue)
        .service(verify)
        .service(import_page)
        .service(import);
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish()
}

async fn problem_form(req: &HttpRequest, state: &AppState, errors: Option<&FieldErrors>, values: serde_json::Value) -> Result<HttpResponse, AppError> {
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
        .insert("values", &values);
    let status = match errors {
        Some(errors) => {
            page.insert("errors", &errors.by_field());
            StatusCode::BAD_REQUEST
        }
        None => StatusCode::OK,
    };
    page.render_with_status(&state.tera, "office/problem_new.html", status)
}

#[get("/office/problems/new")]
async fn new_problem(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    problem_form(&req, &state, None, json!({})).await
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
}

#[post("/office/problems")]
async fn create_problem(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser, CsrfForm(form): CsrfForm<ProblemForm>) -> Result<HttpResponse, AppError> {
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
    match workflow::create_problem(&state.db, &user.actor(), input).await {
        Ok(created) => Ok(see_other(&format!("/problems/{}", created.code))),
        Err(ServiceError::Invalid(errors)) => problem_form(&req, &state, Some(&errors), json!(form)).await,
        Err(err) => Err(err.into()),
    }
}

#[get("/office/verify")]
async fn verify_queue(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let filter = Filter { status: Some(RectificationStatus::Reported), sort: Sort::Updated, page: 1, page_size: catalog::MAX_PAGE_SIZE, ..Filter::default() };
    let listing = catalog::apply(catalog::load_rows(&state.db, catalog::today(), None).await?, &filter);
    let mut page = Page::new(&req, "office");
    page.insert("rows", &listing.rows).insert("total", &listing.total);
    page.render(&state.tera, "office/verify.html")
}

#[derive(Deserialize)]
struct VerifyForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

#[post("/office/rectifications/{id}/verify")]
async fn verify(state: web::Data<AppState>, user: CurrentUser, path: web::Path<i32>, CsrfForm(form): CsrfForm<VerifyForm>) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let pass = match form.decision.as_str() {
        "pass" => true,
        "fail" => false,
        _ => return Err(AppError::BadRequest("请选择核验结论。".into())),
    };
    workflow::verify(&state.db, &user.actor(), path.into_inner(), pass, &form.reason).await?;
    Ok(see_other("/office/verify"))
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
    match exchange::read_table(&file.file_name, &file.bytes) {
        Ok(rows) => {
            let report = exchange::import_problems(&state.db, &user.actor(), rows).await?;
            page.insert("report", &report);
            page.render(&state.tera, "office/import.html")
        }
        Err(message) => {
            page.insert("error", &message);
            page.render_with_status(&state.tera, "office/import.html", StatusCode::BAD_REQUEST)
        }
    }
}

async fn desk_page(req: &HttpRequest, state: &AppState) -> Result<Page, AppError> {
    let (deadlines, version) = settings::current::<Deadlines>(&state.db).await?;
    let mut page = Page::new(req, "office");
    page.insert("queue", &stats::office_queue(&state.db).await?)
        .insert("deadlines", &deadlines)
        .insert("deadlines_version", &version)
        .insert("deadline_fields", &DEADLINE_FIELDS);
    Ok(page)
}

#[get("/office")]
async fn desk(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    desk_page(&req, &state).await?.render(&state.tera, "office/index.html")
}

/// Form fields arrive as text so a typo is reported, not rejected wholesale.
#[derive(Deserialize)]
struct DeadlinesForm {
    consult: String,
    help: String,
    suggestion: String,
    complaint: String,
    report: String,
    praise: String,
    followup: String,
}

#[post("/office/settings/deadlines")]
async fn save_deadlines(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser, CsrfForm(form): CsrfForm<DeadlinesForm>) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let day = |s: &str| s.trim().parse::<u32>().unwrap_or(0);
    let value = Deadlines {
        consult: day(&form.consult),
        help: day(&form.help),
        suggestion: day(&form.suggestion),
        complaint: day(&form.complaint),
        report: day(&form.report),
        praise: day(&form.praise),
        followup: day(&form.followup),
    };
    if let Err(ServiceError::Invalid(errors)) = value.validate() {
        let mut page = desk_page(&req, &state).await?;
        page.insert("errors", &errors.by_field()).insert("deadlines", &value);
        return page.render_with_status(&state.tera, "office/index.html", StatusCode::BAD_REQUEST);
    }
    let txn = crate::service::begin_write(&state.db).await?;
    settings::save(&txn, &user.actor(), &value).await?;
    txn.commit().await?;
    Ok(see_other("/office"))
}
