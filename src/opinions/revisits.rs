//! 回访: "is it fixed?". When a unit closes an opinion, its citizen is asked; when a unit reports a
//! rectification done, every linked citizen is asked. They answer on the tracking page or by the
//! link in their message (no login): 已解决, 部分解决 or 未解决, with the 5-level rating. 未解决 reopens
//! the item to the office with the citizen's words. A verified rectification counts as 已整改
//! once a citizen confirms it, once its quiet period passes with no 未解决, or at once when there
//! was no citizen to ask.

use chrono::{DateTime, Duration, Utc};
use entity::vocab::{CitizenConfirmation, OpinionStatus, RatingLevel, RectificationStatus, RevisitAnswer, Verification};
use entity::{opinion, progress_update, rectification, revisit};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;

use super::ratings::{self, ValidRating, What};
use crate::domain::{text, time};
use crate::journal::snapshot;
use crate::lists::{emit_rectification, save_rectification};
use crate::service::{Actor, FieldErrors, ServiceError};
use crate::settings::{self, FollowThrough};
use crate::unit_of_work::{Context, UnitOfWork};

/// The kind of the message that asks about a closed opinion.
pub const ASKED: &str = "revisit.asked";
/// The messages that ask a 回访 question: an email or SMS of one carries the answer link.
pub const ASKS: [&str; 2] = [ASKED, "rectification.reported"];
/// Rectifications settled per pass of the job.
const SETTLED_PER_PASS: u64 = 100;

pub struct AnswerInput<'a> {
    pub answer: &'a str,
    pub level: &'a str,
    pub comment: &'a str,
}

/// An answer that passed its checks.
pub struct ValidAnswer {
    answer: RevisitAnswer,
    level: RatingLevel,
    comment: Option<String>,
}

impl TryFrom<AnswerInput<'_>> for ValidAnswer {
    type Error = ServiceError;

    fn try_from(input: AnswerInput<'_>) -> Result<Self, ServiceError> {
        let mut errors = FieldErrors::default();
        let answer = RevisitAnswer::parse(input.answer);
        if answer.is_none() {
            errors.add("answer", "required", "请选择问题是否已解决");
        }
        let level = input.level.trim().parse::<i64>().ok().and_then(RatingLevel::from_score);
        if level.is_none() {
            errors.add("level", "required", "请选择满意程度");
        }
        let comment = errors.text("comment", "回访意见", text::optional_line(Some(input.comment), 300)).flatten();
        match (errors.is_empty(), answer, level) {
            (true, Some(answer), Some(level)) => Ok(Self { answer, level, comment }),
            _ => Err(ServiceError::Invalid(errors)),
        }
    }
}

/// Who answers: the holder of the tracking code, or of the link in a message.
pub enum Access<'a> {
    Code(&'a str),
    Link { opinion_id: i32, mac: &'a str },
}

/// An open question, as the tracking page and the link's page show it.
#[derive(Debug, Serialize)]
pub struct Question {
    pub id: i32,
    pub about: String,
    pub about_rectification: bool,
    pub asked_at: String,
}

fn asked(opinion_id: i32, rectification_id: Option<i32>, now: DateTime<Utc>) -> revisit::ActiveModel {
    revisit::ActiveModel {
        opinion_id: Set(opinion_id),
        rectification_id: Set(rectification_id),
        asked_at: Set(now),
        answer: Set(None),
        level: Set(None),
        comment: Set(None),
        answered_at: Set(None),
        closed_at: Set(None),
        ..Default::default()
    }
}

fn open() -> sea_orm::Select<revisit::Entity> {
    revisit::Entity::find().filter(revisit::Column::AnsweredAt.is_null()).filter(revisit::Column::ClosedAt.is_null())
}

/// Asks the citizen of an opinion just closed; an earlier open question about it ends.
pub async fn ask_about_opinion(uow: &mut UnitOfWork, opinion_id: i32) -> Result<(), DbErr> {
    let now = uow.now();
    revisit::Entity::update_many()
        .col_expr(revisit::Column::ClosedAt, Expr::value(now))
        .filter(revisit::Column::OpinionId.eq(opinion_id))
        .filter(revisit::Column::RectificationId.is_null())
        .filter(revisit::Column::AnsweredAt.is_null())
        .filter(revisit::Column::ClosedAt.is_null())
        .exec(uow.db())
        .await?;
    asked(opinion_id, None, now).insert(uow.db()).await?;
    let question = "您的意见已有答复。问题解决了吗？请在查询页（或点击消息中的链接）告诉我们：已解决、部分解决还是未解决。";
    super::tell(uow, opinion_id, ASKED, question.into()).await?;
    Ok(())
}

/// Asks every citizen linked to a rectification just reported done (its message is the
/// `rectification.reported` one the notify job writes).
pub async fn ask_about_rectification(uow: &UnitOfWork, rectification_id: i32, citizens: &[i32]) -> Result<(), DbErr> {
    let now = uow.now();
    for chunk in citizens.chunks(500) {
        revisit::Entity::insert_many(chunk.iter().map(|id| asked(*id, Some(rectification_id), now)))
            .exec_without_returning(uow.db())
            .await?;
    }
    Ok(())
}

/// Ends a rectification's open questions (it was reopened or settled).
async fn close_round(uow: &UnitOfWork, rectification_id: i32) -> Result<(), DbErr> {
    revisit::Entity::update_many()
        .col_expr(revisit::Column::ClosedAt, Expr::value(uow.now()))
        .filter(revisit::Column::RectificationId.eq(rectification_id))
        .filter(revisit::Column::AnsweredAt.is_null())
        .filter(revisit::Column::ClosedAt.is_null())
        .exec(uow.db())
        .await?;
    Ok(())
}

/// The open questions of a case, newest first.
pub async fn open_questions(db: &impl ConnectionTrait, opinion_id: i32) -> Result<Vec<Question>, DbErr> {
    let rows = open().filter(revisit::Column::OpinionId.eq(opinion_id)).order_by_desc(revisit::Column::Id).limit(5).all(db).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let about = match r.rectification_id {
            None => "您的意见办理结果".to_string(),
            Some(id) => {
                let code = match rectification::Entity::find_by_id(id).one(db).await? {
                    Some(rect) => {
                        entity::problem::Entity::find_by_id(rect.problem_id)
                            .select_only()
                            .column(entity::problem::Column::Code)
                            .into_tuple::<String>()
                            .one(db)
                            .await?
                    }
                    None => None,
                };
                format!("问题 {} 的整改结果", code.unwrap_or_default())
            }
        };
        out.push(Question { id: r.id, about, about_rectification: r.rectification_id.is_some(), asked_at: time::minute(r.asked_at) });
    }
    Ok(out)
}

/// The case a code or a link names.
async fn case(uow: &UnitOfWork, access: &Access<'_>) -> Result<opinion::Model, ServiceError> {
    match access {
        Access::Code(code) => super::track::find(uow.db(), uow.secrets(), code).await?.ok_or(ServiceError::NotFound),
        Access::Link { opinion_id, mac } => {
            if *mac != uow.secrets().revisit_mac(*opinion_id) {
                return Err(ServiceError::NotFound);
            }
            opinion::Entity::find_by_id(*opinion_id).one(uow.db()).await?.ok_or(ServiceError::NotFound)
        }
    }
}

/// Records a citizen's answer and its rating, and acts on it.
pub async fn answer(ctx: Context<'_>, access: Access<'_>, revisit_id: i32, input: AnswerInput<'_>) -> Result<RevisitAnswer, ServiceError> {
    let valid = ValidAnswer::try_from(input)?;
    let mut uow = UnitOfWork::begin(ctx, &Actor::citizen()).await?;
    let o = case(&uow, &access).await?;
    if matches!(o.status, OpinionStatus::Hidden | OpinionStatus::Withdrawn) {
        return Err(ServiceError::NotFound);
    }
    let question =
        revisit::Entity::find_by_id(revisit_id).one(uow.db()).await?.filter(|r| r.opinion_id == o.id).ok_or(ServiceError::NotFound)?;
    if question.answered_at.is_some() {
        return Err(ServiceError::Refused("这次回访已经答复过了，谢谢您".into()));
    }
    if question.closed_at.is_some() {
        return Err(ServiceError::Refused("这次回访已经结束".into()));
    }
    let now = uow.now();
    let comment = valid.comment.clone();
    // Only while still open: a second tab answering at once loses.
    let done = revisit::Entity::update_many()
        .col_expr(revisit::Column::Answer, Expr::value(valid.answer.as_str()))
        .col_expr(revisit::Column::Level, Expr::value(valid.level.score()))
        .col_expr(revisit::Column::Comment, Expr::value(comment.clone()))
        .col_expr(revisit::Column::AnsweredAt, Expr::value(now))
        .filter(revisit::Column::Id.eq(question.id))
        .filter(revisit::Column::AnsweredAt.is_null())
        .filter(revisit::Column::ClosedAt.is_null())
        .exec(uow.db())
        .await?;
    if done.rows_affected == 0 {
        return Err(ServiceError::Conflict("这次回访刚刚已经答复".into()));
    }
    let what = if question.rectification_id.is_some() { What::Result } else { What::Handling };
    // The rating joins the score unless this code rated that already.
    match ratings::rate_in(&mut uow, &o, what, ValidRating::of(valid.level, comment.clone())).await {
        Ok(_) | Err(ServiceError::Refused(_)) => {}
        Err(e) => return Err(e),
    }
    match (question.rectification_id, valid.answer) {
        (None, RevisitAnswer::Unresolved) => reopen_opinion(&mut uow, &o, comment.as_deref()).await?,
        (Some(id), RevisitAnswer::Unresolved) => reopen_rectification(&mut uow, id, comment.as_deref()).await?,
        (Some(id), RevisitAnswer::Resolved) => confirm_rectification(&mut uow, id).await?,
        _ => {}
    }
    let detail =
        serde_json::json!({ "answer": valid.answer.as_str(), "level": valid.level.score(), "rectification": question.rectification_id });
    uow.audit("revisit.answer", "opinion", o.id, None, Some(detail));
    uow.commit().await?;
    Ok(valid.answer)
}

async fn reopen_opinion(uow: &mut UnitOfWork, before: &opinion::Model, words: Option<&str>) -> Result<(), ServiceError> {
    if !super::RATEABLE.contains(&before.status) {
        return Ok(());
    }
    let mut model = before.clone().into_active_model();
    model.status = Set(OpinionStatus::Received);
    model.reopened_count = Set(before.reopened_count + 1);
    model.closed_at = Set(None);
    let after = super::save(uow, before, model).await?;
    let note = match words {
        Some(w) => format!("群众回访反映问题未解决：{w}。已退回绩效办重新办理。"),
        None => "群众回访反映问题未解决，已退回绩效办重新办理。".to_string(),
    };
    super::record_step(uow, &after, Some(before.status), "群众回访", Some(note), true).await?;
    uow.audit("opinion.reopen", "opinion", after.id, snapshot(before), snapshot(&after));
    Ok(())
}

async fn reopen_rectification(uow: &mut UnitOfWork, id: i32, words: Option<&str>) -> Result<(), ServiceError> {
    let Some(before) = rectification::Entity::find_by_id(id).one(uow.db()).await? else { return Ok(()) };
    if !matches!(before.status, RectificationStatus::Reported | RectificationStatus::Rectified) {
        return Ok(());
    }
    let now = uow.now();
    progress_update::ActiveModel {
        rectification_id: Set(id),
        author_id: Set(None),
        text: Set("群众回访反映问题未解决，已退回继续整改。".into()),
        percent: Set(before.progress.min(90)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(uow.db())
    .await?;
    let mut model = before.clone().into_active_model();
    model.status = Set(RectificationStatus::InProgress);
    model.progress = Set(before.progress.min(90));
    model.verification = Set(None);
    model.verification_reason = Set(words.map(|w| format!("群众回访：{w}")));
    model.citizen_confirmation = Set(Some(CitizenConfirmation::Disputed));
    model.completed_at = Set(None);
    model.reopened_count = Set(before.reopened_count + 1);
    model.next_update_due = Set(Some(uow.today() + Duration::days(crate::lists::progress::DEFAULT_UPDATE_INTERVAL_DAYS)));
    let after = save_rectification(uow, &before, model).await?;
    close_round(uow, id).await?;
    uow.audit("rectification.reopen", "rectification", id, snapshot(&before), snapshot(&after));
    emit_rectification(uow, "rectification.reopened", &after).await?;
    Ok(())
}

async fn confirm_rectification(uow: &mut UnitOfWork, id: i32) -> Result<(), ServiceError> {
    let Some(before) = rectification::Entity::find_by_id(id).one(uow.db()).await? else { return Ok(()) };
    if before.status != RectificationStatus::Reported || before.citizen_confirmation == Some(CitizenConfirmation::Disputed) {
        return Ok(());
    }
    let mut model = before.clone().into_active_model();
    model.citizen_confirmation = Set(Some(CitizenConfirmation::Confirmed));
    if before.verification == Some(Verification::Passed) {
        model.status = Set(RectificationStatus::Rectified);
    }
    let after = save_rectification(uow, &before, model).await?;
    uow.audit("rectification.confirm", "rectification", id, snapshot(&before), snapshot(&after));
    if after.status == RectificationStatus::Rectified {
        close_round(uow, id).await?;
        emit_rectification(uow, "rectification.settled", &after).await?;
    }
    Ok(())
}

/// What a passed verification leaves: 已整改 when a citizen confirmed, when the quiet period has
/// passed, or when nobody was asked; otherwise still 单位报结 (核验通过, 待群众确认).
pub async fn settled_status(
    uow: &UnitOfWork,
    rect: &rectification::Model,
) -> Result<(RectificationStatus, Option<CitizenConfirmation>), DbErr> {
    if rect.citizen_confirmation == Some(CitizenConfirmation::Confirmed) {
        return Ok((RectificationStatus::Rectified, rect.citizen_confirmation));
    }
    let asked = revisit::Entity::find()
        .filter(revisit::Column::RectificationId.eq(rect.id))
        .filter(revisit::Column::ClosedAt.is_null())
        .one(uow.db())
        .await?
        .is_some();
    if !asked {
        return Ok((RectificationStatus::Rectified, None));
    }
    let (rules, _) = settings::current::<FollowThrough>(uow.db()).await?;
    let quiet_since = uow.now() - Duration::days(i64::from(rules.quiet_days));
    if rect.completed_at.is_some_and(|at| at <= quiet_since) {
        return Ok((RectificationStatus::Rectified, Some(CitizenConfirmation::Lapsed)));
    }
    Ok((RectificationStatus::Reported, rect.citizen_confirmation))
}

/// One pass of the `revisits` job: verified items whose quiet period passed with no 未解决
/// count as 已整改 (期满无异议); how many.
pub async fn settle_quiet(ctx: Context<'_>) -> Result<usize, ServiceError> {
    let (rules, _) = settings::current::<FollowThrough>(ctx.db).await?;
    let quiet_since = ctx.clock.now() - Duration::days(i64::from(rules.quiet_days));
    let due = || {
        rectification::Entity::find()
            .filter(rectification::Column::Status.eq(RectificationStatus::Reported))
            .filter(rectification::Column::Verification.eq(Verification::Passed))
            .filter(rectification::Column::CitizenConfirmation.eq(CitizenConfirmation::Pending))
            .filter(rectification::Column::CompletedAt.lte(quiet_since))
    };
    if due().one(ctx.db).await?.is_none() {
        return Ok(0);
    }
    let mut uow = UnitOfWork::begin(ctx, &Actor::system("revisits")).await?;
    let items = due().order_by_asc(rectification::Column::Id).limit(SETTLED_PER_PASS).all(uow.db()).await?;
    for before in &items {
        let mut model = before.clone().into_active_model();
        model.status = Set(RectificationStatus::Rectified);
        model.citizen_confirmation = Set(Some(CitizenConfirmation::Lapsed));
        let after = save_rectification(&mut uow, before, model).await?;
        close_round(&uow, before.id).await?;
        uow.audit("rectification.lapse", "rectification", before.id, snapshot(before), snapshot(&after));
        emit_rectification(&mut uow, "rectification.settled", &after).await?;
    }
    uow.commit().await?;
    Ok(items.len())
}

/// One round of 回访 on a rectification: how many were asked, answered, and how.
#[derive(Debug, Default, Serialize)]
pub struct Tally {
    pub asked: u64,
    pub answered: u64,
    pub resolved: u64,
    pub partly: u64,
    pub unresolved: u64,
    /// Answered of asked, in whole percent.
    pub response_rate: Option<u64>,
}

/// The latest round's tally of a rectification reported done (none before it is).
pub async fn tally(db: &impl ConnectionTrait, rect: &rectification::Model) -> Result<Option<Tally>, DbErr> {
    let Some(since) = rect.completed_at else { return Ok(None) };
    let rows: Vec<(Option<RevisitAnswer>, i64)> = revisit::Entity::find()
        .select_only()
        .column(revisit::Column::Answer)
        .column_as(revisit::Column::Id.count(), "n")
        .filter(revisit::Column::RectificationId.eq(rect.id))
        .filter(revisit::Column::AskedAt.gte(since))
        .group_by(revisit::Column::Answer)
        .into_tuple()
        .all(db)
        .await?;
    let mut t = Tally::default();
    for (answer, n) in rows {
        let n = n.max(0) as u64;
        t.asked += n;
        match answer {
            Some(RevisitAnswer::Resolved) => t.resolved += n,
            Some(RevisitAnswer::Partly) => t.partly += n,
            Some(RevisitAnswer::Unresolved) => t.unresolved += n,
            None => {}
        }
    }
    t.answered = t.resolved + t.partly + t.unresolved;
    t.response_rate = (t.asked > 0).then(|| t.answered * 100 / t.asked);
    Ok((t.asked > 0).then_some(t))
}

/// How the city's 已整改 items were settled: confirmed by a citizen, by the quiet period, or with
/// nobody to ask.
#[derive(Debug, Default, Serialize)]
pub struct Settled {
    pub rectified: u64,
    pub confirmed: u64,
    pub lapsed: u64,
    pub unasked: u64,
    /// Settled by the quiet period, of all 已整改, in whole percent.
    pub lapsed_pct: Option<u64>,
}

/// Counted over the rectifications list (one row per problem, never the opinions).
pub async fn settled(db: &impl ConnectionTrait) -> Result<Settled, DbErr> {
    let rows: Vec<(Option<CitizenConfirmation>, i64)> = rectification::Entity::find()
        .select_only()
        .column(rectification::Column::CitizenConfirmation)
        .column_as(rectification::Column::Id.count(), "n")
        .filter(rectification::Column::Status.eq(RectificationStatus::Rectified))
        .group_by(rectification::Column::CitizenConfirmation)
        .into_tuple()
        .all(db)
        .await?;
    let mut s = Settled::default();
    for (confirmation, n) in rows {
        let n = n.max(0) as u64;
        s.rectified += n;
        match confirmation {
            Some(CitizenConfirmation::Lapsed) => s.lapsed += n,
            None => s.unasked += n,
            _ => s.confirmed += n,
        }
    }
    s.lapsed_pct = (s.rectified > 0).then(|| s.lapsed * 100 / s.rectified);
    Ok(s)
}
