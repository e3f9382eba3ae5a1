//! A report's life: 草稿 → 待审核 → 已发布 (at once, or 定时发布 until its time) → 已撤回, and back
//! to 草稿 with a reviewer's note. The reviewer is never the author. Every step is one unit of
//! work that reads the report's state inside it (so two reviewers cannot both act), audits, keeps
//! a revision when the text changes, and refreshes the search document.

use chrono::{DateTime, Utc};
use entity::vocab::{ReportStatus, Role};
use entity::{problem, report, report_link, report_revision};
use rand::RngExt;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::dependencies::Record;
use crate::domain::text;
use crate::journal::snapshot;
use crate::service::{Actor, FieldErrors, ServiceError};
use crate::unit_of_work::{Context, UnitOfWork};

/// The note on a report's first revision.
const DRAFTED: &str = "新建草稿";

/// What an editor submits: the text and the problems it reports on, by code.
pub struct Draft<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub body_md: &'a str,
    /// Problem codes, separated by commas, spaces or 、.
    pub problems: &'a str,
    /// Theme ids the same way (a draft begun from a handed-over theme).
    pub themes: &'a str,
}

/// A draft that parsed: every field within bounds, every problem code known.
struct Valid {
    title: String,
    summary: String,
    body_md: String,
    problem_ids: Vec<i32>,
    theme_ids: Vec<i32>,
}

async fn parse(uow: &UnitOfWork, input: &Draft<'_>) -> Result<Valid, ServiceError> {
    let mut errors = FieldErrors::default();
    let title = errors.text("title", "报道标题", text::line(input.title, 100));
    let summary = errors.text("summary", "报道摘要", text::line(input.summary, 300));
    let body_md = errors.text("body_md", "报道正文", text::block(input.body_md, 20_000));
    let codes: Vec<String> =
        input.problems.split([',', '，', '、', ' ', '\n']).map(str::trim).filter(|c| !c.is_empty()).map(str::to_uppercase).collect();
    let mut problem_ids = Vec::new();
    if codes.len() > 20 {
        errors.add("problems", "too_many", "一篇报道最多关联 20 个问题");
    } else if !codes.is_empty() {
        let found: Vec<(i32, String)> = problem::Entity::find()
            .select_only()
            .columns([problem::Column::Id, problem::Column::Code])
            .filter(problem::Column::Code.is_in(codes.clone()))
            .into_tuple()
            .all(uow.db())
            .await?;
        let unknown: Vec<&str> = codes.iter().filter(|c| !found.iter().any(|(_, code)| code == *c)).map(String::as_str).collect();
        if !unknown.is_empty() {
            errors.add("problems", "unknown_problem", format!("找不到这些问题编号：{}", unknown.join("、")));
        }
        problem_ids = found.into_iter().map(|(id, _)| id).collect();
        problem_ids.sort_unstable();
        problem_ids.dedup();
    }
    let theme_ids = theme_ids(uow, input.themes, &mut errors).await?;
    match (errors.is_empty(), title, summary, body_md) {
        (true, Some(title), Some(summary), Some(body_md)) => Ok(Valid { title, summary, body_md, problem_ids, theme_ids }),
        _ => Err(ServiceError::Invalid(errors)),
    }
}

/// The themes a draft names, each one that exists.
async fn theme_ids(uow: &UnitOfWork, input: &str, errors: &mut FieldErrors) -> Result<Vec<i32>, ServiceError> {
    let asked: Vec<i32> = input.split([',', '，', '、', ' ']).filter_map(|t| t.trim().parse().ok()).take(20).collect();
    if asked.is_empty() {
        return Ok(asked);
    }
    let mut found: Vec<i32> = entity::theme::Entity::find()
        .select_only()
        .column(entity::theme::Column::Id)
        .filter(entity::theme::Column::Id.is_in(asked.clone()))
        .into_tuple()
        .all(uow.db())
        .await?;
    if found.len() < asked.iter().collect::<std::collections::HashSet<_>>().len() {
        errors.add("themes", "unknown_theme", "关联的热点主题已不存在，请从工作台重新选择");
    }
    found.sort_unstable();
    Ok(found)
}

pub async fn create_draft(ctx: Context<'_>, actor: &Actor, input: Draft<'_>) -> Result<report::Model, ServiceError> {
    actor.require(&[Role::Publicity])?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let valid = parse(&uow, &input).await?;
    let now = uow.now();
    let slug = format!("r-{}-{:04x}", now.format("%Y%m%d"), rand::rng().random_range(0..0xffffu32));
    let created = report::ActiveModel {
        slug: Set(slug),
        title: Set(valid.title.clone()),
        summary: Set(valid.summary.clone()),
        body_md: Set(valid.body_md.clone()),
        status: Set(ReportStatus::Draft),
        author_id: Set(actor.user_id),
        reviewer_id: Set(None),
        review_note: Set(None),
        published_at: Set(None),
        publish_at: Set(None),
        withdrawn_reason: Set(None),
        withdrawn_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(uow.db())
    .await?;
    link(&uow, created.id, &valid.problem_ids).await?;
    link_themes(&uow, created.id, &valid.theme_ids).await?;
    revise(&uow, &created, Some(DRAFTED)).await?;
    uow.audit("report.create", "report", created.id, None, snapshot(&created));
    uow.touch(Record::Report(created.id));
    uow.commit().await?;
    Ok(created)
}

/// Saves a new text for a draft (a report in review goes back to its author first).
pub async fn edit(ctx: Context<'_>, actor: &Actor, id: i32, input: Draft<'_>) -> Result<report::Model, ServiceError> {
    actor.require(&[Role::Publicity])?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let before = find(&uow, id).await?;
    if before.status != ReportStatus::Draft {
        return Err(ServiceError::Refused(format!("“{}”的报道不能修改；请先由审核人退回草稿", before.status.label())));
    }
    let valid = parse(&uow, &input).await?;
    let mut model = before.clone().into_active_model();
    model.title = Set(valid.title);
    model.summary = Set(valid.summary);
    model.body_md = Set(valid.body_md);
    model.updated_at = Set(uow.now());
    let after = model.update(uow.db()).await?;
    link(&uow, id, &valid.problem_ids).await?;
    if (&after.title, &after.summary, &after.body_md) != (&before.title, &before.summary, &before.body_md) {
        revise(&uow, &after, None).await?;
    }
    uow.audit("report.edit", "report", id, snapshot(&before), snapshot(&after));
    uow.touch(Record::Report(id));
    uow.commit().await?;
    Ok(after)
}

/// A step of the workflow a publicity user takes on a report.
pub enum Step<'a> {
    /// The author (or any editor) asks for review.
    Submit,
    /// A reviewer other than the author publishes it now, or at `at`.
    Approve { at: Option<DateTime<Utc>> },
    /// A reviewer other than the author sends it back to 草稿 with a note.
    SendBack { note: &'a str },
    /// A published report is withdrawn; its page stays, with the reason.
    Withdraw { reason: &'a str },
}

pub async fn take(ctx: Context<'_>, actor: &Actor, id: i32, step: Step<'_>) -> Result<report::Model, ServiceError> {
    actor.require(&[Role::Publicity])?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let before = find(&uow, id).await?;
    let now = uow.now();
    let mut model = before.clone().into_active_model();
    let reviewing = matches!(step, Step::Approve { .. } | Step::SendBack { .. });
    if reviewing && (actor.user_id.is_some() && before.author_id == actor.user_id || wrote(&uow, id, actor).await?) {
        return Err(ServiceError::Refused("审核人不能是作者本人，请由另一位宣传部同事审核".into()));
    }
    let (action, note) = match (&step, before.status) {
        (Step::Submit, ReportStatus::Draft) => {
            model.status = Set(ReportStatus::InReview);
            ("report.submit", Some("提交审核".to_string()))
        }
        (Step::Approve { at }, ReportStatus::InReview) => {
            model.reviewer_id = Set(actor.user_id);
            model.review_note = Set(None);
            if at.is_some_and(|at| at <= now) {
                return Err(ServiceError::Refused("发布时间已过，请重新选择，或留空立即发布".into()));
            }
            match *at {
                Some(at) => {
                    model.status = Set(ReportStatus::Scheduled);
                    model.publish_at = Set(Some(at));
                    ("report.schedule", Some(format!("审核通过，定于 {} 发布", crate::domain::time::minute(at))))
                }
                None => {
                    model.status = Set(ReportStatus::Published);
                    model.published_at = Set(Some(now));
                    uow.emit(published(id));
                    ("report.publish", Some("审核通过并发布".to_string()))
                }
            }
        }
        (Step::SendBack { note }, ReportStatus::InReview | ReportStatus::Scheduled) => {
            let note = reason(note, "note", "退回意见")?;
            model.status = Set(ReportStatus::Draft);
            model.publish_at = Set(None);
            model.reviewer_id = Set(actor.user_id);
            model.review_note = Set(Some(note.clone()));
            ("report.send_back", Some(format!("退回修改：{note}")))
        }
        (Step::Withdraw { reason: why }, ReportStatus::Published) => {
            let why = reason(why, "reason", "撤回理由")?;
            model.status = Set(ReportStatus::Withdrawn);
            let note = format!("撤回：{why}");
            model.withdrawn_reason = Set(Some(why));
            model.withdrawn_at = Set(Some(now));
            ("report.withdraw", Some(note))
        }
        (_, status) => return Err(ServiceError::Refused(format!("报道当前为“{}”，不能这样操作；请刷新页面查看最新状态", status.label()))),
    };
    model.updated_at = Set(now);
    let after = model.update(uow.db()).await?;
    if let Some(note) = note {
        revise(&uow, &after, Some(&note)).await?;
    }
    uow.audit(action, "report", id, snapshot(&before), snapshot(&after));
    uow.touch(Record::Report(id));
    uow.commit().await?;
    Ok(after)
}

/// Whether `actor` saved any of the report's text: whoever wrote it is one of its authors.
async fn wrote(uow: &UnitOfWork, id: i32, actor: &Actor) -> Result<bool, ServiceError> {
    let saved = report_revision::Entity::find()
        .filter(report_revision::Column::ReportId.eq(id))
        .filter(report_revision::Column::Editor.eq(actor.label.chars().take(64).collect::<String>()))
        .filter(sea_orm::Condition::any().add(report_revision::Column::Note.is_null()).add(report_revision::Column::Note.eq(DRAFTED)))
        .count(uow.db())
        .await?;
    Ok(saved > 0)
}

fn reason(input: &str, field: &'static str, label: &str) -> Result<String, ServiceError> {
    let mut errors = FieldErrors::default();
    let value = errors.text(field, label, text::line(input, 200));
    value.ok_or(ServiceError::Invalid(errors))
}

/// Publishes the scheduled reports whose time has come (the `reports` job); how many.
pub async fn publish_due(ctx: Context<'_>) -> Result<usize, ServiceError> {
    let actor = Actor::system("reports");
    let mut uow = UnitOfWork::begin(ctx, &actor).await?;
    let now = uow.now();
    let due = report::Entity::find()
        .filter(report::Column::Status.eq(ReportStatus::Scheduled))
        .filter(report::Column::PublishAt.lte(now))
        .limit(100)
        .all(uow.db())
        .await?;
    for before in &due {
        let mut model = before.clone().into_active_model();
        model.status = Set(ReportStatus::Published);
        model.published_at = Set(before.publish_at.or(Some(now)));
        model.updated_at = Set(now);
        let after = model.update(uow.db()).await?;
        uow.audit("report.publish", "report", before.id, snapshot(before), snapshot(&after));
        uow.touch(Record::Report(before.id));
        uow.emit(published(before.id));
    }
    uow.commit().await?;
    Ok(due.len())
}

/// For the `notify` job, which tells the citizens of the report's problems and themes (found
/// then: a theme can hold thousands).
fn published(id: i32) -> crate::unit_of_work::Event {
    crate::unit_of_work::Event { topic: "report.published", entity_type: "report", entity_id: id, citizens: Vec::new(), data: None }
}

async fn find(uow: &UnitOfWork, id: i32) -> Result<report::Model, ServiceError> {
    report::Entity::find_by_id(id).one(uow.db()).await?.ok_or(ServiceError::NotFound)
}

/// Makes the report's problem links exactly `problem_ids` (its theme links stay).
async fn link(uow: &UnitOfWork, report_id: i32, problem_ids: &[i32]) -> Result<(), ServiceError> {
    report_link::Entity::delete_many()
        .filter(report_link::Column::ReportId.eq(report_id))
        .filter(report_link::Column::ProblemId.is_not_null())
        .exec(uow.db())
        .await?;
    for id in problem_ids {
        report_link::ActiveModel { report_id: Set(report_id), problem_id: Set(Some(*id)), theme_id: Set(None), ..Default::default() }
            .insert(uow.db())
            .await?;
    }
    Ok(())
}

/// Links the report to `theme_ids`, answering the office's handovers of them.
async fn link_themes(uow: &UnitOfWork, report_id: i32, theme_ids: &[i32]) -> Result<(), ServiceError> {
    use entity::report_handover;
    for id in theme_ids {
        report_link::ActiveModel { report_id: Set(report_id), problem_id: Set(None), theme_id: Set(Some(*id)), ..Default::default() }
            .insert(uow.db())
            .await?;
    }
    report_handover::Entity::update_many()
        .col_expr(report_handover::Column::ReportId, sea_orm::sea_query::Expr::value(report_id))
        .filter(report_handover::Column::ThemeId.is_in(theme_ids.to_vec()))
        .filter(report_handover::Column::ReportId.is_null())
        .exec(uow.db())
        .await?;
    Ok(())
}

/// Keeps the report's text as its next revision.
async fn revise(uow: &UnitOfWork, r: &report::Model, note: Option<&str>) -> Result<(), ServiceError> {
    let number = report_revision::Entity::find().filter(report_revision::Column::ReportId.eq(r.id)).count(uow.db()).await? as i32 + 1;
    report_revision::ActiveModel {
        report_id: Set(r.id),
        number: Set(number),
        title: Set(r.title.clone()),
        summary: Set(r.summary.clone()),
        body_md: Set(r.body_md.clone()),
        editor: Set(uow.actor().label.chars().take(64).collect()),
        note: Set(note.map(str::to_string)),
        created_at: Set(uow.now()),
        ..Default::default()
    }
    .insert(uow.db())
    .await?;
    Ok(())
}

/// A report's revisions, newest first.
pub async fn revisions(db: &impl sea_orm::ConnectionTrait, id: i32) -> Result<Vec<report_revision::Model>, sea_orm::DbErr> {
    report_revision::Entity::find()
        .filter(report_revision::Column::ReportId.eq(id))
        .order_by_desc(report_revision::Column::Number)
        .limit(50)
        .all(db)
        .await
}
