//! The check of one reply a unit sent: the findings (JSON), the score, and the unit's reason
//! for sending it despite them.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "reply_checks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub opinion_id: i32,
    pub unit_id: Option<i32>,
    pub score: i32,
    /// JSON array of `{"code", "message"}`.
    #[sea_orm(column_type = "Text")]
    pub findings: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
