//! The outbox: what happened, to which record, for which citizens, written in the transaction
//! that made it happen. Ids follow commit order (every writer holds the write lock from BEGIN),
//! so followers read them in id order. `topic = "document"` asks the search index to refresh
//! the document of `entity_type`/`entity_id`; other topics are things people may be told about.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub topic: String,
    pub entity_type: String,
    pub entity_id: i32,
    /// JSON array of opinion ids whose citizens this concerns (empty for index-only events).
    pub citizens: String,
    pub data_json: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
