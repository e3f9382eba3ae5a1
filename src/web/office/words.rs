//! The office's dictionary page: review the words discovery proposes, add words of its own.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use entity::vocab::Role;
use serde::Deserialize;

use super::see_other;
use crate::error::AppError;
use crate::search::dictionary::{self, Decision, DictionaryWord};
use crate::state::AppState;
use crate::web::{csrf::CsrfForm, page::Page, session::CurrentUser};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(words_page).service(discover).service(decide).service(add);
}

#[get("/office/words")]
async fn words_page(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let review = dictionary::review(&state.db).await?;
    let fresh = crate::jobs::schedule::WORDS.freshness(&state.db).await?;
    let mut page = Page::new(&req, "office");
    page.insert("proposed", &review.proposed)
        .insert("proposed_total", &review.proposed_total)
        .insert("accepted", &review.accepted)
        .insert("accepted_total", &review.accepted_total)
        .insert("ran_at", &fresh.ran_at.map(crate::domain::time::minute))
        .insert("queued", &fresh.queued)
        .insert("read_at_most", &dictionary::READ_AT_MOST)
        .insert("vocabulary", &state.search.vocabulary());
    page.render(&state.tera, "office/words.html")
}

#[derive(Deserialize)]
struct DecisionForm {
    action: String,
    #[serde(default)]
    word: String,
}

impl TryFrom<DecisionForm> for Decision {
    type Error = AppError;

    fn try_from(form: DecisionForm) -> Result<Self, AppError> {
        match form.action.as_str() {
            "reject" => Ok(Decision::Reject),
            "accept" if form.word.trim().is_empty() => Ok(Decision::Accept(None)),
            "accept" => {
                DictionaryWord::try_from(form.word.as_str()).map(|w| Decision::Accept(Some(w))).map_err(|e| AppError::BadRequest(e.into()))
            }
            _ => Err(AppError::BadRequest("未知操作".into())),
        }
    }
}

#[post("/office/words/{id:[0-9]{1,9}}")]
async fn decide(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i32>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let decision = Decision::try_from(form)?;
    dictionary::decide(state.ctx(), &user.actor(), id.into_inner(), decision).await?;
    Ok(see_other("/office/words"))
}

#[derive(Deserialize)]
struct AddForm {
    word: String,
}

#[post("/office/words")]
async fn add(state: web::Data<AppState>, user: CurrentUser, CsrfForm(form): CsrfForm<AddForm>) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    let word = DictionaryWord::try_from(form.word.as_str()).map_err(|e| AppError::BadRequest(e.into()))?;
    dictionary::add(state.ctx(), &user.actor(), word).await?;
    Ok(see_other("/office/words"))
}

#[post("/office/words/discover")]
async fn discover(state: web::Data<AppState>, user: CurrentUser, _form: CsrfForm<serde::de::IgnoredAny>) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Office])?;
    crate::jobs::schedule::WORDS.request(state.ctx(), &user.actor()).await?;
    Ok(see_other("/office/words"))
}
