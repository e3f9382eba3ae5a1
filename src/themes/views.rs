//! Themes as the office reads them: the ranking and one theme's page. Every figure is a count in
//! SQL over the indexed member rows (`opinions(theme_id, submitted_at)`), so a theme of fifty
//! thousand opinions costs what a theme of fifty does.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, Utc};
use entity::vocab::{OpinionStatus, RatingLevel, RatingOrigin, RatingTarget};
use entity::{opinion, problem, rating, theme, unit};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use serde::Serialize;

use super::heat::Heat;
use super::lifecycle::Lifecycle;
use crate::score::period::Period;

/// The ranking shows the hottest themes; the long tail is reached by search.
pub const RANKED_MAX: u64 = 200;
/// Member opinions listed on a theme's page, newest first.
const MEMBERS_SHOWN: u64 = 200;

/// A listed member: id, title, status, region, submitted at.
type MemberRow = (i32, String, OpinionStatus, Option<String>, DateTime<Utc>);

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

/// The hottest themes (at most `RANKED_MAX`), optionally only those touching `region` and active
/// in `period`. The lifecycle compares the period with the one before (without a period: the
/// last 30 days with the 30 before).
pub async fn ranked(
    db: &impl ConnectionTrait,
    region: Option<&str>,
    period: Option<&Period>,
    now: DateTime<Utc>,
) -> Result<Vec<ThemeRow>, DbErr> {
    let themes = theme::Entity::find().order_by_desc(theme::Column::Heat).order_by_asc(theme::Column::Id).limit(RANKED_MAX).all(db).await?;
    let (window, before_window) = match period {
        Some(p) => (p.bounds(), p.previous().bounds()),
        None => ((now - Duration::days(30), now + Duration::days(1)), (now - Duration::days(60), now - Duration::days(30))),
    };
    let ids: Vec<i32> = themes.iter().map(|t| t.id).collect();
    let recent = members_between(db, &ids, window).await?;
    let before = members_between(db, &ids, before_window).await?;
    let codes = problem_codes(db, themes.iter().filter_map(|t| t.problem_id)).await?;
    let mut rows = Vec::new();
    for t in themes {
        let regions: Vec<(String, usize)> = serde_json::from_str(&t.regions).unwrap_or_default();
        if let Some(r) = region
            && !regions.iter().any(|(name, _)| name == r)
        {
            continue;
        }
        let (recent, before) = (recent.get(&t.id).copied().unwrap_or(0), before.get(&t.id).copied().unwrap_or(0));
        if period.is_some() && recent == 0 {
            continue;
        }
        let lifecycle = Lifecycle::of(recent, before, t.first_seen >= window.0);
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

/// A theme's members per month over the twelve months ending with `today`'s, oldest first:
/// one pass over its `(theme_id, submitted_at)` index, a sum per month.
async fn monthly(db: &impl ConnectionTrait, id: i32, today: chrono::NaiveDate) -> Result<Vec<(String, usize)>, DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait, Func};
    let months: Vec<chrono::NaiveDate> =
        (0..12).rev().map(|back| today.with_day(1).expect("day 1 exists") - chrono::Months::new(back)).collect();
    let bounds: Vec<_> = months.iter().map(|m| Period::parse(&m.format("%Y-%m").to_string()).expect("a month parses").bounds()).collect();
    let (Some((from, _)), Some((_, to))) = (bounds.first(), bounds.last()) else { return Ok(Vec::new()) };
    let mut select = opinion::Entity::find()
        .select_only()
        .filter(opinion::Column::ThemeId.eq(id))
        .filter(opinion::Column::SubmittedAt.gte(*from))
        .filter(opinion::Column::SubmittedAt.lt(*to));
    for (i, (from, to)) in bounds.iter().enumerate() {
        let within = Expr::col(opinion::Column::SubmittedAt).gte(*from).and(Expr::col(opinion::Column::SubmittedAt).lt(*to));
        select = select.expr_as(Func::sum(Expr::case(within, 1).finally(0)), format!("m{i}"));
    }
    let row = db.query_one_raw(db.get_database_backend().build(&select.into_query())).await?;
    let mut out = Vec::with_capacity(months.len());
    for (i, month) in months.iter().enumerate() {
        let n = match &row {
            Some(row) => row.try_get::<Option<i64>>("", &format!("m{i}"))?.unwrap_or(0),
            None => 0,
        };
        out.push((month.format("%Y-%m").to_string(), n as usize));
    }
    Ok(out)
}

async fn problem_codes(db: &impl ConnectionTrait, ids: impl IntoIterator<Item = i32>) -> Result<HashMap<i32, String>, DbErr> {
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

#[derive(Debug, Serialize)]
pub struct TrendPoint {
    pub month: String,
    pub label: String,
    pub count: usize,
    /// 0–100, relative to the busiest month.
    pub height: usize,
    /// Where the bar's top sits in a 110-high chart.
    pub top: usize,
}

#[derive(Debug, Serialize)]
pub struct ThemeDetail {
    pub id: i32,
    pub label: String,
    pub representative: String,
    pub keywords: Vec<String>,
    pub heat: f64,
    /// The heat as of today, in its parts (see [`Heat`]).
    pub heat_today: Heat,
    pub heat_parts: [f64; 4],
    pub size: i32,
    pub citizens: i32,
    pub status: &'static str,
    pub problem_code: Option<String>,
    /// Members per month over the last twelve months, with bar heights for the chart.
    pub trend: Vec<TrendPoint>,
    pub regions: Vec<(String, usize)>,
    pub units: Vec<(String, usize)>,
    pub ratings: usize,
    pub satisfied_pct: Option<u32>,
    pub members: Vec<serde_json::Value>,
}

pub async fn detail(db: &impl ConnectionTrait, id: i32, today: chrono::NaiveDate) -> Result<Option<ThemeDetail>, DbErr> {
    let Some(t) = theme::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
    let of_theme = || opinion::Entity::find().filter(opinion::Column::ThemeId.eq(id));
    let trend = monthly(db, id, today).await?;
    let regions: Vec<(Option<String>, i64)> = of_theme()
        .select_only()
        .column(opinion::Column::Region)
        .column_as(opinion::Column::Id.count(), "n")
        .group_by(opinion::Column::Region)
        .into_tuple()
        .all(db)
        .await?;
    let mut regions: Vec<(String, usize)> = regions.into_iter().map(|(r, n)| (r.unwrap_or_else(|| "未填写".into()), n as usize)).collect();
    regions.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let unit_counts: Vec<(i32, i64)> = of_theme()
        .select_only()
        .column(opinion::Column::RoutedUnitId)
        .column_as(opinion::Column::Id.count(), "n")
        .filter(opinion::Column::RoutedUnitId.is_not_null())
        .group_by(opinion::Column::RoutedUnitId)
        .into_tuple()
        .all(db)
        .await?;
    let names: HashMap<i32, String> = unit::Entity::find()
        .filter(unit::Column::Id.is_in(unit_counts.iter().map(|(u, _)| *u)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut units: Vec<(String, usize)> =
        unit_counts.into_iter().map(|(id, n)| (names.get(&id).cloned().unwrap_or_default(), n as usize)).collect();
    units.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let levels: Vec<(RatingLevel, i64)> = rating::Entity::find()
        .select_only()
        .column(rating::Column::Level)
        .column_as(rating::Column::Id.count(), "n")
        .filter(rating::Column::OpinionId.in_subquery(of_theme().select_only().column(opinion::Column::Id).into_query()))
        .filter(rating::Column::Target.eq(RatingTarget::Opinion))
        .filter(rating::Column::Origin.eq(RatingOrigin::Citizen))
        .filter(rating::Column::IsFollowup.eq(false))
        .group_by(rating::Column::Level)
        .into_tuple()
        .all(db)
        .await?;
    let rated: i64 = levels.iter().map(|(_, n)| n).sum();
    let satisfied: i64 = levels.iter().filter(|(l, _)| *l >= RatingLevel::Basic).map(|(_, n)| n).sum();
    // The listed columns only: a member's text is read on its own page.
    let members: Vec<MemberRow> = of_theme()
        .select_only()
        .columns([
            opinion::Column::Id,
            opinion::Column::Title,
            opinion::Column::Status,
            opinion::Column::Region,
            opinion::Column::SubmittedAt,
        ])
        .order_by_desc(opinion::Column::SubmittedAt)
        .order_by_desc(opinion::Column::Id)
        .limit(MEMBERS_SHOWN)
        .into_tuple()
        .all(db)
        .await?;
    let problem_code = problem_codes(db, t.problem_id).await?.into_values().next();
    let heat_today = Heat::of(
        t.size.max(0) as usize,
        t.distinct_citizens.max(0) as usize,
        t.support,
        Some((t.first_seen, t.last_seen)),
        Some(today.and_time(chrono::NaiveTime::MIN).and_utc()),
    );
    Ok(Some(ThemeDetail {
        heat_today,
        heat_parts: heat_today.parts().map(|p| (p * 10.0).round() / 10.0),
        id: t.id,
        label: t.label,
        representative: t.representative_title,
        keywords: serde_json::from_str(&t.keywords).unwrap_or_default(),
        heat: t.heat,
        size: t.size,
        citizens: t.distinct_citizens,
        status: t.status.as_str(),
        problem_code,
        trend: bars(trend),
        regions,
        units,
        ratings: rated as usize,
        satisfied_pct: (rated > 0).then(|| (satisfied * 100 / rated) as u32),
        members: members
            .into_iter()
            .map(|(id, title, status, region, at)| serde_json::json!({ "id": id, "title": title, "status": status.label(), "region": region, "at": crate::domain::time::minute(at) }))
            .collect(),
    }))
}

fn bars(trend: Vec<(String, usize)>) -> Vec<TrendPoint> {
    let max = trend.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    trend
        .into_iter()
        .map(|(month, count)| {
            let height = count * 100 / max;
            TrendPoint { label: format!("{}月", month[5..].trim_start_matches('0')), month, count, height, top: 110 - height }
        })
        .collect()
}
