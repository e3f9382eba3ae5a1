//! The conversation's context: "什么时候完成？" or "谁负责" after a problem was shown means that
//! problem; "第二个" or "那个青山县的呢" after a list means the one named; a bare "那个呢" after a
//! list is asked back.

use jieba_rs::Jieba;

use super::intents::Intent;
use super::reply::Answer;
use super::state::State;
use super::{Bot, Deps, SURE, answers, understand};
use crate::service::ServiceError;

impl Bot {
    /// "什么时候完成？" after a problem was shown means that problem; "第二个"/"那个X呢" after
    /// a list means the one named.
    pub(super) async fn follow_up(&self, deps: &Deps<'_>, state: &mut State, text: &str) -> Result<Option<Answer>, ServiceError> {
        let chosen = pick(&self.jieba, &state.shown, text, deps).await?;
        // "那个呢" after a list names none of them: ask which, never pick one.
        if chosen.is_none() && state.shown.len() > 1 && text.ends_with('呢') && understand::topic(text).is_empty() {
            return Ok(Some(
                Answer::new(Intent::Progress, "您问的是哪一个？可以说“第一个”“第二个”，或者说它的名称。").suggest(&["第一个", "第二个"]),
            ));
        }
        // Nothing in it says which matter: it is about the one already shown.
        let short = answers::telling(&self.jieba, &understand::topic(text)).is_empty() && text.chars().count() <= 16;
        let chosen_by_name = chosen.is_some();
        let focus = match chosen {
            Some(code) => Some(code),
            None if short => state.focus.clone(),
            None => None,
        };
        let guess = self.intents.guess(&self.jieba, text);
        let Some(code) = focus else { return Ok(if short { self.case_follow_up(state, text, guess.intent) } else { None }) };
        let asked = match guess.intent {
            // "那个广场舞的呢" names the item and asks nothing in particular: how it is going.
            _ if chosen_by_name && guess.confidence < SURE => Intent::Progress,
            Intent::Deadline | Intent::Responsibility | Intent::Progress => guess.intent,
            _ if chosen_by_name => Intent::Progress,
            _ => return Ok(None),
        };
        let today = crate::domain::time::today(deps.ctx.clock.now());
        let details = answers::load(deps.ctx.db, std::slice::from_ref(&code), today).await?;
        let Some(d) = details.first() else { return Ok(None) };
        state.focus = Some(code);
        let mut answer = Answer::new(asked, answers::about(d, asked));
        answer.cards = answers::cards(&details);
        answer.grounds = vec![answers::ground(d)];
        Ok(Some(answer.suggest(&["什么时候完成", "谁负责", "我要提交意见"])))
    }
}

/// The shown problem a message names: by position ("第二个") or by a word of its title.
async fn pick(jieba: &Jieba, shown: &[String], text: &str, deps: &Deps<'_>) -> Result<Option<String>, ServiceError> {
    if shown.is_empty() {
        return Ok(None);
    }
    const ORDINALS: [&[&str]; 3] = [&["第一个", "第1个", "第一条"], &["第二个", "第2个", "第二条"], &["第三个", "第3个", "第三条"]];
    for (i, words) in ORDINALS.iter().enumerate() {
        if words.iter().any(|w| text.contains(w)) {
            return Ok(shown.get(i).cloned());
        }
    }
    if !(text.contains("那个") || text.ends_with('呢')) {
        return Ok(None);
    }
    let words = answers::telling(jieba, &understand::topic(&text.replace("那个", " ").replace('的', " ")));
    if words.is_empty() {
        return Ok(None);
    }
    for code in shown {
        if let Some(p) = crate::lists::detail::find(deps.ctx.db, code).await?
            && words.iter().all(|w| p.title.contains(w.as_str()))
        {
            return Ok(Some(code.clone()));
        }
    }
    Ok(None)
}
