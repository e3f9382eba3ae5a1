//! The work on the lists: the office creates problems and verifies results; units revise
//! their plans and report completion.

use chrono::{Datelike, NaiveDate};
use entity::vocab::{CitizenConfirmation, ProblemSource, RectificationStatus, ResponsibilityKind, Role, Verification};
use entity::{problem, progress_update, rectification, responsibility, responsibility_unit, unit};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};

use crate::dependencies::Record;
use crate::domain::{DEFAULT_CATEGORIES, account::unit_code, text};
use crate::journal::snapshot;
use crate::lists::scope::ensure_may_work_on;
use crate::lists::{emit_rectification, save_rectification};
use crate::service::{Actor, FieldErrors, ServiceError};
use crate::unit_of_work::{Context, UnitOfWork};

pub struct NewProblem<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub category: &'a str,
    pub region: &'a str,
    pub source: &'a str,
    pub lead_unit: &'a str,
    pub cooperating: Vec<&'a str>,
    pub responsible_post: &'a str,
    pub deadline: &'a str,
    pub kind: &'a str,
    pub measures: &'a str,
    pub plan: &'a str,
    pub target: &'a str,
}

/// A validated problem, ready to write; shared by the office form and the importer.
pub struct ValidProblem {
    pub title: String,
    pub description: String,
    pub category: String,
    pub region: String,
    pub source: ProblemSource,
    pub lead_unit_id: i32,
    pub cooperating_ids: Vec<i32>,
    pub responsible_post: String,
    pub deadline: NaiveDate,
    pub kind: ResponsibilityKind,
    pub measures: String,
    pub plan: String,
    pub target: String,
}

/// Finds a unit by code or by its full name, as offices write either in spreadsheets.
async fn find_unit(db: &impl ConnectionTrait, key: &str) -> Result<Option<unit::Model>, sea_orm::DbErr> {
    let key = key.trim();
    if let Ok(code) = unit_code(key)
        && let Some(found) = unit::Entity::find().filter(unit::Column::Code.eq(code)).one(db).await?
    {
        return Ok(Some(found));
    }
    match text::line(key, 64) {
        Ok(name) => unit::Entity::find().filter(unit::Column::Name.eq(name)).one(db).await,
        Err(_) => Ok(None),
    }
}

/// The region of a problem that concerns the whole city.
pub const CITYWIDE: &str = "全市";

pub fn parse_date(input: &str) -> Option<NaiveDate> {
    let s = input.trim();
    ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"].iter().find_map(|f| NaiveDate::parse_from_str(s, f).ok())
}

pub async fn validate_problem(db: &impl ConnectionTrait, input: &NewProblem<'_>) -> Result<ValidProblem, ServiceError> {
    let mut errors = FieldErrors::default();
    let title = errors.text("title", "问题标题", text::line(input.title, 100));
    let description = errors.text("description", "问题描述", text::block(input.description, 5000));
    let category = input.category.trim();
    if !DEFAULT_CATEGORIES.contains(&category) {
        errors.add("category", "invalid", format!("问题类别须为：{}", DEFAULT_CATEGORIES.join("、")));
    }
    let regions = crate::units::regions(db).await?;
    let region = match input.region.trim() {
        r if r == CITYWIDE || regions.iter().any(|known| known == r) => Some(r.to_string()),
        _ => {
            errors.add("region", "invalid", format!("区域须为：{}、{CITYWIDE}", regions.join("、")));
            None
        }
    };
    let source = ProblemSource::parse(input.source);
    if source.is_none() {
        errors.add("source", "invalid", "请选择问题来源");
    }
    let lead = find_unit(db, input.lead_unit).await?;
    if lead.is_none() {
        errors.add("lead_unit", "invalid", "请选择牵头单位");
    }
    let mut cooperating_ids = Vec::new();
    for key in input.cooperating.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
        match find_unit(db, key).await? {
            Some(u) if Some(u.id) != lead.as_ref().map(|l| l.id) && !cooperating_ids.contains(&u.id) => cooperating_ids.push(u.id),
            Some(_) => {}
            None => errors.add("cooperating", "invalid", format!("没有单位“{}”", key.chars().take(32).collect::<String>())),
        }
    }
    let post = errors.text("responsible_post", "责任岗位", text::line(input.responsible_post, 64));
    let deadline = parse_date(input.deadline);
    if deadline.is_none() {
        errors.add("deadline", "invalid", "完成时限须为日期，如 2026-12-31");
    }
    let kind = ResponsibilityKind::parse(input.kind);
    if kind.is_none() {
        errors.add("kind", "invalid", "请选择整改类型（立行立改、限期整改、长期整改）");
    }
    let measures = errors.text("measures", "整改措施", text::block(input.measures, 5000));
    let plan = errors.text("plan", "整改计划", text::block(input.plan, 5000));
    let target = errors.text("target", "整改目标", text::line(input.target, 200));
    let (true, Some(title), Some(description), Some(region), Some(source), Some(lead), Some(post), Some(deadline), Some(kind)) =
        (errors.is_empty(), title, description, region, source, lead, post, deadline, kind)
    else {
        return Err(ServiceError::Invalid(errors));
    };
    let (Some(measures), Some(plan), Some(target)) = (measures, plan, target) else { return Err(ServiceError::Invalid(errors)) };
    Ok(ValidProblem {
        title,
        description,
        category: category.to_string(),
        region,
        source,
        lead_unit_id: lead.id,
        cooperating_ids,
        responsible_post: post,
        deadline,
        kind,
        measures,
        plan,
        target,
    })
}

/// What a new problem comes from, besides the office's own form: linked in the same unit of work.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Origin {
    pub opinion: Option<i32>,
    pub theme: Option<i32>,
}

/// The office creates a problem, linking the opinion or promoting the theme it came from, all in
/// one unit of work: a failure leaves nothing half-made, and a retried form (`once`) gets the
/// first problem back instead of a twin.
pub async fn create_problem(
    ctx: Context<'_>,
    actor: &Actor,
    input: NewProblem<'_>,
    origin: Origin,
    once: Option<&crate::idempotency::Key>,
) -> Result<problem::Model, ServiceError> {
    actor.require(&[Role::Office])?;
    let valid = validate_problem(ctx.db, &input).await?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    if let Some(key) = once
        && let Some(first) = crate::idempotency::recall::<i32>(&uow, key).await?
    {
        return problem::Entity::find_by_id(first).one(uow.db()).await?.ok_or(ServiceError::NotFound);
    }
    let created = insert_problem(&mut uow, valid, None, origin.theme).await?;
    if let Some(id) = origin.opinion {
        crate::opinions::handling::link_problem(&mut uow, id, &created.code).await?;
    }
    if let Some(id) = origin.theme {
        crate::themes::store::promote(&mut uow, id, &created).await?;
    }
    if let Some(key) = once {
        crate::idempotency::remember(&uow, key, &created.id).await?;
    }
    uow.commit().await?;
    Ok(created)
}

/// The next `WT-YYYY-NNNN` for the year. Inside a unit of work, whose write lock keeps two
/// writers from taking the same number.
async fn next_code(db: &impl ConnectionTrait, year: i32) -> Result<String, sea_orm::DbErr> {
    let prefix = format!("WT-{year}-");
    let last =
        problem::Entity::find().filter(problem::Column::Code.starts_with(&prefix)).order_by_desc(problem::Column::Code).one(db).await?;
    let seq = last.and_then(|p| p.code[prefix.len()..].parse::<u32>().ok()).unwrap_or(0) + 1;
    Ok(format!("{prefix}{seq:04}"))
}

/// Writes a validated problem with its responsibility and a not-started rectification.
/// `code` keeps an imported item's own number; `None` numbers it.
pub async fn insert_problem(
    uow: &mut UnitOfWork,
    valid: ValidProblem,
    code: Option<String>,
    theme_id: Option<i32>,
) -> Result<problem::Model, ServiceError> {
    let now = uow.now();
    let actor = uow.actor().clone();
    let db = uow.db();
    let code = match code {
        Some(code) => code,
        None => next_code(db, uow.today().year()).await?,
    };
    let created = problem::ActiveModel {
        code: Set(code),
        title: Set(valid.title),
        description: Set(valid.description),
        category: Set(valid.category),
        region: Set(valid.region),
        source: Set(valid.source),
        theme_id: Set(theme_id),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let resp = responsibility::ActiveModel {
        problem_id: Set(created.id),
        lead_unit_id: Set(valid.lead_unit_id),
        responsible_post: Set(valid.responsible_post),
        deadline: Set(valid.deadline),
        kind: Set(valid.kind),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    for unit_id in valid.cooperating_ids {
        responsibility_unit::ActiveModel { responsibility_id: Set(resp.id), unit_id: Set(unit_id) }.insert(db).await?;
    }
    let rect = rectification::ActiveModel {
        problem_id: Set(created.id),
        responsibility_id: Set(resp.id),
        measures: Set(valid.measures),
        plan: Set(valid.plan),
        target: Set(valid.target),
        next_milestone: Set(None),
        status: Set(RectificationStatus::NotStarted),
        progress: Set(0),
        next_update_due: Set(Some(uow.today() + chrono::Duration::days(crate::lists::progress::DEFAULT_UPDATE_INTERVAL_DAYS))),
        last_update_at: Set(None),
        completed_at: Set(None),
        verification: Set(None),
        verification_reason: Set(None),
        verified_by: Set(None),
        verified_at: Set(None),
        citizen_confirmation: Set(None),
        reopened_count: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    uow.audit("problem.create", "problem", &created.code, None, snapshot(&(&created, &resp, &rect)));
    uow.touch(Record::Problem(created.id));
    Ok(created)
}

pub struct PlanRevision<'a> {
    pub measures: &'a str,
    pub plan: &'a str,
    pub target: &'a str,
    pub next_milestone: &'a str,
    pub next_update_due: &'a str,
}

/// A unit revises its measures and plan, and promises when the next update comes.
pub async fn revise_plan(
    ctx: Context<'_>,
    actor: &Actor,
    rectification_id: i32,
    input: PlanRevision<'_>,
) -> Result<rectification::Model, ServiceError> {
    let mut errors = FieldErrors::default();
    let measures = errors.text("measures", "整改措施", text::block(input.measures, 5000));
    let plan = errors.text("plan", "整改计划", text::block(input.plan, 5000));
    let target = errors.text("target", "整改目标", text::line(input.target, 200));
    let milestone = errors.text("next_milestone", "下一阶段目标", text::optional_line(Some(input.next_milestone), 200)).flatten();
    let today = ctx.clock.today();
    let due = parse_date(input.next_update_due).filter(|d| *d >= today && *d <= today + chrono::Duration::days(180));
    if due.is_none() {
        errors.add("next_update_due", "invalid", "下次更新日期须在今天到 180 天之内");
    }
    let (true, Some(measures), Some(plan), Some(target), Some(due)) = (errors.is_empty(), measures, plan, target, due) else {
        return Err(ServiceError::Invalid(errors));
    };
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let before = rectification::Entity::find_by_id(rectification_id).one(uow.db()).await?.ok_or(ServiceError::NotFound)?;
    ensure_may_work_on(uow.db(), actor, rectification_id).await?;
    let mut model = before.clone().into_active_model();
    model.measures = Set(measures);
    model.plan = Set(plan);
    model.target = Set(target);
    model.next_milestone = Set(milestone);
    model.next_update_due = Set(Some(due));
    let after = save_rectification(&mut uow, &before, model).await?;
    uow.audit("rectification.plan", "rectification", rectification_id, snapshot(&before), snapshot(&after));
    emit_rectification(&mut uow, "rectification.plan", &after).await?;
    uow.commit().await?;
    Ok(after)
}

/// 单位报结: the unit says the work is done; the office verifies next.
pub async fn report_done(ctx: Context<'_>, actor: &Actor, rectification_id: i32, note: &str) -> Result<rectification::Model, ServiceError> {
    let mut errors = FieldErrors::default();
    let Some(note) = errors.text("note", "完成情况说明", text::block(note, 2000)) else { return Err(ServiceError::Invalid(errors)) };
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let before = rectification::Entity::find_by_id(rectification_id).one(uow.db()).await?.ok_or(ServiceError::NotFound)?;
    ensure_may_work_on(uow.db(), actor, rectification_id).await?;
    if matches!(before.status, RectificationStatus::Reported | RectificationStatus::Rectified) {
        return Err(ServiceError::Refused("该事项已报结".into()));
    }
    let now = uow.now();
    progress_update::ActiveModel {
        rectification_id: Set(rectification_id),
        author_id: Set(actor.user_id),
        text: Set(format!("单位报结：{note}")),
        percent: Set(100),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(uow.db())
    .await?;
    let mut model = before.clone().into_active_model();
    model.status = Set(RectificationStatus::Reported);
    model.progress = Set(100);
    model.completed_at = Set(Some(now));
    model.last_update_at = Set(Some(now));
    model.next_update_due = Set(None);
    model.verification = Set(Some(Verification::Pending));
    model.verification_reason = Set(None);
    model.citizen_confirmation = Set(Some(CitizenConfirmation::Pending));
    let after = save_rectification(&mut uow, &before, model).await?;
    uow.audit("rectification.report", "rectification", rectification_id, snapshot(&before), snapshot(&after));
    let citizens = emit_rectification(&mut uow, "rectification.reported", &after).await?;
    crate::opinions::revisits::ask_about_rectification(&uow, rectification_id, &citizens).await?;
    uow.commit().await?;
    Ok(after)
}

/// The office's verdict on a reported item: 核验通过 closes it as 已整改; 核验不通过 needs a
/// reason and sends it back to 整改中.
pub async fn verify(
    ctx: Context<'_>,
    actor: &Actor,
    rectification_id: i32,
    pass: bool,
    reason: &str,
) -> Result<rectification::Model, ServiceError> {
    actor.require(&[Role::Office])?;
    let reason = if pass {
        None
    } else {
        let mut errors = FieldErrors::default();
        let Some(reason) = errors.text("reason", "不通过的理由", text::block(reason, 1000)) else {
            return Err(ServiceError::Invalid(errors));
        };
        Some(reason)
    };
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let before = rectification::Entity::find_by_id(rectification_id).one(uow.db()).await?.ok_or(ServiceError::NotFound)?;
    if before.status != RectificationStatus::Reported {
        return Err(ServiceError::Conflict("只有单位报结的事项可以核验（该事项可能刚刚已被核验）".into()));
    }
    let now = uow.now();
    let mut model = before.clone().into_active_model();
    model.verified_by = Set(actor.user_id);
    model.verified_at = Set(Some(now));
    if pass {
        let (status, confirmation) = crate::opinions::revisits::settled_status(&uow, &before).await?;
        model.status = Set(status);
        model.citizen_confirmation = Set(confirmation);
        model.verification = Set(Some(Verification::Passed));
        model.verification_reason = Set(None);
    } else {
        model.status = Set(RectificationStatus::InProgress);
        model.verification = Set(Some(Verification::Failed));
        model.verification_reason = Set(reason);
        model.completed_at = Set(None);
        model.citizen_confirmation = Set(None);
        model.reopened_count = Set(before.reopened_count + 1);
        model.next_update_due = Set(Some(uow.today() + chrono::Duration::days(crate::lists::progress::DEFAULT_UPDATE_INTERVAL_DAYS)));
    }
    let after = save_rectification(&mut uow, &before, model).await?;
    let action = if pass { "rectification.verify_pass" } else { "rectification.verify_fail" };
    uow.audit(action, "rectification", rectification_id, snapshot(&before), snapshot(&after));
    emit_rectification(&mut uow, "rectification.verified", &after).await?;
    uow.commit().await?;
    Ok(after)
}

/// What a new problem's form starts with when it is made from opinions.
pub struct ProblemDraft {
    pub title: String,
    pub description: String,
    pub category: Option<String>,
    pub region: Option<String>,
}

/// A draft from one opinion: its words (scrubbed), category and region.
pub async fn draft_from_opinion(db: &impl ConnectionTrait, opinion_id: i32) -> Result<Option<ProblemDraft>, sea_orm::DbErr> {
    Ok(entity::opinion::Entity::find_by_id(opinion_id).one(db).await?.map(|o| ProblemDraft {
        description: crate::privacy::scrub(&o.content),
        title: crate::privacy::scrub(&o.title),
        category: o.category,
        region: o.region,
    }))
}
