//! Staff accounts: creating them, passwords, disabling, and logging in with back-off.

use argon2::{
    Argon2, PasswordVerifier,
    password_hash::{PasswordHasher, phc::PasswordHash},
};
use chrono::{DateTime, Duration, Utc};
use entity::{unit, user, vocab::Role};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};

use crate::domain::account::{NewPassword, Username, display_name, unit_code as unit_code_of};
use crate::journal::{self, snapshot};
use crate::service::{Actor, FieldErrors, ServiceError, begin_write};

/// Failures allowed before the account is locked for a while.
const FREE_FAILURES: i32 = 5;
const MAX_LOCK_MINUTES: i64 = 60;

pub fn hash_password(password: &str) -> String {
    Argon2::default().hash_password(password.as_bytes()).expect("argon2 with default parameters hashes any password").to_string()
}

fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()).unwrap_or(false)
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub unit_code: Option<&'a str>,
    pub password: &'a str,
}

pub async fn create_user(db: &DatabaseConnection, actor: &Actor, input: NewUser<'_>) -> Result<user::Model, ServiceError> {
    if actor.role.is_some() {
        actor.require(&[Role::Admin])?;
    }
    let mut errors = FieldErrors::default();
    let username = Username::parse(input.username).map_err(|m| errors.add("username", "invalid", m)).ok();
    let display = errors.text("display_name", display_name(input.display_name));
    let password = NewPassword::parse(input.password).map_err(|m| errors.add("password", "invalid", m)).ok();
    let role = Role::parse(input.role);
    if role.is_none() {
        errors.add("role", "invalid", "请选择角色");
    }
    let unit_code = input.unit_code.map(str::trim).filter(|c| !c.is_empty());
    let unit = match unit_code.map(unit_code_of) {
        Some(Ok(code)) => unit::Entity::find().filter(unit::Column::Code.eq(code)).one(db).await?,
        _ => None,
    };
    match (role, unit_code, &unit) {
        (Some(Role::Unit), None, _) => errors.add("unit", "required", "责任单位账号须选择所属单位"),
        (_, Some(_), None) => errors.add("unit", "invalid", "没有这个单位"),
        (Some(r), Some(_), Some(_)) if r != Role::Unit => errors.add("unit", "invalid", "只有责任单位账号属于某个单位"),
        _ => {}
    }
    if let Some(name) = &username
        && user::Entity::find().filter(user::Column::Username.eq(name.as_str())).one(db).await?.is_some()
    {
        errors.add("username", "taken", "用户名已被使用");
    }
    errors.check()?;
    let (username, display, password, role) =
        (username.expect("checked"), display.expect("checked"), password.expect("checked"), role.expect("checked"));

    let txn = begin_write(db).await?;
    let created = user::ActiveModel {
        username: Set(username.as_str().into()),
        display_name: Set(display),
        password_hash: Set(hash_password(password.expose())),
        role: Set(role),
        unit_id: Set(unit.map(|u| u.id)),
        active: Set(true),
        failed_logins: Set(0),
        locked_until: Set(None),
        last_login_at: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    journal::audit(&txn, actor, "user.create", "user", created.id, None, snapshot(&created)).await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn find_by_username(db: &impl ConnectionTrait, username: &str) -> Result<Option<user::Model>, ServiceError> {
    let Ok(name) = Username::parse(username) else { return Ok(None) };
    Ok(user::Entity::find().filter(user::Column::Username.eq(name.as_str())).one(db).await?)
}

pub async fn set_password(db: &DatabaseConnection, actor: &Actor, user_id: i32, password: &str) -> Result<(), ServiceError> {
    if actor.role.is_some() && actor.user_id != Some(user_id) {
        actor.require(&[Role::Admin])?;
    }
    let password = NewPassword::parse(password).map_err(|m| {
        let mut errors = FieldErrors::default();
        errors.add("password", "invalid", m);
        ServiceError::Invalid(errors)
    })?;
    let txn = begin_write(db).await?;
    let found = user::Entity::find_by_id(user_id).one(&txn).await?.ok_or(ServiceError::NotFound)?;
    let mut active = found.into_active_model();
    active.password_hash = Set(hash_password(password.expose()));
    active.failed_logins = Set(0);
    active.locked_until = Set(None);
    active.update(&txn).await?;
    journal::audit(&txn, actor, "user.password", "user", user_id, None, None).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn set_active(db: &DatabaseConnection, actor: &Actor, user_id: i32, active: bool) -> Result<user::Model, ServiceError> {
    if actor.role.is_some() {
        actor.require(&[Role::Admin])?;
        if actor.user_id == Some(user_id) && !active {
            return Err(ServiceError::Refused("不能停用自己的账号".into()));
        }
    }
    let txn = begin_write(db).await?;
    let before = user::Entity::find_by_id(user_id).one(&txn).await?.ok_or(ServiceError::NotFound)?;
    let mut model = before.clone().into_active_model();
    model.active = Set(active);
    let after = model.update(&txn).await?;
    let action = if active { "user.enable" } else { "user.disable" };
    journal::audit(&txn, actor, action, "user", user_id, snapshot(&before), snapshot(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

pub async fn list_users(db: &impl ConnectionTrait) -> Result<Vec<user::Model>, ServiceError> {
    Ok(user::Entity::find().order_by_asc(user::Column::Username).all(db).await?)
}

#[derive(Debug, PartialEq, Eq)]
pub enum LoginRefusal {
    /// Wrong username or password: the same answer for both, so names cannot be probed.
    Invalid,
    Locked {
        until: DateTime<Utc>,
    },
}

/// Checks a login. Each failure counts against the account; past a few, it locks for a time
/// that doubles with every further failure.
pub async fn authenticate(
    db: &DatabaseConnection,
    username: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<Result<user::Model, LoginRefusal>, ServiceError> {
    let Some(found) = find_by_username(db, username).await?.filter(|u| u.active) else {
        // Spend the same time as a real check, so a missing account is not told apart by timing.
        password_matches(DUMMY_HASH.get_or_init(|| hash_password("not-a-real-password")), password);
        return Ok(Err(LoginRefusal::Invalid));
    };
    if let Some(until) = found.locked_until.filter(|until| *until > now) {
        return Ok(Err(LoginRefusal::Locked { until }));
    }
    let ok = password_matches(&found.password_hash, password);
    let txn = begin_write(db).await?;
    let mut model = found.clone().into_active_model();
    let outcome = if ok {
        model.failed_logins = Set(0);
        model.locked_until = Set(None);
        model.last_login_at = Set(Some(now));
        Ok(found.clone())
    } else {
        let failures = found.failed_logins + 1;
        model.failed_logins = Set(failures);
        let lock = lock_after(failures).map(|d| now + d);
        model.locked_until = Set(lock);
        match lock {
            Some(until) => Err(LoginRefusal::Locked { until }),
            None => Err(LoginRefusal::Invalid),
        }
    };
    model.update(&txn).await?;
    let actor = Actor::staff(&found);
    match &outcome {
        Ok(_) => journal::audit(&txn, &actor, "user.login", "user", found.id, None, None).await?,
        Err(LoginRefusal::Locked { until }) => {
            let detail = serde_json::json!({ "locked_until": until.to_rfc3339() });
            journal::audit(&txn, &Actor::system("login"), "user.locked", "user", found.id, None, Some(detail)).await?
        }
        Err(LoginRefusal::Invalid) => {}
    }
    txn.commit().await?;
    Ok(outcome)
}

static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// How long an account stays locked after its `failures`-th consecutive failure.
pub fn lock_after(failures: i32) -> Option<Duration> {
    (failures >= FREE_FAILURES).then(|| {
        let doublings = (failures - FREE_FAILURES).min(6) as u32;
        Duration::minutes((1i64 << doublings).min(MAX_LOCK_MINUTES))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockouts_start_after_five_failures_and_double_up_to_an_hour() {
        assert_eq!(lock_after(4), None);
        assert_eq!(lock_after(5), Some(Duration::minutes(1)));
        assert_eq!(lock_after(6), Some(Duration::minutes(2)));
        assert_eq!(lock_after(8), Some(Duration::minutes(8)));
        assert_eq!(lock_after(50), Some(Duration::minutes(60)));
    }

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let hash = hash_password("correct horse battery");
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches(&hash, "correct horse battery"));
        assert!(!password_matches(&hash, "wrong"));
        assert!(!password_matches("garbage", "wrong"));
    }
}
