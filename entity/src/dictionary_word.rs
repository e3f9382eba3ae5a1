//! A word for jieba's dictionary beyond the shipped ones: proposed by new-word discovery over
//! the stored opinions (or typed by the office), and part of the vocabulary once accepted.
use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::vocab::WordStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "dictionary_words")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub word: String,
    pub status: WordStatus,
    /// How often discovery saw it, in the opinions it read.
    pub frequency: i32,
    pub score: f64,
    /// An opinion it was seen in, for the reviewer to read it in context.
    pub example_opinion_id: Option<i32>,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
