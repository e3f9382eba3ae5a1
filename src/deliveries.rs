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
use crate::service::{Actor, ServiceError};
use crate::unit_of_work::{Context, UnitOfWork};

const MARK: &str = "deliver";
/// Messages queued per pass, and deliveries sent per pass.
const QUEUED_PER_PASS: u64 = 500;
const SENT_PER_PASS: u64 = 20;
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
    let fresh: Vec<(i32, i32)> = notification::Entity::find()
        .select_only()
        .columns([notification::Column::Id, notification::Column::OpinionId])
        .filter(notification::Column::Id.gt(after as i32))
        .order_by_asc(notification::Column::Id)
        .limit(QUEUED_PER_PASS)
        .into_tuple()
        .all(uow.db())
        .await?;
    let Some(&(last, _)) = fresh.last() else { return Ok(0) };
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
    let mut rows = Vec::new();
    for (id, opinion_id) in &fresh {
        let Some(contact) = contacts.get(opinion_id) else { continue };
        let wanted =
            [("email", channels.email.is_some() && contact.email.is_some()), ("sms", channels.sms.is_some() && contact.phone.is_some())];
        for (channel, _) in wanted.into_iter().filter(|(_, on)| *on) {
            rows.push(delivery::ActiveModel {
                notification_id: Set(*id),
                opinion_id: Set(*opinion_id),
                channel: Set(channel.into()),
                state: Set(PENDING.into()),
                attempts: Set(0),
                next_attempt_at: Set(now),
                last_error: Set(None),
                sent_at: Set(None),
                created_at: Set(now),
                ..Default::default()
            });
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

/// What a delivery carries: the message, the address, and the link that stops further ones.
struct Outgoing {
    delivery: delivery::Model,
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
    let due = delivery::Entity::find()
        .filter(delivery::Column::State.eq(PENDING))
        .filter(delivery::Column::NextAttemptAt.lte(now))
        .order_by_asc(delivery::Column::Id)
        .limit(SENT_PER_PASS)
        .all(uow.db())
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    delivery::Entity::update_many()
        .col_expr(delivery::Column::NextAttemptAt, sea_orm::sea_query::Expr::value(now + Duration::seconds(LEASE_SECONDS)))
        .filter(delivery::Column::Id.is_in(due.iter().map(|d| d.id)))
        .exec(uow.db())
        .await?;
    uow.commit().await?;
    let mut sent = 0;
    for d in due {
        let out = outgoing(ctx, channels, d).await?;
        let outcome = match (out.delivery.channel.as_str(), &out.address) {
            (_, None) => Err(None),
            ("email", Some(to)) => match &channels.email {
                Some(mailer) => mailer.send(out.delivery.id, to, &out.text, &out.unsubscribe).await.map_err(Some),
                None => Err(Some("邮件未配置".to_string())),
            },
            (_, Some(phone)) => match &channels.sms {
                Some(gateway) => gateway.send(out.delivery.id, phone, &out.text, &out.unsubscribe).await.map_err(Some),
                None => Err(Some("短信网关未配置".to_string())),
            },
        };
        sent += usize::from(outcome.is_ok());
        record(ctx, channels, out.delivery, outcome, now).await?;
    }
    Ok(sent)
}

async fn outgoing(ctx: Context<'_>, channels: &Channels, d: delivery::Model) -> Result<Outgoing, DbErr> {
    // Scrubbed as the tracking page shows it: a staff note may name someone.
    let message = notification::Entity::find_by_id(d.notification_id).one(ctx.db).await?;
    let mut text = message.as_ref().map(|n| crate::privacy::scrub(&n.message)).unwrap_or_default();
    // A 回访 question carries its answer link: no code, no login needed.
    if message.is_some_and(|n| crate::opinions::revisits::ASKS.contains(&n.kind.as_str())) {
        text.push_str(&format!("\n答复回访：{}/revisit/{}/{}", channels.origin, d.opinion_id, ctx.secrets.revisit_mac(d.opinion_id)));
    }
    let consented = opinion::Entity::find_by_id(d.opinion_id)
        .one(ctx.db)
        .await?
        .is_some_and(|o| o.consent_contact && !matches!(o.status, OpinionStatus::Hidden));
    let contact = if consented { opinion_contact::Entity::find_by_id(d.opinion_id).one(ctx.db).await? } else { None };
    let address = contact.and_then(|c| if d.channel == "email" { c.email } else { c.phone });
    let unsubscribe = format!("{}/notify/unsubscribe/{}/{}", channels.origin, d.opinion_id, ctx.secrets.unsubscribe_mac(d.opinion_id));
    Ok(Outgoing { delivery: d, text, address, unsubscribe })
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
