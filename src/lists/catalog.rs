//! The public lists as rows: one problem with its responsibility and rectification. Rows are
//! assembled only for the items a page shows (`load_rows`); filtering, counting and paging
//! happen in SQL (`listing`), so the same code serves pages, exports and the open-data API on
//! both databases at any size.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::vocab::{ProblemSource, RectificationStatus, ResponsibilityKind, Verification};
use entity::{opinion, problem, rectification, responsibility, responsibility_unit, unit};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;

use crate::privacy::PublicText;

#[derive(Debug, Clone, Serialize)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListRow {
    pub problem_id: i32,
    pub code: String,
    pub title: PublicText,
    pub category: String,
    pub region: String,
    pub source: ProblemSource,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub lead: UnitRef,
    pub cooperating: Vec<UnitRef>,
    pub responsible_post: PublicText,
    pub deadline: NaiveDate,
    pub kind: ResponsibilityKind,
    pub rectification_id: i32,
    pub status: RectificationStatus,
    pub progress: i32,
    pub next_update_due: Option<NaiveDate>,
    pub completed_at: Option<DateTime<Utc>>,
    pub verification: Option<Verification>,
    /// 逾期未更新: the promised update date passed and the work is not finished.
    pub late_update: bool,
    pub opinion_count: u64,
    /// Chinese labels, for templates.
    pub labels: Labels,
}

#[derive(Debug, Clone, Serialize)]
pub struct Labels {
    pub source: &'static str,
    pub kind: &'static str,
    pub status: &'static str,
    pub verification: Option<&'static str>,
}

impl ListRow {
    pub fn is_finished(&self) -> bool {
        matches!(self.status, RectificationStatus::Reported | RectificationStatus::Rectified)
    }

    /// Shown on every list: the status is overdue, or the promised update is.
    pub fn is_overdue(&self) -> bool {
        self.status == RectificationStatus::Overdue || self.late_update
    }

    pub fn involves(&self, unit_code: &str) -> bool {
        self.lead.code == unit_code || self.cooperating.iter().any(|u| u.code == unit_code)
    }
}

/// The list rows of problems `ids`, in that order, as of `today` (ids without a responsibility
/// and a rectification have no row).
pub async fn load_rows(db: &impl ConnectionTrait, today: NaiveDate, ids: &[i32]) -> Result<Vec<ListRow>, DbErr> {
    let mut rows = Vec::with_capacity(ids.len());
    // Bounded statements whatever the caller asks for (SQLite allows 32,766 parameters).
    for chunk in ids.chunks(2_000) {
        rows.extend(load_chunk(db, today, chunk).await?);
    }
    Ok(rows)
}

async fn load_chunk(db: &impl ConnectionTrait, today: NaiveDate, ids: &[i32]) -> Result<Vec<ListRow>, DbErr> {
    let responsibilities: HashMap<i32, responsibility::Model> = responsibility::Entity::find()
        .filter(responsibility::Column::ProblemId.is_in(ids.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.problem_id, r))
        .collect();
    let links = responsibility_unit::Entity::find()
        .filter(responsibility_unit::Column::ResponsibilityId.is_in(responsibilities.values().map(|r| r.id)))
        .all(db)
        .await?;
    let unit_ids = responsibilities.values().map(|r| r.lead_unit_id).chain(links.iter().map(|l| l.unit_id));
    let units: HashMap<i32, UnitRef> = unit::Entity::find()
        .filter(unit::Column::Id.is_in(unit_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, UnitRef { code: u.code, name: u.name }))
        .collect();
    let mut cooperating: HashMap<i32, Vec<UnitRef>> = HashMap::new();
    for link in links {
        if let Some(u) = units.get(&link.unit_id) {
            cooperating.entry(link.responsibility_id).or_default().push(u.clone());
        }
    }
    let rectifications: HashMap<i32, rectification::Model> = rectification::Entity::find()
        .filter(rectification::Column::ProblemId.is_in(ids.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.problem_id, r))
        .collect();
    let opinion_counts: HashMap<i32, i64> = opinion::Entity::find()
        .select_only()
        .column(opinion::Column::ProblemId)
        .column_as(opinion::Column::Id.count(), "n")
        .filter(opinion::Column::ProblemId.is_in(ids.to_vec()))
        .filter(opinion::Column::Status.is_not_in(crate::lists::HIDDEN_OPINION_STATUSES))
        .group_by(opinion::Column::ProblemId)
        .into_tuple::<(i32, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut problems: HashMap<i32, problem::Model> =
        problem::Entity::find().filter(problem::Column::Id.is_in(ids.to_vec())).all(db).await?.into_iter().map(|p| (p.id, p)).collect();
    let unknown = UnitRef { code: String::new(), name: "（未指定）".into() };
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(p) = problems.remove(id) else { continue };
        let (Some(resp), Some(rect)) = (responsibilities.get(&p.id), rectifications.get(&p.id)) else { continue };
        let finished = matches!(rect.status, RectificationStatus::Reported | RectificationStatus::Rectified);
        rows.push(ListRow {
            problem_id: p.id,
            code: p.code,
            title: PublicText::of(&p.title),
            category: p.category,
            region: p.region,
            source: p.source,
            created_at: p.created_at,
            updated_at: p.updated_at.max(rect.updated_at),
            lead: units.get(&resp.lead_unit_id).cloned().unwrap_or_else(|| unknown.clone()),
            cooperating: cooperating.remove(&resp.id).unwrap_or_default(),
            responsible_post: PublicText::of(&resp.responsible_post),
            deadline: resp.deadline,
            kind: resp.kind,
            rectification_id: rect.id,
            status: rect.status,
            progress: rect.progress,
            next_update_due: rect.next_update_due,
            completed_at: rect.completed_at,
            verification: rect.verification,
            late_update: !finished && rect.next_update_due.is_some_and(|due| due < today),
            opinion_count: opinion_counts.get(&p.id).copied().unwrap_or(0) as u64,
            labels: Labels {
                source: p.source.label(),
                kind: resp.kind.label(),
                status: rect.status.label(),
                verification: rect.verification.map(|v| v.label()),
            },
        });
    }
    Ok(rows)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Updated,
    Created,
    Deadline,
    Progress,
    Code,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "updated" => Self::Updated,
            "created" => Self::Created,
            "deadline" => Self::Deadline,
            "progress" => Self::Progress,
            "code" => Self::Code,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Updated => "updated",
            Self::Created => "created",
            Self::Deadline => "deadline",
            Self::Progress => "progress",
            Self::Code => "code",
        }
    }
}

/// Filters as people choose them. Unknown values are dropped, never an error.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Filter {
    pub region: Option<String>,
    pub unit: Option<String>,
    pub category: Option<String>,
    pub status: Option<RectificationStatus>,
    pub source: Option<ProblemSource>,
    pub overdue: bool,
    pub sort: Sort,
    pub page: u64,
    pub page_size: u64,
}

pub const DEFAULT_PAGE_SIZE: u64 = 20;
pub const MAX_PAGE_SIZE: u64 = 100;
/// The most items one export or one unit's ledger holds.
pub const EXPORT_MAX_ROWS: u64 = 10_000;

/// Raw query parameters, shared by pages, exports and the API.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct FilterParams {
    pub region: Option<String>,
    pub unit: Option<String>,
    pub category: Option<String>,
    pub status: Option<String>,
    pub source: Option<String>,
    pub overdue: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
    pub page_size: Option<String>,
}

impl Filter {
    pub fn from_params(p: &FilterParams) -> Self {
        let text = |v: &Option<String>| v.as_deref().and_then(|s| crate::domain::text::line(s, 64).ok());
        let number = |v: &Option<String>| v.as_deref().and_then(|s| s.trim().parse::<u64>().ok());
        Self {
            region: text(&p.region),
            unit: text(&p.unit),
            category: text(&p.category),
            status: p.status.as_deref().and_then(RectificationStatus::parse),
            source: p.source.as_deref().and_then(ProblemSource::parse),
            overdue: matches!(p.overdue.as_deref(), Some("1" | "true" | "on")),
            sort: p.sort.as_deref().and_then(Sort::parse).unwrap_or_default(),
            page: number(&p.page).unwrap_or(1).max(1),
            page_size: number(&p.page_size).unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE),
        }
    }

    /// The canonical query string (fixed order, empty values left out), so a filtered page
    /// has one stable URL. `page` is added by the caller.
    pub fn query(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        let pairs = [
            ("region", self.region.clone()),
            ("unit", self.unit.clone()),
            ("category", self.category.clone()),
            ("status", self.status.map(|s| s.as_str().to_string())),
            ("source", self.source.map(|s| s.as_str().to_string())),
            ("overdue", self.overdue.then(|| "1".to_string())),
            ("sort", (self.sort != Sort::Updated).then(|| self.sort.as_str().to_string())),
            ("page_size", (self.page_size != DEFAULT_PAGE_SIZE).then(|| self.page_size.to_string())),
        ];
        for (key, value) in pairs {
            if let Some(value) = value {
                q.append_pair(key, &value);
            }
        }
        q.finish()
    }
}

#[derive(Debug, Serialize)]
pub struct FacetValue {
    pub value: String,
    pub label: String,
    pub count: usize,
}

/// Counts per filter value, each among the rows that match all the *other* filters.
#[derive(Debug, Serialize)]
pub struct Facets {
    pub region: Vec<FacetValue>,
    pub unit: Vec<FacetValue>,
    pub category: Vec<FacetValue>,
    pub status: Vec<FacetValue>,
    pub source: Vec<FacetValue>,
    pub overdue: usize,
}

#[derive(Debug, Serialize)]
pub struct Listing {
    pub total: usize,
    pub page: u64,
    pub pages: u64,
    pub rows: Vec<ListRow>,
    pub facets: Facets,
}
