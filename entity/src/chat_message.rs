//! One turn of a chatbot conversation, scrubbed, kept for the office to review until the
//! retention period ends (no contact data).
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "chat_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub session_key: String,
    /// `citizen` or `bot`.
    pub speaker: String,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub intent: Option<String>,
    pub created_at: DateTimeUtc,
    /// The classifier's confidence in `intent` (1 when a rule decided).
    pub confidence: Option<f64>,
    /// The bot offered a person (asked for, or after it could not tell what was meant).
    pub handoff: bool,
    /// The bot could not answer: nothing matched, or it could not tell what was meant.
    pub abstained: bool,
    /// The citizen's "did this answer your question", on a bot turn.
    pub helpful: Option<bool>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
