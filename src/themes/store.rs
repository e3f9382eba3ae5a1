//! Themes in the database: derived from the opinions, rebuilt from scratch, and promoted by the
//! office to the problem list.

use std::collections::HashMap;

use chrono::{Datelike, Duration, Utc};
use entity::vocab::{OpinionStatus, RatingLevel, RatingOrigin, RatingTarget, ThemeStatus};
use entity::{opinion, rating, theme, theme_member, unit};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr,
};
use serde::Serialize;

use super::cluster::{Message, Settings, mine};
use crate::journal;
use crate::service::{Actor, ServiceError};
use crate::unit_of_work::{Context, UnitOfWork};

pub struct Rebuilt {
    pub opinions: usize,
    pub themes: usize,
}

/// Re-mines every public opinion, on behalf of `actor`. Themes already promoted to problems are
/// kept as they are.
pub async fn rebuild(
    ctx: Context<'_>,
    actor: &Actor,
    jieba: &jieba_rs::Jieba,
    mut progress: impl FnMut(usize, usize),
) -> Result<Rebuilt, ServiceError> {
    let db = ctx.db;
    let opinions = opinion::Entity::find()
        .filter(opinion::Column::Status.is_not_in([OpinionStatus::Hidden, OpinionStatus::Withdrawn]))
        .order_by_asc(opinion::Column::Id)
        .all(db)
        .await?;
    let messages: Vec<Message> = opinions
        .iter()
        .map(|o| Message {
            id: o.id.to_string(),
            title: crate::privacy::scrub(&o.title),
            body: crate::privacy::scrub(&o.content),
            time: Some(o.submitted_at),
            user: o.citizen_key.clone(),
            likes: o.likes as i64,
            dislikes: o.dislikes as i64,
        })
        .collect();
    let mined = mine(jieba, &messages, &Settings::default(), &mut progress);
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let now = uow.now();
    let txn = uow.db();
    let kept: Vec<i32> =
        theme::Entity::find().filter(theme::Column::Status.eq(ThemeStatus::Promoted)).all(txn).await?.into_iter().map(|t| t.id).collect();
    theme_member::Entity::delete_many().filter(theme_member::Column::ThemeId.is_not_in(kept.clone())).exec(txn).await?;
    opinion::Entity::update_many()
        .col_expr(opinion::Column::ThemeId, Expr::value(Option::<i32>::None))
        .filter(opinion::Column::ThemeId.is_not_in(kept.clone()))
        .exec(txn)
        .await?;
    theme::Entity::delete_many().filter(theme::Column::Id.is_not_in(kept)).exec(txn).await?;
    for t in &mined.themes {
        let members: Vec<&opinion::Model> = t.members.iter().map(|&m| &opinions[m]).collect();
        let mut regions: HashMap<&str, usize> = HashMap::new();
        for o in &members {
            if let Some(r) = o.region.as_deref() {
                *regions.entry(r).or_default() += 1;
            }
        }
        let mut regions: Vec<(&str, usize)> = regions.into_iter().collect();
        regions.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let saved = theme::ActiveModel {
            label: Set(t.label.chars().take(200).collect()),
            keywords: Set(serde_json::to_string(&t.keywords).expect("keywords serialise")),
            representative_title: Set(t.representative.chars().take(200).collect()),
            heat: Set((t.heat * 100.0).round() / 100.0),
            size: Set(t.size as i32),
            distinct_citizens: Set(t.distinct_citizens as i32),
            regions: Set(serde_json::to_string(&regions).expect("regions serialise")),
            first_seen: Set(t.first.unwrap_or(now)),
            last_seen: Set(t.last.unwrap_or(now)),
            period: Set("all".into()),
            status: Set(ThemeStatus::Active),
            problem_id: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        let ids: Vec<i32> = members.iter().map(|o| o.id).collect();
        for chunk in ids.chunks(500) {
            theme_member::Entity::insert_many(chunk.iter().map(|id| theme_member::ActiveModel {
                theme_id: Set(saved.id),
                opinion_id: Set(*id),
                similarity: Set(1.0),
            }))
            .exec_without_returning(txn)
            .await?;
            opinion::Entity::update_many()
                .col_expr(opinion::Column::ThemeId, Expr::value(saved.id))
                .filter(opinion::Column::Id.is_in(chunk.to_vec()))
                .exec(txn)
                .await?;
        }
    }
    let summary = serde_json::json!({ "opinions": messages.len(), "themes": mined.themes.len() });
    uow.audit("themes.rebuild", "theme", "all", None, Some(summary));
    uow.commit().await?;
    Ok(Rebuilt { opinions: messages.len(), themes: mined.themes.len() })
}

async fn problem_code(db: &impl ConnectionTrait, problem_id: Option<i32>) -> Result<Option<String>, DbErr> {
    match problem_id {
        Some(id) => Ok(entity::problem::Entity::find_by_id(id).one(db).await?.map(|p| p.code)),
        None => Ok(None),
    }
}

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
    /// Members in the last 30 days against the 30 before.
    pub recent: usize,
    pub before: usize,
    pub rising: bool,
    pub last_seen: String,
}

/// Themes ranked by heat, optionally only those touching `region` and active in `period`.
/// Rising compares the period with the one before (without a period: the last 30 days with
/// the 30 before).
pub async fn ranked(
    db: &impl ConnectionTrait,
    region: Option<&str>,
    period: Option<&crate::score::period::Period>,
    now: chrono::DateTime<Utc>,
) -> Result<Vec<ThemeRow>, DbErr> {
    let themes = theme::Entity::find().order_by_desc(theme::Column::Heat).all(db).await?;
    let (window, before_window) = match period {
        Some(p) => (p.bounds(), p.previous().bounds()),
        None => ((now - Duration::days(30), now + Duration::days(1)), (now - Duration::days(60), now - Duration::days(30))),
    };
    let mut rows = Vec::new();
    for t in themes {
        let regions: Vec<(String, usize)> = serde_json::from_str(&t.regions).unwrap_or_default();
        if let Some(r) = region
            && !regions.iter().any(|(name, _)| name == r)
        {
            continue;
        }
        let times: Vec<chrono::DateTime<Utc>> =
            opinion::Entity::find().filter(opinion::Column::ThemeId.eq(t.id)).all(db).await?.into_iter().map(|o| o.submitted_at).collect();
        let within = |at: &chrono::DateTime<Utc>, (from, to): (chrono::DateTime<Utc>, chrono::DateTime<Utc>)| *at >= from && *at < to;
        let recent = times.iter().filter(|at| within(at, window)).count();
        let before = times.iter().filter(|at| within(at, before_window)).count();
        if period.is_some() && recent == 0 {
            continue;
        }
        let problem_code = problem_code(db, t.problem_id).await?;
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
            problem_code,
            rising: recent > before && recent >= 3,
            recent,
            before,
            last_seen: crate::domain::time::minute(t.last_seen),
        });
    }
    Ok(rows)
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
    let members =
        opinion::Entity::find().filter(opinion::Column::ThemeId.eq(id)).order_by_desc(opinion::Column::SubmittedAt).all(db).await?;
    let mut trend: Vec<(String, usize)> = (0..12)
        .rev()
        .map(|back| {
            let month = today.with_day(1).expect("day 1 exists") - chrono::Months::new(back);
            (month.format("%Y-%m").to_string(), 0)
        })
        .collect();
    let mut regions: HashMap<String, usize> = HashMap::new();
    let mut unit_counts: HashMap<i32, usize> = HashMap::new();
    for o in &members {
        let month = crate::domain::time::today(o.submitted_at).format("%Y-%m").to_string();
        if let Some(slot) = trend.iter_mut().find(|(m, _)| *m == month) {
            slot.1 += 1;
        }
        *regions.entry(o.region.clone().unwrap_or_else(|| "未填写".into())).or_default() += 1;
        if let Some(u) = o.routed_unit_id {
            *unit_counts.entry(u).or_default() += 1;
        }
    }
    let names: HashMap<i32, String> = unit::Entity::find().all(db).await?.into_iter().map(|u| (u.id, u.name)).collect();
    let mut units: Vec<(String, usize)> = unit_counts.into_iter().map(|(id, n)| (names.get(&id).cloned().unwrap_or_default(), n)).collect();
    units.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut regions: Vec<(String, usize)> = regions.into_iter().collect();
    regions.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let levels: Vec<RatingLevel> = rating::Entity::find()
        .filter(rating::Column::OpinionId.is_in(members.iter().map(|o| o.id)))
        .filter(rating::Column::Target.eq(RatingTarget::Opinion))
        .filter(rating::Column::Origin.eq(RatingOrigin::Citizen))
        .filter(rating::Column::IsFollowup.eq(false))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.level)
        .collect();
    let satisfied = levels.iter().filter(|l| **l >= RatingLevel::Basic).count();
    let problem_code = problem_code(db, t.problem_id).await?;
    Ok(Some(ThemeDetail {
        id: t.id,
        label: t.label,
        representative: t.representative_title,
        keywords: serde_json::from_str(&t.keywords).unwrap_or_default(),
        heat: t.heat,
        size: t.size,
        citizens: t.distinct_citizens,
        status: t.status.as_str(),
        problem_code,
        trend: {
            let max = trend.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
            trend
                .into_iter()
                .map(|(month, count)| {
                    let height = count * 100 / max;
                    TrendPoint { label: format!("{}月", month[5..].trim_start_matches('0')), month, count, height, top: 110 - height }
                })
                .collect()
        },
        regions,
        units,
        ratings: levels.len(),
        satisfied_pct: (!levels.is_empty()).then(|| (satisfied * 100 / levels.len()) as u32),
        members: members
            .iter()
            .take(200)
            .map(|o| serde_json::json!({ "id": o.id, "title": o.title, "status": o.status.label(), "region": o.region, "at": crate::domain::time::minute(o.submitted_at) }))
            .collect(),
    }))
}

/// After a problem is made from a theme (inside the same unit of work): links every member
/// opinion (telling its citizen) and marks the theme promoted.
pub async fn promote(uow: &mut UnitOfWork, theme_id: i32, problem: &entity::problem::Model) -> Result<usize, ServiceError> {
    uow.actor().require(&[entity::vocab::Role::Office])?;
    let t = theme::Entity::find_by_id(theme_id).one(uow.db()).await?.ok_or(ServiceError::NotFound)?;
    if t.status == ThemeStatus::Promoted {
        return Err(ServiceError::Conflict("该主题已列入问题清单".into()));
    }
    let members = opinion::Entity::find().filter(opinion::Column::ThemeId.eq(theme_id)).all(uow.db()).await?;
    for o in &members {
        crate::opinions::handling::link_problem(uow, o.id, &problem.code).await?;
    }
    let mut model = sea_orm::IntoActiveModel::into_active_model(t.clone());
    model.status = Set(ThemeStatus::Promoted);
    model.problem_id = Set(Some(problem.id));
    model.updated_at = Set(uow.now());
    let after = model.update(uow.db()).await?;
    uow.audit("theme.promote", "theme", theme_id, journal::snapshot(&t), journal::snapshot(&after));
    Ok(members.len())
}

/// A new opinion joins the theme most of its nearest neighbours belong to (at least three of
/// the five most similar opinions), without waiting for the next rebuild.
pub async fn join_nearest(ctx: Context<'_>, opinion_id: i32, neighbours: &[i32]) -> Result<Option<i32>, ServiceError> {
    let mut uow = UnitOfWork::begin(ctx, &Actor::system("themes")).await?;
    let themes: Vec<Option<i32>> = opinion::Entity::find()
        .filter(opinion::Column::Id.is_in(neighbours.iter().copied().take(5)))
        .all(uow.db())
        .await?
        .into_iter()
        .map(|o| o.theme_id)
        .collect();
    let mut counts: HashMap<i32, usize> = HashMap::new();
    for t in themes.into_iter().flatten() {
        *counts.entry(t).or_default() += 1;
    }
    let Some((theme_id, _)) = counts.into_iter().filter(|(_, n)| *n >= 3).max_by_key(|(t, n)| (*n, std::cmp::Reverse(*t))) else {
        return Ok(None);
    };
    let Some(t) = theme::Entity::find_by_id(theme_id).one(uow.db()).await? else { return Ok(None) };
    let Some(o) = opinion::Entity::find_by_id(opinion_id).one(uow.db()).await? else { return Ok(None) };
    if o.theme_id.is_some() {
        return Ok(o.theme_id);
    }
    theme_member::ActiveModel { theme_id: Set(theme_id), opinion_id: Set(opinion_id), similarity: Set(1.0) }.insert(uow.db()).await?;
    let mut model = sea_orm::IntoActiveModel::into_active_model(o.clone());
    model.theme_id = Set(Some(theme_id));
    crate::opinions::save(&mut uow, &o, model).await?;
    let mut theme_model = sea_orm::IntoActiveModel::into_active_model(t.clone());
    theme_model.size = Set(t.size + 1);
    theme_model.last_seen = Set(o.submitted_at.max(t.last_seen));
    theme_model.updated_at = Set(uow.now());
    theme_model.update(uow.db()).await?;
    uow.audit("theme.join", "theme", theme_id, None, Some(serde_json::json!({ "opinion": opinion_id })));
    uow.commit().await?;
    Ok(Some(theme_id))
}

/// A draft problem from a theme: its representative title, what it is, its commonest category
/// and region.
pub async fn problem_draft(
    db: &impl ConnectionTrait,
    theme_id: i32,
    today: chrono::NaiveDate,
) -> Result<Option<crate::lists::workflow::ProblemDraft>, DbErr> {
    let Some(t) = detail(db, theme_id, today).await? else { return Ok(None) };
    let mut categories: HashMap<String, usize> = HashMap::new();
    for m in opinion::Entity::find().filter(opinion::Column::ThemeId.eq(theme_id)).all(db).await? {
        if let Some(c) = m.category {
            *categories.entry(c).or_default() += 1;
        }
    }
    Ok(Some(crate::lists::workflow::ProblemDraft {
        title: t.representative,
        description: format!("热点主题：{}。{} 条群众意见、{} 位群众反映。", t.label, t.size, t.citizens),
        category: categories.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|c| c.0),
        region: t.regions.first().map(|r| r.0.clone()),
    }))
}
