//! A staff login, kept on the server: the cookie carries only an opaque token, whose digest is
//! stored here, so a session can be ended (logout, password change, disable) everywhere at once.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    #[serde(skip_serializing)]
    pub token_digest: String,
    pub user_id: i32,
    pub created_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
    /// The absolute end, however active the session is.
    pub expires_at: DateTimeUtc,
    pub ended_at: Option<DateTimeUtc>,
    /// Why it ended: `logout`, `password`, `disabled`, `ended_by_user`, `reset`.
    pub ended_reason: Option<String>,
    /// The network it came from (IPv4 /24, IPv6 /64) and the browser, for the user's own list.
    pub client: String,
    pub agent: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
