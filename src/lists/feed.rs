//! What changed on the lists, newest first: the material of the Atom feeds.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::vocab::Verification;
use entity::{problem, progress_update, rectification};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};

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

/// The newest `limit` changes, of all problems or of one: the newest `limit` of each kind,
/// merged, so nothing reads more than three times `limit` rows.
pub async fn recent(db: &impl ConnectionTrait, only: Option<i32>, limit: u64) -> Result<Vec<Change>, DbErr> {
    let mut problems_q = problem::Entity::find().order_by_desc(problem::Column::CreatedAt).limit(limit);
    let mut verified_q = rectification::Entity::find()
        .filter(rectification::Column::Verification.eq(Verification::Passed))
        .filter(rectification::Column::VerifiedAt.is_not_null())
        .order_by_desc(rectification::Column::VerifiedAt)
        .limit(limit);
    let mut updates_q = progress_update::Entity::find().order_by_desc(progress_update::Column::CreatedAt).limit(limit);
    if let Some(id) = only {
        problems_q = problems_q.filter(problem::Column::Id.eq(id));
        verified_q = verified_q.filter(rectification::Column::ProblemId.eq(id));
        let of_problem = rectification::Entity::find()
            .select_only()
            .column(rectification::Column::Id)
            .filter(rectification::Column::ProblemId.eq(id))
            .into_query();
        updates_q = updates_q.filter(progress_update::Column::RectificationId.in_subquery(of_problem));
    }
    let created = problems_q.all(db).await?;
    let verified = verified_q.all(db).await?;
    let updates = updates_q.all(db).await?;
    let rect_problem: HashMap<i32, i32> = rectification::Entity::find()
        .select_only()
        .columns([rectification::Column::Id, rectification::Column::ProblemId])
        .filter(rectification::Column::Id.is_in(updates.iter().map(|u| u.rectification_id)))
        .into_tuple::<(i32, i32)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let problem_ids = verified.iter().map(|r| r.problem_id).chain(rect_problem.values().copied());
    let problems: HashMap<i32, problem::Model> =
        problem::Entity::find().filter(problem::Column::Id.is_in(problem_ids)).all(db).await?.into_iter().map(|p| (p.id, p)).collect();

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
    for r in &verified {
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
