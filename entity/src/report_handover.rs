//! A theme the office handed to the publicity department for 跟踪报道, with its note; answered
//! once a report is drafted from it.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "report_handovers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub theme_id: i32,
    pub note: String,
    /// Who handed it over (their username).
    pub handed_by: String,
    pub created_at: DateTimeUtc,
    /// The report drafted from it.
    pub report_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
