//! Routing and answering: the office routes, merges, hides and links; the routed unit
//! accepts, replies and closes (已办结) or explains (已解释说明).

use entity::vocab::{OpinionStatus, Role};
use entity::{opinion, problem, unit};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter};

use super::reply_check::{self, Exchange, Report};
use crate::domain::{account::unit_code, text, time};
use crate::journal::snapshot;
use crate::service::{Actor, FieldErrors, ServiceError};
use crate::settings::{self, Deadlines, FollowThrough};
use crate::unit_of_work::{Context, Event, UnitOfWork};
use jieba_rs::Jieba;

/// Statuses an opinion can no longer leave by handling.
const FINAL: [OpinionStatus; 4] = [OpinionStatus::Merged, OpinionStatus::Withdrawn, OpinionStatus::Hidden, OpinionStatus::Revisited];

/// Which of the office's actions apply to an opinion in `status`: a page offers only these.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Allowed {
    pub route: bool,
    pub merge: bool,
    pub hide: bool,
    pub link: bool,
    pub revisit: bool,
    pub publish: bool,
}

impl Allowed {
    pub fn for_status(status: OpinionStatus) -> Self {
        use OpinionStatus as S;
        let open = matches!(status, S::Received | S::Routed | S::InProgress);
        let visible = !matches!(status, S::Merged | S::Withdrawn | S::Hidden);
        Self {
            route: open,
            merge: open,
            hide: !FINAL.contains(&status),
            link: visible,
            revisit: matches!(status, S::Closed | S::Explained),
            publish: visible,
        }
    }
}

fn invalid(field: &'static str, message: &str) -> ServiceError {
    let mut errors = FieldErrors::default();
    errors.add(field, "invalid", message);
    ServiceError::Invalid(errors)
}

/// Applies one status change with its event, note, notification and audit entry. The row
/// changes only if the opinion is still in the status it was read in.
async fn step(
    uow: &mut UnitOfWork,
    before: &opinion::Model,
    action: &str,
    label: &str,
    note: Option<String>,
    change: impl FnOnce(&mut opinion::ActiveModel),
) -> Result<opinion::Model, ServiceError> {
    let mut model = before.clone().into_active_model();
    change(&mut model);
    let after = super::save(uow, before, model).await?;
    super::record_step(uow, &after, Some(before.status), label, note, true).await?;
    uow.audit(action, "opinion", after.id, snapshot(before), snapshot(&after));
    Ok(after)
}

async fn load(db: &impl ConnectionTrait, id: i32) -> Result<opinion::Model, ServiceError> {
    let found = opinion::Entity::find_by_id(id).one(db).await?.ok_or(ServiceError::NotFound)?;
    if FINAL.contains(&found.status) {
        return Err(ServiceError::Refused(format!("该意见已{}，不能再办理", found.status.label())));
    }
    Ok(found)
}

/// 已转办: to a unit, with the due date the settings give the opinion's type. A category
/// chosen here corrects the citizen's (or the model's): the next training learns from it.
pub async fn route(
    ctx: Context<'_>,
    actor: &Actor,
    id: i32,
    unit_key: &str,
    category: &str,
    note: &str,
) -> Result<opinion::Model, ServiceError> {
    actor.require(&[Role::Office])?;
    let category = match category.trim() {
        "" => None,
        c if crate::domain::DEFAULT_CATEGORIES.contains(&c) => Some(c.to_string()),
        _ => return Err(invalid("category", "请从列表中选择类别")),
    };
    let code = unit_code(unit_key).map_err(|m| invalid("unit", m))?;
    let note = text::optional_line(Some(note), 200).map_err(|e| invalid("note", &e.to_string()))?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let target = unit::Entity::find()
        .filter(unit::Column::Code.eq(code))
        .one(uow.db())
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| invalid("unit", "没有这个单位"))?;
    let before = load(uow.db(), id).await?;
    if matches!(before.status, OpinionStatus::Closed | OpinionStatus::Explained) {
        return Err(ServiceError::Refused("该意见已办结".into()));
    }
    let (deadlines, _) = settings::current::<Deadlines>(uow.db()).await?;
    let due = time::add_working_days(uow.today(), deadlines.for_kind(before.kind));
    let message = Some(note.unwrap_or_else(|| format!("已转{}办理，办理期限 {due}。", target.name)));
    let after = step(&mut uow, &before, "opinion.route", "绩效办", message, |m| {
        m.status = Set(OpinionStatus::Routed);
        m.routed_unit_id = Set(Some(target.id));
        if before.routed_unit_id != Some(target.id) {
            m.units_tried = Set(before.units_tried + 1);
        }
        m.due_date = Set(Some(due));
        if let Some(category) = category {
            m.category = Set(Some(category));
        }
    })
    .await?;
    uow.commit().await?;
    Ok(after)
}

/// 重复已合并: points at the kept opinion (by its number; staff never need citizens' codes).
pub async fn merge(ctx: Context<'_>, actor: &Actor, id: i32, kept: &str) -> Result<opinion::Model, ServiceError> {
    actor.require(&[Role::Office])?;
    let kept_id: i32 = kept.trim().trim_start_matches('#').parse().map_err(|_| invalid("kept", "请填写保留意见的编号"))?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let kept = opinion::Entity::find_by_id(kept_id).one(uow.db()).await?.ok_or_else(|| invalid("kept", "没有这个编号的意见"))?;
    let before = load(uow.db(), id).await?;
    if kept.id == before.id || kept.status == OpinionStatus::Merged {
        return Err(invalid("kept", "请填写另一条未被合并的意见的编号"));
    }
    let after =
        step(&mut uow, &before, "opinion.merge", "绩效办", Some("与已受理的同一事项重复，已合并办理。".into()), |m| {
            m.status = Set(OpinionStatus::Merged);
            m.merged_into_id = Set(Some(kept.id));
        })
        .await?;
    uow.commit().await?;
    Ok(after)
}

/// 已屏蔽: abusive content leaves every public view; the original is kept, the reason audited.
pub async fn hide(ctx: Context<'_>, actor: &Actor, id: i32, reason: &str) -> Result<opinion::Model, ServiceError> {
    actor.require(&[Role::Office])?;
    let reason = text::line(reason, 200).map_err(|e| invalid("reason", &format!("屏蔽原因{e}")))?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let before = load(uow.db(), id).await?;
    let after = step(&mut uow, &before, "opinion.hide", "绩效办", Some(format!("依规屏蔽：{reason}")), |m| {
        m.status = Set(OpinionStatus::Hidden);
    })
    .await?;
    uow.commit().await?;
    Ok(after)
}

/// The office decides whether an opinion is shown publicly (举报 start hidden). The opinion's
/// status is untouched; its document and its problem's follow.
pub async fn set_public(ctx: Context<'_>, actor: &Actor, id: i32, public: bool) -> Result<opinion::Model, ServiceError> {
    actor.require(&[Role::Office])?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let before = opinion::Entity::find_by_id(id).one(uow.db()).await?.ok_or(ServiceError::NotFound)?;
    let mut model = before.clone().into_active_model();
    model.public = Set(public);
    let after = super::save(&mut uow, &before, model).await?;
    uow.audit(if public { "opinion.publish" } else { "opinion.unpublish" }, "opinion", id, snapshot(&before), snapshot(&after));
    uow.commit().await?;
    Ok(after)
}

/// Shows the citizen's photos on the public page, or takes them off it.
pub async fn set_photos_public(ctx: Context<'_>, actor: &Actor, id: i32, public: bool) -> Result<opinion::Model, ServiceError> {
    actor.require(&[Role::Office])?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let before = opinion::Entity::find_by_id(id).one(uow.db()).await?.ok_or(ServiceError::NotFound)?;
    let mut model = before.clone().into_active_model();
    model.photos_public = Set(public);
    let after = super::save(&mut uow, &before, model).await?;
    uow.audit(
        if public { "opinion.photos_publish" } else { "opinion.photos_unpublish" },
        "opinion",
        id,
        snapshot(&before),
        snapshot(&after),
    );
    uow.commit().await?;
    Ok(after)
}

/// Links the opinion to a problem on the list and tells its citizen. Composable: creating a
/// problem from an opinion or a theme links inside the same unit of work.
pub async fn link_problem(uow: &mut UnitOfWork, id: i32, problem_code: &str) -> Result<opinion::Model, ServiceError> {
    uow.actor().require(&[Role::Office])?;
    let code = problem_code.trim().to_ascii_uppercase();
    let p = problem::Entity::find()
        .filter(problem::Column::Code.eq(&code))
        .one(uow.db())
        .await?
        .ok_or_else(|| invalid("problem", "没有这个问题编号"))?;
    let before = opinion::Entity::find_by_id(id).one(uow.db()).await?.ok_or(ServiceError::NotFound)?;
    if before.problem_id == Some(p.id) {
        return Ok(before);
    }
    let mut model = before.clone().into_active_model();
    model.problem_id = Set(Some(p.id));
    let after = super::save(uow, &before, model).await?;
    let message = format!("您反映的问题已列入问题清单（{}：{}），可随时查看整改进展。", p.code, crate::privacy::scrub(&p.title));
    super::tell(uow, id, "linked_to_problem", message).await?;
    uow.audit("opinion.link", "opinion", id, snapshot(&before), snapshot(&after));
    uow.emit(Event {
        topic: "opinion.linked",
        entity_type: "opinion",
        entity_id: id,
        citizens: vec![id],
        data: Some(serde_json::json!({ "problem": p.code })),
    });
    Ok(after)
}

pub async fn link_problem_now(ctx: Context<'_>, actor: &Actor, id: i32, problem_code: &str) -> Result<opinion::Model, ServiceError> {
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let after = link_problem(&mut uow, id, problem_code).await?;
    uow.commit().await?;
    Ok(after)
}

/// 已回访: the office called the citizen back after the case closed.
pub async fn revisit(ctx: Context<'_>, actor: &Actor, id: i32, note: &str) -> Result<opinion::Model, ServiceError> {
    actor.require(&[Role::Office])?;
    let note = text::line(note, 300).map_err(|e| invalid("note", &format!("回访情况{e}")))?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let before = load(uow.db(), id).await?;
    if !matches!(before.status, OpinionStatus::Closed | OpinionStatus::Explained) {
        return Err(ServiceError::Refused("办结后才能回访".into()));
    }
    let after = step(&mut uow, &before, "opinion.revisit", "绩效办", Some(note), |m| m.status = Set(OpinionStatus::Revisited)).await?;
    uow.commit().await?;
    Ok(after)
}

/// The routed unit, and only it, handles the case.
async fn load_for_unit(db: &impl ConnectionTrait, actor: &Actor, id: i32) -> Result<(opinion::Model, String), ServiceError> {
    actor.require(&[Role::Unit])?;
    let found = load(db, id).await?;
    if found.routed_unit_id.is_none() || found.routed_unit_id != actor.unit_id {
        return Err(ServiceError::Forbidden);
    }
    let name = unit::Entity::find_by_id(found.routed_unit_id.expect("checked")).one(db).await?.map(|u| u.name).unwrap_or_default();
    Ok((found, name))
}

/// 办理中: the unit has taken the case.
pub async fn accept(ctx: Context<'_>, actor: &Actor, id: i32) -> Result<opinion::Model, ServiceError> {
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let (before, unit_name) = load_for_unit(uow.db(), actor, id).await?;
    if before.status != OpinionStatus::Routed {
        return Err(ServiceError::Refused("只有已转办的意见可以签收".into()));
    }
    let after = step(&mut uow, &before, "opinion.accept", &unit_name, Some("已签收，正在办理。".into()), |m| {
        m.status = Set(OpinionStatus::InProgress)
    })
    .await?;
    uow.commit().await?;
    Ok(after)
}

/// A unit's answer as typed.
pub struct AnswerInput<'a> {
    pub reply: &'a str,
    /// 已解释说明 rather than 已办结.
    pub explain: bool,
    /// Why it goes out despite the checker's findings; empty to have it checked first.
    pub reason: &'a str,
}

/// What answering did: sent, or held for the unit to read the checker's findings.
pub enum Answered {
    Sent(Box<opinion::Model>),
    Held(Report),
}

/// The unit's answer: 已办结 or 已解释说明. It is checked first (`reply_check`); a reply with
/// findings goes out only with the unit's reason, and every check counts in the unit's rate.
pub async fn answer(ctx: Context<'_>, actor: &Actor, id: i32, input: AnswerInput<'_>, jieba: &Jieba) -> Result<Answered, ServiceError> {
    let reply = text::block(input.reply, 3000).map_err(|e| invalid("reply", &format!("答复内容{e}")))?;
    let reason = text::optional_line(Some(input.reason), 200).map_err(|e| invalid("reason", &format!("发送理由{e}")))?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let (before, unit_name) = load_for_unit(uow.db(), actor, id).await?;
    if !matches!(before.status, OpinionStatus::Routed | OpinionStatus::InProgress) {
        return Err(ServiceError::Refused("该意见不在办理中".into()));
    }
    let (rules, _) = settings::current::<FollowThrough>(uow.db()).await?;
    let exchange = Exchange {
        title: &before.title,
        body: &before.content,
        reply: &reply,
        filed: Some(time::today(before.submitted_at)),
        replied: Some(uow.today()),
    };
    let report = reply_check::check(jieba, &rules.vague_words, &exchange);
    let flagged = report.findings.iter().any(|f| !reply_check::ADVISORY.contains(&f.code));
    if flagged && reason.is_none() {
        return Ok(Answered::Held(report));
    }
    reply_check::record(&uow, &before, &report, flagged, reason).await?;
    let explain = input.explain;
    let now = uow.now();
    let status = if explain { OpinionStatus::Explained } else { OpinionStatus::Closed };
    let after = step(&mut uow, &before, "opinion.answer", &unit_name, None, |m| {
        m.status = Set(status);
        m.reply = Set(Some(reply));
        m.replied_at = Set(Some(now));
        m.closed_at = Set(Some(now));
    })
    .await?;
    super::revisits::ask_about_opinion(&mut uow, id).await?;
    uow.commit().await?;
    Ok(Answered::Sent(Box::new(after)))
}

/// 已撤回: the citizen, with the case's code, withdraws it before it is answered. It is kept for
/// the record and leaves public views, search and scores.
pub async fn withdraw(ctx: Context<'_>, code: &str, reason: &str) -> Result<opinion::Model, ServiceError> {
    let reason = text::optional_line(Some(reason), 200).map_err(|e| invalid("reason", &format!("撤回原因{e}")))?;
    let mut uow = UnitOfWork::begin(ctx, &Actor::citizen()).await?;
    let before = super::track::find(uow.db(), ctx.secrets, code).await?.ok_or(ServiceError::NotFound)?;
    if !matches!(before.status, OpinionStatus::Received | OpinionStatus::Routed | OpinionStatus::InProgress) {
        return Err(ServiceError::Refused(format!("该意见已{}，不能撤回", before.status.label())));
    }
    let note = Some(reason.map_or_else(|| "群众主动撤回。".to_string(), |r| format!("群众主动撤回：{r}")));
    let after = step(&mut uow, &before, "opinion.withdraw", "群众", note, |m| {
        m.status = Set(OpinionStatus::Withdrawn);
        m.public = Set(false);
    })
    .await?;
    uow.commit().await?;
    Ok(after)
}
