//! 好差评: the citizen rates the handling once, may add one follow-up (追评), and rates a
//! linked rectification's result once. A 差评 opens a follow-up task for the office.

use entity::vocab::{FollowupStatus, RatingLevel, RatingOrigin, RatingTarget, RectificationStatus, Role};
use entity::{followup_task, opinion, rating, rectification};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel, QueryFilter};

use crate::domain::{text, time};
use crate::journal::snapshot;
use crate::service::{Actor, FieldErrors, ServiceError};
use crate::settings::{self, Deadlines};
use crate::unit_of_work::{Context, Event, UnitOfWork};

/// Tags a citizen may pick, as in the national 好差评 system.
pub const GOOD_TAGS: &[&str] = &["办理及时", "态度热情", "结果满意", "沟通顺畅"];
pub const BAD_TAGS: &[&str] = &["办理拖延", "答复敷衍", "问题未解决", "推诿扯皮"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Handling,
    FollowUp,
    Result,
}

pub struct RatingInput<'a> {
    pub level: &'a str,
    pub tags: Vec<&'a str>,
    pub comment: &'a str,
}

/// A rating that passed its checks.
pub struct ValidRating {
    level: RatingLevel,
    tags: Vec<String>,
    comment: Option<String>,
}

impl ValidRating {
    /// A rating given as part of another answer: its level and the citizen's words.
    pub fn of(level: RatingLevel, comment: Option<String>) -> Self {
        Self { level, tags: Vec::new(), comment }
    }
}

impl TryFrom<RatingInput<'_>> for ValidRating {
    type Error = ServiceError;

    fn try_from(input: RatingInput<'_>) -> Result<Self, ServiceError> {
        let mut errors = FieldErrors::default();
        let level = input.level.trim().parse::<i64>().ok().and_then(RatingLevel::from_score);
        if level.is_none() {
            errors.add("level", "required", "请选择满意程度");
        }
        let mut tags: Vec<String> =
            input.tags.iter().map(|t| t.trim()).filter(|t| GOOD_TAGS.contains(t) || BAD_TAGS.contains(t)).map(str::to_string).collect();
        tags.dedup();
        // A tag must agree with the level: 不满意 is not 态度热情, 满意 is not 推诿扯皮.
        let contradicts = |t: &String| match level.map(RatingLevel::score) {
            Some(s) if s <= 2 => GOOD_TAGS.contains(&t.as_str()),
            Some(s) if s >= 4 => BAD_TAGS.contains(&t.as_str()),
            _ => false,
        };
        if let Some(tag) = tags.iter().find(|t| contradicts(t)) {
            let level = level.map_or("", RatingLevel::label);
            errors.add("tags", "contradicts", format!("标签：“{tag}”与“{level}”不一致，请去掉这个标签或改选满意程度"));
        }
        let comment = errors.text("comment", "评价意见", text::optional_line(Some(input.comment), 300)).flatten();
        match (errors.is_empty(), level) {
            (true, Some(level)) => Ok(Self { level, tags, comment }),
            _ => Err(ServiceError::Invalid(errors)),
        }
    }
}

pub async fn rate(ctx: Context<'_>, code: &str, what: What, input: RatingInput<'_>) -> Result<rating::Model, ServiceError> {
    let valid = ValidRating::try_from(input)?;
    let mut uow = UnitOfWork::begin(ctx, &Actor::citizen()).await?;
    let o = super::track::find(uow.db(), ctx.secrets, code).await?.ok_or(ServiceError::NotFound)?;
    let created = rate_in(&mut uow, &o, what, valid).await?;
    uow.commit().await?;
    Ok(created)
}

/// Rates inside a unit of work (回访 rates with its answer).
pub async fn rate_in(uow: &mut UnitOfWork, o: &opinion::Model, what: What, valid: ValidRating) -> Result<rating::Model, ServiceError> {
    let ValidRating { level, tags, comment } = valid;
    let txn = uow.db();
    let given = rating::Entity::find().filter(rating::Column::CodeDigest.eq(&o.code_digest)).all(txn).await?;
    let (target, rectification_id, is_followup) = match what {
        What::Handling => {
            if !super::RATEABLE.contains(&o.status) {
                return Err(ServiceError::Refused("办结后才能评价".into()));
            }
            if given.iter().any(|r| r.target == RatingTarget::Opinion && !r.is_followup) {
                return Err(ServiceError::Refused("这个查询码已经评价过了，可以追评一次".into()));
            }
            (RatingTarget::Opinion, None, false)
        }
        What::FollowUp => {
            if !given.iter().any(|r| r.target == RatingTarget::Opinion && !r.is_followup) {
                return Err(ServiceError::Refused("请先评价，再追评".into()));
            }
            if given.iter().any(|r| r.is_followup) {
                return Err(ServiceError::Refused("每个查询码只能追评一次".into()));
            }
            (RatingTarget::Opinion, None, true)
        }
        What::Result => {
            let rect = match o.problem_id {
                Some(id) => rectification::Entity::find().filter(rectification::Column::ProblemId.eq(id)).one(txn).await?,
                None => None,
            };
            let Some(rect) = rect.filter(|r| matches!(r.status, RectificationStatus::Reported | RectificationStatus::Rectified)) else {
                return Err(ServiceError::Refused("整改完成后才能评价整改结果".into()));
            };
            if given.iter().any(|r| r.target == RatingTarget::Rectification) {
                return Err(ServiceError::Refused("已经评价过整改结果".into()));
            }
            (RatingTarget::Rectification, Some(rect.id), false)
        }
    };
    let now = uow.now();
    let created = rating::ActiveModel {
        target: Set(target),
        opinion_id: Set((target == RatingTarget::Opinion).then_some(o.id)),
        rectification_id: Set(rectification_id),
        code_digest: Set(o.code_digest.clone()),
        level: Set(level),
        tags: Set(serde_json::to_string(&tags).expect("tags serialise")),
        comment: Set(comment),
        is_followup: Set(is_followup),
        origin: Set(RatingOrigin::Citizen),
        unit_id: Set(o.routed_unit_id),
        region: Set(o.region.clone()),
        category: Set(o.category.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(|e| match e {
        // The schema holds "once" even where the check above could not see a racing twin.
        e if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
            ServiceError::Conflict("这个查询码刚刚已经评价过了".into())
        }
        e => ServiceError::from(e),
    })?;
    if level.is_negative() {
        let (deadlines, _) = settings::current::<Deadlines>(txn).await?;
        followup_task::ActiveModel {
            rating_id: Set(created.id),
            opinion_id: Set(Some(o.id)),
            rectification_id: Set(rectification_id),
            status: Set(FollowupStatus::Open),
            due_date: Set(time::add_working_days(time::today(now), deadlines.followup)),
            note: Set(None),
            handled_by: Set(None),
            handled_at: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    let detail = serde_json::json!({ "target": target.as_str(), "level": level.score(), "followup": is_followup, "opinion": o.id });
    uow.audit("rating.create", "rating", created.id, None, Some(detail));
    uow.emit(Event { topic: "rating.created", entity_type: "rating", entity_id: created.id, citizens: Vec::new(), data: None });
    Ok(created)
}

/// The office records what it did about a 差评.
pub async fn handle_followup(ctx: Context<'_>, actor: &Actor, task_id: i32, note: &str) -> Result<followup_task::Model, ServiceError> {
    actor.require(&[Role::Office])?;
    let mut errors = FieldErrors::default();
    let Some(note) = errors.text("note", "处理说明", text::block(note, 1000)) else { return Err(ServiceError::Invalid(errors)) };
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let before = followup_task::Entity::find_by_id(task_id).one(uow.db()).await?.ok_or(ServiceError::NotFound)?;
    let mut model = before.clone().into_active_model();
    model.status = Set(FollowupStatus::Done);
    model.note = Set(Some(note));
    model.handled_by = Set(actor.user_id);
    model.handled_at = Set(Some(uow.now()));
    let guarded = followup_task::Entity::update(model).validate()?.filter(followup_task::Column::Status.eq(FollowupStatus::Open));
    let after = match guarded.exec(uow.db()).await {
        Err(DbErr::RecordNotUpdated) => return Err(ServiceError::Conflict("该差评已处理".into())),
        other => other?,
    };
    uow.audit("followup.handle", "followup_task", task_id, snapshot(&before), snapshot(&after));
    uow.commit().await?;
    Ok(after)
}

/// The follow-ups the desk lists at once: the oldest due first.
pub const FOLLOWUPS_SHOWN: u64 = 200;

/// An open follow-up with its rating and the rated opinion.
pub type OpenFollowup = (followup_task::Model, Option<opinion::Model>, Option<rating::Model>);

/// Open follow-ups, the [`FOLLOWUPS_SHOWN`] oldest due first; and how many are open (capped).
pub async fn open_followups(db: &DatabaseConnection) -> Result<(Vec<OpenFollowup>, crate::store::count::Capped), ServiceError> {
    use sea_orm::{QueryOrder, QuerySelect};
    use std::collections::HashMap;
    let open = || followup_task::Entity::find().filter(followup_task::Column::Status.eq(FollowupStatus::Open));
    let total = crate::store::count::up_to_cap(db, open()).await?;
    let tasks =
        open().order_by_asc(followup_task::Column::DueDate).order_by_asc(followup_task::Column::Id).limit(FOLLOWUPS_SHOWN).all(db).await?;
    let opinions: HashMap<i32, opinion::Model> = opinion::Entity::find()
        .filter(opinion::Column::Id.is_in(tasks.iter().filter_map(|t| t.opinion_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let ratings: HashMap<i32, rating::Model> = rating::Entity::find()
        .filter(rating::Column::Id.is_in(tasks.iter().map(|t| t.rating_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let out = tasks
        .into_iter()
        .map(|task| {
            let o = task.opinion_id.and_then(|id| opinions.get(&id).cloned());
            let r = ratings.get(&task.rating_id).cloned();
            (task, o, r)
        })
        .collect();
    Ok((out, total))
}
