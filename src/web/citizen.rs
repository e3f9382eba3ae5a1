//! Pages for citizens with an opinion: submit, keep the code, follow the case, rate it.

use actix_web::{
    HttpRequest, HttpResponse, get,
    http::{StatusCode, header},
    post, web,
};
use entity::vocab::{Channel, OpinionKind, RatingLevel};
use serde::Deserialize;
use serde_json::json;

use crate::domain::{DEFAULT_CATEGORIES, tracking_code::TrackingCode};
use crate::error::{AppError, as_notice};
use crate::idempotency;
use crate::limits::Policy;
use crate::opinions::{
    ratings::{self, RatingInput, What},
    revisits::{self, Access, AnswerInput},
    submit::OpinionInput,
    track,
};
use crate::service::{FieldErrors, ServiceError};
use crate::state::AppState;
use crate::web::{
    client::limit,
    csrf::{CsrfForm, CsrfPairs},
    page::Page,
    receipt,
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(new_form)
        .service(create)
        .service(submitted)
        .service(track_form)
        .service(track_lookup)
        .service(track_feed)
        .service(unsubscribe_page)
        .service(unsubscribe)
        .service(rate)
        .service(withdraw)
        .service(mine)
        .service(choose_notify)
        .service(revisit_by_code)
        .service(revisit_page)
        .service(revisit_by_link);
}

async fn form_page(
    req: &HttpRequest,
    state: &AppState,
    errors: Option<&FieldErrors>,
    values: &OpinionInput,
) -> Result<HttpResponse, AppError> {
    let regions = crate::units::regions(&state.db).await?;
    let (follow, _) = crate::settings::current::<crate::settings::FollowThrough>(&state.db).await?;
    let mut page = Page::new(req, "submit");
    page.insert("kinds", &OpinionKind::ALL.iter().map(|k| json!({ "value": k.as_str(), "label": k.label() })).collect::<Vec<_>>())
        .insert("categories", DEFAULT_CATEGORIES)
        .insert("regions", &regions)
        .insert("values", values)
        .insert("digest_hour", &follow.digest_hour)
        // A new token each time the form is shown: sending this form twice files it once.
        .insert("submission_token", &idempotency::Key::token());
    let status = page.errors(errors);
    page.render_with_status(&state.tera, "citizen/new.html", status)
}

#[get("/opinions/new")]
async fn new_form(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    form_page(&req, &state, None, &OpinionInput::default()).await
}

/// The opinion form as sent: with photos (multipart, what the page sends) or without (a plain
/// form, from older pages and scripts).
struct OpinionForm {
    input: OpinionInput,
    photos: Vec<crate::evidence::Upload>,
}

impl actix_web::FromRequest for OpinionForm {
    type Error = AppError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let multipart =
            req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("multipart/form-data"));
        if multipart {
            let form = crate::web::upload::CsrfMultipart::from_request(req, payload);
            Box::pin(async move {
                let form = form.await?;
                let fields = serde_json::Value::Object(form.fields.into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect());
                let input = serde_json::from_value(fields).map_err(|_| AppError::BadRequest("表单内容有误，请重新提交。".into()))?;
                Ok(Self { input, photos: form.files })
            })
        } else {
            let form = CsrfForm::<OpinionInput>::from_request(req, payload);
            Box::pin(async move { Ok(Self { input: form.await?.0, photos: Vec::new() }) })
        }
    }
}

#[post("/opinions/new")]
async fn create(req: HttpRequest, state: web::Data<AppState>, form: OpinionForm) -> Result<HttpResponse, AppError> {
    limit(&req, &state, Policy::SubmitOpinion)?;
    let OpinionForm { input, photos } = form;
    let once = input.submission_token.as_deref().map(|t| idempotency::Key::parse("opinion.form", t, &input)).transpose()?;
    match state.intake.submit_with_photos(state.ctx(), &input, Channel::Web, once, photos, &state.config.data_dir).await {
        // Themes and routing follow in the `triage` job; the citizen is answered once it is stored.
        Ok(done) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, receipt::PAGE))
            .cookie(receipt::issue(&state.cookie_key, done.code.as_str(), state.config.cookie_secure))
            .finish()),
        Err(ServiceError::Invalid(errors)) => form_page(&req, &state, Some(&errors), &input).await,
        Err(err) => Err(err.into()),
    }
}

/// The success page after the redirect: shows the code from the receipt as often as it is opened.
#[get("/opinions/submitted")]
async fn submitted(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let code = receipt::read(&req, &state.cookie_key).and_then(|c| TrackingCode::parse(&c));
    let found = match code {
        Some(code) => track::find(&state.db, &state.secrets, code.as_str()).await?.map(|o| (code.to_string(), o)),
        None => None,
    };
    let Some((code, opinion)) = found else {
        return Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, "/track")).finish());
    };
    let mut page = Page::new(&req, "submit");
    page.insert("code", &code).insert("title", &opinion.title);
    page.render(&state.tera, "citizen/submitted.html").map(crate::web::no_store)
}

#[get("/track")]
async fn track_form(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    Page::new(&req, "track").render(&state.tera, "citizen/track.html")
}

#[derive(Deserialize)]
struct TrackForm {
    #[serde(default)]
    code: String,
}

/// Looked up by POST so the code stays out of URLs, logs and browser history.
async fn show(req: &HttpRequest, state: &AppState, code: &str, notice: Option<&str>, status: StatusCode) -> Result<HttpResponse, AppError> {
    limit(req, state, Policy::Track)?;
    let mut page = Page::new(req, "track");
    match track::view(&state.db, &state.secrets, code).await? {
        Some(view) => {
            let token = crate::opinions::updates::viewed(state.ctx(), code).await?;
            page.insert("feed_url", &token.map(|t| format!("/track/feed/{t}")));
            page.insert("view", &view)
                .insert("raw_code", code)
                .insert("notice", &notice)
                .insert("notice_error", &status.is_client_error())
                .insert("levels", &levels())
                .insert("good_tags", ratings::GOOD_TAGS)
                .insert("bad_tags", ratings::BAD_TAGS);
            page.render_with_status(&state.tera, "citizen/track.html", status).map(crate::web::no_store)
        }
        None => {
            page.insert("not_found", &true);
            page.render_with_status(&state.tera, "citizen/track.html", StatusCode::NOT_FOUND).map(crate::web::no_store)
        }
    }
}

/// A case's private feed: its messages, at an address only its tracking code gives; no contact
/// details, no code in it.
#[get("/track/feed/{token}")]
async fn track_feed(req: HttpRequest, state: web::Data<AppState>, token: web::Path<String>) -> Result<HttpResponse, AppError> {
    limit(&req, &state, Policy::Track)?;
    let (title, messages) = crate::opinions::updates::feed(&state.db, &state.secrets, &token).await?.ok_or(AppError::NotFound)?;
    let entries: Vec<_> = messages
        .iter()
        .map(|n| {
            json!({
                "id": format!("urn:lianxin:notification:{}", n.id),
                "title": crate::privacy::scrub(&n.message).chars().take(40).collect::<String>(),
                "summary": crate::privacy::scrub(&n.message),
                "updated": n.created_at.with_timezone(&crate::domain::time::beijing()).to_rfc3339(),
                "link": format!("{}/track", state.config.public_origin()),
            })
        })
        .collect();
    let updated = messages.first().map(|n| n.created_at).unwrap_or_else(|| state.clock.now());
    let path = format!("/track/feed/{token}");
    let response = crate::web::public::atom_feed(&req, &state, &format!("我的意见：{title}"), &path, "/track", &entries, updated)?;
    Ok(crate::web::no_store(response))
}

/// The link in every message: a page that stops them, with one button.
#[get("/notify/unsubscribe/{id}/{mac}")]
async fn unsubscribe_page(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(i32, String)>) -> Result<HttpResponse, AppError> {
    let (id, mac) = path.into_inner();
    if mac != state.secrets.unsubscribe_mac(id) {
        return Err(AppError::NotFound);
    }
    let mut page = Page::new(&req, "track");
    page.insert("action", &format!("/notify/unsubscribe/{id}/{mac}"));
    page.render(&state.tera, "citizen/unsubscribe.html")
}

#[post("/notify/unsubscribe/{id}/{mac}")]
async fn unsubscribe(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(i32, String)>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> Result<HttpResponse, AppError> {
    let (id, mac) = path.into_inner();
    crate::deliveries::unsubscribe(state.ctx(), id, &mac).await?;
    let mut page = Page::new(&req, "track");
    page.insert("done", &true);
    page.render(&state.tera, "citizen/unsubscribe.html")
}

#[post("/track")]
async fn track_lookup(req: HttpRequest, state: web::Data<AppState>, CsrfForm(form): CsrfForm<TrackForm>) -> Result<HttpResponse, AppError> {
    show(&req, &state, &form.code, None, StatusCode::OK).await
}

#[post("/track/rate")]
async fn rate(req: HttpRequest, state: web::Data<AppState>, form: CsrfPairs) -> Result<HttpResponse, AppError> {
    limit(&req, &state, Policy::Rate)?;
    let code = form.get("code");
    let what = match form.get("what") {
        "followup" => What::FollowUp,
        "result" => What::Result,
        _ => What::Handling,
    };
    let input = RatingInput { level: form.get("level"), tags: form.all("tags"), comment: form.get("comment") };
    match ratings::rate(state.ctx(), code, what, input).await {
        Ok(_) => show(&req, &state, code, Some("感谢您的评价！"), StatusCode::OK).await,
        // A wrong code gets the tracking page's own answer for a wrong code.
        Err(ServiceError::NotFound) => show(&req, &state, code, None, StatusCode::NOT_FOUND).await,
        Err(err) => {
            let (message, status) = as_notice(err)?;
            show(&req, &state, code, Some(&message), status).await
        }
    }
}

fn levels() -> Vec<serde_json::Value> {
    RatingLevel::ALL.iter().map(|l| json!({ "score": l.score(), "label": l.label() })).collect()
}

fn answer_input(form: &CsrfPairs) -> (i32, AnswerInput<'_>) {
    let id = form.get("revisit").trim().parse().unwrap_or(0);
    (id, AnswerInput { answer: form.get("answer"), level: form.get("level"), comment: form.get("comment") })
}

const THANKS: &str = "谢谢您的答复！我们已记录。";

#[post("/track/revisit")]
async fn revisit_by_code(req: HttpRequest, state: web::Data<AppState>, form: CsrfPairs) -> Result<HttpResponse, AppError> {
    limit(&req, &state, Policy::Rate)?;
    let code = form.get("code");
    let (id, input) = answer_input(&form);
    match revisits::answer(state.ctx(), Access::Code(code), id, input).await {
        Ok(_) => show(&req, &state, code, Some(THANKS), StatusCode::OK).await,
        Err(ServiceError::NotFound) => show(&req, &state, code, None, StatusCode::NOT_FOUND).await,
        Err(err) => {
            let (message, status) = as_notice(err)?;
            show(&req, &state, code, Some(&message), status).await
        }
    }
}

/// The page the link in a 回访 message opens: the case's public title and its open questions.
async fn revisit_view(
    req: &HttpRequest,
    state: &AppState,
    (id, mac): (i32, &str),
    notice: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    if mac != state.secrets.revisit_mac(id) {
        return Err(AppError::NotFound);
    }
    let o = <entity::opinion::Entity as sea_orm::EntityTrait>::find_by_id(id)
        .one(&state.db)
        .await?
        .filter(|o| !crate::lists::HIDDEN_OPINION_STATUSES.contains(&o.status))
        .ok_or(AppError::NotFound)?;
    let mut page = Page::new(req, "track");
    page.insert("title", &crate::privacy::scrub(&o.title))
        .insert("status_label", o.status.label())
        .insert("questions", &revisits::open_questions(&state.db, id).await?)
        .insert("revisit_action", &format!("/revisit/{id}/{mac}"))
        .insert("levels", &levels())
        .insert("notice", &notice);
    page.render_with_status(&state.tera, "citizen/revisit.html", status).map(crate::web::no_store)
}

#[get("/revisit/{id}/{mac}")]
async fn revisit_page(req: HttpRequest, state: web::Data<AppState>, path: web::Path<(i32, String)>) -> Result<HttpResponse, AppError> {
    limit(&req, &state, Policy::Track)?;
    let (id, mac) = path.into_inner();
    revisit_view(&req, &state, (id, &mac), None, StatusCode::OK).await
}

#[post("/revisit/{id}/{mac}")]
async fn revisit_by_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(i32, String)>,
    form: CsrfPairs,
) -> Result<HttpResponse, AppError> {
    limit(&req, &state, Policy::Rate)?;
    let (opinion_id, mac) = path.into_inner();
    let (id, input) = answer_input(&form);
    match revisits::answer(state.ctx(), Access::Link { opinion_id, mac: &mac }, id, input).await {
        Ok(_) => revisit_view(&req, &state, (opinion_id, &mac), Some(THANKS), StatusCode::OK).await,
        Err(ServiceError::NotFound) => Err(AppError::NotFound),
        Err(err) => {
            let (message, status) = as_notice(err)?;
            revisit_view(&req, &state, (opinion_id, &mac), Some(&message), status).await
        }
    }
}

#[post("/track/withdraw")]
async fn withdraw(req: HttpRequest, state: web::Data<AppState>, form: CsrfPairs) -> Result<HttpResponse, AppError> {
    limit(&req, &state, Policy::Rate)?;
    let code = form.get("code");
    if form.get("confirm") != "yes" {
        return show(&req, &state, code, Some("请勾选“确认撤回”后再提交"), StatusCode::BAD_REQUEST).await;
    }
    match crate::opinions::handling::withdraw(state.ctx(), code, form.get("reason")).await {
        Ok(_) => show(&req, &state, code, Some("已撤回。这条意见不再办理，也不再公开显示；记录仍保留。"), StatusCode::OK).await,
        Err(ServiceError::NotFound) => show(&req, &state, code, None, StatusCode::NOT_FOUND).await,
        Err(err) => {
            let (message, status) = as_notice(err)?;
            show(&req, &state, code, Some(&message), status).await
        }
    }
}

/// 每有动态即通知 or 每天汇总一次, from the tracking page.
#[post("/track/notify")]
async fn choose_notify(req: HttpRequest, state: web::Data<AppState>, form: CsrfPairs) -> Result<HttpResponse, AppError> {
    limit(&req, &state, Policy::Rate)?;
    let code = form.get("code");
    let daily = match form.get("notify") {
        "daily" => true,
        "each" => false,
        _ => return show(&req, &state, code, Some("请选择通知方式"), StatusCode::BAD_REQUEST).await,
    };
    match crate::deliveries::choose_digest(state.ctx(), code, daily).await {
        Ok(()) => {
            let done = if daily { "已改为每天汇总一次通知。" } else { "已改为每有动态即通知。" };
            show(&req, &state, code, Some(done), StatusCode::OK).await
        }
        Err(ServiceError::NotFound) => show(&req, &state, code, None, StatusCode::NOT_FOUND).await,
        Err(err) => {
            let (message, status) = as_notice(err)?;
            show(&req, &state, code, Some(&message), status).await
        }
    }
}

/// 我的意见: the codes this browser remembers, listed by the page's script.
#[get("/my")]
async fn mine(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    Page::new(&req, "track").render(&state.tera, "citizen/mine.html").map(crate::web::no_store)
}
