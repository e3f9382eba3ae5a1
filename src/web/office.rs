//! The performance office's desk (绩效办).

use actix_web::{
    HttpRequest, HttpResponse, get,
    http::{StatusCode, header},
    post, web,
};
use entity::vocab::Role;
use serde::Deserialize;

use entity::vocab::{OpinionKind, OpinionStatus, ProblemSource, RectificationStatus, ResponsibilityKind};
use serde_json::json;

use crate::domain::DEFAULT_CATEGORIES;
use crate::error::{AppError, as_notice};
use crate::lists::catalog::{self, Filter, Sort};
use crate::lists::exchange;
use crate::lists::workflow::{self, NewProblem};
use crate::opinions::{handling, ratings};
use crate::score::formula::ScoreSettings;
use crate::service::{FieldErrors, ServiceError};
use crate::settings::{self, Deadlines};
use crate::state::AppState;
use crate::store::stats;
use crate::store::{self, opinions::InboxFilter};
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
        .service(import)
        .service(inbox)
        .service(opinion_page)
        .service(opinion_action)
        .service(followups)
        .service(handle_followup)
        .service(retrain_routing)
        .service(scores_page)
        .service(save_score_settings)
        .service(publish_scores)
        .service(export_scores)
        .service(score_subject)
        .service(themes_page)
        .service(theme_page)
        .service(rebuild_themes);
}

#[derive(Deserialize)]
struct ScoresQuery {
    period: Option<String>,
    level: Option<String>,
}

fn period_of(value: Option<&str>) -> crate::score::period::Period {
    use crate::score::period::Period;
    value.and_then(Period::parse).unwrap_or_else(|| Period::quarter_of(catalog::today()))
}

async fn scores_view(
    req: &HttpRequest,
    state: &AppState,
    query: &ScoresQuery,
    errors: Option<&FieldErrors>,
    shown: Option<&ScoreSettings>,
) -> Result<HttpResponse, AppError> {
    use crate::score::{LEVELS, snapshot, view};
    let period = period_of(query.period.as_deref());
    let level = query.level.as_deref().filter(|l| LEVELS.iter().any(|(x, _)| x == l)).unwrap_or("unit");
    let (scores, version, published) = snapshot::current(&state.db, &period).await?;
    let (previous, _, _) = snapshot::current(&state.db, &period.previous()).await?;
    let versions = snapshot::versions(&state.db, &period).await?;
    let mut labels: Vec<(String, String)> = versions
        .iter()
        .flat_map(|(_, list)| list.iter().filter(|s| s.level == level).map(|s| (s.subject.clone(), s.label.clone())))
        .collect();
    labels.sort();
    labels.dedup();
    let comparison: Vec<_> = labels
        .iter()
        .map(|(subject, label)| {
            let values: Vec<Option<f64>> = versions
                .iter()
                .map(|(_, list)| {
                    list.iter()
                        .find(|s| s.level == level && &s.subject == subject)
                        .and_then(|s| s.composite)
                        .map(|v| (v * 10.0).round() / 10.0)
                })
                .collect();
            json!({ "label": label, "values": values })
        })
        .collect();
    let (current_settings, _) = settings::current::<ScoreSettings>(&state.db).await?;
    let mut page = Page::new(req, "office");
    page.insert("period", &period.name())
        .insert("level", level)
        .insert("level_label", LEVELS.iter().find(|(l, _)| *l == level).map(|(_, label)| *label).unwrap_or(""))
        .insert("levels", LEVELS)
        .insert("version", &version)
        .insert("published", &published)
        .insert("rows", &view(&scores, &previous, level))
        .insert("versions", &versions.iter().map(|(v, _)| json!({ "version": v })).collect::<Vec<_>>())
        .insert("comparison", &comparison)
        .insert("settings", shown.unwrap_or(&current_settings));
    let status = page.errors(errors);
    page.render_with_status(&state.tera, "office/scores.html", status)
}

/// One subject's score explained: its components, its monthly trend, and the ratings behind it.
#[get("/office/scores/{level}/{subject}")]
async fn score_subject(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, String)>,
    query: web::Query<ScoresQuery>,
) -> Result<HttpResponse, AppError> {
    use crate::score::{period::Period, snapshot, view};
    user.require(&[Role::Office])?;
    let (level, subject) = path.into_inner();
    let period = period_of(query.period.as_deref());
    let (scores, _, _) = snapshot::current(&state.db, &period).await?;
    let (previous, _, _) = snapshot::current(&state.db, &period.previous()).await?;
    let row = view(&scores, &previous, &level).into_iter().find(|r| r["subject"] == subject.as_str()).ok_or(AppError::NotFound)?;
    // The last twelve months, one point each.
    let mut trend = Vec::new();
    let mut month = Period::parse(&catalog::today().format("%Y-%m").to_string()).expect("a month parses");
    for _ in 0..12 {
        let (s, _, _) = snapshot::current(&state.db, &month).await?;
        let point = view(&s, &[], &level).into_iter().find(|r| r["subject"] == subject.as_str());
        trend.push(json!({ "period": month.name(), "composite": point.as_ref().and_then(|p| p["composite"].as_f64()), "n": point.map(|p| p["n"].clone()) }));
        month = month.previous();
    }
    trend.reverse();
    let ratings: Vec<_> = crate::score::ratings_behind(&state.db, &period, &level, &subject)
        .await?
        .into_iter()
        .take(200)
        .map(|r| json!({ "at": crate::domain::time::minute(r.created_at), "level": r.level.label(), "target": r.target.label(), "origin": r.origin.label(), "comment": r.comment, "tags": serde_json::from_str::<Vec<String>>(&r.tags).unwrap_or_default(), "opinion_id": r.opinion_id }))
        .collect();
    let mut page = Page::new(&req, "office");
    page.insert("row", &row).insert("period", &period.name()).insert("level", &level).insert("trend", &trend).insert("ratings", &ratings);
    page.render(&state.tera, "office/score_subject.html")
}

#[get("/office/scores")]
async fn scores_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ScoresQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    scores_view(&req, &state, &query, None, None).await
}

#[derive(Deserialize)]
struct ScoreSettingsForm {
    #[serde(default)]
    threshold: String,
    #[serde(default)]
    level_points: String,
    #[serde(default)]
    prior_strength: String,
    include_default: Option<String>,
    #[serde(default)]
    weight_ratings: String,
    #[serde(default)]
    weight_rectification: String,
    #[serde(default)]
    weight_responsiveness: String,
    #[serde(default)]
    weight_themes: String,
}

#[post("/office/scores/settings")]
async fn save_score_settings(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<ScoreSettingsForm>,
) -> Result<HttpResponse, AppError> {
    use crate::score::formula::Threshold;
    user.require(&[Role::Office])?;
    let number = |s: &str| s.trim().parse::<f64>().unwrap_or(-1.0);
    let points: Vec<f64> = form.level_points.split([',', '，']).map(number).collect();
    let value = ScoreSettings {
        threshold: if form.threshold == "satisfied" { Threshold::Satisfied } else { Threshold::Basic },
        level_points: if points.len() == 5 { [points[0], points[1], points[2], points[3], points[4]] } else { [-1.0; 5] },
        prior_strength: number(&form.prior_strength),
        include_default: form.include_default.is_some(),
        weight_ratings: number(&form.weight_ratings),
        weight_rectification: number(&form.weight_rectification),
        weight_responsiveness: number(&form.weight_responsiveness),
        weight_themes: number(&form.weight_themes),
    };
    if let Err(ServiceError::Invalid(errors)) = value.validate() {
        let query = ScoresQuery { period: None, level: None };
        return scores_view(&req, &state, &query, Some(&errors), Some(&value)).await;
    }
    let txn = crate::service::begin_write(&state.db).await?;
    settings::save(&txn, &user.actor(), &value).await?;
    txn.commit().await?;
    Ok(see_other("/office/scores"))
}

#[derive(Deserialize)]
struct PublishForm {
    #[serde(default)]
    period: String,
}

#[post("/office/scores/publish")]
async fn publish_scores(
    state: web::Data<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<PublishForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let period = crate::score::period::Period::parse(&form.period).ok_or_else(|| AppError::BadRequest("统计期格式有误".into()))?;
    crate::score::snapshot::publish(&state.db, &user.actor(), &period).await?;
    Ok(see_other(&format!("/office/scores?period={}", period.name())))
}

#[get("/office/scores/export.xlsx")]
async fn export_scores(state: web::Data<AppState>, user: CurrentUser, query: web::Query<ScoresQuery>) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let period = period_of(query.period.as_deref());
    let (scores, version, _) = crate::score::snapshot::current(&state.db, &period).await?;
    let body = crate::score::workbook(&period.name(), version, &scores).map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    let name: String = url::form_urlencoded::byte_serialize(format!("满意度考核-{}.xlsx", period.name()).as_bytes()).collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"scores.xlsx\"; filename*=UTF-8''{}", name.replace('+', "%20")),
        ))
        .body(body))
}

/// Retrains the routing suggester now, so the office's latest corrections count at once.
#[post("/office/routing/retrain")]
async fn retrain_routing(
    state: web::Data<AppState>,
    user: CurrentUser,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    crate::startup::retrain_routing(&state.db, &state.search, &state.routing).await?;
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
    let rows = crate::themes::store::ranked(&state.db, region.as_deref(), period.as_ref()).await?;
    let current = crate::score::period::Period::quarter_of(catalog::today());
    let periods: Vec<String> = (0..4)
        .scan(current, |p, _| {
            let name = p.name();
            *p = p.previous();
            Some(name)
        })
        .collect();
    let mut regions: Vec<String> = crate::units::list_units(&state.db).await?.into_iter().filter_map(|u| u.region).collect();
    regions.sort();
    let mut page = Page::new(&req, "office");
    page.insert("themes", &rows)
        .insert("region", &region)
        .insert("regions", &regions)
        .insert("period", &period.map(|p| p.name()))
        .insert("periods", &periods);
    page.render(&state.tera, "office/themes.html")
}

#[get("/office/themes/{id}")]
async fn theme_page(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let detail = crate::themes::store::detail(&state.db, id.into_inner()).await?.ok_or(AppError::NotFound)?;
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
    crate::themes::store::rebuild(&state.db, &state.search.jieba, |_, _| {}).await?;
    Ok(see_other("/office/themes"))
}

#[get("/office/opinions")]
async fn inbox(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    filter: web::Query<InboxFilter>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let inbox = store::opinions::inbox(&state.db, &filter, None).await?;
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in [("status", &filter.status), ("kind", &filter.kind), ("category", &filter.category), ("region", &filter.region)] {
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
    message: Option<String>,
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
    page.insert("o", &view).insert("units", &units).insert("message", &message).insert("categories", DEFAULT_CATEGORIES);
    page.render_with_status(&state.tera, "office/opinion.html", status)
}

#[get("/office/opinions/{id}")]
async fn opinion_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    opinion_view(&req, &state, id.into_inner(), None, StatusCode::OK).await
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
    let result = match action.as_str() {
        "route" => handling::route(&state.db, &actor, id, &form.unit, &form.category, &form.note).await,
        "merge" => handling::merge(&state.db, &actor, id, &form.kept).await,
        "hide" => handling::hide(&state.db, &actor, id, &form.reason).await,
        "link" => handling::link_problem_now(&state.db, &actor, id, &form.problem).await,
        "revisit" => handling::revisit(&state.db, &actor, id, &form.note).await,
        _ => return Err(AppError::NotFound),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/office/opinions/{id}"))),
        Err(err) => {
            let (message, status) = as_notice(err)?;
            opinion_view(&req, &state, id, Some(message), status).await
        }
    }
}

#[get("/office/followups")]
async fn followups(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let today = catalog::today();
    let tasks: Vec<_> = ratings::open_followups(&state.db)
        .await?
        .into_iter()
        .map(|(task, o, r)| {
            json!({
                "id": task.id,
                "due": task.due_date.to_string(),
                "late": task.due_date < today,
                "opinion_id": o.as_ref().map(|o| o.id),
                "title": o.as_ref().map(|o| o.title.clone()).unwrap_or_else(|| "整改结果评价".into()),
                "level": r.as_ref().map(|r| r.level.label()),
                "comment": r.and_then(|r| r.comment),
            })
        })
        .collect();
    let mut page = Page::new(&req, "office");
    page.insert("tasks", &tasks);
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
    ratings::handle_followup(&state.db, &user.actor(), id.into_inner(), &form.note).await?;
    Ok(see_other("/office/followups"))
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish()
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
        .insert("values", &values);
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
        (None, Some(id)) => Some(crate::themes::store::problem_draft(&state.db, id).await?.ok_or(AppError::NotFound)?),
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
    match workflow::create_problem(&state.db, &user.actor(), input).await {
        Ok(created) => {
            if let Some(id) = form.from_opinion.as_deref().and_then(|v| v.trim().parse::<i32>().ok()) {
                handling::link_problem_now(&state.db, &user.actor(), id, &created.code).await?;
            }
            if let Some(id) = form.from_theme.as_deref().and_then(|v| v.trim().parse::<i32>().ok()) {
                crate::themes::store::promote(&state.db, &user.actor(), id, &created.code).await?;
            }
            Ok(see_other(&format!("/problems/{}", created.code)))
        }
        Err(ServiceError::Invalid(errors)) => problem_form(&req, &state, Some(&errors), json!(form)).await,
        Err(err) => Err(err.into()),
    }
}

#[get("/office/verify")]
async fn verify_queue(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let filter = Filter {
        status: Some(RectificationStatus::Reported),
        sort: Sort::Updated,
        page: 1,
        page_size: catalog::MAX_PAGE_SIZE,
        ..Filter::default()
    };
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
async fn verify(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i32>,
    CsrfForm(form): CsrfForm<VerifyForm>,
) -> Result<HttpResponse, AppError> {
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
    match crate::tabular::read_table(&file.file_name, &file.bytes) {
        Ok(table) => {
            let report = exchange::import_problems(&state.db, &user.actor(), table).await?;
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
async fn save_deadlines(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<DeadlinesForm>,
) -> Result<HttpResponse, AppError> {
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
