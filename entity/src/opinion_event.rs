//! An opinion's status history.
use crate::vocab::OpinionStatus;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "opinion_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub opinion_id: i32,
    pub from_status: Option<OpinionStatus>,
    pub to_status: OpinionStatus,
    pub actor_user_id: Option<i32>,
    /// What the citizen sees as the actor: 系统, 绩效办, a unit's name — never a person.
    pub actor_label: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    /// Internal notes stay off the citizen's tracking page.
    pub public: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
