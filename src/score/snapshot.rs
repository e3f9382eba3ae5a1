//! Published scores: stored per period and settings version, never recomputed in place.

use entity::score_snapshot;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::{SubjectScore, compute, formula::ScoreSettings, period::Period};
use crate::service::{Actor, ServiceError};
use crate::settings;
use crate::unit_of_work::{Context, UnitOfWork};

/// The scores of `period` under the settings in force: the published snapshot when there is
/// one for this version, otherwise computed now. Returns (scores, version, published).
pub async fn current(
    db: &impl ConnectionTrait,
    period: &Period,
    today: chrono::NaiveDate,
) -> Result<(Vec<SubjectScore>, i32, bool), DbErr> {
    let (s, version) = settings::current::<ScoreSettings>(db).await?;
    let stored = load(db, period, version).await?;
    if !stored.is_empty() {
        return Ok((stored, version, true));
    }
    Ok((compute(db, period, &s, today).await?, version, false))
}

pub async fn load(db: &impl ConnectionTrait, period: &Period, version: i32) -> Result<Vec<SubjectScore>, DbErr> {
    Ok(score_snapshot::Entity::find()
        .filter(score_snapshot::Column::Period.eq(period.name()))
        .filter(score_snapshot::Column::SettingsVersion.eq(version))
        .order_by_asc(score_snapshot::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|row| serde_json::from_str(&row.payload_json).ok())
        .collect())
}

/// Every published version of a period: (version, its scores).
pub async fn versions(db: &impl ConnectionTrait, period: &Period) -> Result<Vec<(i32, Vec<SubjectScore>)>, DbErr> {
    let rows = score_snapshot::Entity::find()
        .filter(score_snapshot::Column::Period.eq(period.name()))
        .order_by_asc(score_snapshot::Column::Id)
        .all(db)
        .await?;
    let mut out: Vec<(i32, Vec<SubjectScore>)> = Vec::new();
    for row in rows {
        let Ok(score) = serde_json::from_str::<SubjectScore>(&row.payload_json) else { continue };
        match out.iter_mut().find(|(v, _)| *v == row.settings_version) {
            Some((_, list)) => list.push(score),
            None => out.push((row.settings_version, vec![score])),
        }
    }
    Ok(out)
}

/// Publishes the period under the settings in force. Publishing twice under the same version
/// changes nothing: the first numbers stand.
pub async fn publish(ctx: Context<'_>, actor: &Actor, period: &Period) -> Result<(i32, usize), ServiceError> {
    if actor.role.is_some() {
        actor.require(&[entity::vocab::Role::Office])?;
    }
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let txn = uow.db();
    let (s, version) = settings::current::<ScoreSettings>(txn).await?;
    if !load(txn, period, version).await?.is_empty() {
        return Ok((version, 0));
    }
    let scores = compute(txn, period, &s, uow.today()).await?;
    let now = uow.now();
    for chunk in scores.chunks(200) {
        score_snapshot::Entity::insert_many(chunk.iter().map(|sc| score_snapshot::ActiveModel {
            period: Set(period.name()),
            level: Set(sc.level.clone()),
            subject: Set(sc.subject.chars().take(64).collect()),
            settings_version: Set(version),
            payload_json: Set(serde_json::to_string(sc).expect("scores serialise")),
            created_at: Set(now),
            ..Default::default()
        }))
        .exec_without_returning(txn)
        .await?;
    }
    let detail = serde_json::json!({ "period": period.name(), "version": version, "subjects": scores.len() });
    uow.audit("score.publish", "score_snapshot", period.name(), None, Some(detail));
    uow.commit().await?;
    Ok((version, scores.len()))
}
