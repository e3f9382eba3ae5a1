//! Themes in the database: derived from the opinions, rebuilt from scratch, and promoted by the
//! office to the problem list.

use std::collections::HashMap;

use entity::vocab::{OpinionStatus, ThemeStatus};
use entity::{opinion, theme, theme_member};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};

use super::cluster::{Message, Settings, mine};
use super::heat::Heat;
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
    jieba: std::sync::Arc<jieba_rs::Jieba>,
    mut progress: impl FnMut(usize, usize) + Send + 'static,
) -> Result<Rebuilt, ServiceError> {
    let db = ctx.db;
    // Requests written from here on are answered by the next rebuild, not this one.
    let newest = crate::jobs::marks::newest_event(db).await?;
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
    // Mining is CPU-bound for seconds to minutes: off the async workers, or every request waits.
    let settings = Settings { as_of: Some(ctx.clock.now()), ..Settings::default() };
    let (mined, messages) = tokio::task::spawn_blocking(move || (mine(&jieba, &messages, &settings, &mut progress), messages))
        .await
        .map_err(|e| ServiceError::Db(DbErr::Custom(format!("theme mining stopped: {e}"))))?;
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
            support: Set(t.support),
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
    crate::jobs::marks::write(&uow, crate::jobs::schedule::THEMES.mark, newest).await?;
    uow.commit().await?;
    Ok(Rebuilt { opinions: messages.len(), themes: mined.themes.len() })
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
/// the five most similar opinions), without waiting for the next rebuild; the theme's size,
/// citizens and heat follow.
pub async fn join_nearest(uow: &mut UnitOfWork, opinion_id: i32, neighbours: &[i32]) -> Result<Option<i32>, ServiceError> {
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
    crate::opinions::save(uow, &o, model).await?;
    let mut theme_model = sea_orm::IntoActiveModel::into_active_model(t.clone());
    // Its heat as of now: the new member's citizen counts as one more unless already counted.
    let counted = match &o.citizen_key {
        Some(key) => opinion::Entity::find()
            .filter(opinion::Column::ThemeId.eq(theme_id))
            .filter(opinion::Column::CitizenKey.eq(key.as_str()))
            .filter(opinion::Column::Id.ne(opinion_id))
            .one(uow.db())
            .await?
            .is_some(),
        None => false,
    };
    let citizens = t.distinct_citizens + i32::from(!counted);
    let last_seen = o.submitted_at.max(t.last_seen);
    let parts =
        Heat::of((t.size + 1) as usize, citizens as usize, t.support, Some((t.first_seen.min(o.submitted_at), last_seen)), Some(uow.now()));
    theme_model.size = Set(t.size + 1);
    theme_model.distinct_citizens = Set(citizens);
    theme_model.heat = Set((parts.value() * 100.0).round() / 100.0);
    theme_model.first_seen = Set(t.first_seen.min(o.submitted_at));
    theme_model.last_seen = Set(last_seen);
    theme_model.updated_at = Set(uow.now());
    theme_model.update(uow.db()).await?;
    uow.audit("theme.join", "theme", theme_id, None, Some(serde_json::json!({ "opinion": opinion_id })));
    Ok(Some(theme_id))
}

/// A draft problem from a theme: its representative title, what it is, its commonest category
/// and region.
pub async fn problem_draft(
    db: &impl ConnectionTrait,
    theme_id: i32,
    today: chrono::NaiveDate,
) -> Result<Option<crate::lists::workflow::ProblemDraft>, DbErr> {
    let Some(t) = crate::themes::views::detail(db, theme_id, today).await? else { return Ok(None) };
    let categories: Vec<(String, i64)> = opinion::Entity::find()
        .select_only()
        .column(opinion::Column::Category)
        .column_as(opinion::Column::Id.count(), "n")
        .filter(opinion::Column::ThemeId.eq(theme_id))
        .filter(opinion::Column::Category.is_not_null())
        .group_by(opinion::Column::Category)
        .into_tuple()
        .all(db)
        .await?;
    Ok(Some(crate::lists::workflow::ProblemDraft {
        title: t.representative,
        description: format!("热点主题：{}。{} 条群众意见、{} 位群众反映。", t.label, t.size, t.citizens),
        category: categories.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|c| c.0),
        region: t.regions.first().map(|r| r.0.clone()),
    }))
}
