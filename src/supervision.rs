//! 督办: stalled work on the office's board — opinions and rectifications past their deadline,
//! items reopened again and again, opinions bounced between units — each with its age, unit and
//! reason. The office issues a 督办 notice (recorded, shown to the unit, counted per unit) and can
//! raise it to 提级督办. Every list is read through an index and capped.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::vocab::{OpinionStatus, RectificationStatus, Role};
use entity::{opinion, problem, rectification, responsibility, supervision, unit};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use crate::domain::text;
use crate::service::{Actor, FieldErrors, ServiceError};
use crate::settings::{self, FollowThrough};
use crate::unit_of_work::{Context, Event, UnitOfWork};

/// Items per list on the board.
const SHOWN: u64 = 50;
pub const NOTICE: &str = "notice";
pub const ESCALATED: &str = "escalated";

fn reason_label(reason: &str) -> &'static str {
    match reason {
        "overdue" => "超期未办结",
        "reopened" => "多次重办",
        "bounced" => "多次转办",
        _ => "其他",
    }
}

/// One stalled item on the board.
#[derive(Debug, Serialize)]
pub struct Stalled {
    pub subject: &'static str,
    pub id: i32,
    pub title: String,
    /// Where staff open it.
    pub link: String,
    pub unit: String,
    pub age_days: i64,
    pub reason: &'static str,
    pub reason_label: &'static str,
    pub detail: String,
    /// The notice already issued about it, if any: `notice` or `escalated`.
    pub level: Option<String>,
    pub notice_id: Option<i32>,
}

#[derive(Debug, Serialize)]
pub struct Board {
    pub overdue_opinions: Vec<Stalled>,
    pub overdue_rectifications: Vec<Stalled>,
    pub reopened: Vec<Stalled>,
    pub bounced: Vec<Stalled>,
    pub rules: FollowThrough,
}

async fn unit_names(db: &impl ConnectionTrait, ids: impl IntoIterator<Item = i32>) -> Result<HashMap<i32, String>, DbErr> {
    Ok(unit::Entity::find().filter(unit::Column::Id.is_in(ids)).all(db).await?.into_iter().map(|u| (u.id, u.name)).collect())
}

/// The newest notice about each item.
async fn notices(db: &impl ConnectionTrait, subject: &str, ids: &[i32]) -> Result<HashMap<i32, supervision::Model>, DbErr> {
    let rows = supervision::Entity::find()
        .filter(supervision::Column::Subject.eq(subject))
        .filter(supervision::Column::SubjectId.is_in(ids.iter().copied()))
        .order_by_asc(supervision::Column::Id)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|s| (s.subject_id, s)).collect())
}

async fn opinion_rows(
    db: &impl ConnectionTrait,
    found: Vec<opinion::Model>,
    reason: &'static str,
    today: NaiveDate,
    detail: impl Fn(&opinion::Model) -> String,
) -> Result<Vec<Stalled>, DbErr> {
    let names = unit_names(db, found.iter().filter_map(|o| o.routed_unit_id)).await?;
    let ids: Vec<i32> = found.iter().map(|o| o.id).collect();
    let issued = notices(db, "opinion", &ids).await?;
    Ok(found
        .iter()
        .map(|o| Stalled {
            subject: "opinion",
            id: o.id,
            title: crate::privacy::scrub(&o.title),
            link: format!("/office/opinions/{}", o.id),
            unit: o.routed_unit_id.and_then(|id| names.get(&id).cloned()).unwrap_or_else(|| "（未转办）".into()),
            age_days: (today - crate::domain::time::today(o.submitted_at)).num_days(),
            reason,
            reason_label: reason_label(reason),
            detail: detail(o),
            level: issued.get(&o.id).map(|s| s.level.clone()),
            notice_id: issued.get(&o.id).map(|s| s.id),
        })
        .collect())
}

/// The lead unit of each rectification's responsibility.
async fn lead_units(db: &impl ConnectionTrait, rects: &[rectification::Model]) -> Result<HashMap<i32, i32>, DbErr> {
    let rows: Vec<(i32, i32)> = responsibility::Entity::find()
        .select_only()
        .columns([responsibility::Column::Id, responsibility::Column::LeadUnitId])
        .filter(responsibility::Column::Id.is_in(rects.iter().map(|r| r.responsibility_id)))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

async fn rectification_rows(
    db: &impl ConnectionTrait,
    found: Vec<rectification::Model>,
    reason: &'static str,
    today: NaiveDate,
) -> Result<Vec<Stalled>, DbErr> {
    let leads = lead_units(db, &found).await?;
    let names = unit_names(db, leads.values().copied()).await?;
    let problems: HashMap<i32, (String, String)> = problem::Entity::find()
        .filter(problem::Column::Id.is_in(found.iter().map(|r| r.problem_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, (p.code, p.title)))
        .collect();
    let ids: Vec<i32> = found.iter().map(|r| r.id).collect();
    let issued = notices(db, "rectification", &ids).await?;
    Ok(found
        .iter()
        .map(|r| {
            let (code, title) = problems.get(&r.problem_id).cloned().unwrap_or_default();
            let detail = match reason {
                "reopened" => format!("已重办 {} 次", r.reopened_count),
                _ => r.next_update_due.map(|d| format!("应于 {d} 更新进展")).unwrap_or_else(|| r.status.label().to_string()),
            };
            Stalled {
                subject: "rectification",
                id: r.id,
                title: format!("{code} {}", crate::privacy::scrub(&title)),
                link: format!("/problems/{code}"),
                unit: leads.get(&r.responsibility_id).and_then(|id| names.get(id).cloned()).unwrap_or_default(),
                age_days: (today - crate::domain::time::today(r.created_at)).num_days(),
                reason,
                reason_label: reason_label(reason),
                detail,
                level: issued.get(&r.id).map(|s| s.level.clone()),
                notice_id: issued.get(&r.id).map(|s| s.id),
            }
        })
        .collect())
}

const OPEN: [OpinionStatus; 2] = [OpinionStatus::Routed, OpinionStatus::InProgress];

/// The office's board.
pub async fn board(db: &impl ConnectionTrait, today: NaiveDate) -> Result<Board, DbErr> {
    let (rules, _) = settings::current::<FollowThrough>(db).await?;
    let overdue = opinion::Entity::find()
        .filter(opinion::Column::Status.is_in(OPEN))
        .filter(opinion::Column::DueDate.lt(today))
        .order_by_asc(opinion::Column::DueDate)
        .limit(SHOWN)
        .all(db)
        .await?;
    let overdue_opinions = opinion_rows(db, overdue, "overdue", today, |o| {
        o.due_date.map(|d| format!("期限 {d}，已超 {} 天", (today - d).num_days())).unwrap_or_default()
    })
    .await?;
    let late = rectification::Entity::find()
        .filter(
            sea_orm::Condition::any().add(rectification::Column::Status.eq(RectificationStatus::Overdue)).add(
                sea_orm::Condition::all()
                    .add(rectification::Column::NextUpdateDue.lt(today))
                    .add(rectification::Column::Status.is_not_in([RectificationStatus::Reported, RectificationStatus::Rectified])),
            ),
        )
        .order_by_asc(rectification::Column::NextUpdateDue)
        .limit(SHOWN)
        .all(db)
        .await?;
    let overdue_rectifications = rectification_rows(db, late, "overdue", today).await?;
    let reopened_threshold = rules.supervise_reopened as i32;
    let again = opinion::Entity::find()
        .filter(opinion::Column::ReopenedCount.gte(reopened_threshold))
        .order_by_desc(opinion::Column::ReopenedCount)
        .limit(SHOWN)
        .all(db)
        .await?;
    let mut reopened = opinion_rows(db, again, "reopened", today, |o| format!("群众回访未解决，已重办 {} 次", o.reopened_count)).await?;
    let again = rectification::Entity::find()
        .filter(rectification::Column::ReopenedCount.gte(reopened_threshold))
        .order_by_desc(rectification::Column::ReopenedCount)
        .limit(SHOWN)
        .all(db)
        .await?;
    reopened.extend(rectification_rows(db, again, "reopened", today).await?);
    let moved = opinion::Entity::find()
        .filter(opinion::Column::UnitsTried.gte(rules.supervise_units as i32))
        .filter(opinion::Column::Status.is_not_in([OpinionStatus::Hidden, OpinionStatus::Withdrawn, OpinionStatus::Merged]))
        .order_by_desc(opinion::Column::UnitsTried)
        .limit(SHOWN)
        .all(db)
        .await?;
    let bounced = opinion_rows(db, moved, "bounced", today, |o| format!("已先后转办 {} 个单位", o.units_tried)).await?;
    Ok(Board { overdue_opinions, overdue_rectifications, reopened, bounced, rules })
}

/// The unit an item is with: an opinion's routed unit, a rectification's lead unit.
async fn unit_of(db: &impl ConnectionTrait, subject: &str, id: i32) -> Result<Option<i32>, ServiceError> {
    Ok(match subject {
        "opinion" => opinion::Entity::find_by_id(id).one(db).await?.ok_or(ServiceError::NotFound)?.routed_unit_id,
        "rectification" => {
            let rect = rectification::Entity::find_by_id(id).one(db).await?.ok_or(ServiceError::NotFound)?;
            lead_units(db, std::slice::from_ref(&rect)).await?.get(&rect.responsibility_id).copied()
        }
        _ => return Err(ServiceError::NotFound),
    })
}

/// Issues a 督办 notice about an item to its unit.
pub async fn issue(
    ctx: Context<'_>,
    actor: &Actor,
    subject: &str,
    id: i32,
    reason: &str,
    note: &str,
) -> Result<supervision::Model, ServiceError> {
    actor.require(&[Role::Office])?;
    let mut errors = FieldErrors::default();
    if !matches!(reason, "overdue" | "reopened" | "bounced") {
        errors.add("reason", "invalid", "请选择督办原因");
    }
    let note = errors.text("note", "督办说明", text::line(note, 300));
    let (true, Some(note)) = (errors.is_empty(), note) else { return Err(ServiceError::Invalid(errors)) };
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let unit_id = unit_of(uow.db(), subject, id).await?;
    let created = supervision::ActiveModel {
        subject: Set(subject.to_string()),
        subject_id: Set(id),
        unit_id: Set(unit_id),
        reason: Set(reason.to_string()),
        note: Set(note),
        level: Set(NOTICE.into()),
        issued_by: Set(actor.user_id),
        issued_at: Set(uow.now()),
        escalated_at: Set(None),
        ..Default::default()
    }
    .insert(uow.db())
    .await?;
    uow.audit("supervision.issue", "supervision", created.id, None, crate::journal::snapshot(&created));
    uow.emit(Event { topic: "supervision.issued", entity_type: "supervision", entity_id: created.id, citizens: Vec::new(), data: None });
    uow.commit().await?;
    Ok(created)
}

/// Raises a notice to 提级督办.
pub async fn escalate(ctx: Context<'_>, actor: &Actor, notice_id: i32) -> Result<supervision::Model, ServiceError> {
    actor.require(&[Role::Office])?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let before = supervision::Entity::find_by_id(notice_id).one(uow.db()).await?.ok_or(ServiceError::NotFound)?;
    if before.level == ESCALATED {
        return Err(ServiceError::Refused("已经提级督办".into()));
    }
    let now = uow.now();
    let done = supervision::Entity::update_many()
        .col_expr(supervision::Column::Level, sea_orm::sea_query::Expr::value(ESCALATED))
        .col_expr(supervision::Column::EscalatedAt, sea_orm::sea_query::Expr::value(now))
        .filter(supervision::Column::Id.eq(notice_id))
        .filter(supervision::Column::Level.eq(NOTICE))
        .exec(uow.db())
        .await?;
    if done.rows_affected == 0 {
        return Err(ServiceError::Conflict("刚刚已经提级督办".into()));
    }
    let after = supervision::Entity::find_by_id(notice_id).one(uow.db()).await?.ok_or(ServiceError::NotFound)?;
    uow.audit("supervision.escalate", "supervision", notice_id, crate::journal::snapshot(&before), crate::journal::snapshot(&after));
    uow.emit(Event { topic: "supervision.escalated", entity_type: "supervision", entity_id: notice_id, citizens: Vec::new(), data: None });
    uow.commit().await?;
    Ok(after)
}

/// A notice as its unit reads it.
#[derive(Debug, Serialize)]
pub struct UnitNotice {
    pub link: String,
    pub title: String,
    pub reason: &'static str,
    pub note: String,
    pub escalated: bool,
    pub issued_at: String,
}

/// The notices to a unit, 提级督办 first, newest first (capped).
pub async fn for_unit(db: &impl ConnectionTrait, unit_id: i32) -> Result<Vec<UnitNotice>, DbErr> {
    let rows = supervision::Entity::find()
        .filter(supervision::Column::UnitId.eq(unit_id))
        .order_by_desc(supervision::Column::IssuedAt)
        .limit(SHOWN)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for s in rows {
        let (link, title) = match s.subject.as_str() {
            "opinion" => {
                let title: Option<String> =
                    opinion::Entity::find_by_id(s.subject_id).select_only().column(opinion::Column::Title).into_tuple().one(db).await?;
                (format!("/unit/opinions/{}", s.subject_id), title.unwrap_or_default())
            }
            _ => {
                let title = match rectification::Entity::find_by_id(s.subject_id).one(db).await? {
                    Some(r) => problem::Entity::find_by_id(r.problem_id).one(db).await?.map(|p| format!("{} {}", p.code, p.title)),
                    None => None,
                };
                (format!("/unit/rectifications/{}", s.subject_id), title.unwrap_or_default())
            }
        };
        out.push(UnitNotice {
            link,
            title: crate::privacy::scrub(&title),
            reason: reason_label(&s.reason),
            note: s.note,
            escalated: s.level == ESCALATED,
            issued_at: crate::domain::time::minute(s.issued_at),
        });
    }
    out.sort_by_key(|n| !n.escalated);
    Ok(out)
}

/// Notices per unit issued since `since`, for the score page: (unit, notices, escalated).
pub async fn counts_by_unit(db: &impl ConnectionTrait, since: chrono::DateTime<chrono::Utc>) -> Result<Vec<(String, i64, i64)>, DbErr> {
    let rows: Vec<(Option<i32>, String, i64)> = supervision::Entity::find()
        .select_only()
        .column(supervision::Column::UnitId)
        .column(supervision::Column::Level)
        .column_as(supervision::Column::Id.count(), "n")
        .filter(supervision::Column::IssuedAt.gte(since))
        .group_by(supervision::Column::UnitId)
        .group_by(supervision::Column::Level)
        .into_tuple()
        .all(db)
        .await?;
    let names = unit_names(db, rows.iter().filter_map(|r| r.0)).await?;
    let mut by: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    for (unit, level, n) in rows {
        let e = by.entry(unit.and_then(|u| names.get(&u).cloned()).unwrap_or_else(|| "（未定单位）".into())).or_default();
        e.0 += n;
        if level == ESCALATED {
            e.1 += n;
        }
    }
    let mut out: Vec<(String, i64, i64)> = by.into_iter().map(|(u, (n, e))| (u, n, e)).collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.1));
    Ok(out)
}
