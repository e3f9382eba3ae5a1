//! 责任清单: who answers for a problem, and by when.
use crate::vocab::ResponsibilityKind;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "responsibilities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub problem_id: i32,
    pub lead_unit_id: i32,
    /// A post title (e.g. 分管副局长), never a person's private number.
    pub responsible_post: String,
    pub deadline: Date,
    pub kind: ResponsibilityKind,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
