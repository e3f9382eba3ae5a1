//! Every change to searchable data, in the same transaction; derived indexes follow it by id.
use crate::vocab::ChangeOp;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "change_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `problem`, `rectification`, `opinion`, `report`, `unit`, …
    pub entity_type: String,
    pub entity_id: i32,
    pub op: ChangeOp,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
