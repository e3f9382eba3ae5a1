//! 跟踪报道: a follow-up report on rectification, written and reviewed by publicity.
use crate::vocab::ReportStatus;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub title: String,
    pub summary: String,
    #[sea_orm(column_type = "Text")]
    pub body_md: String,
    pub status: ReportStatus,
    pub author_id: Option<i32>,
    pub reviewer_id: Option<i32>,
    pub review_note: Option<String>,
    pub published_at: Option<DateTimeUtc>,
    /// When a reviewer scheduled it to appear (status `scheduled`); the `reports` job publishes it.
    pub publish_at: Option<DateTimeUtc>,
    /// Why it was withdrawn: the page stays, with this notice.
    pub withdrawn_reason: Option<String>,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
