//! What changed on the lists, newest first: the material of the Atom feeds.

use chrono::{DateTime, Utc};
use entity::vocab::Verification;
use entity::{problem, progress_update, rectification};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::privacy::PublicText;

#[derive(Debug, Clone)]
pub struct Change {
    /// Stable per change, for the entry's id.
    pub key: String,
    pub code: String,
    pub title: PublicText,
    pub summary: PublicText,
    pub at: DateTime<Utc>,
}

/// The newest `limit` changes, of all problems or of one.
pub async fn recent(db: &impl ConnectionTrait, only: Option<i32>, limit: u64) -> Result<Vec<Change>, DbErr> {
    let mut problems_q = problem::Entity::find().order_by_desc(problem::Column::CreatedAt).limit(limit);
    let mut rects_q = rectification::Entity::find();
    if let Some(id) = only {
        problems_q = problems_q.filter(problem::Column::Id.eq(id));
        rects_q = rects_q.filter(rectification::Column::ProblemId.eq(id));
    }
    let rects = rects_q.all(db).await?;
    let updates = progress_update::Entity::find()
        .filter(progress_update::Column::RectificationId.is_in(rects.iter().map(|r| r.id)))
        .order_by_desc(progress_update::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?;
    let mut problem_ids: Vec<i32> = rects.iter().map(|r| r.problem_id).collect();
    let created = problems_q.all(db).await?;
    problem_ids.extend(created.iter().map(|p| p.id));
    let problems: std::collections::HashMap<i32, problem::Model> =
        problem::Entity::find().filter(problem::Column::Id.is_in(problem_ids)).all(db).await?.into_iter().map(|p| (p.id, p)).collect();
    let rect_problem: std::collections::HashMap<i32, i32> = rects.iter().map(|r| (r.id, r.problem_id)).collect();

    let mut changes: Vec<Change> = created
        .iter()
        .map(|p| Change {
            key: format!("problem-{}", p.id),
            code: p.code.clone(),
            title: PublicText::of(&format!("列入问题清单：{}", p.title)),
            summary: PublicText::of(&p.description),
            at: p.created_at,
        })
        .collect();
    for u in updates {
        let Some(p) = rect_problem.get(&u.rectification_id).and_then(|id| problems.get(id)) else { continue };
        changes.push(Change {
            key: format!("progress-{}", u.id),
            code: p.code.clone(),
            title: PublicText::of(&format!("整改进展（{}%）：{}", u.percent, p.title)),
            summary: PublicText::of(&u.text),
            at: u.created_at,
        });
    }
    for r in rects.iter().filter(|r| r.verification == Some(Verification::Passed)) {
        let (Some(p), Some(at)) = (problems.get(&r.problem_id), r.verified_at) else { continue };
        changes.push(Change {
            key: format!("verified-{}-{}", r.id, at.timestamp()),
            code: p.code.clone(),
            title: PublicText::of(&format!("核验通过，已整改：{}", p.title)),
            summary: PublicText::of("绩效办核验通过，整改完成。"),
            at,
        });
    }
    changes.sort_by(|a, b| b.at.cmp(&a.at).then(b.key.cmp(&a.key)));
    changes.truncate(limit as usize);
    Ok(changes)
}
