//! A hot theme (热点问题) mined from opinions. Derived data: rebuildable.
use crate::vocab::ThemeStatus;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "themes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub label: String,
    /// JSON array of key terms, strongest first.
    pub keywords: String,
    pub representative_title: String,
    pub heat: f64,
    pub size: i32,
    pub distinct_citizens: i32,
    /// Net support: likes − dislikes over the members, not below 0.
    pub support: i64,
    /// JSON array of regions.
    pub regions: String,
    pub first_seen: DateTimeUtc,
    pub last_seen: DateTimeUtc,
    /// The mining period this theme belongs to: `all`, `2026-Q3`, `2026-07`, `2026` or a range
    /// `2026-07-01~2026-08-15`.
    pub period: String,
    /// For a period's theme: its messages in the period before, of the same length.
    pub previous_size: i32,
    pub status: ThemeStatus,
    pub problem_id: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
