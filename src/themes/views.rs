//! The ranking of themes the office reads: the live ones, counted in SQL over the indexed member
//! rows (`opinions(theme_id, submitted_at)`), or one period's, as mined.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::{opinion, problem, theme};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use super::lifecycle::Lifecycle;
use super::mining::{ALL, RegionShare};
use crate::score::period::Period;

/// The ranking shows the hottest themes; the long tail is reached by search.
pub const RANKED_MAX: u64 = 200;

#[derive(Debug, Serialize)]
pub struct ThemeRow {
    pub id: i32,
    pub rank: usize,
    pub label: String,
    pub representative: String,
    pub keywords: Vec<String>,
    pub heat: f64,
    pub size: i32,
    pub citizens: i32,
    pub regions: Vec<(String, usize)>,
    pub status: &'static str,
    pub status_label: &'static str,
    pub problem_code: Option<String>,
    /// Members in the last 30 days against the 30 before (or the period against the one before).
    pub recent: usize,
    pub before: usize,
    pub lifecycle: Lifecycle,
    pub lifecycle_label: &'static str,
    pub last_seen: String,
}

/// The hottest themes (at most `RANKED_MAX`): the live ones, or those mined for `period`;
/// optionally only those touching `region`. The lifecycle compares the period with the one
/// before (for the live themes: the last 30 days with the 30 before).
pub async fn ranked(
    db: &impl ConnectionTrait,
    region: Option<&str>,
    period: Option<&Period>,
    now: DateTime<Utc>,
) -> Result<Vec<ThemeRow>, DbErr> {
    let name = period.map_or_else(|| ALL.to_string(), Period::name);
    let themes = theme::Entity::find()
        .filter(theme::Column::Period.eq(name))
        .order_by_desc(theme::Column::Heat)
        .order_by_asc(theme::Column::Id)
        .limit(RANKED_MAX)
        .all(db)
        .await?;
    // A period's themes carry their counts from mining; the live ones are counted now.
    let (window_start, counts) = match period {
        Some(p) => (p.bounds().0, themes.iter().map(|t| (t.id, (t.size.max(0) as usize, t.previous_size.max(0) as usize))).collect()),
        None => {
            let ids: Vec<i32> = themes.iter().map(|t| t.id).collect();
            let recent = members_between(db, &ids, (now - Duration::days(30), now + Duration::days(1))).await?;
            let before = members_between(db, &ids, (now - Duration::days(60), now - Duration::days(30))).await?;
            let pair = |id| (recent.get(&id).copied().unwrap_or(0), before.get(&id).copied().unwrap_or(0));
            (now - Duration::days(30), ids.iter().map(|&id| (id, pair(id))).collect::<HashMap<i32, (usize, usize)>>())
        }
    };
    let codes = problem_codes(db, themes.iter().filter_map(|t| t.problem_id)).await?;
    let mut rows = Vec::new();
    for t in themes {
        let regions: Vec<(String, usize)> = region_shares(&t.regions).into_iter().map(|r| (r.name, r.count)).collect();
        if let Some(r) = region
            && !regions.iter().any(|(name, _)| name == r)
        {
            continue;
        }
        let (recent, before) = counts.get(&t.id).copied().unwrap_or((0, 0));
        let lifecycle = Lifecycle::of(recent, before, t.first_seen >= window_start);
        rows.push(ThemeRow {
            id: t.id,
            rank: rows.len() + 1,
            label: t.label,
            representative: t.representative_title,
            keywords: serde_json::from_str(&t.keywords).unwrap_or_default(),
            heat: t.heat,
            size: t.size,
            citizens: t.distinct_citizens,
            regions,
            status: t.status.as_str(),
            status_label: t.status.label(),
            problem_code: t.problem_id.and_then(|id| codes.get(&id).cloned()),
            lifecycle,
            lifecycle_label: lifecycle.label(),
            recent,
            before,
            last_seen: crate::domain::time::minute(t.last_seen),
        });
    }
    Ok(rows)
}

/// A theme's regions as mined (see [`RegionShare`]).
pub fn region_shares(json: &str) -> Vec<RegionShare> {
    serde_json::from_str(json).unwrap_or_default()
}

/// Members per theme submitted in `[from, to)`, for themes `ids`.
async fn members_between(
    db: &impl ConnectionTrait,
    ids: &[i32],
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<HashMap<i32, usize>, DbErr> {
    Ok(opinion::Entity::find()
        .select_only()
        .column(opinion::Column::ThemeId)
        .column_as(opinion::Column::Id.count(), "n")
        .filter(opinion::Column::ThemeId.is_in(ids.to_vec()))
        .filter(opinion::Column::SubmittedAt.gte(from))
        .filter(opinion::Column::SubmittedAt.lt(to))
        .group_by(opinion::Column::ThemeId)
        .into_tuple::<(i32, i64)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, n)| (id, n as usize))
        .collect())
}

pub(super) async fn problem_codes(db: &impl ConnectionTrait, ids: impl IntoIterator<Item = i32>) -> Result<HashMap<i32, String>, DbErr> {
    Ok(problem::Entity::find()
        .select_only()
        .columns([problem::Column::Id, problem::Column::Code])
        .filter(problem::Column::Id.is_in(ids))
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}
