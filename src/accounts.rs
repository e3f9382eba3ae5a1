//! Staff accounts: creating them, passwords, disabling, and logging in with back-off.

use argon2::{
    Argon2, PasswordVerifier,
    password_hash::{PasswordHasher, phc::PasswordHash},
};
use chrono::{DateTime, Duration, Utc};
use entity::{unit, user, vocab::Role};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};

use crate::domain::account::{NewPassword, Username, display_name, unit_code as unit_code_of};
use crate::journal::snapshot;
use crate::service::{Actor, FieldErrors, ServiceError};
use crate::unit_of_work::{Context, UnitOfWork};

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

pub async fn create_user(ctx: Context<'_>, actor: &Actor, input: NewUser<'_>) -> Result<user::Model, ServiceError> {
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
        Some(Ok(code)) => unit::Entity::find().filter(unit::Column::Code.eq(code)).one(ctx.db).await?,
        _ => None,
    };
    match (role, unit_code, &unit) {
        (Some(Role::Unit), None, _) => errors.add("unit", "required", "责任单位账号须选择所属单位"),
        (_, Some(_), None) => errors.add("unit", "invalid", "没有这个单位"),
        (Some(r), Some(_), Some(_)) if r != Role::Unit => errors.add("unit", "invalid", "只有责任单位账号属于某个单位"),
        _ => {}
    }
    if let Some(name) = &username
        && user::Entity::find().filter(user::Column::Username.eq(name.as_str())).one(ctx.db).await?.is_some()
    {
        errors.add("username", "taken", "用户名已被使用");
    }
    let (true, Some(username), Some(display), Some(password), Some(role)) = (errors.is_empty(), username, display, password, role) else {
        return Err(ServiceError::Invalid(errors));
    };
    // Hashing takes a while: done before the write lock is taken.
    let password_hash = hash_password(password.expose());
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let created = user::ActiveModel {
        username: Set(username.as_str().into()),
        display_name: Set(display),
        password_hash: Set(password_hash),
        role: Set(role),
        unit_id: Set(unit.map(|u| u.id)),
        active: Set(true),
        failed_logins: Set(0),
        locked_until: Set(None),
        last_login_at: Set(None),
        created_at: Set(uow.now()),
        ..Default::default()
    }
    .insert(uow.db())
    .await?;
    uow.audit("user.create", "user", created.id, None, snapshot(&created));
    uow.commit().await?;
    Ok(created)
}

pub async fn find_by_username(db: &impl ConnectionTrait, username: &str) -> Result<Option<user::Model>, ServiceError> {
    let Ok(name) = Username::parse(username) else { return Ok(None) };
    Ok(user::Entity::find().filter(user::Column::Username.eq(name.as_str())).one(db).await?)
}

pub async fn set_password(ctx: Context<'_>, actor: &Actor, user_id: i32, password: &str) -> Result<(), ServiceError> {
    if actor.role.is_some() && actor.user_id != Some(user_id) {
        actor.require(&[Role::Admin])?;
    }
    let password = NewPassword::parse(password).map_err(|m| {
        let mut errors = FieldErrors::default();
        errors.add("password", "invalid", m);
        ServiceError::Invalid(errors)
    })?;
    let password_hash = hash_password(password.expose());
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let found = user::Entity::find_by_id(user_id).one(uow.db()).await?.ok_or(ServiceError::NotFound)?;
    let mut active = found.into_active_model();
    active.password_hash = Set(password_hash);
    active.failed_logins = Set(0);
    active.locked_until = Set(None);
    active.update(uow.db()).await?;
    uow.audit("user.password", "user", user_id, None, None);
    uow.commit().await?;
    Ok(())
}

pub async fn set_active(ctx: Context<'_>, actor: &Actor, user_id: i32, active: bool) -> Result<user::Model, ServiceError> {
    if actor.role.is_some() {
        actor.require(&[Role::Admin])?;
        if actor.user_id == Some(user_id) && !active {
            return Err(ServiceError::Refused("不能停用自己的账号".into()));
        }
    }
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let before = user::Entity::find_by_id(user_id).one(uow.db()).await?.ok_or(ServiceError::NotFound)?;
    let mut model = before.clone().into_active_model();
    model.active = Set(active);
    let after = model.update(uow.db()).await?;
    let action = if active { "user.enable" } else { "user.disable" };
    uow.audit(action, "user", user_id, snapshot(&before), snapshot(&after));
    uow.commit().await?;
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
pub async fn authenticate(ctx: Context<'_>, username: &str, password: &str) -> Result<Result<user::Model, LoginRefusal>, ServiceError> {
    let now = ctx.clock.now();
    let Some(found) = find_by_username(ctx.db, username).await?.filter(|u| u.active) else {
        // Spend the same time as a real check, so a missing account is not told apart by timing.
        password_matches(DUMMY_HASH.get_or_init(|| hash_password("not-a-real-password")), password);
        return Ok(Err(LoginRefusal::Invalid));
    };
    if let Some(until) = found.locked_until.filter(|until| *until > now) {
        return Ok(Err(LoginRefusal::Locked { until }));
    }
    let ok = password_matches(&found.password_hash, password);
    // Counted inside the unit of work, on the row as it stands then: concurrent failures from
    // several servers each count.
    let mut uow = UnitOfWork::begin(ctx, &Actor::staff(&found)).await?;
    let current = user::Entity::find_by_id(found.id).one(uow.db()).await?.ok_or(ServiceError::NotFound)?;
    let mut model = current.clone().into_active_model();
    let outcome = if ok {
        model.failed_logins = Set(0);
        model.locked_until = Set(None);
        model.last_login_at = Set(Some(now));
        Ok(current.clone())
    } else {
        let failures = current.failed_logins + 1;
        model.failed_logins = Set(failures);
        let lock = lock_after(failures).map(|d| now + d);
        model.locked_until = Set(lock);
        match lock {
            Some(until) => Err(LoginRefusal::Locked { until }),
            None => Err(LoginRefusal::Invalid),
        }
    };
    model.update(uow.db()).await?;
    match &outcome {
        Ok(_) => uow.audit("user.login", "user", found.id, None, None),
        Err(LoginRefusal::Locked { until }) => {
            let detail = serde_json::json!({ "locked_until": until.to_rfc3339() });
            uow.audit("user.locked", "user", found.id, None, Some(detail));
        }
        Err(LoginRefusal::Invalid) => {}
    }
    uow.commit().await?;
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
