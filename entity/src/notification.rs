//! A message to a citizen, shown on their tracking page (and later sent by SMS or mail).
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub opinion_id: i32,
    /// e.g. `status_changed`, `linked_to_problem`, `rating_invited`.
    pub kind: String,
    #[sea_orm(column_type = "Text")]
    pub message: String,
    pub sent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// When the tracking page first showed it: later visits list it among the earlier ones.
    pub seen_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
