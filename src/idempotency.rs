//! Doing a thing once however often it is asked: a one-time form token or an `Idempotency-Key`
//! header names the request; the first outcome is kept and handed back to every retry. Looked up
//! and stored inside the unit of work, which holds the write lock, so two racing retries cannot
//! both do the work (and the unique index would refuse the second if they could).

use entity::idempotency_key;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, QueryFilter};
use serde::{Serialize, de::DeserializeOwned};
use sha2::{Digest, Sha256};

use crate::service::ServiceError;
use crate::unit_of_work::UnitOfWork;

/// How long a key is remembered; the purge job forgets older ones.
pub const KEEP_HOURS: i64 = 24;

#[derive(Debug, Clone)]
pub struct Key {
    scope: &'static str,
    key: String,
    request_hash: String,
}

impl Key {
    /// A key as a client sent it: 8–96 characters of letters, digits and `-_.:`. Anything else
    /// is refused, never silently ignored, so a client knows its retries are not protected.
    pub fn parse(scope: &'static str, key: &str, request: &impl Serialize) -> Result<Self, ServiceError> {
        let key = key.trim();
        let ok = (8..=96).contains(&key.len()) && key.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c));
        if !ok {
            return Err(ServiceError::Refused("幂等键须为 8–96 位字母、数字或 -_.:".into()));
        }
        let body = serde_json::to_vec(request).expect("requests serialise");
        Ok(Self { scope, key: key.to_string(), request_hash: hex::encode(Sha256::digest(body)) })
    }

    /// A fresh one-time token for a form.
    pub fn token() -> String {
        use rand::RngExt;
        let bytes: [u8; 16] = rand::rng().random();
        hex::encode(bytes)
    }
}

/// The outcome a key already produced, if any. The same key with a different request is refused.
pub async fn recall<T: DeserializeOwned>(uow: &UnitOfWork, key: &Key) -> Result<Option<T>, ServiceError> {
    let found = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::Scope.eq(key.scope))
        .filter(idempotency_key::Column::Key.eq(&key.key))
        .one(uow.db())
        .await?;
    let Some(found) = found else { return Ok(None) };
    if found.request_hash != key.request_hash {
        return Err(ServiceError::Conflict("这个幂等键已用于另一份不同的提交".into()));
    }
    serde_json::from_str(&found.outcome_json).map(Some).map_err(|e| ServiceError::Db(DbErr::Custom(format!("stored outcome: {e}"))))
}

/// Keeps the outcome under the key, in the same unit of work as the work itself.
pub async fn remember(uow: &UnitOfWork, key: &Key, outcome: &impl Serialize) -> Result<(), DbErr> {
    idempotency_key::ActiveModel {
        scope: Set(key.scope.into()),
        key: Set(key.key.clone()),
        request_hash: Set(key.request_hash.clone()),
        outcome_json: Set(serde_json::to_string(outcome).expect("outcomes serialise")),
        created_at: Set(uow.now()),
        ..Default::default()
    }
    .insert(uow.db())
    .await?;
    Ok(())
}

/// Forgets keys older than [`KEEP_HOURS`]; returns how many.
pub async fn purge(uow: &UnitOfWork) -> Result<u64, DbErr> {
    let cutoff = uow.now() - chrono::Duration::hours(KEEP_HOURS);
    Ok(idempotency_key::Entity::delete_many().filter(idempotency_key::Column::CreatedAt.lt(cutoff)).exec(uow.db()).await?.rows_affected)
}
