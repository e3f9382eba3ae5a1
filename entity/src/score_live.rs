//! The scores as they stand now, per period and subject: a read model the `scores` job rewrites
//! every few minutes (and at once after the rules change), so no page computes a score.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "score_live")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub period: String,
    pub level: String,
    pub subject: String,
    pub settings_version: i32,
    #[sea_orm(column_type = "Text")]
    pub payload_json: String,
    pub computed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
