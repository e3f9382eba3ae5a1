//! The citizen's own case, by its code: told, rated in conversation, and asked after again
//! ("那啥时候能办好") from what was told. The code itself is never kept in the conversation; a
//! rating button carries it back from the client.

use entity::vocab::RatingLevel;
use sea_orm::{ConnectionTrait, DbErr};
use serde::{Deserialize, Serialize};

use super::answers::Card;
use super::intents::Intent;
use super::reply::{Answer, CODE_HELP};
use super::state::State;
use super::{Bot, Deps, rules, understand};
use crate::domain::tracking_code::TrackingCode;
use crate::limits::Policy;
use crate::opinions::ratings::{self, RatingInput, What};
use crate::secrets::Secrets;
use crate::service::ServiceError;

/// What the conversation keeps of a case it told: its status and reply deadline, no code.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Brief {
    pub status: String,
    pub due: Option<String>,
}

pub struct Told {
    pub text: String,
    pub cards: Vec<Card>,
    pub rateable: bool,
    pub brief: Brief,
}

/// The citizen's own case, by its code. A wrong code and someone else's mistyped code get the
/// same answer; no contact detail is ever read.
pub async fn told(db: &impl ConnectionTrait, secrets: &Secrets, code: &TrackingCode) -> Result<Option<Told>, DbErr> {
    let Some(view) = crate::opinions::track::view(db, secrets, code.as_str()).await? else { return Ok(None) };
    let mut text = format!("您的意见“{}”当前状态：{}。", view.title.as_str(), view.status_label);
    if let Some(unit) = &view.routed_unit {
        text.push_str(&format!("承办单位：{unit}。"));
    }
    if let Some(due) = &view.due_date {
        text.push_str(&format!("答复期限：{due}。"));
    }
    if let Some(reply) = &view.reply {
        let short: String = reply.as_str().chars().take(60).collect();
        let more = if reply.as_str().chars().count() > 60 { "……" } else { "" };
        text.push_str(&format!("答复{}：{short}{more}", view.replied_at.as_deref().map(|a| format!("（{a}）")).unwrap_or_default()));
    }
    if !view.questions.is_empty() {
        text.push_str("办理结果在等您回访：请到“查询进度”页告诉我们是否解决。");
    } else if view.can_rate {
        text.push_str("您可以在“查询进度”页对办理情况评价。");
    }
    let mut cards = vec![Card {
        title: view.title.as_str().to_string(),
        url: "/track".into(),
        status: view.status_label.into(),
        source: "查询进度".into(),
    }];
    if let Some(p) = &view.problem {
        text.push_str(&format!("已列入问题清单 {}（{}，进度 {}%）。", p.code, p.status_label, p.progress));
        cards.push(Card {
            title: format!("{} {}", p.code, p.title.as_str()),
            url: format!("/problems/{}", p.code),
            status: format!("{} {}%", p.status_label, p.progress),
            source: "问题清单".into(),
        });
    }
    let brief = Brief { status: view.status_label.to_string(), due: view.due_date.clone() };
    Ok(Some(Told { text, cards, rateable: view.can_rate, brief }))
}

const NOT_FOUND: &str =
    "没有找到这个查询码对应的意见。请核对后重新发送（12 位字母和数字，例如 7KQM-X3RT-9WHP）。查询码丢了可以在“我的意见”页找回。";
const ASK_CODE: &str =
    "请把查询码发给我（提交意见后得到的 12 位字母和数字，例如 7KQM-X3RT-9WHP），我来帮您查。查询码丢了可以在“我的意见”页找回。";

fn track_card() -> Card {
    Card { title: "查询进度并评价".into(), url: "/track".into(), status: String::new(), source: "查询进度".into() }
}

/// The five levels as buttons that carry the code back, best first.
fn level_buttons(code: &TrackingCode) -> Vec<String> {
    RatingLevel::ALL.iter().map(|l| format!("{code} {}", l.label())).collect()
}

impl Bot {
    pub(super) async fn track_case(&self, deps: &Deps<'_>, state: &mut State, text: &str) -> Result<Answer, ServiceError> {
        let Some(code) = understand::tracking_code(text) else {
            // A problem's number is not a case's code.
            if understand::problem_code(text).is_some() {
                return self.problem(deps, state, text, Intent::Progress).await;
            }
            state.awaiting_code = true;
            let said = if rules::code_like(text) {
                format!("没有找到这个查询码对应的意见。{CODE_HELP}")
            } else {
                ASK_CODE.to_string()
            };
            return Ok(Answer::new(Intent::Track, said).suggest(&["查询码丢了怎么办"]));
        };
        let Some(told) = told(deps.ctx.db, deps.ctx.secrets, &code).await? else {
            state.awaiting_code = true;
            return Ok(Answer::new(Intent::Track, NOT_FOUND).suggest(&["查询码丢了怎么办"]));
        };
        state.focus = told.cards.get(1).map(|c| c.url.trim_start_matches("/problems/").to_string());
        state.case = Some(told.brief);
        let mut answer = Answer::new(Intent::Track, told.text);
        answer.suggestions = if told.rateable { vec![format!("{code} 评价")] } else { Vec::new() };
        answer.suggestions.push("我要提交意见".into());
        answer.cards = told.cards;
        Ok(answer)
    }

    /// 好差评 in conversation: the code and a level ("7KQM-X3RT-9WHP 满意") rate the handling
    /// through the same use case as the tracking page; without a level, the five as buttons.
    pub(super) async fn rate_case(&self, deps: &Deps<'_>, state: &mut State, text: &str) -> Result<Answer, ServiceError> {
        let Some(code) = understand::tracking_code(text) else {
            let mut answer = Answer::new(
                Intent::Rate,
                "评价要凭查询码：把查询码和满意程度一起发给我（例如“7KQM-X3RT-9WHP 满意”），或者在“查询进度”页评价。意见办结后可以选非常满意、满意、基本满意、不满意或非常不满意，还可以追评一次。",
            )
            .suggest(&["查询我的意见办理进度"]);
            answer.cards = vec![track_card()];
            state.awaiting_code = true;
            return Ok(answer);
        };
        // Rated at once only when that is all the message says ("7KQM-X3RT-9WHP 满意", the
        // button); in a longer message the level is offered to confirm.
        let plain = understand::without_codes(text).replace("[查询码已隐藏]", "").chars().filter(|c| !c.is_whitespace()).count() <= 8;
        let Some(level) = rules::rating_level(text).filter(|_| plain) else {
            let mut answer = Answer::new(Intent::Rate, "您对办理情况满意吗？请选一项：");
            answer.suggestions = level_buttons(&code);
            return Ok(answer);
        };
        if !(deps.may)(Policy::Rate) {
            return Ok(Answer::new(Intent::Rate, "评价太频繁了，请过几分钟再试。"));
        }
        let input = RatingInput { level: &level.score().to_string(), tags: Vec::new(), comment: "" };
        let said = match ratings::rate(deps.ctx, code.as_str(), What::Handling, input).await {
            Ok(_) => format!("感谢您的评价！已记录：{}。需要补充说明或追评，可以在“查询进度”页填写。", level.label()),
            Err(ServiceError::NotFound) => NOT_FOUND.to_string(),
            Err(ServiceError::Refused(why) | ServiceError::Conflict(why)) => format!("{why}。可以在“查询进度”页查看这件意见的状态。"),
            Err(ServiceError::Invalid(errors)) => errors.summary(),
            Err(err) => return Err(err),
        };
        let mut answer = Answer::new(Intent::Rate, said).suggest(&["我要提交意见"]);
        answer.cards = vec![track_card()];
        Ok(answer)
    }

    /// "那啥时候能办好" after the case was told: its reply deadline, as told.
    pub(super) fn case_follow_up(&self, state: &State, text: &str, asked: Intent) -> Option<Answer> {
        let brief = state.case.as_ref()?;
        if state.focus.is_some() || !matches!(asked, Intent::Deadline | Intent::Progress) || text.chars().count() > 16 {
            return None;
        }
        let said = match &brief.due {
            Some(due) => format!("您的意见当前状态：{}，答复期限：{due}。", brief.status),
            None => format!("您的意见当前状态：{}，还没有答复期限（受理分办后才有）。", brief.status),
        };
        let mut answer = Answer::new(asked, said).suggest(&["我要提交意见"]);
        answer.cards = vec![track_card()];
        Some(answer)
    }
}
