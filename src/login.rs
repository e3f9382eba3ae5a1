//! Logging in, without a lock an attacker could hold. Failures are counted per username (by keyed
//! digest, for names that exist and names that do not alike); past a few, every attempt on that
//! name waits a little longer before it is checked, up to a few seconds, and the right password
//! still gets in. Addresses are limited separately (`limits`). A known and an unknown username
//! get the same answer after the same work: one argon2 check and one write.

use std::time::Duration;

use entity::{login_throttle, unit, user};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};

use crate::accounts::{find_by_username, matches_off_thread};
use crate::config::Config;
use crate::service::{Actor, ServiceError};
use crate::sessions::{self, Client};
use crate::unit_of_work::{Context, UnitOfWork};

/// Failures (within [`WINDOW_MINUTES`]) before attempts start to wait.
pub const FREE_FAILURES: i32 = 5;
const WINDOW_MINUTES: i64 = 15;
const MAX_DELAY: Duration = Duration::from_secs(8);

/// How long an attempt waits after `failures` recent failures: none, then 250 ms doubling to 8 s.
pub fn delay_after(failures: i32) -> Duration {
    if failures < FREE_FAILURES {
        return Duration::ZERO;
    }
    let doublings = (failures - FREE_FAILURES).min(10) as u32;
    (Duration::from_millis(250) * (1 << doublings)).min(MAX_DELAY)
}

pub enum Outcome {
    /// In: the user and the new session's token for the cookie.
    Welcome { user: user::Model, token: String },
    /// Wrong username or password: the same for both.
    Invalid,
}

static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Checks a login and, when it is right, starts a session.
pub async fn log_in(ctx: Context<'_>, config: &Config, username: &str, password: &str, client: &Client) -> Result<Outcome, ServiceError> {
    let key = ctx.secrets.login_key(username);
    let now = ctx.clock.now();
    let recent = login_throttle::Entity::find_by_id(key.clone())
        .one(ctx.db)
        .await?
        .filter(|t| now - t.last_failure_at < chrono::Duration::minutes(WINDOW_MINUTES))
        .map_or(0, |t| t.failures);
    tokio::time::sleep(delay_after(recent)).await;

    let found = find_by_username(ctx.db, username).await?.filter(|u| u.active);
    let unit_active = match found.as_ref().and_then(|u| u.unit_id) {
        Some(unit_id) => unit::Entity::find_by_id(unit_id).one(ctx.db).await?.is_some_and(|u| u.active),
        None => true,
    };
    let hash = match &found {
        Some(u) => u.password_hash.clone(),
        None => DUMMY_HASH.get_or_init(|| crate::accounts::hash_password("not-a-real-password")).clone(),
    };
    let right = matches_off_thread(hash, password).await && found.is_some() && unit_active;

    let actor = match (&found, right) {
        (Some(u), true) => Actor::staff(u),
        _ => Actor::system("login"),
    };
    let mut uow = UnitOfWork::begin(ctx, &actor).await?;
    let current = login_throttle::Entity::find_by_id(key.clone()).one(uow.db()).await?;
    let counted = current.is_some();
    let outcome = match found.filter(|_| right) {
        Some(user) => {
            if let Some(row) = current {
                login_throttle::Entity::delete_by_id(row.key).exec(uow.db()).await?;
            }
            let mut model = user.clone().into_active_model();
            model.last_login_at = Set(Some(uow.now()));
            let user = model.update(uow.db()).await?;
            let token = sessions::start(&mut uow, config, &user, client).await?;
            uow.audit("user.login", "user", user.id, None, Some(serde_json::json!({ "network": client.network })));
            Outcome::Welcome { user, token }
        }
        None => {
            let failures = match current {
                Some(row) if uow.now() - row.last_failure_at < chrono::Duration::minutes(WINDOW_MINUTES) => row.failures + 1,
                _ => 1,
            };
            let row = login_throttle::ActiveModel { key: Set(key), failures: Set(failures), last_failure_at: Set(uow.now()) };
            if counted {
                row.update(uow.db()).await?;
            } else {
                row.insert(uow.db()).await?;
            }
            // The name tried, never the password.
            let tried: String = username.trim().chars().take(64).collect();
            let detail = serde_json::json!({ "username": tried, "failures": failures, "network": client.network });
            uow.audit("user.login_failed", "login", tried.clone(), None, Some(detail));
            if failures == FREE_FAILURES {
                uow.audit("user.login_slowed", "login", tried, None, Some(serde_json::json!({ "failures": failures })));
            }
            Outcome::Invalid
        }
    };
    uow.commit().await?;
    Ok(outcome)
}

/// Ends the session the cookie names (logout).
pub async fn log_out(ctx: Context<'_>, user: &user::Model, session_id: i32) -> Result<(), ServiceError> {
    let mut uow = UnitOfWork::begin(ctx, &Actor::staff(user)).await?;
    sessions::end(&mut uow, user.id, session_id, sessions::ended::LOGOUT).await?;
    uow.audit("user.logout", "user", user.id, None, None);
    uow.commit().await?;
    Ok(())
}

/// A logged-in user was refused an action (403): recorded, so probing shows in the trail.
pub async fn record_refusal(ctx: Context<'_>, user: &user::Model, what: &str) -> Result<(), ServiceError> {
    let mut uow = UnitOfWork::begin(ctx, &Actor::staff(user)).await?;
    let what: String = what.chars().take(120).collect();
    uow.audit("access.refused", "request", what, None, Some(serde_json::json!({ "role": user.role.as_str() })));
    uow.commit().await?;
    Ok(())
}

/// Forgets failure counts older than the window.
pub async fn forget_old_failures(uow: &UnitOfWork) -> Result<u64, sea_orm::DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let cutoff = uow.now() - chrono::Duration::minutes(WINDOW_MINUTES);
    Ok(login_throttle::Entity::delete_many().filter(login_throttle::Column::LastFailureAt.lt(cutoff)).exec(uow.db()).await?.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_wait_longer_after_repeated_failures_but_never_long() {
        assert_eq!(delay_after(0), Duration::ZERO);
        assert_eq!(delay_after(4), Duration::ZERO);
        assert_eq!(delay_after(5), Duration::from_millis(250));
        assert_eq!(delay_after(6), Duration::from_millis(500));
        assert_eq!(delay_after(50), MAX_DELAY);
    }
}
