//! Live themes between rebuilds: an opinion joining its nearest theme, and the office promoting a
//! theme to the problem list.

use std::collections::HashMap;

use entity::vocab::ThemeStatus;
use entity::{opinion, theme, theme_member};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use super::heat::Heat;
use crate::journal;
use crate::service::ServiceError;
use crate::unit_of_work::UnitOfWork;

/// After a problem is made from a theme (inside the same unit of work): links every member
/// opinion (telling its citizen) and marks the theme promoted.
pub async fn promote(uow: &mut UnitOfWork, theme_id: i32, problem: &entity::problem::Model) -> Result<usize, ServiceError> {
    uow.actor().require(&[entity::vocab::Role::Office])?;
    let t = theme::Entity::find_by_id(theme_id).one(uow.db()).await?.ok_or(ServiceError::NotFound)?;
    if t.status == ThemeStatus::Promoted {
        return Err(ServiceError::Conflict("该主题已列入问题清单".into()));
    }
    let members = super::detail::members_of(&t).all(uow.db()).await?;
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
    let Some(t) = super::detail::detail(db, theme_id, today).await? else { return Ok(None) };
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
        region: t.regions.first().map(|r| r.name.clone()),
    }))
}
