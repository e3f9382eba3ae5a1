//! Cooperating units (配合单位) of a responsibility.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "responsibility_units")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub responsibility_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
