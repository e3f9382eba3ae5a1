//! Scores as pages read them: published snapshots (per period and settings version, never
//! recomputed in place) and the live read model the `scores` job keeps current. No request
//! computes a score.

use chrono::{DateTime, Utc};
use entity::{score_live, score_snapshot};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::{SubjectScore, compute, formula::ScoreSettings, period::Period};
use crate::service::{Actor, ServiceError};
use crate::settings;
use crate::unit_of_work::{Context, UnitOfWork};

/// What a page shows for a period: the published snapshot under the rules in force when there
/// is one, else the live scores the `scores` job keeps (with when they were computed).
pub struct Shown {
    pub scores: Vec<SubjectScore>,
    pub version: i32,
    pub published: bool,
    pub computed_at: Option<DateTime<Utc>>,
}

/// Reads (never computes) the scores of `period`, of one level or all.
pub async fn current(db: &impl ConnectionTrait, period: &Period, level: Option<&str>) -> Result<Shown, DbErr> {
    let rows = read(db, std::slice::from_ref(period), level, None).await?;
    Ok(rows.pick(&period.name()))
}

/// The scores of `period` and those of the period before it, for the change (one read).
pub async fn with_previous(db: &impl ConnectionTrait, period: &Period, level: Option<&str>) -> Result<(Shown, Vec<SubjectScore>), DbErr> {
    let before = period.previous();
    let rows = read(db, &[*period, before], level, None).await?;
    Ok((rows.pick(&period.name()), rows.pick(&before.name()).scores))
}

/// One subject's score in each of `periods` (published or live), for trends: three queries
/// whatever the number of periods.
pub async fn subject_over(
    db: &impl ConnectionTrait,
    periods: &[Period],
    level: &str,
    subject: &str,
) -> Result<Vec<Option<SubjectScore>>, DbErr> {
    let rows = read(db, periods, Some(level), Some(subject)).await?;
    Ok(periods.iter().map(|p| rows.pick(&p.name()).scores.into_iter().next()).collect())
}

/// The stored rows of some periods, under the rules in force.
struct Rows {
    version: i32,
    published: Vec<score_snapshot::Model>,
    live: Vec<score_live::Model>,
}

impl Rows {
    /// A period's published snapshot when there is one, else its live scores.
    fn pick(&self, period: &str) -> Shown {
        let parse = |payload: &str| serde_json::from_str::<SubjectScore>(payload).ok();
        let published: Vec<_> = self.published.iter().filter(|r| r.period == period).collect();
        if published.is_empty() {
            let live: Vec<_> = self.live.iter().filter(|r| r.period == period).collect();
            let computed_at = live.iter().map(|r| r.computed_at).max();
            Shown {
                scores: live.iter().filter_map(|r| parse(&r.payload_json)).collect(),
                version: self.version,
                published: false,
                computed_at,
            }
        } else {
            let computed_at = published.iter().map(|r| r.created_at).max();
            Shown {
                scores: published.iter().filter_map(|r| parse(&r.payload_json)).collect(),
                version: self.version,
                published: true,
                computed_at,
            }
        }
    }
}

async fn read(db: &impl ConnectionTrait, periods: &[Period], level: Option<&str>, subject: Option<&str>) -> Result<Rows, DbErr> {
    let (_, version) = settings::current::<ScoreSettings>(db).await?;
    let names: Vec<String> = periods.iter().map(Period::name).collect();
    let mut published = score_snapshot::Entity::find()
        .filter(score_snapshot::Column::Period.is_in(names.clone()))
        .filter(score_snapshot::Column::SettingsVersion.eq(version));
    let mut live = score_live::Entity::find().filter(score_live::Column::Period.is_in(names));
    if let Some(level) = level {
        published = published.filter(score_snapshot::Column::Level.eq(level));
        live = live.filter(score_live::Column::Level.eq(level));
    }
    if let Some(subject) = subject {
        published = published.filter(score_snapshot::Column::Subject.eq(subject));
        live = live.filter(score_live::Column::Subject.eq(subject));
    }
    Ok(Rows {
        version,
        published: published.order_by_asc(score_snapshot::Column::Id).all(db).await?,
        live: live.order_by_asc(score_live::Column::Id).all(db).await?,
    })
}

/// The periods the live scores cover: this month and the eleven before, this quarter and the
/// three before, this year and the last.
pub fn live_periods(today: chrono::NaiveDate) -> Vec<Period> {
    let mut out = Vec::new();
    let mut month = Period::parse(&today.format("%Y-%m").to_string()).expect("a month parses");
    for _ in 0..12 {
        out.push(month);
        month = month.previous();
    }
    let mut quarter = Period::quarter_of(today);
    for _ in 0..4 {
        out.push(quarter);
        quarter = quarter.previous();
    }
    let year = Period::parse(&today.format("%Y").to_string()).expect("a year parses");
    out.extend([year, year.previous()]);
    out
}

/// Recomputes the live scores of every covered period under the rules in force, in one pass
/// over the data, and replaces them in one unit of work with the job's mark (`seen`, the newest
/// event counted). Returns how many subject rows it wrote.
pub async fn refresh_live(ctx: Context<'_>, seen: i64) -> Result<usize, DbErr> {
    let (s, version) = settings::current::<ScoreSettings>(ctx.db).await?;
    let today = ctx.clock.today();
    let periods = live_periods(today);
    // Counted before the write lock is taken: reads never wait, and writers wait only for the swap.
    let computed = super::compute_many(ctx.db, &periods, &s, today).await?;
    let voice = crate::store::stats::count_voice(ctx.db, ctx.clock.now()).await?;
    let uow = UnitOfWork::begin(ctx, &Actor::system("scores")).await?;
    let now = uow.now();
    score_live::Entity::delete_many().filter(score_live::Column::Period.is_in(periods.iter().map(|p| p.name()))).exec(uow.db()).await?;
    let mut written = 0;
    for (period, scores) in &computed {
        for chunk in scores.chunks(200) {
            score_live::Entity::insert_many(chunk.iter().map(|sc| score_live::ActiveModel {
                period: Set(period.name()),
                level: Set(sc.level.clone()),
                subject: Set(sc.subject.chars().take(64).collect()),
                settings_version: Set(version),
                payload_json: Set(serde_json::to_string(sc).expect("scores serialise")),
                computed_at: Set(now),
                ..Default::default()
            }))
            .exec_without_returning(uow.db())
            .await?;
            written += chunk.len();
        }
    }
    crate::store::stats::save_voice(uow.db(), &voice, now).await?;
    crate::jobs::marks::write(&uow, "scores", seen).await?;
    uow.commit().await?;
    Ok(written)
}

/// The `scores` job: refreshes when something happened since the last refresh and it is at least
/// `every` old, or at once when the rules changed. The mark lives in the database, so a new
/// leader goes on where the last one stopped.
pub async fn refresh_if_due(ctx: Context<'_>, every: chrono::Duration) -> Result<Option<usize>, DbErr> {
    use entity::event;
    let mark = crate::jobs::marks::read(ctx.db, "scores").await?;
    let newest = crate::jobs::marks::newest_event(ctx.db).await?;
    let due = match &mark {
        None => true,
        Some(m) if m.last_event_id >= newest => false,
        Some(m) => {
            let rules_changed = event::Entity::find()
                .filter(event::Column::Id.gt(m.last_event_id))
                .filter(event::Column::Topic.eq("settings.saved"))
                .one(ctx.db)
                .await?
                .is_some();
            rules_changed || ctx.clock.now() - m.at >= every
        }
    };
    if !due {
        return Ok(None);
    }
    Ok(Some(refresh_live(ctx, newest).await?))
}

/// The published scores of a period under one settings version (empty when none).
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
    let (s, version) = settings::current::<ScoreSettings>(ctx.db).await?;
    if !load(ctx.db, period, version).await?.is_empty() {
        return Ok((version, 0));
    }
    // Counted before the write lock is taken; the first publication under a version stands.
    let scores = compute(ctx.db, period, &s, ctx.clock.today()).await?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let txn = uow.db();
    if !load(txn, period, version).await?.is_empty() {
        return Ok((version, 0));
    }
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
