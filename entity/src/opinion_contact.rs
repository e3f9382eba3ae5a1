//! A citizen's contact details: never public, masked for staff outside the handling unit.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "opinion_contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub opinion_id: i32,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// One message a day (at the office's digest hour) instead of one per event.
    pub daily_digest: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
