//! Telling citizens what moved. The `notify` job follows the events table and writes a message
//! for every citizen linked to what moved (a rectification's progress, plan, report of
//! completion, verification or slipped deadline; a report published about their problem or
//! theme), in the unit of work that moves its mark, so none is written twice or skipped. A case's
//! tracking page shows what is new since the last visit, and its private feed lists the same.

use entity::vocab::{OpinionStatus, Verification};
use entity::{event, notification, opinion, problem, rectification, report, report_link};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::domain::tracking_code::TrackingCode;
use crate::secrets::Secrets;
use crate::service::{Actor, ServiceError};
use crate::unit_of_work::{Context, UnitOfWork};

const MARK: &str = "notify";
/// Events read per pass.
const BATCH: u64 = 200;

/// What a citizen is told of each followed topic, from the problem's code and the event.
fn message(topic: &str, code: &str, data: &serde_json::Value, verification: Option<Verification>) -> Option<String> {
    Some(match topic {
        "rectification.progress" => format!("您反映的问题（{code}）有新的整改进展，当前进度 {}%。", data["progress"].as_i64().unwrap_or(0)),
        "rectification.plan" => format!("您反映的问题（{code}）的整改方案或下次更新时间有调整。"),
        "rectification.reported" => {
            format!(
                "您反映的问题（{code}）责任单位已报告整改完成。问题解决了吗？请在查询页（或点击消息中的链接）告诉我们：已解决、部分解决还是未解决。"
            )
        }
        "rectification.reopened" => format!("您反映的问题（{code}）经群众回访反映未解决，已退回责任单位继续整改。"),
        "rectification.settled" => format!("您反映的问题（{code}）已核验并确认整改完成，计为“已整改”。"),
        "rectification.verified" => match verification {
            Some(Verification::Failed) => format!("您反映的问题（{code}）经绩效办核验未达到整改要求，已退回继续整改。"),
            _ => format!("您反映的问题（{code}）整改结果已通过绩效办核验。"),
        },
        "rectification.overdue" => format!("您反映的问题（{code}）已超过整改时限，绩效办将督促责任单位办理。"),
        _ => return None,
    })
}

const FOLLOWED: &[&str] = &[
    "rectification.progress",
    "rectification.plan",
    "rectification.reported",
    "rectification.verified",
    "rectification.overdue",
    "rectification.reopened",
    "rectification.settled",
    "report.published",
];

/// One pass of the `notify` job: messages for the events since its mark; how many written.
pub async fn follow(ctx: Context<'_>) -> Result<usize, ServiceError> {
    let after = crate::jobs::marks::read(ctx.db, MARK).await?.map_or(0, |m| m.last_event_id);
    if crate::jobs::marks::newest_event(ctx.db).await? <= after {
        return Ok(0);
    }
    // Read under the write lock: every writer that began before has committed, so no event
    // below the newest can still appear.
    let uow = UnitOfWork::begin(ctx, &Actor::system("notify")).await?;
    // Again under the lock: another server may have moved it meanwhile.
    let after = crate::jobs::marks::read(uow.db(), MARK).await?.map_or(0, |m| m.last_event_id);
    let newest = crate::jobs::marks::newest_event(uow.db()).await?;
    let events = event::Entity::find()
        .filter(event::Column::Id.gt(after))
        .filter(event::Column::Id.lte(newest))
        .filter(event::Column::Topic.is_in(FOLLOWED.iter().copied()))
        .order_by_asc(event::Column::Id)
        .limit(BATCH)
        .all(uow.db())
        .await?;
    // With a full batch the mark stops at its last event; otherwise it moves to the newest.
    let reached = if events.len() as u64 == BATCH { events.last().map_or(newest, |e| e.id) } else { newest };
    let now = uow.now();
    let mut written = 0;
    for e in &events {
        let (citizens, text) = match e.topic.as_str() {
            "report.published" => report_message(uow.db(), e.entity_id).await?,
            topic => rectification_message(uow.db(), topic, e).await?,
        };
        let Some(text) = text else { continue };
        for chunk in citizens.chunks(500) {
            notification::Entity::insert_many(chunk.iter().map(|id| notification::ActiveModel {
                opinion_id: Set(*id),
                kind: Set(e.topic.clone()),
                message: Set(text.clone()),
                sent_at: Set(None),
                created_at: Set(now),
                seen_at: Set(None),
                ..Default::default()
            }))
            .exec_without_returning(uow.db())
            .await?;
        }
        written += citizens.len();
    }
    crate::jobs::marks::write(&uow, MARK, reached).await?;
    uow.commit().await?;
    Ok(written)
}

async fn rectification_message(db: &impl ConnectionTrait, topic: &str, e: &event::Model) -> Result<(Vec<i32>, Option<String>), DbErr> {
    let citizens: Vec<i32> = serde_json::from_str(&e.citizens).unwrap_or_default();
    if citizens.is_empty() {
        return Ok((citizens, None));
    }
    let Some(rect) = rectification::Entity::find_by_id(e.entity_id).one(db).await? else { return Ok((citizens, None)) };
    let code: Option<String> =
        problem::Entity::find_by_id(rect.problem_id).select_only().column(problem::Column::Code).into_tuple().one(db).await?;
    let data: serde_json::Value = e.data_json.as_deref().and_then(|d| serde_json::from_str(d).ok()).unwrap_or_default();
    // The state the event recorded, not today's (the job may run late).
    let verification = data["verification"].as_str().and_then(Verification::parse).or(rect.verification);
    Ok((citizens, code.and_then(|code| message(topic, &code, &data, verification))))
}

/// A report's citizens: those whose opinions are linked to its problems or are in its themes.
async fn report_message(db: &impl ConnectionTrait, report_id: i32) -> Result<(Vec<i32>, Option<String>), DbErr> {
    let Some(r) = report::Entity::find_by_id(report_id).one(db).await? else { return Ok((Vec::new(), None)) };
    let links = report_link::Entity::find().filter(report_link::Column::ReportId.eq(report_id)).all(db).await?;
    let problems: Vec<i32> = links.iter().filter_map(|l| l.problem_id).collect();
    let themes: Vec<i32> = links.iter().filter_map(|l| l.theme_id).collect();
    if problems.is_empty() && themes.is_empty() {
        return Ok((Vec::new(), None));
    }
    let citizens: Vec<i32> = opinion::Entity::find()
        .select_only()
        .column(opinion::Column::Id)
        .filter(sea_orm::Condition::any().add(opinion::Column::ProblemId.is_in(problems)).add(opinion::Column::ThemeId.is_in(themes)))
        // Hidden and withdrawn cases are not followed any more.
        .filter(opinion::Column::Status.is_not_in([OpinionStatus::Hidden, OpinionStatus::Withdrawn]))
        .into_tuple()
        .all(db)
        .await?;
    Ok((citizens, Some(format!("关于您反映问题的跟踪报道《{}》已发布，可在“跟踪报道”栏目查看。", crate::privacy::scrub(&r.title)))))
}

/// After the tracking page showed the messages of the case `input` names: they count as seen,
/// and the case's private feed answers at the address returned (only the code gives it).
pub async fn viewed(ctx: Context<'_>, input: &str) -> Result<Option<String>, ServiceError> {
    let (Some(code), Some(opinion)) = (TrackingCode::parse(input), super::track::find(ctx.db, ctx.secrets, input).await?) else {
        return Ok(None);
    };
    let token = ctx.secrets.feed_token(&code);
    let unseen = notification::Entity::find()
        .filter(notification::Column::OpinionId.eq(opinion.id))
        .filter(notification::Column::SeenAt.is_null())
        .one(ctx.db)
        .await?
        .is_some();
    if !unseen && opinion.feed_digest.is_some() {
        return Ok(Some(token));
    }
    let uow = UnitOfWork::begin(ctx, &Actor::citizen()).await?;
    notification::Entity::update_many()
        .col_expr(notification::Column::SeenAt, sea_orm::sea_query::Expr::value(uow.now()))
        .filter(notification::Column::OpinionId.eq(opinion.id))
        .filter(notification::Column::SeenAt.is_null())
        .exec(uow.db())
        .await?;
    if opinion.feed_digest.is_none() {
        opinion::Entity::update_many()
            .col_expr(opinion::Column::FeedDigest, sea_orm::sea_query::Expr::value(uow.secrets().feed_digest(&token)))
            .filter(opinion::Column::Id.eq(opinion.id))
            .exec(uow.db())
            .await?;
    }
    uow.commit().await?;
    Ok(Some(token))
}

/// A case's private feed: its public title and its messages, newest first.
pub async fn feed(db: &impl ConnectionTrait, secrets: &Secrets, token: &str) -> Result<Option<(String, Vec<notification::Model>)>, DbErr> {
    if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let Some(o) = opinion::Entity::find().filter(opinion::Column::FeedDigest.eq(secrets.feed_digest(token))).one(db).await? else {
        return Ok(None);
    };
    let messages = notification::Entity::find()
        .filter(notification::Column::OpinionId.eq(o.id))
        .order_by_desc(notification::Column::Id)
        .limit(50)
        .all(db)
        .await?;
    Ok(Some((crate::privacy::scrub(&o.title), messages)))
}
