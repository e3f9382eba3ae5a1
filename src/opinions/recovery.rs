//! A citizen who lost a tracking code asks for it by the phone or email they left. Codes are kept
//! only as keyed digests, so none can be sent back: the address gets a link, good for a day and
//! once, that issues new codes for the opinions left with it (the old codes stop working). The
//! answer to a request is the same whether the address is known or not, so the form tells no one
//! who wrote in; the request shows on the case's tracking page, in case it was not the citizen.

use chrono::{DateTime, Duration, Utc};
use entity::{delivery, notification, opinion, opinion_contact};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::domain::tracking_code::TrackingCode;
use crate::secrets::Secrets;
use crate::service::{Actor, FieldErrors, ServiceError};
use crate::unit_of_work::{Context, UnitOfWork};

pub const KIND: &str = "codes.recovery";
const REISSUED: &str = "codes.reissued";
const VALID_HOURS: i64 = 24;
/// One request per address this often: the form cannot be used to flood someone's phone.
const QUIET_MINUTES: i64 = 10;
/// The opinions one address gets new codes for, newest first.
const MOST: u64 = 20;

/// The phone or email a citizen left, as they type it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contact {
    Email(String),
    Phone(String),
}

impl TryFrom<&str> for Contact {
    type Error = ServiceError;

    fn try_from(input: &str) -> Result<Self, Self::Error> {
        let parsed = if input.contains('@') {
            super::submit::parse_email(input).map(Contact::Email)
        } else {
            super::submit::parse_phone(input.trim()).map(Contact::Phone)
        };
        parsed.ok_or_else(|| {
            let mut errors = FieldErrors::default();
            errors.add("contact", "invalid", "请填写提交意见时留下的 11 位手机号、带区号的固定电话或邮箱");
            ServiceError::Invalid(errors)
        })
    }
}

impl Contact {
    /// The channel that reaches it.
    pub fn channel(&self) -> &'static str {
        match self {
            Contact::Email(_) => "email",
            Contact::Phone(_) => "sms",
        }
    }
}

/// Opinions left with this contact, newest first.
async fn opinions_of(db: &impl ConnectionTrait, contact: &Contact) -> Result<Vec<i32>, DbErr> {
    let filter = match contact {
        Contact::Email(e) => opinion_contact::Column::Email.eq(e.as_str()),
        Contact::Phone(p) => opinion_contact::Column::Phone.eq(p.as_str()),
    };
    opinion_contact::Entity::find()
        .select_only()
        .column(opinion_contact::Column::OpinionId)
        .filter(filter)
        .order_by_desc(opinion_contact::Column::OpinionId)
        .limit(MOST)
        .into_tuple()
        .all(db)
        .await
}

/// Asks for a recovery link to `contact`, if any opinion was left with it. `open` lists the
/// channels this server sends through.
pub async fn request(ctx: Context<'_>, contact: &Contact, open: &[&str]) -> Result<(), ServiceError> {
    if !open.contains(&contact.channel()) {
        let what = if contact.channel() == "email" { "邮件" } else { "短信" };
        return Err(ServiceError::Refused(format!("本站暂未开通{what}发送，无法找回查询码；请联系绩效办或换用另一种联系方式")));
    }
    let mut uow = UnitOfWork::begin(ctx, &Actor::citizen()).await?;
    // The link goes with the newest case that may still be written about (a hidden one may not).
    let ids = opinions_of(uow.db(), contact).await?;
    let newest: Option<i32> = opinion::Entity::find()
        .select_only()
        .column(opinion::Column::Id)
        .filter(opinion::Column::Id.is_in(ids))
        .filter(opinion::Column::Status.ne(entity::vocab::OpinionStatus::Hidden))
        .order_by_desc(opinion::Column::Id)
        .limit(1)
        .into_tuple()
        .one(uow.db())
        .await?;
    let Some(newest) = newest else { return Ok(()) };
    let now = uow.now();
    let recent = notification::Entity::find()
        .filter(notification::Column::OpinionId.eq(newest))
        .filter(notification::Column::Kind.eq(KIND))
        .filter(notification::Column::CreatedAt.gt(now - Duration::minutes(QUIET_MINUTES)))
        .one(uow.db())
        .await?;
    if recent.is_some() {
        return Ok(());
    }
    let message = "有人通过您登记的联系方式申请找回查询码。如非本人操作，请忽略，原查询码继续有效。";
    let note = super::tell(&uow, newest, KIND, message.into()).await?;
    crate::deliveries::pending(note.id, newest, contact.channel(), false, now, now).insert(uow.db()).await?;
    uow.audit("opinion.code_recovery", "opinion", newest, None, None);
    uow.commit().await?;
    Ok(())
}

/// The link a recovery message carries.
pub fn link(secrets: &Secrets, origin: &str, n: &notification::Model) -> String {
    let expires = expiry(n.created_at);
    format!(
        "找回查询码（{VALID_HOURS} 小时内有效，仅可使用一次）：{origin}/my/recover/{}/{expires}/{}",
        n.id,
        secrets.recovery_mac(n.id, expires)
    )
}

fn expiry(requested: DateTime<Utc>) -> i64 {
    (requested + Duration::hours(VALID_HOURS)).timestamp()
}

/// The request a link names, if the link is genuine, in time and not used yet.
async fn redeemable(ctx: Context<'_>, db: &impl ConnectionTrait, id: i32, expires: i64, mac: &str) -> Result<Request, ServiceError> {
    let genuine = mac == ctx.secrets.recovery_mac(id, expires);
    let n = notification::Entity::find_by_id(id).one(db).await?.filter(|n| genuine && n.kind == KIND).ok_or(ServiceError::NotFound)?;
    if expiry(n.created_at) != expires || ctx.clock.now().timestamp() > expires {
        return Err(ServiceError::Refused("该链接已过期，请重新申请找回查询码".into()));
    }
    let used = notification::Entity::find()
        .filter(notification::Column::OpinionId.eq(n.opinion_id))
        .filter(notification::Column::Kind.eq(REISSUED))
        .filter(notification::Column::Id.gt(n.id))
        .one(db)
        .await?;
    if used.is_some() {
        return Err(ServiceError::Conflict("该链接已使用过，查询码已重新生成；如仍未保存，请重新申请".into()));
    }
    let channel = delivery::Entity::find().filter(delivery::Column::NotificationId.eq(n.id)).one(db).await?.map(|d| d.channel);
    let contact = opinion_contact::Entity::find_by_id(n.opinion_id).one(db).await?;
    let contact = match (channel.as_deref(), contact) {
        (Some("email"), Some(opinion_contact::Model { email: Some(e), .. })) => Contact::Email(e),
        (Some("sms"), Some(opinion_contact::Model { phone: Some(p), .. })) => Contact::Phone(p),
        // The contact was erased since: nothing left to recover by.
        _ => return Err(ServiceError::NotFound),
    };
    Ok(Request { contact })
}

struct Request {
    contact: Contact,
}

/// Checks a link before the citizen confirms it (a mail scanner following it changes nothing).
pub async fn check(ctx: Context<'_>, id: i32, expires: i64, mac: &str) -> Result<(), ServiceError> {
    redeemable(ctx, ctx.db, id, expires, mac).await.map(|_| ())
}

/// A new code for one opinion, shown once.
#[derive(Debug, serde::Serialize)]
pub struct Reissued {
    pub code: String,
    pub title: String,
    pub submitted: String,
}

/// Issues new codes for the opinions left with the link's contact; the old codes stop working.
pub async fn reissue(ctx: Context<'_>, id: i32, expires: i64, mac: &str) -> Result<Vec<Reissued>, ServiceError> {
    let mut uow = UnitOfWork::begin(ctx, &Actor::citizen()).await?;
    let request = redeemable(ctx, uow.db(), id, expires, mac).await?;
    let ids = opinions_of(uow.db(), &request.contact).await?;
    let mut out = Vec::new();
    for before in opinion::Entity::find().filter(opinion::Column::Id.is_in(ids)).order_by_desc(opinion::Column::Id).all(uow.db()).await? {
        let (code, digest): (TrackingCode, String) = super::submit::new_code(&uow).await?;
        let mut model = before.clone().into_active_model();
        model.code_digest = Set(digest);
        // The feed's address follows from the code: the old one stops with it.
        model.feed_digest = Set(None);
        let after = super::save(&mut uow, &before, model).await?;
        super::tell(&uow, after.id, REISSUED, "查询码已按您的申请重新生成，原查询码和订阅地址已失效。".into()).await?;
        uow.audit("opinion.code_reissue", "opinion", after.id, None, None);
        out.push(Reissued {
            code: code.to_string(),
            title: after.title.clone(),
            submitted: crate::domain::time::minute(after.submitted_at),
        });
    }
    uow.commit().await?;
    Ok(out)
}
