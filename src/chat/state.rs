//! A conversation between turns, kept in the database so any server behind the load balancer can
//! take the next turn: found by the keyed digest of the token the client holds. Transcripts are
//! scrubbed before they are stored and both expire after the retention period.

use chrono::Duration;
use entity::{chat_message, chat_session};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter};
use serde::{Deserialize, Serialize};

use super::filing::Filing;
use crate::service::Actor;
use crate::unit_of_work::{Context, UnitOfWork};

/// What the bot remembers of the conversation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    /// An opinion being filed, step by step.
    pub filing: Option<Filing>,
    /// The bot asked for a tracking code.
    pub awaiting_code: bool,
    /// The problems the last answer listed (codes), for "那个呢", "第二个".
    pub shown: Vec<String>,
    /// The problem the conversation is about, for "什么时候完成？".
    pub focus: Option<String>,
    /// Turns in a row the bot could not tell what was meant.
    pub unsure: u32,
    /// The citizen's own case as last told (status and deadline, never the code).
    pub case: Option<super::case::Brief>,
    /// The last turn cancelled a filing ("刚才那个交上去了吗" is answered from this).
    pub cancelled: bool,
    /// The message the bot offered its guesses for: a guess's button acts on it.
    pub guessed: Option<String>,
    /// The citizen's last question the bot could not answer, to file as a 咨询 if they want.
    pub unanswered: Option<String>,
}

pub struct Session {
    pub token: String,
    pub row: Option<chat_session::Model>,
    pub state: State,
}

fn new_token() -> String {
    use rand::RngExt;
    let bytes: [u8; 16] = rand::rng().random();
    hex::encode(bytes)
}

/// The conversation a token names, or a new one (an unknown or expired token starts afresh).
pub async fn open(ctx: Context<'_>, token: Option<&str>) -> Result<Session, DbErr> {
    let token = token.map(str::trim).filter(|t| t.len() == 32 && t.chars().all(|c| c.is_ascii_hexdigit()));
    if let Some(token) = token {
        let digest = ctx.secrets.chat_digest(token);
        if let Some(row) = chat_session::Entity::find().filter(chat_session::Column::KeyDigest.eq(digest)).one(ctx.db).await? {
            let state = serde_json::from_str(&row.state).unwrap_or_default();
            return Ok(Session { token: token.to_string(), row: Some(row), state });
        }
    }
    Ok(Session { token: new_token(), row: None, state: State::default() })
}

/// One turn as it is kept: the citizen's words and the bot's answer, both scrubbed.
pub struct Turn<'a> {
    pub said: &'a str,
    pub answer: &'a str,
    pub intent: &'a str,
    pub confidence: f32,
    pub handoff: bool,
    pub abstained: bool,
}

/// Saves the state and the turn; returns the id of the bot's message (for the vote).
pub async fn save(ctx: Context<'_>, session: &Session, turn: &Turn<'_>) -> Result<i64, DbErr> {
    let uow = UnitOfWork::begin(ctx, &Actor::citizen()).await?;
    let now = uow.now();
    let digest = ctx.secrets.chat_digest(&session.token);
    let state = serde_json::to_string(&session.state).map_err(|e| DbErr::Custom(e.to_string()))?;
    match &session.row {
        Some(row) => {
            let turns = row.turns + 1;
            let mut model = row.clone().into_active_model();
            model.state = Set(state);
            model.turns = Set(turns);
            model.updated_at = Set(now);
            model.update(uow.db()).await?;
        }
        None => {
            chat_session::ActiveModel {
                key_digest: Set(digest.clone()),
                state: Set(state),
                turns: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(uow.db())
            .await?;
        }
    }
    let message = |speaker: &str, text: &str, intent: Option<&str>| chat_message::ActiveModel {
        session_key: Set(digest.clone()),
        speaker: Set(speaker.into()),
        text: Set(super::understand::without_codes(&crate::privacy::scrub(text))),
        intent: Set(intent.map(str::to_string)),
        created_at: Set(now),
        confidence: Set(None),
        handoff: Set(false),
        abstained: Set(false),
        helpful: Set(None),
        ..Default::default()
    };
    // On the citizen's line, `abstained` marks a question the bot could not answer.
    let mut said = message("citizen", turn.said, Some(turn.intent));
    said.abstained = Set(turn.abstained);
    said.insert(uow.db()).await?;
    let mut bot = message("bot", turn.answer, Some(turn.intent));
    bot.confidence = Set(Some(f64::from(turn.confidence)));
    bot.handoff = Set(turn.handoff);
    bot.abstained = Set(turn.abstained);
    let id = bot.insert(uow.db()).await?.id;
    uow.commit().await?;
    Ok(id)
}

/// A line of a conversation as the citizen sees it again (scrubbed, as kept).
#[derive(Debug, Serialize)]
pub struct Line {
    pub id: i64,
    pub bot: bool,
    pub text: String,
}

/// The last turns of the conversation `token` names, oldest first.
pub async fn transcript(ctx: Context<'_>, token: &str, most: u64) -> Result<Vec<Line>, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    let digest = ctx.secrets.chat_digest(token.trim());
    let mut rows = chat_message::Entity::find()
        .filter(chat_message::Column::SessionKey.eq(digest))
        .order_by_desc(chat_message::Column::Id)
        .limit(most)
        .all(ctx.db)
        .await?;
    rows.reverse();
    Ok(rows.into_iter().map(|m| Line { id: m.id, bot: m.speaker == "bot", text: m.text }).collect())
}

/// "Did this answer your question?" on one of the bot's answers in this conversation.
pub async fn vote(ctx: Context<'_>, token: &str, message_id: i64, helpful: bool) -> Result<bool, DbErr> {
    let digest = ctx.secrets.chat_digest(token.trim());
    let uow = UnitOfWork::begin(ctx, &Actor::citizen()).await?;
    let done = chat_message::Entity::update_many()
        .col_expr(chat_message::Column::Helpful, sea_orm::sea_query::Expr::value(helpful))
        .filter(chat_message::Column::Id.eq(message_id))
        .filter(chat_message::Column::SessionKey.eq(digest))
        .filter(chat_message::Column::Speaker.eq("bot"))
        .exec(uow.db())
        .await?;
    uow.commit().await?;
    Ok(done.rows_affected == 1)
}

/// Deletes conversations and transcripts older than the retention period; how many turns went.
pub async fn expire(ctx: Context<'_>, retention_days: u32) -> Result<u64, DbErr> {
    let before = ctx.clock.now() - Duration::days(i64::from(retention_days));
    let uow = UnitOfWork::begin(ctx, &Actor::system("chat")).await?;
    chat_session::Entity::delete_many().filter(chat_session::Column::UpdatedAt.lt(before)).exec(uow.db()).await?;
    let gone = chat_message::Entity::delete_many().filter(chat_message::Column::CreatedAt.lt(before)).exec(uow.db()).await?.rows_affected;
    uow.commit().await?;
    Ok(gone)
}
