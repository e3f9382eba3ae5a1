//! One theme as the office reads it, on its page and in its report: every figure is a count in
//! SQL over its indexed member rows (`opinions(theme_id, submitted_at)` for a live theme, the
//! `theme_members` key for a period's), so a theme of fifty thousand costs what one of fifty does.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::vocab::{OpinionStatus, RatingLevel, RatingOrigin, RatingTarget};
use entity::{opinion, rating, rectification, theme, theme_member, unit};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select};
use serde::Serialize;

use super::heat::Heat;
use super::lifecycle::Lifecycle;
use super::mining::ALL;
use crate::score::period::Period;

/// Member opinions listed on a theme's page, newest first.
const MEMBERS_SHOWN: u64 = 200;
/// Messages closest to a theme's centre, shown as what it is about.
pub const REPRESENTATIVES: u64 = 10;

/// A listed member: id, title, status, region, submitted at.
type MemberRow = (i32, String, OpinionStatus, Option<String>, DateTime<Utc>);
/// A representative message: id, title, content, region, submitted at.
type MessageRow = (i32, String, String, Option<String>, DateTime<Utc>);

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

/// A region's members, with (as mined) their share of all the region's opinions and the lift
/// against the theme's share of the whole city's.
#[derive(Debug, Serialize)]
pub struct RegionRow {
    pub name: String,
    pub count: usize,
    pub of_region_pct: Option<f64>,
    pub lift: Option<f64>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Satisfaction {
    pub ratings: usize,
    pub satisfied_pct: Option<u32>,
}

/// Citizens' ratings of the members before and after the linked problem's first rectification
/// was reported done.
#[derive(Debug, Serialize)]
pub struct BeforeAfter {
    pub done_at: String,
    pub before: Satisfaction,
    pub after: Satisfaction,
}

#[derive(Debug, Serialize)]
pub struct Representative {
    pub title: String,
    pub excerpt: String,
    pub region: Option<String>,
    pub at: String,
}

#[derive(Debug, Serialize)]
pub struct ThemeDetail {
    pub id: i32,
    pub label: String,
    pub representative: String,
    pub keywords: Vec<String>,
    /// `全部时间`, or the period it was mined for.
    pub period: String,
    pub period_name: Option<String>,
    /// For a period's theme: its messages in the period before, and its stage.
    pub previous_size: i32,
    pub lifecycle_label: Option<&'static str>,
    pub heat: f64,
    /// The heat as of today (a past period's: as of its end), in its parts (see [`Heat`]).
    pub heat_today: Heat,
    pub heat_parts: [f64; 4],
    pub size: i32,
    pub citizens: i32,
    pub status: &'static str,
    pub problem_code: Option<String>,
    /// Members per month over the twelve months up to today's (or the period's last), with bar
    /// heights for the chart.
    pub trend: Vec<TrendPoint>,
    pub regions: Vec<RegionRow>,
    pub units: Vec<(String, usize)>,
    pub satisfaction: Satisfaction,
    pub rectified: Option<BeforeAfter>,
    pub members: Vec<serde_json::Value>,
}

/// A theme's member opinions.
pub(super) fn members_of(t: &theme::Model) -> Select<opinion::Entity> {
    if t.period == ALL {
        return opinion::Entity::find().filter(opinion::Column::ThemeId.eq(t.id));
    }
    let ids = theme_member::Entity::find()
        .select_only()
        .column(theme_member::Column::OpinionId)
        .filter(theme_member::Column::ThemeId.eq(t.id))
        .into_query();
    opinion::Entity::find().filter(opinion::Column::Id.in_subquery(ids))
}

pub async fn detail(db: &impl ConnectionTrait, id: i32, today: NaiveDate) -> Result<Option<ThemeDetail>, DbErr> {
    let Some(t) = theme::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
    let period = (t.period != ALL).then(|| Period::parse_span(&t.period)).flatten();
    let (last_day, read_on) = match &period {
        Some(p) if p.end <= today => (p.end.pred_opt().unwrap_or(p.end), p.bounds().1),
        _ => (today, today.and_time(chrono::NaiveTime::MIN).and_utc()),
    };
    let trend = monthly(db, members_of(&t), last_day).await?;
    let (units, satisfaction, rectified) =
        (units_of(db, members_of(&t)).await?, satisfaction(db, members_of(&t), (None, None)).await?, before_after(db, &t).await?);
    let regions = regions_of(db, &t).await?;
    // The listed columns only: a member's text is read on its own page.
    let members: Vec<MemberRow> = members_of(&t)
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
    let problem_code = super::views::problem_codes(db, t.problem_id).await?.into_values().next();
    let heat_today =
        Heat::of(t.size.max(0) as usize, t.distinct_citizens.max(0) as usize, t.support, Some((t.first_seen, t.last_seen)), Some(read_on));
    let lifecycle = period.map(|p| Lifecycle::of(t.size.max(0) as usize, t.previous_size.max(0) as usize, t.first_seen >= p.bounds().0));
    Ok(Some(ThemeDetail {
        heat_today,
        heat_parts: heat_today.parts().map(|p| (p * 10.0).round() / 10.0),
        id: t.id,
        label: t.label,
        representative: t.representative_title,
        keywords: serde_json::from_str(&t.keywords).unwrap_or_default(),
        period: period.map_or_else(|| "全部时间".to_string(), |p| p.name()),
        period_name: period.map(|p| p.name()),
        previous_size: t.previous_size,
        lifecycle_label: lifecycle.map(Lifecycle::label),
        heat: t.heat,
        size: t.size,
        citizens: t.distinct_citizens,
        status: t.status.as_str(),
        problem_code,
        trend: bars(trend),
        regions,
        units,
        satisfaction,
        rectified,
        members: members
            .into_iter()
            .map(|(id, title, status, region, at)| serde_json::json!({ "id": id, "title": title, "status": status.label(), "region": region, "at": crate::domain::time::minute(at) }))
            .collect(),
    }))
}

/// The members closest to the theme's centre, one per title (the same words posted again say
/// nothing new), scrubbed of personal details: what it is about.
pub async fn representatives(db: &impl ConnectionTrait, id: i32) -> Result<Vec<Representative>, DbErr> {
    let closest: Vec<i32> = theme_member::Entity::find()
        .select_only()
        .column(theme_member::Column::OpinionId)
        .filter(theme_member::Column::ThemeId.eq(id))
        .order_by_desc(theme_member::Column::Similarity)
        .order_by_asc(theme_member::Column::OpinionId)
        .limit(REPRESENTATIVES * 20)
        .into_tuple()
        .all(db)
        .await?;
    let mut rows: Vec<MessageRow> = opinion::Entity::find()
        .select_only()
        .columns([
            opinion::Column::Id,
            opinion::Column::Title,
            opinion::Column::Content,
            opinion::Column::Region,
            opinion::Column::SubmittedAt,
        ])
        .filter(opinion::Column::Id.is_in(closest.clone()))
        .filter(opinion::Column::Status.is_not_in([OpinionStatus::Hidden, OpinionStatus::Withdrawn]))
        .into_tuple()
        .all(db)
        .await?;
    let rank: HashMap<i32, usize> = closest.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|r| rank.get(&r.0).copied());
    let mut titles = std::collections::HashSet::new();
    rows.retain(|r| titles.insert(r.1.trim_end_matches(|c: char| !c.is_alphanumeric()).to_string()));
    Ok(rows
        .into_iter()
        .take(REPRESENTATIVES as usize)
        .map(|(_, title, content, region, at)| {
            let content = crate::privacy::scrub(&content);
            let mut excerpt: String = content.chars().take(120).collect();
            if content.chars().count() > 120 {
                excerpt.push('…');
            }
            Representative { title: crate::privacy::scrub(&title), excerpt, region, at: crate::domain::time::minute(at) }
        })
        .collect())
}

/// The theme's members per region now, beside each region's share and lift as mined.
async fn regions_of(db: &impl ConnectionTrait, t: &theme::Model) -> Result<Vec<RegionRow>, DbErr> {
    let mined: HashMap<String, super::mining::RegionShare> =
        super::views::region_shares(&t.regions).into_iter().map(|r| (r.name.clone(), r)).collect();
    let counts: Vec<(Option<String>, i64)> = members_of(t)
        .select_only()
        .column(opinion::Column::Region)
        .column_as(opinion::Column::Id.count(), "n")
        .group_by(opinion::Column::Region)
        .into_tuple()
        .all(db)
        .await?;
    let mut regions: Vec<RegionRow> = counts
        .into_iter()
        .map(|(r, n)| {
            let share = r.as_ref().and_then(|r| mined.get(r));
            RegionRow {
                name: r.clone().unwrap_or_else(|| "未填写".into()),
                count: n as usize,
                of_region_pct: share.map(|s| (s.of_region * 1000.0).round() / 10.0),
                // Below one the second decimal tells 0.04 (one stray message) from 0.4.
                lift: share.map(|s| if s.lift >= 1.0 { (s.lift * 10.0).round() / 10.0 } else { (s.lift * 100.0).round() / 100.0 }),
            }
        })
        .collect();
    regions.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
    Ok(regions)
}

async fn units_of(db: &impl ConnectionTrait, members: Select<opinion::Entity>) -> Result<Vec<(String, usize)>, DbErr> {
    let counts: Vec<(i32, i64)> = members
        .select_only()
        .column(opinion::Column::RoutedUnitId)
        .column_as(opinion::Column::Id.count(), "n")
        .filter(opinion::Column::RoutedUnitId.is_not_null())
        .group_by(opinion::Column::RoutedUnitId)
        .into_tuple()
        .all(db)
        .await?;
    let names: HashMap<i32, String> = unit::Entity::find()
        .filter(unit::Column::Id.is_in(counts.iter().map(|(u, _)| *u)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut units: Vec<(String, usize)> =
        counts.into_iter().map(|(id, n)| (names.get(&id).cloned().unwrap_or_default(), n as usize)).collect();
    units.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(units)
}

/// Citizens' ratings of the members' handling given within `[from, to)` (either end open).
/// Without bounds, first ratings only (as the score counts them); with bounds, 追评 too, as a
/// later rating is how a citizen says the work changed something.
async fn satisfaction(
    db: &impl ConnectionTrait,
    members: Select<opinion::Entity>,
    (from, to): (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
) -> Result<Satisfaction, DbErr> {
    let mut find = rating::Entity::find()
        .select_only()
        .column(rating::Column::Level)
        .column_as(rating::Column::Id.count(), "n")
        .filter(rating::Column::OpinionId.in_subquery(members.select_only().column(opinion::Column::Id).into_query()))
        .filter(rating::Column::Target.eq(RatingTarget::Opinion))
        .filter(rating::Column::Origin.eq(RatingOrigin::Citizen));
    if from.is_none() && to.is_none() {
        find = find.filter(rating::Column::IsFollowup.eq(false));
    }
    if let Some(from) = from {
        find = find.filter(rating::Column::CreatedAt.gte(from));
    }
    if let Some(to) = to {
        find = find.filter(rating::Column::CreatedAt.lt(to));
    }
    let levels: Vec<(RatingLevel, i64)> = find.group_by(rating::Column::Level).into_tuple().all(db).await?;
    let rated: i64 = levels.iter().map(|(_, n)| n).sum();
    let satisfied: i64 = levels.iter().filter(|(l, _)| *l >= RatingLevel::Basic).map(|(_, n)| n).sum();
    Ok(Satisfaction { ratings: rated as usize, satisfied_pct: (rated > 0).then(|| (satisfied * 100 / rated) as u32) })
}

async fn before_after(db: &impl ConnectionTrait, t: &theme::Model) -> Result<Option<BeforeAfter>, DbErr> {
    let Some(problem) = t.problem_id else { return Ok(None) };
    let done: Option<DateTime<Utc>> = rectification::Entity::find()
        .select_only()
        .column(rectification::Column::CompletedAt)
        .filter(rectification::Column::ProblemId.eq(problem))
        .filter(rectification::Column::CompletedAt.is_not_null())
        .order_by_asc(rectification::Column::CompletedAt)
        .limit(1)
        .into_tuple::<Option<DateTime<Utc>>>()
        .one(db)
        .await?
        .flatten();
    let Some(done) = done else { return Ok(None) };
    Ok(Some(BeforeAfter {
        done_at: crate::domain::time::minute(done),
        before: satisfaction(db, members_of(t), (None, Some(done))).await?,
        after: satisfaction(db, members_of(t), (Some(done), None)).await?,
    }))
}

/// A theme's members per month over the twelve months ending with `last_day`'s, oldest first:
/// one pass over its members, a sum per month.
async fn monthly(db: &impl ConnectionTrait, members: Select<opinion::Entity>, last_day: NaiveDate) -> Result<Vec<(String, usize)>, DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait, Func};
    let months: Vec<NaiveDate> =
        (0..12).rev().map(|back| last_day.with_day(1).expect("day 1 exists") - chrono::Months::new(back)).collect();
    let bounds: Vec<_> = months.iter().map(|m| Period::parse(&m.format("%Y-%m").to_string()).expect("a month parses").bounds()).collect();
    let (Some((from, _)), Some((_, to))) = (bounds.first(), bounds.last()) else { return Ok(Vec::new()) };
    let mut select = members.select_only().filter(opinion::Column::SubmittedAt.gte(*from)).filter(opinion::Column::SubmittedAt.lt(*to));
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
