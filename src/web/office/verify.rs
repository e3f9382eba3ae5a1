//! 核验: the office reads what the unit reported — its completion note, the evidence, the
//! timeline and the citizens' 回访 answers — on one page, then passes or sends the item back.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use entity::vocab::{RectificationStatus, Role};
use entity::{problem, rectification};
use sea_orm::EntityTrait;
use serde::Deserialize;

use super::see_other;
use crate::error::AppError;
use crate::lists::catalog::{self, Filter, Sort};
use crate::lists::{detail, workflow};
use crate::service::{FieldErrors, ServiceError};
use crate::state::AppState;
use crate::web::{csrf::CsrfForm, page::Page, session::CurrentUser};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(queue).service(item).service(verify);
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
    code: Option<String>,
}

#[get("/office/verify")]
async fn queue(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser, done: web::Query<Done>) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let filter = Filter {
        status: Some(RectificationStatus::Reported),
        sort: Sort::Updated,
        page: 1,
        page_size: catalog::MAX_PAGE_SIZE,
        ..Filter::default()
    };
    let (total, rows) = crate::lists::listing::counted_rows(&state.db, state.clock.today(), &filter).await?;
    let code = done.code.as_deref().and_then(crate::domain::problem_code::ProblemCode::parse).map(|c| c.as_str().to_string());
    let notice = match (done.done.as_deref(), code) {
        (Some("pass"), Some(code)) => Some(format!("已核验通过：{code}，转为已整改。")),
        (Some("fail"), Some(code)) => Some(format!("已退回整改：{code}，单位会看到不通过的理由。")),
        _ => None,
    };
    let mut page = Page::new(&req, "office");
    page.insert("rows", &rows).insert("total", &total).insert("notice", &notice);
    page.render(&state.tera, "office/verify.html")
}

async fn item_page(
    req: &HttpRequest,
    state: &AppState,
    code: &str,
    errors: Option<&FieldErrors>,
    form: &VerifyForm,
) -> Result<HttpResponse, AppError> {
    let d = detail::load(&state.db, code, state.clock.today()).await?.ok_or(AppError::NotFound)?;
    let mut page = Page::new(req, "office");
    page.insert("d", &d).insert("values", &serde_json::json!({ "decision": form.decision, "reason": form.reason }));
    let status = page.errors(errors);
    page.render_with_status(&state.tera, "office/verify_item.html", status)
}

#[get("/office/verify/{code}")]
async fn item(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser, code: web::Path<String>) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    item_page(&req, &state, &code, None, &VerifyForm::default()).await
}

#[derive(Deserialize, Default)]
struct VerifyForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

#[post("/office/rectifications/{id}/verify")]
async fn verify(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i32>,
    CsrfForm(form): CsrfForm<VerifyForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let id = path.into_inner();
    let rect = rectification::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let code = problem::Entity::find_by_id(rect.problem_id).one(&state.db).await?.ok_or(AppError::NotFound)?.code;
    let decided = match form.decision.as_str() {
        "pass" => Ok(true),
        "fail" => Ok(false),
        _ => {
            let mut errors = FieldErrors::default();
            errors.add("decision", "required", "核验结论：请选择“核验通过”或“核验不通过”");
            Err(errors)
        }
    };
    let outcome = match decided {
        Ok(pass) => workflow::verify(state.ctx(), &user.actor(), id, pass, &form.reason).await.map(|_| pass),
        Err(errors) => Err(ServiceError::Invalid(errors)),
    };
    match outcome {
        Ok(pass) => Ok(see_other(&format!("/office/verify?done={}&code={code}", if pass { "pass" } else { "fail" }))),
        Err(ServiceError::Invalid(errors)) => item_page(&req, &state, &code, Some(&errors), &form).await,
        Err(err) => Err(err.into()),
    }
}
