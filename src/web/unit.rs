//! A responsible unit's desk (责任单位): its own items, and the work on each.

use actix_web::{
    HttpRequest, HttpResponse, get,
    http::{StatusCode, header},
    post, web,
};
use entity::{problem, rectification, unit, vocab::Role};
use sea_orm::EntityTrait;
use serde::Deserialize;
use serde_json::json;

use crate::error::{AppError, as_notice};
use crate::lists::{
    detail,
    progress::{self, NewProgress},
    scope,
    workflow::{self, PlanRevision},
};
use crate::opinions::handling::{self, AnswerInput, Answered};
use crate::service::{FieldErrors, ServiceError};
use crate::state::AppState;
use crate::store::{self, opinions::InboxFilter};
use crate::web::{csrf::CsrfForm, page::Page, session::CurrentUser, upload::CsrfMultipart};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(desk)
        .service(work)
        .service(post_progress)
        .service(revise_plan)
        .service(report_done)
        .service(inbox)
        .service(opinion_page)
        .service(opinion_action);
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<u64>,
    view: Option<String>,
}

#[get("/unit/opinions")]
async fn inbox(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Unit])?;
    let unit_id = user.0.unit_id.ok_or(AppError::Forbidden)?;
    let view = match query.view.as_deref() {
        Some("done") => "done",
        Some("all") => "all",
        _ => "todo",
    };
    let filter = InboxFilter { page: query.page, view: Some(view.into()), ..InboxFilter::default() };
    let inbox = store::opinions::inbox(&state.db, &filter, Some(unit_id), state.clock.today()).await?;
    let mut page = Page::new(&req, "unit");
    page.insert("rows", &inbox.rows)
        .insert("total", &inbox.total)
        .insert("page_no", &inbox.page)
        .insert("pages", &inbox.pages)
        .insert("view", view)
        .insert("notices", &crate::supervision::for_unit(&state.db, unit_id).await?);
    page.render(&state.tera, "unit/opinions.html")
}

/// An answer held by the reply checker: what was typed and what was found.
struct Held<'a> {
    form: &'a AnswerForm,
    report: crate::opinions::reply_check::Report,
}

async fn opinion_view(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    id: i32,
    message: Option<String>,
    status: StatusCode,
    held: Option<Held<'_>>,
) -> Result<HttpResponse, AppError> {
    let notice = message.is_some() && status.is_success() && held.is_none();
    // A unit sees only the cases routed to it, and sees their contacts in full.
    let routed = entity::opinion::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?.routed_unit_id;
    if routed.is_none() || routed != user.0.unit_id {
        return Err(AppError::Forbidden);
    }
    let view = store::opinions::staff_view(&state.db, id, user.0.unit_id).await?.ok_or(AppError::NotFound)?;
    let mut page = Page::new(req, "unit");
    page.insert("o", &view)
        .insert("message", &message)
        .insert("message_is_notice", &notice)
        .insert("reply_check", &crate::opinions::reply_check::latest(&state.db, id).await?);
    if let Some(held) = held {
        page.insert("findings", &held.report.findings)
            .insert("check_score", &held.report.score)
            .insert("draft", &json!({ "reply": held.form.reply, "outcome": held.form.outcome, "reason": held.form.reason }));
    }
    page.render_with_status(&state.tera, "unit/opinion.html", status)
}

#[get("/unit/opinions/{id}")]
async fn opinion_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Unit])?;
    let notice = match done.done.as_deref() {
        Some("accept") => Some("已签收，请在办理期限内答复群众。".to_string()),
        Some("answer") => Some("答复已发送，群众会收到办理结果并可以评价。".to_string()),
        _ => None,
    };
    opinion_view(&req, &state, &user, id.into_inner(), notice, StatusCode::OK, None).await
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    reply: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    reason: String,
}

#[post("/unit/opinions/{id}/{action}")]
async fn opinion_action(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i32, String)>,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Unit])?;
    let (id, action) = path.into_inner();
    let result = match action.as_str() {
        "accept" => handling::accept(state.ctx(), &user.actor(), id).await.map(|_| None),
        "answer" => {
            let input = AnswerInput { reply: &form.reply, explain: form.outcome == "explained", reason: &form.reason };
            handling::answer(state.ctx(), &user.actor(), id, input, &state.search.jieba()).await.map(|done| match done {
                Answered::Sent(_) => None,
                Answered::Held(report) => Some(report),
            })
        }
        _ => return Err(AppError::NotFound),
    };
    match result {
        Ok(None) => Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, format!("/unit/opinions/{id}?done={action}"))).finish()),
        Ok(Some(report)) => {
            let message = Some("答复尚未发送：请根据下列提示修改后重新提交，或说明理由后按原文发送。".to_string());
            opinion_view(&req, &state, &user, id, message, StatusCode::OK, Some(Held { form: &form, report })).await
        }
        Err(err) => {
            let (message, status) = as_notice(err)?;
            opinion_view(&req, &state, &user, id, Some(message), status, None).await
        }
    }
}

#[get("/unit")]
async fn desk(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Unit])?;
    let unit_id = user.0.unit_id.ok_or(AppError::Forbidden)?;
    let unit = unit::Entity::find_by_id(unit_id).one(&state.db).await?.ok_or(AppError::Forbidden)?;
    let items = scope::unit_work_items(&state.db, &unit.code, state.clock.today()).await?;
    let mut page = Page::new(&req, "unit");
    page.insert("unit", &json!({ "code": unit.code, "name": unit.name }))
        .insert("items", &items)
        .insert("notices", &crate::supervision::for_unit(&state.db, unit_id).await?);
    page.render(&state.tera, "unit/index.html")
}

/// The work page of one item, with what was typed and what was wrong when a form failed.
async fn work_page(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    id: i32,
    failed: Option<(&str, &FieldErrors, serde_json::Value)>,
    done: Option<&str>,
) -> Result<HttpResponse, AppError> {
    scope::ensure_may_work_on(&state.db, &user.actor(), id).await?;
    let rect = rectification::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let problem = problem::Entity::find_by_id(rect.problem_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let detail = detail::load(&state.db, &problem.code, state.clock.today()).await?.ok_or(AppError::NotFound)?;
    let mut page = Page::new(req, "unit");
    page.insert("d", &detail)
        .insert("rect_id", &id)
        .insert("suggested_due", &(state.clock.today() + chrono::Duration::days(progress::DEFAULT_UPDATE_INTERVAL_DAYS)).to_string());
    let status = match failed {
        Some((form, errors, values)) => {
            page.insert("form", form).insert("values", &values);
            page.errors(Some(errors))
        }
        None => StatusCode::OK,
    };
    page.insert("notice", &done.and_then(done_notice));
    page.render_with_status(&state.tera, "unit/work.html", status)
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
}

fn done_notice(action: &str) -> Option<&'static str> {
    Some(match action {
        "progress" => "进展已发布，公开页面和订阅的群众都能看到。",
        "plan" => "整改计划已保存。",
        "report" => "已报结，等待绩效办核验。",
        _ => return None,
    })
}

#[get("/unit/rectifications/{id}")]
async fn work(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i32>,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Unit])?;
    work_page(&req, &state, &user, path.into_inner(), None, done.done.as_deref()).await
}

fn back_to(id: i32, done: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, format!("/unit/rectifications/{id}?done={done}"))).finish()
}

/// Re-renders the work page for a refused form; other errors pass through.
async fn refused(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    id: i32,
    form: &str,
    err: ServiceError,
    values: serde_json::Value,
) -> Result<HttpResponse, AppError> {
    match err {
        ServiceError::Invalid(errors) => work_page(req, state, user, id, Some((form, &errors, values)), None).await,
        other => Err(other.into()),
    }
}

#[post("/unit/rectifications/{id}/progress")]
async fn post_progress(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i32>,
    mut form: CsrfMultipart,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Unit])?;
    let id = path.into_inner();
    let values = json!({ "text": form.text("text"), "percent": form.text("percent") });
    let evidence = std::mem::take(&mut form.files);
    let input = NewProgress { text: form.text("text"), percent: form.text("percent"), evidence };
    match progress::post_progress(state.ctx(), &state.config.data_dir, &user.actor(), id, input).await {
        Ok(_) => Ok(back_to(id, "progress")),
        Err(err) => refused(&req, &state, &user, id, "progress", err, values).await,
    }
}

#[derive(Deserialize)]
struct PlanForm {
    #[serde(default)]
    measures: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    next_milestone: String,
    #[serde(default)]
    next_update_due: String,
}

#[post("/unit/rectifications/{id}/plan")]
async fn revise_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i32>,
    CsrfForm(form): CsrfForm<PlanForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Unit])?;
    let id = path.into_inner();
    let input = PlanRevision {
        measures: &form.measures,
        plan: &form.plan,
        target: &form.target,
        next_milestone: &form.next_milestone,
        next_update_due: &form.next_update_due,
    };
    match workflow::revise_plan(state.ctx(), &user.actor(), id, input).await {
        Ok(_) => Ok(back_to(id, "plan")),
        Err(err) => {
            let values = json!({ "measures": form.measures, "plan": form.plan, "target": form.target, "next_milestone": form.next_milestone, "next_update_due": form.next_update_due });
            refused(&req, &state, &user, id, "plan", err, values).await
        }
    }
}

#[derive(Deserialize)]
struct DoneForm {
    #[serde(default)]
    note: String,
    /// Set by the confirmation step: 报结 ends the unit's work on the item.
    #[serde(default)]
    confirmed: String,
}

#[post("/unit/rectifications/{id}/report")]
async fn report_done(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i32>,
    CsrfForm(form): CsrfForm<DoneForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Unit])?;
    let id = path.into_inner();
    if form.confirmed != "1" && !form.note.trim().is_empty() {
        scope::ensure_may_work_on(&state.db, &user.actor(), id).await?;
        let mut page = Page::new(&req, "unit");
        page.insert("question", "确定报结吗？报结后不能再发布进展，由绩效办核验；核验不通过会退回继续整改。")
            .insert("action", &format!("/unit/rectifications/{id}/report"))
            .insert("fields", &json!({ "note": form.note }))
            .insert("label", "确定报结")
            .insert("back", &format!("/unit/rectifications/{id}"));
        return page.render(&state.tera, "confirm.html");
    }
    match workflow::report_done(state.ctx(), &user.actor(), id, &form.note).await {
        Ok(_) => Ok(back_to(id, "report")),
        Err(err) => refused(&req, &state, &user, id, "report", err, json!({ "note": form.note })).await,
    }
}
