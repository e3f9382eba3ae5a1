//! A staff account. Citizens have no accounts: they hold tracking codes.
use crate::vocab::Role;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub username: String,
    pub display_name: String,
    /// argon2id PHC string; never leaves the server, not even into the audit trail.
    #[serde(skip_serializing)]
    pub password_hash: String,
    pub role: Role,
    pub unit_id: Option<i32>,
    pub active: bool,
    pub last_login_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
