//! 群众意见建议: one citizen opinion. Contacts live in `opinion_contacts`, never here.
use crate::vocab::{Channel, OpinionKind, OpinionStatus};
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "opinions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// A keyed digest of the tracking code (the code itself is shown once, never stored).
    #[sea_orm(unique)]
    #[serde(skip_serializing)]
    pub code_digest: String,
    pub kind: OpinionKind,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub content: String,
    pub category: Option<String>,
    /// One of the city's regions (chosen from the list).
    pub region: Option<String>,
    /// Where exactly, in the citizen's words (shown scrubbed).
    pub location_note: Option<String>,
    /// Shown on public pages and in public search. 举报 are private unless the office publishes them.
    pub public: bool,
    pub channel: Channel,
    /// Id in the source system (12345 hotline, message board) for idempotent import.
    pub external_id: Option<String>,
    /// A stable pseudonymous key per citizen (keyed digest), so heat counts people, not posts.
    #[serde(skip_serializing)]
    pub citizen_key: Option<String>,
    /// A digest of the address of this case's private feed (see `opinions::updates`).
    #[serde(skip_serializing)]
    pub feed_digest: Option<String>,
    pub status: OpinionStatus,
    pub routed_unit_id: Option<i32>,
    pub due_date: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub reply: Option<String>,
    pub replied_at: Option<DateTimeUtc>,
    pub problem_id: Option<i32>,
    pub theme_id: Option<i32>,
    /// For 重复已合并: the opinion this one was merged into.
    pub merged_into_id: Option<i32>,
    pub consent_contact: bool,
    /// The citizen's photos show on the public page (the office decides; private until then).
    pub photos_public: bool,
    /// How often a citizen's 未解决 sent the closed case back to the office.
    pub reopened_count: i32,
    /// How many times it was routed to a unit other than the one holding it (bounced).
    pub units_tried: i32,
    pub likes: i32,
    pub dislikes: i32,
    /// 智能分办 suggestion, kept beside what staff chose.
    pub suggested_category: Option<String>,
    pub suggested_unit_id: Option<i32>,
    pub suggestion_confidence: Option<f64>,
    pub submitted_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
