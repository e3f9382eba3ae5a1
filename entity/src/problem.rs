//! 问题清单: one public problem, e.g. `WT-2026-0001`.
use crate::vocab::ProblemSource;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "problems")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub code: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub category: String,
    pub region: String,
    pub source: ProblemSource,
    /// The hot theme this problem was promoted from, if any.
    pub theme_id: Option<i32>,
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
