//! A 差评 follow-up: opened by a low rating, on the office dashboard until handled.
use crate::vocab::FollowupStatus;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "followup_tasks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub rating_id: i32,
    pub opinion_id: Option<i32>,
    pub rectification_id: Option<i32>,
    pub status: FollowupStatus,
    pub due_date: Date,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    pub handled_by: Option<i32>,
    pub handled_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
