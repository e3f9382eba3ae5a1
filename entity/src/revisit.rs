//! 回访: one question to a citizen whether their closed opinion (no `rectification_id`) or the
//! rectification of their problem is fixed, and the answer.
use crate::vocab::RevisitAnswer;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "revisits")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub opinion_id: i32,
    pub rectification_id: Option<i32>,
    pub asked_at: DateTimeUtc,
    pub answer: Option<RevisitAnswer>,
    /// The 5-level rating given with the answer (1–5).
    pub level: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub comment: Option<String>,
    pub answered_at: Option<DateTimeUtc>,
    /// Set when the round ended unanswered (the item reopened, or its quiet period passed).
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
