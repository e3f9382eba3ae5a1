//! Per unit and month (`YYYY-MM`): replies sent, how many the checker flagged, how many went out
//! flagged with a reason, and the sum of their scores.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "reply_quality")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub month: String,
    pub replies: i32,
    pub flagged: i32,
    pub sent_anyway: i32,
    pub score_sum: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
