//! What the office reads of the chatbot over a window: conversations, what was asked, how often
//! it handed off or could not answer, the "did this answer your question" votes, and the
//! questions it could not answer (to grow the FAQ). Counted in the database; a page reads a
//! bounded number of lines, never the transcripts whole.

use chrono::{DateTime, Duration, Utc};
use entity::chat_message::{self, Column as M};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use serde::Serialize;

use super::intents::Intent;

/// How far back the office looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window(i64);

impl Window {
    pub const CHOICES: [i64; 3] = [7, 30, 90];

    /// `7`, `30` or `90` days; anything else is the default month.
    pub fn parse(days: Option<&str>) -> Self {
        let days = days.and_then(|d| d.trim().parse().ok()).filter(|d| Self::CHOICES.contains(d));
        Self(days.unwrap_or(30))
    }

    pub fn days(self) -> i64 {
        self.0
    }
}

#[derive(Debug, Serialize)]
pub struct IntentCount {
    pub intent: String,
    pub label: &'static str,
    pub n: i64,
}

/// A question the bot could not answer, and how often it was asked in these words.
#[derive(Debug, Serialize)]
pub struct Unanswered {
    pub text: String,
    pub times: i64,
    /// The latest time it was asked (its line), to open the conversation.
    pub message_id: i64,
}

/// An answer a citizen said did not help, with the question before it.
#[derive(Debug, Serialize)]
pub struct VotedDown {
    pub message_id: i64,
    pub question: String,
    pub answer: String,
    pub intent: String,
}

#[derive(Debug, Serialize)]
pub struct Conversation {
    /// Its latest line, to open it.
    pub message_id: i64,
    pub turns: i64,
    pub at: String,
    pub handoff: bool,
    pub unhelpful: bool,
}

#[derive(Debug, Serialize)]
pub struct Overview {
    pub days: i64,
    pub conversations: i64,
    pub answers: i64,
    /// Conversations in which the bot offered a person.
    pub handed_off: i64,
    pub handoff_rate: Option<f64>,
    pub abstained: i64,
    pub abstention_rate: Option<f64>,
    pub helpful: i64,
    pub unhelpful: i64,
    pub intents: Vec<IntentCount>,
    pub unanswered: Vec<Unanswered>,
    pub voted_down: Vec<VotedDown>,
    pub recent: Vec<Conversation>,
}

const LISTED: u64 = 30;

fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

fn answers_since(since: DateTime<Utc>) -> Select<chat_message::Entity> {
    chat_message::Entity::find().filter(M::CreatedAt.gte(since)).filter(M::Speaker.eq("bot"))
}

async fn count(db: &impl ConnectionTrait, query: Select<chat_message::Entity>, distinct_conversations: bool) -> Result<i64, DbErr> {
    let counted = if distinct_conversations { Func::count_distinct(Expr::col(M::SessionKey)) } else { Func::count(Expr::col(M::Id)) };
    let n: Option<i64> = query.select_only().column_as(Expr::from(counted), "n").into_tuple().one(db).await?;
    Ok(n.unwrap_or(0))
}

pub async fn overview(db: &impl ConnectionTrait, now: DateTime<Utc>, window: Window) -> Result<Overview, DbErr> {
    let since = now - Duration::days(window.days());
    let conversations = count(db, answers_since(since), true).await?;
    let answers = count(db, answers_since(since), false).await?;
    let handed_off = count(db, answers_since(since).filter(M::Handoff.eq(true)), true).await?;
    let abstained = count(db, answers_since(since).filter(M::Abstained.eq(true)), false).await?;
    let helpful = count(db, answers_since(since).filter(M::Helpful.eq(true)), false).await?;
    let unhelpful = count(db, answers_since(since).filter(M::Helpful.eq(false)), false).await?;
    Ok(Overview {
        days: window.days(),
        conversations,
        answers,
        handed_off,
        handoff_rate: percent(handed_off, conversations),
        abstained,
        abstention_rate: percent(abstained, answers),
        helpful,
        unhelpful,
        intents: intents(db, since).await?,
        unanswered: unanswered(db, since).await?,
        voted_down: voted_down(db, since).await?,
        recent: recent(db, since).await?,
    })
}

async fn intents(db: &impl ConnectionTrait, since: DateTime<Utc>) -> Result<Vec<IntentCount>, DbErr> {
    let rows: Vec<(Option<String>, i64)> =
        answers_since(since).select_only().column(M::Intent).column_as(M::Id.count(), "n").group_by(M::Intent).into_tuple().all(db).await?;
    let mut counts: Vec<IntentCount> = rows
        .into_iter()
        .filter_map(|(intent, n)| {
            let known = Intent::parse(intent.as_deref()?)?;
            Some(IntentCount { intent: known.as_str().into(), label: known.label(), n })
        })
        .collect();
    counts.sort_by(|a, b| b.n.cmp(&a.n).then(a.intent.cmp(&b.intent)));
    Ok(counts)
}

async fn unanswered(db: &impl ConnectionTrait, since: DateTime<Utc>) -> Result<Vec<Unanswered>, DbErr> {
    let rows: Vec<(String, i64, i64)> = chat_message::Entity::find()
        .select_only()
        .column(M::Text)
        .column_as(M::Id.count(), "times")
        .column_as(M::Id.max(), "last")
        .filter(M::CreatedAt.gte(since))
        .filter(M::Speaker.eq("citizen"))
        .filter(M::Abstained.eq(true))
        .group_by(M::Text)
        .order_by_desc(Expr::col("times"))
        .order_by_desc(Expr::col("last"))
        .limit(LISTED)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(text, times, message_id)| Unanswered { text, times, message_id }).collect())
}

async fn voted_down(db: &impl ConnectionTrait, since: DateTime<Utc>) -> Result<Vec<VotedDown>, DbErr> {
    let answers = answers_since(since).filter(M::Helpful.eq(false)).order_by_desc(M::Id).limit(LISTED).all(db).await?;
    let mut listed = Vec::with_capacity(answers.len());
    for answer in answers {
        let question = chat_message::Entity::find()
            .filter(M::SessionKey.eq(answer.session_key.as_str()))
            .filter(M::Speaker.eq("citizen"))
            .filter(M::Id.lt(answer.id))
            .order_by_desc(M::Id)
            .one(db)
            .await?;
        listed.push(VotedDown {
            message_id: answer.id,
            question: question.map(|q| q.text).unwrap_or_default(),
            answer: answer.text,
            intent: answer.intent.as_deref().and_then(Intent::parse).map_or("", Intent::label).into(),
        });
    }
    Ok(listed)
}

async fn recent(db: &impl ConnectionTrait, since: DateTime<Utc>) -> Result<Vec<Conversation>, DbErr> {
    let rows: Vec<(String, i64, i64, DateTime<Utc>)> = answers_since(since)
        .select_only()
        .column(M::SessionKey)
        .column_as(M::Id.max(), "last")
        .column_as(M::Id.count(), "turns")
        .column_as(M::CreatedAt.max(), "at")
        .group_by(M::SessionKey)
        .order_by_desc(Expr::col("last"))
        .limit(LISTED)
        .into_tuple()
        .all(db)
        .await?;
    let keys: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let flagged: Vec<(String, bool, Option<bool>)> = chat_message::Entity::find()
        .select_only()
        .columns([M::SessionKey, M::Handoff, M::Helpful])
        .filter(M::SessionKey.is_in(keys))
        .filter(M::Speaker.eq("bot"))
        .filter(M::Handoff.eq(true).or(M::Helpful.eq(false)))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(key, message_id, turns, at)| Conversation {
            message_id,
            turns,
            at: crate::domain::time::minute(at),
            handoff: flagged.iter().any(|f| f.0 == key && f.1),
            unhelpful: flagged.iter().any(|f| f.0 == key && f.2 == Some(false)),
        })
        .collect())
}

/// A line of a conversation as the office reads it (scrubbed, as kept).
#[derive(Debug, Serialize)]
pub struct Line {
    pub id: i64,
    pub bot: bool,
    pub text: String,
    pub intent: String,
    pub confidence: Option<String>,
    pub handoff: bool,
    pub abstained: bool,
    pub helpful: Option<bool>,
    pub at: String,
}

/// The most lines a conversation page shows (a conversation is rarely a tenth of this).
pub const CONVERSATION_LINES: u64 = 400;

/// The conversation a line belongs to, oldest first; `None` when it expired or never was.
pub async fn conversation(db: &impl ConnectionTrait, message_id: i64) -> Result<Option<Vec<Line>>, DbErr> {
    let Some(line) = chat_message::Entity::find_by_id(message_id).one(db).await? else { return Ok(None) };
    let rows = chat_message::Entity::find()
        .filter(M::SessionKey.eq(line.session_key))
        .order_by_asc(M::Id)
        .limit(CONVERSATION_LINES)
        .all(db)
        .await?;
    Ok(Some(
        rows.into_iter()
            .map(|m| Line {
                id: m.id,
                bot: m.speaker == "bot",
                intent: m.intent.as_deref().and_then(Intent::parse).map_or("", Intent::label).into(),
                confidence: m.confidence.map(|c| format!("{c:.2}")),
                handoff: m.handoff,
                abstained: m.abstained,
                helpful: m.helpful,
                at: crate::domain::time::minute(m.created_at),
                text: m.text,
            })
            .collect(),
    ))
}
