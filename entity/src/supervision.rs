//! 督办: the office's notice to a unit about a stalled opinion or rectification.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "supervisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// `opinion` or `rectification`.
    pub subject: String,
    pub subject_id: i32,
    pub unit_id: Option<i32>,
    /// `overdue`, `reopened` or `bounced`.
    pub reason: String,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    /// `notice` (督办) or `escalated` (提级督办).
    pub level: String,
    pub issued_by: Option<i32>,
    pub issued_at: DateTimeUtc,
    pub escalated_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
