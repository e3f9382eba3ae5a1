//! A 好差评 rating bound to a tracking code: of an opinion's handling or a rectification's result.
use crate::vocab::{RatingLevel, RatingOrigin, RatingTarget};
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "ratings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub target: RatingTarget,
    pub opinion_id: Option<i32>,
    pub rectification_id: Option<i32>,
    /// The digest of the tracking code that rated: one rating of each kind per code.
    #[serde(skip_serializing)]
    pub code_digest: String,
    pub level: RatingLevel,
    /// JSON array of short tags (e.g. ["态度好","办理快"]).
    pub tags: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub comment: Option<String>,
    /// 追评: the one later rating allowed after the first.
    pub is_followup: bool,
    pub origin: RatingOrigin,
    /// Denormalised for scoring by unit, region, category and theme at rating time.
    pub unit_id: Option<i32>,
    pub region: Option<String>,
    pub category: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
