//! A published score for one subject and period under one settings version; never rewritten.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "score_snapshots")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// e.g. `2026-Q3`, `2026-07`, `2026`.
    pub period: String,
    /// `city`, `unit`, `region`, `category` or `theme`.
    pub level: String,
    pub subject: String,
    pub settings_version: i32,
    #[sea_orm(column_type = "Text")]
    pub payload_json: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
