//! One saved version of a report (numbered from 1 per report): what an editor wrote, kept so a
//! reviewer can see what changed.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "report_revisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub report_id: i32,
    pub number: i32,
    pub title: String,
    pub summary: String,
    #[sea_orm(column_type = "Text")]
    pub body_md: String,
    /// Who saved it (their username).
    pub editor: String,
    /// What the step was, e.g. 提交审核, 退回修改：….
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
