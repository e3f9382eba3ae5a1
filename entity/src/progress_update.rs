//! One dated entry on a rectification's public timeline.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "progress_updates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub rectification_id: i32,
    pub author_id: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub percent: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
