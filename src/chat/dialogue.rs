//! Filing an opinion in conversation: the guided steps, similar problems shown first, and the
//! same use case as the form (validation, limits, idempotency).

use entity::vocab::{Channel, OpinionKind};

use super::answers::{self, Card};
use super::filing::{self, Filing, Next};
use super::intents::Intent;
use super::reply::{Answer, asking};
use super::state::State;
use super::{Bot, Deps, understand};
use crate::service::ServiceError;

impl Bot {
    pub(super) async fn start_filing(
        &self,
        deps: &Deps<'_>,
        state: &mut State,
        text: &str,
        kind: Option<OpinionKind>,
    ) -> Result<Answer, ServiceError> {
        // "把我的问题提交为咨询": the question the bot could not answer becomes the content.
        let (text, kind) = match (text.contains("提交为咨询"), state.unanswered.take()) {
            (true, Some(question)) => (question, Some(OpinionKind::Consult)),
            (true, None) => (String::new(), Some(OpinionKind::Consult)),
            (false, _) => (text.to_string(), kind),
        };
        let regions = crate::units::regions(deps.ctx.db).await?;
        let (filing, next) = Filing::start(&text, kind, &regions);
        let mut answer = asking(next);
        // Similar problems first: the citizen may find theirs is already being fixed.
        if filing.step != filing::Step::Content && filing.step != filing::Step::Kind {
            self.similar(deps, &text, &mut answer).await?;
        }
        state.filing = Some(filing);
        Ok(answer)
    }

    async fn similar(&self, deps: &Deps<'_>, text: &str, answer: &mut Answer) -> Result<(), ServiceError> {
        let regions = crate::units::regions(deps.ctx.db).await?;
        let codes = answers::find_problems(deps.search, &understand::topic(text), &regions).await;
        let today = crate::domain::time::today(deps.ctx.clock.now());
        let details = answers::load(deps.ctx.db, &codes, today).await?;
        if !details.is_empty() {
            answer.text = format!("清单里已有类似的问题在整改，可以先看看下方是不是同一件事。{}", answer.text);
            answer.cards = answers::cards(&details);
        }
        Ok(())
    }

    pub(super) async fn file_step(
        &self,
        deps: &Deps<'_>,
        state: &mut State,
        filing: &mut Filing,
        text: &str,
    ) -> Result<Answer, ServiceError> {
        let regions = crate::units::regions(deps.ctx.db).await?;
        let was_content = filing.step == filing::Step::Content;
        match filing.advance(text, &regions) {
            next @ Next::Ask(..) => {
                let mut answer = asking(next);
                if was_content && filing.step != filing::Step::Content {
                    self.similar(deps, text, &mut answer).await?;
                }
                state.filing = Some(filing.clone());
                Ok(answer)
            }
            Next::File(input) => {
                if !(deps.may)(crate::limits::Policy::SubmitOpinion) {
                    state.filing = Some(filing.clone());
                    return Ok(Answer::new(Intent::Submit, "提交太频繁了，请过几分钟再说“确认提交”。").suggest(&["确认提交", "取消"]));
                }
                let key = crate::idempotency::Key::parse("opinion.chat", &filing.token, &*input)?;
                match deps.intake.submit(deps.ctx, &input, Channel::Chat, Some(key)).await {
                    Ok(done) => {
                        let code = done.code.to_string();
                        let mut answer = Answer::new(
                            Intent::Submit,
                            format!("已提交！您的查询码是 {code}，请务必抄下或截图保存，凭它可以查进度、评价。我们会转给责任单位办理。"),
                        )
                        .suggest(&["查询我的意见办理进度"]);
                        answer.cards = vec![Card {
                            title: format!("查询码 {code}"),
                            url: "/track".into(),
                            status: "已受理".into(),
                            source: "查询进度".into(),
                        }];
                        Ok(answer)
                    }
                    Err(ServiceError::Invalid(errors)) => {
                        filing.redo_content();
                        state.filing = Some(filing.clone());
                        Ok(Answer::new(Intent::Submit, format!("还不能提交：{}。请重新说说是什么事。", errors.summary()))
                            .suggest(&["取消"]))
                    }
                    Err(err) => Err(err),
                }
            }
        }
    }
}
