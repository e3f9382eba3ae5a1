//! 网络问政 chatbot: answers from the portal's own records, with their links, and files opinions
//! in conversation. Embedded: no model to download, nothing sent out. A turn is: normalise, the
//! rules that may not be left to a model, the conversation's context, the intent classifier,
//! then one grounded action and its Chinese reply.

pub mod answers;
mod case;
mod context;
mod dialogue;
pub mod faq;
pub mod filing;
pub mod grounding;
mod guards;
pub mod intents;
pub mod llm;
mod reply;
pub mod review;
pub mod rules;
pub mod state;
pub mod understand;

use std::sync::Arc;

use jieba_rs::Jieba;
use serde::Serialize;

use answers::Card;
use intents::{Guess, Intent, IntentModel};
use reply::{Answer, HOTLINE, WHAT_I_DO, emergency, handoff};
use state::{Session, State};

use crate::opinions::intake::Intake;
use crate::search::SearchEngine;
use crate::service::{FieldErrors, ServiceError};
use crate::unit_of_work::Context;

/// Below this the bot offers its two best guesses instead of acting on one.
const SURE: f32 = 0.45;
/// An emergency only the classifier sees is answered as one above this.
const EMERGENCY_SURE: f32 = 0.8;
/// An FAQ entry answers only when it matches at least this well (BM25).
const FAQ_MATCH: f32 = 4.0;
pub const MAX_MESSAGE_CHARS: usize = 500;

/// Trained once at start.
pub struct Bot {
    jieba: Arc<Jieba>,
    intents: IntentModel,
    faq: faq::Faq,
    llm: Option<llm::Llm>,
}

/// What a turn may use: the database, the search index, the submission queue, and whether this
/// client may act now under a rate limit (the form's limits: filing, rating).
pub struct Deps<'a> {
    pub ctx: Context<'a>,
    pub search: &'a Arc<SearchEngine>,
    pub intake: &'a Intake,
    pub may: &'a (dyn Fn(crate::limits::Policy) -> bool + Sync),
}

#[derive(Debug, Serialize)]
pub struct Slots {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
}

/// The answer to one message, as the API returns it.
#[derive(Debug, Serialize)]
pub struct Reply {
    pub session: String,
    /// The bot's message id, for "did this answer your question".
    pub message_id: i64,
    pub reply: String,
    pub intent: Intent,
    pub confidence: f32,
    pub slots: Slots,
    pub cards: Vec<Card>,
    pub suggestions: Vec<String>,
}

fn invalid_message() -> ServiceError {
    let mut errors = FieldErrors::default();
    errors.add("message", "invalid", format!("请输入 1 到 {MAX_MESSAGE_CHARS} 个字"));
    ServiceError::Invalid(errors)
}

impl Bot {
    pub fn new(jieba: Arc<Jieba>, llm: Option<llm::Llm>) -> Self {
        let intents = IntentModel::train(&jieba);
        let faq = faq::Faq::load(&jieba);
        Self { jieba, intents, faq, llm }
    }

    /// The intent the bot reads in a message, as it would on a first turn.
    pub fn guess(&self, message: &str) -> Guess {
        self.intents.guess(&self.jieba, &understand::normalise(message))
    }

    /// One turn of the conversation `token` names (a new one without).
    pub async fn turn(&self, deps: &Deps<'_>, token: Option<&str>, message: &str) -> Result<Reply, ServiceError> {
        // Control characters carry nothing and PostgreSQL refuses NUL in text.
        let cleaned: String = message.chars().filter(|c| !c.is_control() || *c == '\n').collect();
        let message = cleaned.trim();
        if message.is_empty() || message.chars().count() > MAX_MESSAGE_CHARS {
            return Err(invalid_message());
        }
        let mut session = state::open(deps.ctx, token).await?;
        let text = understand::normalise(message);
        let mut answer = self.decide(deps, &mut session.state, &text).await?;
        self.phrase(message, &mut answer).await;
        let turn = state::Turn {
            said: message,
            answer: &answer.text,
            intent: answer.intent.as_str(),
            confidence: answer.confidence,
            handoff: answer.handoff,
            abstained: answer.abstained,
        };
        let message_id = state::save(deps.ctx, &session, &turn).await?;
        let slots = self.slots(deps, &text).await?;
        let Session { token, .. } = session;
        Ok(Reply {
            session: token,
            message_id,
            reply: answer.text,
            intent: answer.intent,
            confidence: answer.confidence,
            slots,
            cards: answer.cards,
            suggestions: answer.suggestions,
        })
    }

    /// With a language model configured, its phrasing of an answer drawn from records, if it
    /// passes the grounding check. A case's status is always the template's.
    async fn phrase(&self, message: &str, answer: &mut Answer) {
        let Some(llm) = &self.llm else { return };
        if answer.grounds.is_empty() || answer.intent == Intent::Track {
            return;
        }
        let question = understand::without_codes(&crate::privacy::scrub(message));
        if let Some(text) = llm.phrase(&question, &answer.text, &answer.grounds).await {
            answer.text = text;
        }
    }

    async fn slots(&self, deps: &Deps<'_>, text: &str) -> Result<Slots, ServiceError> {
        let regions = crate::units::regions(deps.ctx.db).await?;
        let units = crate::units::names(deps.ctx.db).await?;
        let categories: Vec<String> = crate::domain::DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect();
        let today = crate::domain::time::today(deps.ctx.clock.now());
        let topic = understand::topic(text);
        Ok(Slots {
            code: understand::tracking_code(text).map(|c| c.to_string()),
            problem: understand::problem_code(text),
            region: understand::mentioned(text, &regions).cloned(),
            // "住建局" names 市住建局: a unit is mentioned by its name, with or without 市.
            unit: units
                .iter()
                .find(|u| {
                    text.contains(u.as_str())
                        || u.strip_prefix('市').is_some_and(|short| short.chars().count() >= 3 && text.contains(short))
                })
                .cloned(),
            category: understand::mentioned(text, &categories).cloned(),
            kind: understand::opinion_kind(text).map(|k| k.as_str()),
            period: understand::period(text, today).map(|(a, b)| (a.to_string(), b.to_string())),
            topic: (!topic.is_empty()).then_some(topic),
        })
    }

    async fn decide(&self, deps: &Deps<'_>, state: &mut State, text: &str) -> Result<Answer, ServiceError> {
        // An emergency is answered at once, whatever else is going on.
        if let Some(kind) = rules::emergency(text) {
            return Ok(emergency(kind));
        }
        if let Some(mut filing) = state.filing.take() {
            // At the contact and consent steps "不用了" declines the question, not the filing.
            let declining = matches!(filing.step, filing::Step::Contact | filing::Step::Consent) && !text.contains("取消");
            if rules::cancels(text) && !declining {
                state.cancelled = true;
                return Ok(Answer::new(Intent::Submit, "已取消，没有提交任何内容。还有什么可以帮您？").suggest(WHAT_I_DO));
            }
            return self.file_step(deps, state, &mut filing, text).await;
        }
        if std::mem::take(&mut state.cancelled)
            && ["交上去", "提交了", "交了", "提交成功", "上去了", "交成功"].iter().any(|w| text.contains(w))
        {
            return Ok(Answer::new(Intent::Submit, "没有。刚才那件已经取消，没有提交任何内容，也没有生成查询码。需要的话可以重新提交。")
                .suggest(&["我要提交意见", "查询我的意见办理进度"]));
        }
        if state.awaiting_code {
            state.awaiting_code = false;
            if understand::tracking_code(text).is_none() {
                if rules::cancels(text) {
                    return Ok(Answer::new(Intent::Track, "好的。还有什么可以帮您？").suggest(WHAT_I_DO));
                }
                if rules::looking_for_code(text) {
                    state.awaiting_code = true;
                    return Ok(Answer::new(Intent::Track, "好的，不着急。找到查询码后直接发给我就行。").suggest(&["查询码丢了怎么办"]));
                }
                if rules::doubts_code(text) && !rules::code_like(text) {
                    state.awaiting_code = true;
                    return Ok(Answer::new(Intent::Track, reply::CODE_HELP).suggest(&["查询码丢了怎么办", "转人工"]));
                }
            }
        }
        // A guess's button: what it offered, about the message it was offered for.
        if let Some(earlier) = state.guessed.take()
            && let Some(intent) = Intent::ALL.into_iter().find(|i| i.suggestion() == text && *i != Intent::Handoff)
        {
            state.unsure = 0;
            return self.act(deps, state, &earlier, intent).await;
        }
        if let Some(guard) = guards::guard(text) {
            return self.guarded(deps, state, text, guard).await;
        }
        if let Some(answer) = self.follow_up(deps, state, text).await? {
            return Ok(answer);
        }
        let mut guess = self.intents.guess(&self.jieba, text);
        // Emergencies the rules did not see are taken only when the classifier is sure: "自来水
        // 老是浑的" is not one, and the numbers are no answer to it.
        if !guess.by_rule && guess.intent == Intent::Emergency && guess.confidence < EMERGENCY_SURE {
            guess = Guess {
                intent: guess.second.unwrap_or(Intent::Other),
                confidence: guess.confidence.min(SURE / 2.0),
                second: None,
                ..guess
            };
        }
        if !guess.by_rule && guess.confidence < SURE {
            // Unsure between questions about a problem ("12路公交停运"), or of one, when the
            // message names a problem on the list: that problem, as a guess said as one.
            let about_problem = |i: Option<Intent>| matches!(i, Some(Intent::Progress | Intent::Deadline | Intent::Responsibility));
            // A matter described may be one already on the list (filing would show it first).
            if about_problem(Some(guess.intent)) || about_problem(guess.second) || guess.intent == Intent::Submit {
                let mut answer = self.problem(deps, state, text, Intent::Progress).await?;
                if !answer.cards.is_empty() {
                    answer.text = format!("您问的可能是这个问题：{}", answer.text);
                    answer.confidence = guess.confidence;
                    state.unsure = 0;
                    return Ok(answer);
                }
            }
            return Ok(self.unsure(state, text, &guess));
        }
        state.unsure = 0;
        let mut answer = self.act(deps, state, text, guess.intent).await?;
        answer.confidence = guess.confidence;
        Ok(answer)
    }

    /// The fixed answer to a guarded message; a demand for a promise gets the published
    /// deadline, if there is one, after saying no promise can be made.
    async fn guarded(&self, deps: &Deps<'_>, state: &mut State, text: &str, guard: guards::Guard) -> Result<Answer, ServiceError> {
        use guards::Guard;
        Ok(match guard {
            Guard::Injection => Answer::new(Intent::Other, guards::INJECTION_REPLY).suggest(WHAT_I_DO),
            Guard::Private => Answer::new(Intent::Other, guards::PRIVATE_REPLY).suggest(&["查询我的意见办理进度", "查询码丢了怎么办"]),
            Guard::Abuse => Answer::new(Intent::Other, guards::ABUSE_REPLY).suggest(&["转人工", "我要提交意见"]),
            Guard::Promise => {
                let mut answer = self.problem(deps, state, text, Intent::Deadline).await?;
                if answer.cards.is_empty() {
                    answer = Answer::new(
                        Intent::Deadline,
                        format!("{}如果您遇到了问题，可以提交意见，我们会转给责任单位办理。", guards::PROMISE_REPLY),
                    )
                    .suggest(&["我要提交意见", "转人工"]);
                } else {
                    answer.text = format!("{}{}", guards::PROMISE_REPLY, answer.text);
                }
                answer
            }
        })
    }

    /// Not sure what was meant: the two best guesses as buttons; the second time, a person.
    fn unsure(&self, state: &mut State, text: &str, guess: &Guess) -> Answer {
        state.unsure += 1;
        state.unanswered = Some(text.to_string());
        if state.unsure >= 2 {
            state.unsure = 0;
            return handoff(Intent::Other, guess.confidence, true);
        }
        let mut options = vec![guess.intent.suggestion()];
        if let Some(second) = guess.second.map(Intent::suggestion).filter(|s| !options.contains(s)) {
            options.push(second);
        }
        options.push("转人工");
        let offered: Vec<String> = options.iter().filter(|o| **o != "转人工").map(|o| format!("“{o}”")).collect();
        let said = format!("我不太确定您的意思。您是想{}？点下面的按钮，或者换个说法告诉我；也可以说“转人工”。", offered.join("，还是"));
        state.guessed = Some(text.to_string());
        let mut answer = Answer::new(guess.intent, said).suggest(&options);
        answer.confidence = guess.confidence;
        answer.abstained = true;
        answer
    }

    async fn act(&self, deps: &Deps<'_>, state: &mut State, text: &str, intent: Intent) -> Result<Answer, ServiceError> {
        Ok(match intent {
            Intent::Track => self.track_case(deps, state, text).await?,
            Intent::Submit => self.start_filing(deps, state, text, None).await?,
            Intent::Responsibility | Intent::Deadline | Intent::Progress => self.problem(deps, state, text, intent).await?,
            Intent::Faq => self.faq(deps, state, text).await?,
            Intent::Rate => self.rate_case(deps, state, text).await?,
            Intent::Handoff => {
                state.unanswered = state.unanswered.take().or_else(|| (!rules::wants_person(text)).then(|| text.to_string()));
                handoff(Intent::Handoff, 1.0, false)
            }
            // Not by a rule: it may not be one, so the numbers come with a way back.
            Intent::Emergency => {
                let mut answer = emergency("any");
                answer.text.push_str("如果我理解错了，请换个说法告诉我。");
                answer
            }
            Intent::Greeting => Answer::new(
                Intent::Greeting,
                "您好！我是连心桥智能问答。我可以帮您查询意见办理进度（需要查询码）、查问题整改进展和责任单位、提交意见，或者解答平台怎么用。",
            )
            .suggest(WHAT_I_DO),
            Intent::Thanks => Answer::new(Intent::Thanks, "不客气！还有其他问题随时问我。").suggest(WHAT_I_DO),
            Intent::Identity => Answer::new(
                Intent::Identity,
                "我是连心桥的智能问答助手，是程序，不是工作人员。我只根据平台上的清单和办理记录回答：查办理进度、查整改进展和责任单位、帮您提交意见、解答平台使用问题。需要找工作人员请说“转人工”。",
            )
            .suggest(WHAT_I_DO),
            Intent::Other => {
                state.unanswered = Some(text.to_string());
                let mut answer = Answer::new(Intent::Other, "这个问题我回答不了。我只能回答与意见办理、问题整改和平台使用有关的问题。")
                    .suggest(WHAT_I_DO);
                answer.abstained = true;
                answer
            }
        })
    }

    async fn faq(&self, deps: &Deps<'_>, state: &mut State, text: &str) -> Result<Answer, ServiceError> {
        Ok(match self.faq.best(&self.jieba, text).filter(|m| m.score >= FAQ_MATCH) {
            Some(found) => {
                let said = faq::fill(&found.entry.answer, deps.ctx.db).await?;
                let mut answer = Answer::new(Intent::Faq, said).suggest(WHAT_I_DO);
                answer.cards = vec![Card {
                    title: found.entry.question.clone(),
                    url: found.entry.link.clone(),
                    status: String::new(),
                    source: "常见问题".into(),
                }];
                answer
            }
            None => {
                state.unanswered = Some(text.to_string());
                let mut answer = Answer::new(Intent::Faq, format!("这个问题我还没有现成的答案。可以把它作为咨询提交给工作人员，{HOTLINE}"))
                    .suggest(&["把我的问题提交为咨询", "转人工"]);
                answer.abstained = true;
                answer
            }
        })
    }

    pub(super) async fn problem(&self, deps: &Deps<'_>, state: &mut State, text: &str, intent: Intent) -> Result<Answer, ServiceError> {
        let topic = understand::topic(text);
        let codes = match understand::problem_code(text) {
            Some(code) => vec![code],
            None if answers::telling(&self.jieba, &topic).is_empty() => {
                return Ok(Answer::new(intent, "请告诉我是哪个问题，比如“幸福路路灯什么时候修好”，或者问题编号（如 WT-2026-0010）。"));
            }
            None => answers::find_problems(deps.search, &topic, &crate::units::regions(deps.ctx.db).await?).await,
        };
        let today = crate::domain::time::today(deps.ctx.clock.now());
        let details = answers::load(deps.ctx.db, &codes, today).await?;
        let Some(first) = details.first() else {
            state.unanswered = Some(text.to_string());
            let said = match understand::problem_code(text) {
                Some(code) => format!(
                    "问题清单里没有编号为 {code} 的问题，请核对编号（形如 WT-2026-0010）。也可以直接说是什么问题，比如“幸福路路灯什么时候修好”。"
                ),
                None => format!("问题清单里没有找到与“{topic}”相关的问题。如果您遇到了这个问题，可以提交意见，我们会转给责任单位办理。"),
            };
            let mut answer = Answer::new(intent, said).suggest(&["我要提交意见", "转人工"]);
            answer.abstained = true;
            return Ok(answer);
        };
        let mut text = answers::about(first, intent);
        if details.len() > 1 {
            text.push_str(&format!("另外还找到 {} 个相关问题，见下方；问其中一个可以说“第二个”或它的名称。", details.len() - 1));
        }
        state.focus = Some(first.row.code.clone());
        state.shown = details.iter().map(|d| d.row.code.clone()).collect();
        let mut answer = Answer::new(intent, text).suggest(&["什么时候完成", "谁负责", "整改进展怎么样"]);
        answer.cards = answers::cards(&details);
        answer.grounds = details.iter().map(answers::ground).collect();
        Ok(answer)
    }
}
