//! Messages to citizens by email and SMS, from a durable outbox. Every message written for a
//! case whose citizen consented and left an address gets a delivery row per channel (in the
//! pass that moves the `deliver` mark, so none is queued twice); the job sends what is due,
//! outside any transaction, and records the outcome: sent, or retried with back-off, or failed
//! after `MAX_ATTEMPTS`. An outage of the mail server or the gateway only delays messages. A crash
//! between sending and recording can send one message twice (its `Message-ID` names the
//! delivery, so a mail client can tell); nothing is ever lost.

pub mod email;
pub mod sms;

use chrono::{DateTime, Duration, Utc};
use entity::vocab::OpinionStatus;
use entity::{delivery, notification, opinion, opinion_contact};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect};

use crate::config::Config;
use crate::opinions::recovery;
use crate::service::{Actor, ServiceError};
use crate::unit_of_work::{Context, UnitOfWork};

const MARK: &str = "deliver";
/// Messages queued per pass, and deliveries sent per pass.
const QUEUED_PER_PASS: u64 = 500;
/// At most 15 s a message, so a pass's messages are all sent well within the lease.
const SENT_PER_PASS: u64 = 10;
pub const MAX_ATTEMPTS: i32 = 8;

pub const PENDING: &str = "pending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";
pub const DROPPED: &str = "dropped";

/// The channels this server sends through, from its configuration.
pub struct Channels {
    pub email: Option<email::Mailer>,
    pub sms: Option<sms::Gateway>,
    retry_seconds: u64,
    origin: String,
}

impl Channels {
    pub fn from_config(config: &Config) -> Result<Self, String> {
        Ok(Self {
            email: config.smtp_url.as_deref().map(|url| email::Mailer::new(url, &config.mail_from)).transpose()?,
            sms: config.sms_url.as_deref().map(sms::Gateway::new).transpose()?,
            retry_seconds: config.retry_seconds,
            origin: config.public_origin(),
        })
    }

    /// The wait before try `attempts + 1`: the base, doubling, at most an hour.
    fn backoff(&self, attempts: i32) -> Duration {
        let seconds = self.retry_seconds.saturating_mul(1u64 << attempts.clamp(1, 12).saturating_sub(1)).min(3600);
        Duration::seconds(seconds as i64)
    }
}

/// One pass of the `deliver` job: queue the new messages, then send what is due.
pub async fn pass(ctx: Context<'_>, channels: &Channels) -> Result<(usize, usize), ServiceError> {
    let queued = queue(ctx, channels).await?;
    let sent = send_due(ctx, channels).await?;
    Ok((queued, sent))
}

/// Queues a delivery per configured channel for each message written since the mark whose
/// citizen consented to be contacted and left an address for it.
async fn queue(ctx: Context<'_>, channels: &Channels) -> Result<usize, ServiceError> {
    let after = crate::jobs::marks::read(ctx.db, MARK).await?.map_or(0, |m| m.last_event_id);
    let newest: Option<i32> = notification::Entity::find()
        .select_only()
        .column(notification::Column::Id)
        .order_by_desc(notification::Column::Id)
        .limit(1)
        .into_tuple()
        .one(ctx.db)
        .await?;
    if newest.is_none_or(|id| i64::from(id) <= after) {
        return Ok(0);
    }
    // Read under the write lock: every writer that began before has committed, so no message
    // below the newest can still appear (ids follow commit order).
    let uow = UnitOfWork::begin(ctx, &Actor::system("deliver")).await?;
    // Again under the lock: another server may have moved it meanwhile.
    let after = crate::jobs::marks::read(uow.db(), MARK).await?.map_or(0, |m| m.last_event_id);
    let fresh: Vec<(i32, i32, String)> = notification::Entity::find()
        .select_only()
        .columns([notification::Column::Id, notification::Column::OpinionId, notification::Column::Kind])
        .filter(notification::Column::Id.gt(after as i32))
        .order_by_asc(notification::Column::Id)
        .limit(QUEUED_PER_PASS)
        .into_tuple()
        .all(uow.db())
        .await?;
    let Some((last, _, _)) = fresh.last().cloned() else { return Ok(0) };
    // A code recovery is queued by its request, to the address asked for, consent or not.
    let fresh: Vec<(i32, i32)> = fresh.into_iter().filter(|(_, _, kind)| kind != recovery::KIND).map(|(id, o, _)| (id, o)).collect();
    let opinions: std::collections::HashSet<i32> = opinion::Entity::find()
        .select_only()
        .column(opinion::Column::Id)
        .filter(opinion::Column::Id.is_in(fresh.iter().map(|(_, o)| *o)))
        .filter(opinion::Column::ConsentContact.eq(true))
        .into_tuple::<i32>()
        .all(uow.db())
        .await?
        .into_iter()
        .collect();
    let contacts: std::collections::HashMap<i32, opinion_contact::Model> = opinion_contact::Entity::find()
        .filter(opinion_contact::Column::OpinionId.is_in(opinions.iter().copied()))
        .all(uow.db())
        .await?
        .into_iter()
        .map(|c| (c.opinion_id, c))
        .collect();
    let now = uow.now();
    let (follow, _) = crate::settings::current::<crate::settings::FollowThrough>(uow.db()).await?;
    let digest_at = crate::domain::time::next_hour(now, follow.digest_hour);
    let mut rows = Vec::new();
    for (id, opinion_id) in &fresh {
        let Some(contact) = contacts.get(opinion_id) else { continue };
        let wanted =
            [("email", channels.email.is_some() && contact.email.is_some()), ("sms", channels.sms.is_some() && contact.phone.is_some())];
        for (channel, _) in wanted.into_iter().filter(|(_, on)| *on) {
            rows.push(pending(*id, *opinion_id, channel, contact.daily_digest, if contact.daily_digest { digest_at } else { now }, now));
        }
    }
    let queued = rows.len();
    if !rows.is_empty() {
        delivery::Entity::insert_many(rows).exec_without_returning(uow.db()).await?;
    }
    crate::jobs::marks::write(&uow, MARK, i64::from(last)).await?;
    uow.commit().await?;
    Ok(queued)
}

/// A delivery waiting for its first try at `at`.
pub(crate) fn pending(
    notification_id: i32,
    opinion_id: i32,
    channel: &str,
    digest: bool,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> delivery::ActiveModel {
    delivery::ActiveModel {
        notification_id: Set(notification_id),
        opinion_id: Set(opinion_id),
        channel: Set(channel.into()),
        state: Set(PENDING.into()),
        attempts: Set(0),
        next_attempt_at: Set(at),
        last_error: Set(None),
        sent_at: Set(None),
        created_at: Set(now),
        digest: Set(digest),
        ..Default::default()
    }
}

/// One message out: one delivery, or a day's digest of one citizen's deliveries on a channel.
struct Outgoing {
    deliveries: Vec<delivery::Model>,
    subject: &'static str,
    text: String,
    address: Option<String>,
    unsubscribe: String,
}

/// A claimed delivery is left alone by other runners this long (a send takes 15 s at most).
const LEASE_SECONDS: i64 = 300;

async fn send_due(ctx: Context<'_>, channels: &Channels) -> Result<usize, ServiceError> {
    let now = ctx.clock.now();
    // Claimed under the write lock: a second runner (another server, a new leader) never takes
    // the same delivery while this one sends it.
    let uow = UnitOfWork::begin(ctx, &Actor::system("deliver")).await?;
    let mut due = delivery::Entity::find()
        .filter(delivery::Column::State.eq(PENDING))
        .filter(delivery::Column::NextAttemptAt.lte(now))
        .order_by_asc(delivery::Column::Id)
        .limit(SENT_PER_PASS)
        .all(uow.db())
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    // A digest goes out whole: the rest of each one due is claimed with it.
    let digests: Vec<i32> = due.iter().filter(|d| d.digest).map(|d| d.opinion_id).collect();
    if !digests.is_empty() {
        let rest = delivery::Entity::find()
            .filter(delivery::Column::State.eq(PENDING))
            .filter(delivery::Column::Digest.eq(true))
            .filter(delivery::Column::NextAttemptAt.lte(now))
            .filter(delivery::Column::OpinionId.is_in(digests))
            .filter(delivery::Column::Id.is_not_in(due.iter().map(|d| d.id)))
            .all(uow.db())
            .await?;
        due.extend(rest);
    }
    delivery::Entity::update_many()
        .col_expr(delivery::Column::NextAttemptAt, sea_orm::sea_query::Expr::value(now + Duration::seconds(LEASE_SECONDS)))
        .filter(delivery::Column::Id.is_in(due.iter().map(|d| d.id)))
        .exec(uow.db())
        .await?;
    uow.commit().await?;
    let mut sent = 0;
    for group in messages(due) {
        let out = outgoing(ctx, channels, group).await?;
        let first = out.deliveries[0].id;
        let outcome = match (out.deliveries[0].channel.as_str(), &out.address) {
            (_, None) => Err(None),
            ("email", Some(to)) => match &channels.email {
                Some(mailer) => mailer.send(first, to, out.subject, &out.text, &out.unsubscribe).await.map_err(Some),
                None => Err(Some("邮件未配置".to_string())),
            },
            (_, Some(phone)) => match &channels.sms {
                Some(gateway) => gateway.send(first, phone, &out.text, &out.unsubscribe).await.map_err(Some),
                None => Err(Some("短信网关未配置".to_string())),
            },
        };
        sent += usize::from(outcome.is_ok());
        for d in out.deliveries {
            record(ctx, channels, d, outcome.clone(), now).await?;
        }
    }
    Ok(sent)
}

/// Deliveries as messages: each alone, except a digest's, which go together per citizen and channel.
fn messages(mut due: Vec<delivery::Model>) -> Vec<Vec<delivery::Model>> {
    due.sort_by_key(|d| d.id);
    let mut groups: Vec<Vec<delivery::Model>> = Vec::new();
    for d in due {
        match groups.iter_mut().find(|g| d.digest && g[0].digest && g[0].opinion_id == d.opinion_id && g[0].channel == d.channel) {
            Some(group) => group.push(d),
            None => groups.push(vec![d]),
        }
    }
    groups
}

async fn outgoing(ctx: Context<'_>, channels: &Channels, deliveries: Vec<delivery::Model>) -> Result<Outgoing, DbErr> {
    let d = &deliveries[0];
    let ids: Vec<i32> = deliveries.iter().map(|d| d.notification_id).collect();
    let notes =
        notification::Entity::find().filter(notification::Column::Id.is_in(ids)).order_by_asc(notification::Column::Id).all(ctx.db).await?;
    let texts: Vec<String> = notes.iter().map(|n| text_of(ctx, channels, n)).collect();
    let (subject, text) = match texts.as_slice() {
        [one] => (subject_of(&notes[0]), one.clone()),
        many => ("连心桥：您反映的问题今日动态汇总", format!("今日共有 {} 条新动态：\n\n{}", many.len(), many.join("\n\n"))),
    };
    let recovering = notes.iter().any(|n| n.kind == recovery::KIND);
    let o = opinion::Entity::find_by_id(d.opinion_id).one(ctx.db).await?;
    let allowed = o.is_some_and(|o| (recovering || o.consent_contact) && !matches!(o.status, OpinionStatus::Hidden));
    let contact = if allowed { opinion_contact::Entity::find_by_id(d.opinion_id).one(ctx.db).await? } else { None };
    let address = contact.and_then(|c| if d.channel == "email" { c.email } else { c.phone });
    let unsubscribe = format!("{}/notify/unsubscribe/{}/{}", channels.origin, d.opinion_id, ctx.secrets.unsubscribe_mac(d.opinion_id));
    Ok(Outgoing { deliveries, subject, text, address, unsubscribe })
}

fn subject_of(n: &notification::Model) -> &'static str {
    if n.kind == recovery::KIND { "连心桥：找回查询码" } else { "连心桥：您反映的问题有新动态" }
}

/// A message as sent: scrubbed as the tracking page shows it (a staff note may name someone),
/// with the link a 回访 question or a code recovery needs (no code, no login).
fn text_of(ctx: Context<'_>, channels: &Channels, n: &notification::Model) -> String {
    let mut text = crate::privacy::scrub(&n.message);
    if crate::opinions::revisits::ASKS.contains(&n.kind.as_str()) {
        text.push_str(&format!("\n答复回访：{}/revisit/{}/{}", channels.origin, n.opinion_id, ctx.secrets.revisit_mac(n.opinion_id)));
    }
    if n.kind == recovery::KIND {
        text.push_str(&format!("\n{}", recovery::link(ctx.secrets, &channels.origin, n)));
    }
    text
}

/// Records a try: `Ok` sent; `Err(None)` nothing to send to any more (unsubscribed, erased);
/// `Err(Some(why))` failed, to be retried.
async fn record(
    ctx: Context<'_>,
    channels: &Channels,
    d: delivery::Model,
    outcome: Result<(), Option<String>>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let uow = UnitOfWork::begin(ctx, &Actor::system("deliver")).await?;
    // An unsubscribe while it was being sent has dropped it: that stands.
    let Some(d) = delivery::Entity::find_by_id(d.id).one(uow.db()).await?.filter(|d| d.state == PENDING) else { return Ok(()) };
    let attempts = d.attempts + 1;
    let notification_id = d.notification_id;
    let mut row = d.into_active_model();
    row.attempts = Set(attempts);
    match outcome {
        Ok(()) => {
            row.state = Set(SENT.into());
            row.sent_at = Set(Some(now));
            notification::Entity::update_many()
                .col_expr(notification::Column::SentAt, sea_orm::sea_query::Expr::value(now))
                .filter(notification::Column::Id.eq(notification_id))
                .filter(notification::Column::SentAt.is_null())
                .exec(uow.db())
                .await?;
        }
        Err(None) => row.state = Set(DROPPED.into()),
        Err(Some(why)) => {
            // A server's refusal often quotes the address: kept and logged scrubbed.
            let why = crate::privacy::scrub(&why);
            tracing::warn!(error = %why, attempts, "a message to a citizen was not sent; retrying later");
            row.last_error = Set(Some(why.chars().take(300).collect()));
            row.state = Set(if attempts >= MAX_ATTEMPTS { FAILED } else { PENDING }.into());
            row.next_attempt_at = Set(now + channels.backoff(attempts));
        }
    }
    row.update(uow.db()).await?;
    uow.commit().await?;
    Ok(())
}

/// The citizen of `opinion_id` asks for no more messages: consent withdrawn, queued ones dropped.
pub async fn unsubscribe(ctx: Context<'_>, opinion_id: i32, mac: &str) -> Result<(), ServiceError> {
    if mac != ctx.secrets.unsubscribe_mac(opinion_id) {
        return Err(ServiceError::NotFound);
    }
    let mut uow = UnitOfWork::begin(ctx, &Actor::citizen()).await?;
    let o = opinion::Entity::find_by_id(opinion_id).one(uow.db()).await?.ok_or(ServiceError::NotFound)?;
    if o.consent_contact {
        let mut model = o.clone().into_active_model();
        model.consent_contact = Set(false);
        crate::opinions::save(&mut uow, &o, model).await?;
    }
    delivery::Entity::update_many()
        .col_expr(delivery::Column::State, sea_orm::sea_query::Expr::value(DROPPED))
        .filter(delivery::Column::OpinionId.eq(opinion_id))
        .filter(delivery::Column::State.eq(PENDING))
        .exec(uow.db())
        .await?;
    uow.audit("notify.unsubscribe", "opinion", opinion_id, None, None);
    uow.commit().await?;
    Ok(())
}

/// The citizen with `code` chooses one message per event, or a daily digest.
pub async fn choose_digest(ctx: Context<'_>, code: &str, daily: bool) -> Result<(), ServiceError> {
    let mut uow = UnitOfWork::begin(ctx, &Actor::citizen()).await?;
    let o = crate::opinions::track::find(uow.db(), ctx.secrets, code).await?.ok_or(ServiceError::NotFound)?;
    let contact = opinion_contact::Entity::find_by_id(o.id)
        .one(uow.db())
        .await?
        .filter(|_| o.consent_contact)
        .ok_or_else(|| ServiceError::Refused("这条意见没有留下联系方式或已退订，办理进展请凭查询码查看".into()))?;
    let mut model = contact.into_active_model();
    model.daily_digest = Set(daily);
    model.update(uow.db()).await?;
    uow.audit("notify.choose", "opinion", o.id, None, Some(serde_json::json!({ "daily": daily })));
    uow.commit().await?;
    Ok(())
}
