//! Staff sessions, kept on the server. The cookie carries a random token; the database keeps only
//! its keyed digest, so a copied cookie dies the moment its session is ended: by logout, a
//! password change or reset, disabling the account or its unit, or the user ending it from
//! their account page. Expiry (idle and absolute) is checked on every request.

use chrono::{DateTime, Duration, Utc};
use entity::{session, unit, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr,
};

use crate::config::Config;
use crate::secrets::Secrets;
use crate::service::ServiceError;
use crate::unit_of_work::UnitOfWork;

/// Why a session ended, as stored.
pub mod ended {
    pub const LOGOUT: &str = "logout";
    pub const PASSWORD: &str = "password";
    pub const DISABLED: &str = "disabled";
    pub const BY_USER: &str = "ended_by_user";
    pub const EXPIRED: &str = "expired";
}

/// Where a session comes from, as its owner sees it in their list.
pub struct Client {
    /// The network (IPv4 address or IPv6 /64), never more precise.
    pub network: String,
    pub agent: String,
}

fn new_token() -> String {
    use rand::RngExt;
    let bytes: [u8; 32] = rand::rng().random();
    hex::encode(bytes)
}

/// Starts a session for `user` inside the login's unit of work; returns the cookie's token.
pub async fn start(uow: &mut UnitOfWork, config: &Config, user: &user::Model, client: &Client) -> Result<String, DbErr> {
    let token = new_token();
    let now = uow.now();
    session::ActiveModel {
        token_digest: Set(uow.secrets().session_digest(&token)),
        user_id: Set(user.id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + Duration::hours(config.session_max_hours)),
        ended_at: Set(None),
        ended_reason: Set(None),
        client: Set(client.network.chars().take(64).collect()),
        agent: Set(client.agent.chars().take(200).collect()),
        ..Default::default()
    }
    .insert(uow.db())
    .await?;
    Ok(token)
}

/// A live session and its user.
pub struct Live {
    pub session: session::Model,
    pub user: user::Model,
}

/// How often `last_seen_at` is written: often enough that an active user never looks idle.
fn touch_every(config: &Config) -> Duration {
    (Duration::minutes(config.session_idle_minutes) / 4).min(Duration::seconds(60))
}

/// The session a token names, if it is live and its user (and their unit) still active. Marks it
/// seen when due: a single conditional UPDATE, not a write transaction (it changes nothing anyone
/// reads but the expiry).
pub async fn resolve(
    db: &impl ConnectionTrait,
    secrets: &Secrets,
    config: &Config,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<Live>, DbErr> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let digest = secrets.session_digest(token);
    let Some(found) =
        session::Entity::find().filter(session::Column::TokenDigest.eq(digest)).filter(session::Column::EndedAt.is_null()).one(db).await?
    else {
        return Ok(None);
    };
    let idle = now - found.last_seen_at > Duration::minutes(config.session_idle_minutes);
    if idle || now >= found.expires_at {
        session::Entity::update_many()
            .col_expr(session::Column::EndedAt, Expr::value(now))
            .col_expr(session::Column::EndedReason, Expr::value(ended::EXPIRED))
            .filter(session::Column::Id.eq(found.id))
            .filter(session::Column::EndedAt.is_null())
            .exec(db)
            .await?;
        return Ok(None);
    }
    let Some(user) = user::Entity::find_by_id(found.user_id).one(db).await?.filter(|u| u.active) else { return Ok(None) };
    if let Some(unit_id) = user.unit_id
        && !unit::Entity::find_by_id(unit_id).one(db).await?.is_some_and(|u| u.active)
    {
        return Ok(None);
    }
    if now - found.last_seen_at >= touch_every(config) {
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, Expr::value(now))
            .filter(session::Column::Id.eq(found.id))
            .exec(db)
            .await?;
    }
    Ok(Some(Live { session: found, user }))
}

/// Ends one session (of `user_id`, so nobody ends another's).
pub async fn end(uow: &mut UnitOfWork, user_id: i32, session_id: i32, reason: &str) -> Result<(), ServiceError> {
    let ended = session::Entity::update_many()
        .col_expr(session::Column::EndedAt, Expr::value(uow.now()))
        .col_expr(session::Column::EndedReason, Expr::value(reason))
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::EndedAt.is_null())
        .exec(uow.db())
        .await?;
    if ended.rows_affected == 0 {
        return Err(ServiceError::NotFound);
    }
    uow.audit("session.end", "session", session_id, None, Some(serde_json::json!({ "user": user_id, "reason": reason })));
    Ok(())
}

/// A user ends one of their own sessions (from their account page).
pub async fn end_own(ctx: crate::unit_of_work::Context<'_>, actor: &crate::service::Actor, session_id: i32) -> Result<(), ServiceError> {
    let user_id = actor.user_id.ok_or(ServiceError::Forbidden)?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    end(&mut uow, user_id, session_id, ended::BY_USER).await?;
    uow.commit().await?;
    Ok(())
}

/// Ends every live session of a user, but `keep`; returns how many.
pub async fn end_all(uow: &mut UnitOfWork, user_id: i32, reason: &str, keep: Option<i32>) -> Result<u64, DbErr> {
    let mut query = session::Entity::update_many()
        .col_expr(session::Column::EndedAt, Expr::value(uow.now()))
        .col_expr(session::Column::EndedReason, Expr::value(reason))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::EndedAt.is_null());
    if let Some(keep) = keep {
        query = query.filter(session::Column::Id.ne(keep));
    }
    let n = query.exec(uow.db()).await?.rows_affected;
    if n > 0 {
        uow.audit("session.end_all", "user", user_id, None, Some(serde_json::json!({ "sessions": n, "reason": reason })));
    }
    Ok(n)
}

/// A user's live sessions, newest first.
pub async fn live_for(db: &impl ConnectionTrait, user_id: i32, now: DateTime<Utc>) -> Result<Vec<session::Model>, DbErr> {
    session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::EndedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(now))
        .order_by_desc(session::Column::LastSeenAt)
        .all(db)
        .await
}
