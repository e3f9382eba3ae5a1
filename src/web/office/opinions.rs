//! The office's inbox: routing, merging, hiding, linking and revisiting opinions; 差评 follow-ups.

use actix_web::{HttpRequest, HttpResponse, get, http::StatusCode, post, web};
use entity::vocab::Role;
use serde::Deserialize;
use serde_json::json;

use super::see_other;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::{csrf::CsrfForm, page::Page, session::CurrentUser};
use entity::vocab::{OpinionKind, OpinionStatus};

use crate::domain::DEFAULT_CATEGORIES;
use crate::error::as_notice;
use crate::opinions::{handling, ratings};
use crate::store::{self, opinions::InboxFilter};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(inbox).service(opinion_page).service(opinion_action).service(followups).service(handle_followup);
}

#[get("/office/opinions")]
async fn inbox(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    filter: web::Query<InboxFilter>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let inbox = store::opinions::inbox(&state.db, &filter, None, state.clock.today()).await?;
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in [
        ("status", &filter.status),
        ("kind", &filter.kind),
        ("category", &filter.category),
        ("region", &filter.region),
        ("order", &filter.order),
    ] {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            query.append_pair(key, value);
        }
    }
    let mut page = Page::new(&req, "office");
    page.insert("rows", &inbox.rows)
        .insert("total", &inbox.total)
        .insert("page_no", &inbox.page)
        .insert("pages", &inbox.pages)
        .insert("query", &query.finish())
        .insert("filter", &*filter)
        .insert("statuses", &OpinionStatus::ALL.iter().map(|s| json!({ "value": s.as_str(), "label": s.label() })).collect::<Vec<_>>())
        .insert("kinds", &OpinionKind::ALL.iter().map(|k| json!({ "value": k.as_str(), "label": k.label() })).collect::<Vec<_>>());
    page.render(&state.tera, "office/opinions.html")
}

async fn opinion_view(
    req: &HttpRequest,
    state: &AppState,
    id: i32,
    message: Option<(String, bool)>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let view = store::opinions::staff_view(&state.db, id, None).await?.ok_or(AppError::NotFound)?;
    let units: Vec<_> = crate::units::list_units(&state.db)
        .await?
        .into_iter()
        .filter(|u| u.active)
        .map(|u| json!({ "code": u.code, "name": u.name }))
        .collect();
    let mut page = Page::new(req, "office");
    page.insert("o", &view)
        .insert("units", &units)
        .insert("message", &message.as_ref().map(|m| &m.0))
        .insert("message_is_error", &message.as_ref().is_some_and(|m| m.1))
        .insert("categories", DEFAULT_CATEGORIES)
        .insert("reply_check", &crate::opinions::reply_check::latest(&state.db, id).await?);
    page.render_with_status(&state.tera, "office/opinion.html", status)
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
}

/// What the office is told after an action went through.
fn done_notice(action: &str) -> Option<&'static str> {
    Some(match action {
        "route" => "已转办，承办单位会在待办中看到这条意见。",
        "link" => "已关联到问题清单。",
        "merge" => "已合并到保留的意见。",
        "hide" => "已屏蔽：不再公开，原文留存。",
        "revisit" => "已记录回访。",
        "publish" => "已公开此意见。",
        "unpublish" => "已改为不公开。",
        "publish_photos" => "照片已公开：意见公开时，公开页面会显示这些照片。",
        "unpublish_photos" => "照片已改为不公开。",
        _ => return None,
    })
}

#[get("/office/opinions/{id}")]
async fn opinion_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let notice = done.done.as_deref().and_then(done_notice);
    opinion_view(&req, &state, id.into_inner(), notice.map(|n| (n.to_string(), false)), StatusCode::OK).await
}

#[derive(Deserialize)]
struct OpinionAction {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    kept: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    problem: String,
    #[serde(default)]
    category: String,
    /// Set by the confirmation step that merging and hiding go through first.
    #[serde(default)]
    confirmed: String,
}

#[post("/office/opinions/{id}/{action}")]
async fn opinion_action(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i32, String)>,
    CsrfForm(form): CsrfForm<OpinionAction>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let (id, action) = path.into_inner();
    let actor = user.actor();
    // Asked only once what is asked for is complete: a blank reason is refused first.
    let filled = match action.as_str() {
        "merge" => !form.kept.trim().is_empty(),
        "hide" => !form.reason.trim().is_empty(),
        _ => false,
    };
    if filled && form.confirmed != "1" {
        return confirm(&req, &state, id, &action, &form);
    }
    let result = match action.as_str() {
        "route" => handling::route(state.ctx(), &actor, id, &form.unit, &form.category, &form.note).await,
        "merge" => handling::merge(state.ctx(), &actor, id, &form.kept).await,
        "hide" => handling::hide(state.ctx(), &actor, id, &form.reason).await,
        "link" => handling::link_problem_now(state.ctx(), &actor, id, &form.problem).await,
        "revisit" => handling::revisit(state.ctx(), &actor, id, &form.note).await,
        "publish" => handling::set_public(state.ctx(), &actor, id, true).await,
        "unpublish" => handling::set_public(state.ctx(), &actor, id, false).await,
        "publish_photos" => handling::set_photos_public(state.ctx(), &actor, id, true).await,
        "unpublish_photos" => handling::set_photos_public(state.ctx(), &actor, id, false).await,
        _ => return Err(AppError::NotFound),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/office/opinions/{id}?done={action}"))),
        Err(err) => {
            let (message, status) = as_notice(err)?;
            opinion_view(&req, &state, id, Some((message, true)), status).await
        }
    }
}

#[get("/office/followups")]
async fn followups(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let today = state.clock.today();
    let (open, total) = ratings::open_followups(&state.db).await?;
    let tasks: Vec<_> = open
        .into_iter()
        .map(|(task, o, r)| {
            json!({
                "id": task.id,
                "due": task.due_date.to_string(),
                "late": task.due_date < today,
                "opinion_id": o.as_ref().map(|o| o.id),
                "title": o.as_ref().map(|o| crate::privacy::StaffText::of(&o.title).as_str().to_string()).unwrap_or_else(|| "整改结果评价".into()),
                "level": r.as_ref().map(|r| r.level.label()),
                "comment": r.and_then(|r| r.comment),
            })
        })
        .collect();
    let mut page = Page::new(&req, "office");
    page.insert("tasks", &tasks).insert("total", &total).insert("shown_at_most", &ratings::FOLLOWUPS_SHOWN);
    page.render(&state.tera, "office/followups.html")
}

#[derive(Deserialize)]
struct FollowupForm {
    #[serde(default)]
    note: String,
}

#[post("/office/followups/{id}")]
async fn handle_followup(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    CsrfForm(form): CsrfForm<FollowupForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    ratings::handle_followup(state.ctx(), &user.actor(), id.into_inner(), &form.note).await?;
    Ok(see_other("/office/followups"))
}

/// Merging and hiding cannot be undone from the page: the office says so once more first.
fn confirm(req: &HttpRequest, state: &AppState, id: i32, action: &str, form: &OpinionAction) -> Result<HttpResponse, AppError> {
    let (question, label, fields) = match action {
        "merge" => (
            format!("确定把意见 #{id} 作为重复意见合并到 #{} 吗？合并后它不再单独办理。", form.kept.trim()),
            "确定合并",
            json!({ "kept": form.kept }),
        ),
        _ => (
            format!("确定屏蔽意见 #{id} 吗？屏蔽后它不再公开，原文留存。原因：{}", form.reason.trim()),
            "确定屏蔽",
            json!({ "reason": form.reason }),
        ),
    };
    let mut page = Page::new(req, "office");
    page.insert("question", &question)
        .insert("action", &format!("/office/opinions/{id}/{action}"))
        .insert("fields", &fields)
        .insert("label", label)
        .insert("back", &format!("/office/opinions/{id}"));
    page.render(&state.tera, "confirm.html")
}
