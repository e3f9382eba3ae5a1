//! 整改清单: what is being done about a problem, and how far it has got.
use crate::vocab::{CitizenConfirmation, RectificationStatus, Verification};
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "rectifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub problem_id: i32,
    pub responsibility_id: i32,
    #[sea_orm(column_type = "Text")]
    pub measures: String,
    #[sea_orm(column_type = "Text")]
    pub plan: String,
    pub target: String,
    pub next_milestone: Option<String>,
    pub status: RectificationStatus,
    pub progress: i32,
    /// The promised date of the next public update; passing it unmet shows 逾期未更新.
    pub next_update_due: Option<Date>,
    pub last_update_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    /// Null until the unit reports completion (单位报结).
    pub verification: Option<Verification>,
    pub verification_reason: Option<String>,
    pub verified_by: Option<i32>,
    pub verified_at: Option<DateTimeUtc>,
    pub citizen_confirmation: Option<CitizenConfirmation>,
    /// How often a verified item was reopened; an input to the score.
    pub reopened_count: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
