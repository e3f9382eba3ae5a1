//! What a citizen sees with a tracking code. A malformed code and an unknown one get the
//! same answer; nothing on the page identifies the citizen.

use entity::vocab::{OpinionStatus, RatingTarget, RectificationStatus};
use entity::{notification, opinion, rating};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use super::progress::{self, LinkedProblem, Reader, Step};
use crate::domain::{time, tracking_code::TrackingCode};
use crate::privacy::PublicText;
use crate::secrets::Secrets;

#[derive(Debug, Serialize)]
pub struct GivenRating {
    pub target: &'static str,
    pub level: &'static str,
    pub is_followup: bool,
    pub at: String,
}

#[derive(Debug, Serialize)]
pub struct TrackView {
    pub code: String,
    pub kind: &'static str,
    pub title: PublicText,
    pub content: PublicText,
    pub submitted_at: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub routed_unit: Option<String>,
    pub due_date: Option<String>,
    pub reply: Option<PublicText>,
    pub replied_at: Option<String>,
    pub history: Vec<Step>,
    /// Messages not shown before (自上次查看以来的新动态), then the earlier ones; newest first.
    pub fresh: Vec<PublicText>,
    pub notifications: Vec<PublicText>,
    pub problem: Option<LinkedProblem>,
    /// Published follow-up reports on the problem or theme this opinion is part of.
    pub reports: Vec<crate::reports::public::Listed>,
    /// For 重复已合并: the kept case's status and reply (never its code, which is someone else's).
    pub merged_into: Option<(String, Option<PublicText>)>,
    pub ratings: Vec<GivenRating>,
    /// 回访 questions waiting for this citizen's answer.
    pub questions: Vec<super::revisits::Question>,
    /// How messages reach the citizen (`each`, `daily`), when they left an address and consented.
    pub notify: Option<&'static str>,
    pub can_rate: bool,
    pub can_follow_up: bool,
    pub can_rate_result: bool,
}

/// The opinion a code names, looked up by its keyed digest.
pub async fn find(db: &impl ConnectionTrait, secrets: &Secrets, input: &str) -> Result<Option<opinion::Model>, DbErr> {
    let Some(code) = TrackingCode::parse(input) else { return Ok(None) };
    opinion::Entity::find().filter(opinion::Column::CodeDigest.eq(secrets.code_digest(&code))).one(db).await
}

pub async fn view(db: &impl ConnectionTrait, secrets: &Secrets, input: &str) -> Result<Option<TrackView>, DbErr> {
    let Some(o) = find(db, secrets, input).await? else { return Ok(None) };
    // The citizen typed it; the database does not hold it.
    let code = TrackingCode::parse(input).map(|c| c.to_string()).unwrap_or_default();
    let history = progress::steps(db, o.id, Reader::Citizen).await?;
    let (fresh, earlier): (Vec<_>, Vec<_>) = notification::Entity::find()
        .filter(notification::Column::OpinionId.eq(o.id))
        .order_by_desc(notification::Column::Id)
        .limit(100)
        .all(db)
        .await?
        .into_iter()
        .partition(|n| n.seen_at.is_none());
    let text = |n: notification::Model| PublicText::of(&format!("{} {}", time::minute(n.created_at), n.message));
    let (fresh, notifications) = (fresh.into_iter().map(text).collect(), earlier.into_iter().map(text).collect());
    let routed_unit = progress::routed_unit(db, &o).await?;
    let reports = crate::reports::public::about(db, o.problem_id, o.theme_id).await?;
    let problem = progress::linked_problem(db, &o).await?;
    let merged_into = match o.merged_into_id {
        Some(id) => opinion::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|kept| (kept.status.label().to_string(), kept.reply.as_deref().map(PublicText::of))),
        None => None,
    };
    let given =
        rating::Entity::find().filter(rating::Column::CodeDigest.eq(&o.code_digest)).order_by_asc(rating::Column::Id).all(db).await?;
    let rated = given.iter().any(|r| r.target == RatingTarget::Opinion && !r.is_followup);
    let followed_up = given.iter().any(|r| r.target == RatingTarget::Opinion && r.is_followup);
    let result_done =
        problem.as_ref().is_some_and(|p| matches!(p.rectification, RectificationStatus::Reported | RectificationStatus::Rectified));
    let result_rated = given.iter().any(|r| r.target == RatingTarget::Rectification);
    // An open 回访 question asks for the rating with its answer.
    let questions = if o.status == OpinionStatus::Hidden { Vec::new() } else { super::revisits::open_questions(db, o.id).await? };
    let asks_handling = questions.iter().any(|q| !q.about_rectification);
    let asks_result = questions.iter().any(|q| q.about_rectification);
    let contact = if o.consent_contact { entity::opinion_contact::Entity::find_by_id(o.id).one(db).await? } else { None };
    let notify = contact.filter(|c| c.email.is_some() || c.phone.is_some()).map(|c| if c.daily_digest { "daily" } else { "each" });
    Ok(Some(TrackView {
        code,
        kind: o.kind.label(),
        title: PublicText::of(&o.title),
        content: PublicText::of(&o.content),
        submitted_at: time::minute(o.submitted_at),
        status: o.status.as_str(),
        status_label: o.status.label(),
        routed_unit,
        due_date: o.due_date.map(|d| d.to_string()),
        reply: o.reply.as_deref().map(PublicText::of),
        replied_at: o.replied_at.map(time::minute),
        history,
        fresh,
        notifications,
        problem,
        reports,
        merged_into,
        ratings: given
            .iter()
            .map(|r| GivenRating {
                target: r.target.label(),
                level: r.level.label(),
                is_followup: r.is_followup,
                at: time::minute(r.created_at),
            })
            .collect(),
        notify,
        can_rate: super::RATEABLE.contains(&o.status) && !rated && !asks_handling,
        can_follow_up: rated && !followed_up,
        can_rate_result: result_done && !result_rated && o.status != OpinionStatus::Hidden && !asks_result,
        questions,
    }))
}
