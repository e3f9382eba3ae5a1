//! Mining themes into the database: over every opinion (the live themes, which opinions point to
//! and new opinions join), or over one period, read beside the period before it. Both store
//! through one replacement that keeps a theme's id while its members mostly stay.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use entity::vocab::{OpinionStatus, ThemeStatus};
use entity::{opinion, theme, theme_member};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};
use serde::{Deserialize, Serialize};

use super::cluster::{self, Message, Settings};
use super::heat::Heat;
use super::lineage::{self, Before};
use crate::score::period::Period;
use crate::service::{Actor, ServiceError};
use crate::unit_of_work::{Context, UnitOfWork};

/// The period of the live themes, mined over all time.
pub const ALL: &str = "all";

pub struct Rebuilt {
    pub opinions: usize,
    pub themes: usize,
}

/// A region's part in a theme, as mined: its members there, their share of all the region's
/// opinions mined, and the lift: that share against the theme's share of all opinions mined
/// (1 = as common there as anywhere).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegionShare {
    pub name: String,
    pub count: usize,
    pub of_region: f64,
    pub lift: f64,
}

/// A mined theme ready to store: its members in the window read (in the window before, if it
/// went quiet), with their closeness to the theme's centre; how many it had in the window and
/// in the window before.
struct Draft {
    theme: cluster::Theme,
    heat: Heat,
    members: Vec<(i32, f32)>,
    size: usize,
    previous: usize,
    regions: Vec<RegionShare>,
    span: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
}

/// Re-mines every public opinion, on behalf of `actor`: the live themes.
pub async fn rebuild(
    ctx: Context<'_>,
    actor: &Actor,
    jieba: Arc<jieba_rs::Jieba>,
    progress: impl FnMut(usize, usize) + Send + 'static,
) -> Result<Rebuilt, ServiceError> {
    // Requests written from here on are answered by the next rebuild, not this one.
    let newest = crate::jobs::marks::newest_event(ctx.db).await?;
    let opinions = public_opinions(ctx.db, None).await?;
    let drafts = draft(jieba, &opinions, None, ctx.clock.now(), progress).await?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let themes = replace(&uow, ALL, drafts, true).await?;
    let summary = serde_json::json!({ "opinions": opinions.len(), "themes": themes });
    uow.audit("themes.rebuild", "theme", ALL, None, Some(summary));
    crate::jobs::marks::write(&uow, crate::jobs::schedule::THEMES.mark, newest).await?;
    uow.commit().await?;
    Ok(Rebuilt { opinions: opinions.len(), themes })
}

/// Mines the opinions of `period` together with those of the period before, and keeps the themes
/// with messages enough in `period`, each with its count before: what rose, what is new, what
/// faded. Answers the request `answered` (an event id).
pub async fn mine_period(
    ctx: Context<'_>,
    actor: &Actor,
    jieba: Arc<jieba_rs::Jieba>,
    period: Period,
    answered: i64,
) -> Result<Rebuilt, ServiceError> {
    let (from, to) = period.bounds();
    let opinions = public_opinions(ctx.db, Some((period.previous().bounds().0, to))).await?;
    let drafts = draft(jieba, &opinions, Some(from), to.min(ctx.clock.now()), |_, _| {}).await?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let name = period.name();
    let themes = replace(&uow, &name, drafts, false).await?;
    let summary = serde_json::json!({ "opinions": opinions.len(), "themes": themes });
    uow.audit("themes.mine_period", "theme", name.clone(), None, Some(summary));
    crate::jobs::marks::write(&uow, &super::periods::mark(&name), answered).await?;
    crate::jobs::marks::write(&uow, super::periods::QUEUE.mark, answered).await?;
    uow.commit().await?;
    Ok(Rebuilt { opinions: opinions.len(), themes })
}

/// Public opinions, submitted within `window` if given, oldest first.
async fn public_opinions(
    db: &impl sea_orm::ConnectionTrait,
    window: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> Result<Vec<opinion::Model>, DbErr> {
    let mut find = opinion::Entity::find().filter(opinion::Column::Status.is_not_in([OpinionStatus::Hidden, OpinionStatus::Withdrawn]));
    if let Some((from, to)) = window {
        find = find.filter(opinion::Column::SubmittedAt.gte(from)).filter(opinion::Column::SubmittedAt.lt(to));
    }
    find.order_by_asc(opinion::Column::Id).all(db).await
}

/// Mines `opinions` off the async workers (seconds to minutes of CPU) and keeps each theme's
/// members submitted from `window_start` on (all of them without one), read on `as_of`.
async fn draft(
    jieba: Arc<jieba_rs::Jieba>,
    opinions: &[opinion::Model],
    window_start: Option<DateTime<Utc>>,
    as_of: DateTime<Utc>,
    mut progress: impl FnMut(usize, usize) + Send + 'static,
) -> Result<Vec<Draft>, DbErr> {
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
    let settings = Settings { as_of: Some(as_of), ..Settings::default() };
    let (mined, messages) = tokio::task::spawn_blocking(move || (cluster::mine(&jieba, &messages, &settings, &mut progress), messages))
        .await
        .map_err(|e| DbErr::Custom(format!("theme mining stopped: {e}")))?;
    let inside = |m: usize| window_start.is_none_or(|start| messages[m].time.is_some_and(|t| t >= start));
    let mut per_region: HashMap<&str, usize> = HashMap::new();
    let mut total = 0usize;
    for (_, o) in opinions.iter().enumerate().filter(|(m, _)| inside(*m)) {
        total += 1;
        *per_region.entry(o.region.as_deref().unwrap_or("")).or_default() += 1;
    }
    let min_size = Settings::default().min_size;
    let mut drafts: Vec<Draft> = Vec::new();
    for t in mined.themes {
        type Members = Vec<(usize, f32)>;
        let (kept, earlier): (Members, Members) = t.members.iter().copied().zip(t.closeness.iter().copied()).partition(|(m, _)| inside(*m));
        // A theme of the period before that went quiet in this one is kept, at no heat, with
        // its earlier members: the comparison shows what faded as well as what rose.
        let quiet = kept.len() < min_size;
        if quiet && (window_start.is_none() || earlier.len() < min_size) {
            continue;
        }
        let shown = if quiet { &earlier } else { &kept };
        let indices: Vec<usize> = shown.iter().map(|(m, _)| *m).collect();
        let heat = if quiet {
            Heat { citizens: 0, support: 0, per_week: 0.0, freshness: 0.0 }
        } else {
            cluster::heat(&messages, &indices, Some(as_of))
        };
        let times = indices.iter().filter_map(|&m| messages[m].time);
        let span = (times.clone().min(), times.max());
        let regions = region_shares(opinions, &indices, &per_region, total);
        drafts.push(Draft {
            size: kept.len(),
            previous: earlier.len(),
            members: shown.iter().map(|(m, c)| (opinions[*m].id, *c)).collect(),
            heat,
            regions,
            span,
            theme: t,
        });
    }
    drafts.sort_by(|a, b| b.heat.value().total_cmp(&a.heat.value()).then(b.size.cmp(&a.size)).then(b.previous.cmp(&a.previous)));
    Ok(drafts)
}

/// Where `members` (indices into `opinions`) come from, against each region's `per_region`
/// opinions of `total` mined.
fn region_shares(opinions: &[opinion::Model], members: &[usize], per_region: &HashMap<&str, usize>, total: usize) -> Vec<RegionShare> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for &m in members {
        if let Some(r) = opinions[m].region.as_deref() {
            *counts.entry(r).or_default() += 1;
        }
    }
    let overall = members.len() as f64 / total.max(1) as f64;
    let mut regions: Vec<RegionShare> = counts
        .into_iter()
        .map(|(name, count)| {
            let of_region = count as f64 / per_region.get(name).copied().unwrap_or(count).max(1) as f64;
            RegionShare { name: name.to_string(), count, of_region, lift: of_region / overall.max(f64::MIN_POSITIVE) }
        })
        .collect();
    regions.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
    regions
}

/// Of `ids`, the themes a report links to or the office handed to the publicity department.
async fn referenced(db: &impl sea_orm::ConnectionTrait, ids: Vec<i32>) -> Result<HashSet<i32>, DbErr> {
    let mut out = HashSet::new();
    for chunk in ids.chunks(500) {
        let linked: Vec<Option<i32>> = entity::report_link::Entity::find()
            .select_only()
            .column(entity::report_link::Column::ThemeId)
            .filter(entity::report_link::Column::ThemeId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(linked.into_iter().flatten());
        let handed: Vec<i32> = entity::report_handover::Entity::find()
            .select_only()
            .column(entity::report_handover::Column::ThemeId)
            .filter(entity::report_handover::Column::ThemeId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(handed);
    }
    Ok(out)
}

/// Replaces the themes of `period` by `drafts`. A draft continuing a stored theme (see
/// [`lineage`]) takes over its row; promoted themes nothing continues stay as they are; the rest
/// go. `link_opinions`: the live themes, which each member opinion points to.
async fn replace(uow: &UnitOfWork, period: &str, drafts: Vec<Draft>, link_opinions: bool) -> Result<usize, ServiceError> {
    let now = uow.now();
    let txn = uow.db();
    let old: HashMap<i32, theme::Model> =
        theme::Entity::find().filter(theme::Column::Period.eq(period)).all(txn).await?.into_iter().map(|t| (t.id, t)).collect();
    let memberships: Vec<(i32, i32)> = theme_member::Entity::find()
        .select_only()
        .columns([theme_member::Column::ThemeId, theme_member::Column::OpinionId])
        .filter(theme_member::Column::ThemeId.in_subquery(sea_orm::QueryTrait::into_query(
            theme::Entity::find().select_only().column(theme::Column::Id).filter(theme::Column::Period.eq(period)),
        )))
        .into_tuple()
        .all(txn)
        .await?;
    let referenced = referenced(txn, old.keys().copied().collect()).await?;
    // Kept whether or not a new theme continues them: promoted themes (a problem points to them)
    // and those a report or a handover to the publicity department names.
    let kept = |t: &theme::Model| t.status == ThemeStatus::Promoted || referenced.contains(&t.id);
    let mut before = Before {
        theme_of: HashMap::with_capacity(memberships.len()),
        size: HashMap::new(),
        preferred: old.values().filter(|t| kept(t)).map(|t| t.id).collect(),
    };
    for (theme_id, opinion_id) in memberships {
        before.theme_of.insert(opinion_id, theme_id);
        *before.size.entry(theme_id).or_default() += 1;
    }
    let members: Vec<Vec<i32>> = drafts.iter().map(|d| d.members.iter().map(|(id, _)| *id).collect()).collect();
    let continued = lineage::continued(&members, &before);
    let taken: HashSet<i32> = continued.iter().flatten().copied().collect();
    // Emptied: every old theme but the promoted ones nothing continues, which keep their members.
    let emptied: Vec<i32> = old.values().filter(|t| taken.contains(&t.id) || !kept(t)).map(|t| t.id).collect();
    for chunk in emptied.chunks(500) {
        theme_member::Entity::delete_many().filter(theme_member::Column::ThemeId.is_in(chunk.to_vec())).exec(txn).await?;
        if link_opinions {
            opinion::Entity::update_many()
                .col_expr(opinion::Column::ThemeId, Expr::value(Option::<i32>::None))
                .filter(opinion::Column::ThemeId.is_in(chunk.to_vec()))
                .exec(txn)
                .await?;
        }
    }
    let gone: Vec<i32> = emptied.into_iter().filter(|id| !taken.contains(id)).collect();
    for chunk in gone.chunks(500) {
        theme::Entity::delete_many().filter(theme::Column::Id.is_in(chunk.to_vec())).exec(txn).await?;
    }
    let count = drafts.len();
    for (d, continues) in drafts.into_iter().zip(continued) {
        let mut row = match continues.and_then(|id| old.get(&id)) {
            Some(t) => t.clone().into_active_model(),
            None => theme::ActiveModel {
                period: Set(period.to_string()),
                status: Set(ThemeStatus::Active),
                problem_id: Set(None),
                created_at: Set(now),
                ..Default::default()
            },
        };
        row.label = Set(d.theme.label.chars().take(200).collect());
        row.keywords = Set(serde_json::to_string(&d.theme.keywords).expect("keywords serialise"));
        row.representative_title = Set(d.theme.representative.chars().take(200).collect());
        row.heat = Set((d.heat.value() * 100.0).round() / 100.0);
        row.size = Set(d.size as i32);
        row.previous_size = Set(d.previous as i32);
        row.distinct_citizens = Set(d.heat.citizens as i32);
        row.support = Set(d.heat.support);
        row.regions = Set(serde_json::to_string(&d.regions).expect("regions serialise"));
        row.first_seen = Set(d.span.0.unwrap_or(now));
        row.last_seen = Set(d.span.1.unwrap_or(now));
        row.updated_at = Set(now);
        let saved = if continues.is_some() { row.update(txn).await? } else { row.insert(txn).await? };
        for chunk in d.members.chunks(500) {
            theme_member::Entity::insert_many(chunk.iter().map(|(id, closeness)| theme_member::ActiveModel {
                theme_id: Set(saved.id),
                opinion_id: Set(*id),
                similarity: Set(f64::from(*closeness)),
            }))
            .exec_without_returning(txn)
            .await?;
            if link_opinions {
                opinion::Entity::update_many()
                    .col_expr(opinion::Column::ThemeId, Expr::value(saved.id))
                    .filter(opinion::Column::Id.is_in(chunk.iter().map(|(id, _)| *id).collect::<Vec<_>>()))
                    .exec(txn)
                    .await?;
            }
        }
    }
    Ok(count)
}
