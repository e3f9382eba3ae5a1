//! Append-only, hash-chained and MAC-sealed record of every write and every refused attempt.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub actor_user_id: Option<i32>,
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub before_json: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub after_json: Option<String>,
    pub created_at: DateTimeUtc,
    pub prev_hash: String,
    pub hash: String,
    /// A keyed MAC of `hash` (secret outside the database): a rewritten chain cannot be resealed.
    pub mac: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
