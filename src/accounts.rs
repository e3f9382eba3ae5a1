//! Staff accounts: creating them, passwords (set by the admin, or changed by their owner), and
//! disabling. Every change that could let someone else in ends the account's sessions.

use argon2::{
    Argon2, PasswordVerifier,
    password_hash::{PasswordHasher, phc::PasswordHash},
};
use entity::{unit, user, vocab::Role};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};

use crate::domain::account::{NewPassword, Username, display_name, unit_code as unit_code_of};
use crate::journal::snapshot;
use crate::service::{Actor, FieldErrors, ServiceError};
use crate::sessions;
use crate::unit_of_work::{Context, UnitOfWork};

pub fn hash_password(password: &str) -> String {
    Argon2::default().hash_password(password.as_bytes()).expect("argon2 with default parameters hashes any password").to_string()
}

pub fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()).unwrap_or(false)
}

/// Argon2 on a blocking thread: it takes tens of milliseconds of CPU by design.
pub async fn hash_off_thread(password: &str) -> Result<String, ServiceError> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ServiceError::Db(sea_orm::DbErr::Custom(format!("hashing: {e}"))))
}

pub async fn matches_off_thread(hash: String, password: &str) -> bool {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || password_matches(&hash, &password)).await.unwrap_or(false)
}

fn password_error(message: &'static str) -> ServiceError {
    let mut errors = FieldErrors::default();
    errors.add("password", "invalid", message);
    ServiceError::Invalid(errors)
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
    let display = errors.text("display_name", "显示名称", display_name(input.display_name));
    let password = NewPassword::parse(input.password, Some(input.username.trim())).map_err(|m| errors.add("password", "invalid", m)).ok();
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
    // Hashing takes a while: done before the write lock is taken, off the async workers.
    let password_hash = hash_off_thread(password.expose()).await?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let created = user::ActiveModel {
        username: Set(username.as_str().into()),
        display_name: Set(display),
        password_hash: Set(password_hash),
        role: Set(role),
        unit_id: Set(unit.map(|u| u.id)),
        active: Set(true),
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

/// The admin (or the command line) sets a user's password; every session of theirs ends.
pub async fn set_password(ctx: Context<'_>, actor: &Actor, user_id: i32, password: &str) -> Result<(), ServiceError> {
    if actor.role.is_some() {
        actor.require(&[Role::Admin])?;
    }
    let found = user::Entity::find_by_id(user_id).one(ctx.db).await?.ok_or(ServiceError::NotFound)?;
    let password = NewPassword::parse(password, Some(&found.username)).map_err(password_error)?;
    let password_hash = hash_off_thread(password.expose()).await?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let mut active = found.into_active_model();
    active.password_hash = Set(password_hash);
    active.update(uow.db()).await?;
    sessions::end_all(&mut uow, user_id, sessions::ended::PASSWORD, None).await?;
    uow.audit("user.password", "user", user_id, None, None);
    uow.commit().await?;
    Ok(())
}

/// A user changes their own password, proving the current one; their other sessions end.
pub async fn change_own_password(
    ctx: Context<'_>,
    actor: &Actor,
    session_id: i32,
    current: &str,
    new: &str,
    repeated: &str,
) -> Result<(), ServiceError> {
    let user_id = actor.user_id.ok_or(ServiceError::Forbidden)?;
    let found = user::Entity::find_by_id(user_id).one(ctx.db).await?.ok_or(ServiceError::NotFound)?;
    let mut errors = FieldErrors::default();
    if !matches_off_thread(found.password_hash.clone(), current).await {
        errors.add("current", "wrong", "当前密码不正确");
    }
    let password = NewPassword::parse(new, Some(&found.username)).map_err(|m| errors.add("password", "invalid", m)).ok();
    if new != repeated {
        errors.add("repeated", "mismatch", "两次输入的新密码不一致");
    }
    let (true, Some(password)) = (errors.is_empty(), password) else { return Err(ServiceError::Invalid(errors)) };
    let password_hash = hash_off_thread(password.expose()).await?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let mut model = found.into_active_model();
    model.password_hash = Set(password_hash);
    model.update(uow.db()).await?;
    sessions::end_all(&mut uow, user_id, sessions::ended::PASSWORD, Some(session_id)).await?;
    uow.audit("user.password_own", "user", user_id, None, None);
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
    if !active {
        sessions::end_all(&mut uow, user_id, sessions::ended::DISABLED, None).await?;
    }
    let action = if active { "user.enable" } else { "user.disable" };
    uow.audit(action, "user", user_id, snapshot(&before), snapshot(&after));
    uow.commit().await?;
    Ok(after)
}

pub async fn list_users(db: &impl ConnectionTrait) -> Result<Vec<user::Model>, ServiceError> {
    Ok(user::Entity::find().order_by_asc(user::Column::Username).all(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let hash = hash_password("correct horse battery");
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches(&hash, "correct horse battery"));
        assert!(!password_matches(&hash, "wrong"));
        assert!(!password_matches("garbage", "wrong"));
    }
}
