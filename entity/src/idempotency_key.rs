//! One-time submission tokens and `Idempotency-Key` headers: a retried request gets the first
//! outcome back instead of doing the work twice.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// What the key is for (`opinion.form`, `opinion.api`, `problem.form`, …).
    pub scope: String,
    pub key: String,
    /// SHA-256 of the request it first came with: the same key with another request is refused.
    pub request_hash: String,
    /// What the first request produced, as JSON.
    pub outcome_json: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
