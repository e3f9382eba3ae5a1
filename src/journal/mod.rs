//! The audit trail: every write and every refused attempt, hash-chained and sealed with a keyed
//! MAC, appended by the unit of work at commit; its head is anchored outside the database in a
//! signed checkpoint file (`chain.rs`). What goes in is scrubbed at the one door it passes: no
//! tracking code, contact, phone, email or ID number can be kept in the trail.

mod chain;
mod trail;

pub use chain::{
    CHECKPOINT_FILE, ChainCheck, Checkpoint, GENESIS, entry_hash, needs_reseal, read_checkpoint, reseal, verify, write_checkpoint,
};
pub use trail::{TrailFilter, trail};

use chrono::{DateTime, SubsecRound, Utc};
use entity::audit_log;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, QueryOrder, QuerySelect};
use serde::Serialize;

use crate::secrets::Secrets;
use crate::service::Actor;

/// An audit entry waiting for its unit of work to commit.
#[derive(Debug, Clone)]
pub struct Entry {
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Every string in `value` scrubbed: the trail keeps what happened, never who the citizen is.
pub fn cleaned(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(crate::privacy::scrub(&s)),
        Value::Array(items) => Value::Array(items.into_iter().map(cleaned).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, cleaned(v))).collect()),
        other => other,
    }
}

/// Appends entries to the chain, each linked to the one before and sealed with its MAC; returns
/// the new head (id, hash). Called by the unit of work at commit, which holds the write lock, so
/// no other writer can link to the same predecessor.
pub async fn append(
    db: &impl ConnectionTrait,
    secrets: &Secrets,
    actor: &Actor,
    at: DateTime<Utc>,
    entries: Vec<Entry>,
) -> Result<Option<(i64, String)>, DbErr> {
    if entries.is_empty() {
        return Ok(None);
    }
    let mut prev_hash = audit_log::Entity::find()
        .select_only()
        .column(audit_log::Column::Hash)
        .order_by_desc(audit_log::Column::Id)
        .limit(1)
        .into_tuple::<String>()
        .one(db)
        .await?
        .unwrap_or_else(|| GENESIS.to_string());
    let mut head = None;
    for e in entries {
        let mut entry = audit_log::Model {
            id: 0,
            actor_user_id: actor.user_id,
            actor: crate::privacy::scrub(&actor.label),
            action: e.action,
            entity_type: e.entity_type,
            entity_id: crate::privacy::scrub(&e.entity_id),
            before_json: e.before.map(|v| cleaned(v).to_string()),
            after_json: e.after.map(|v| cleaned(v).to_string()),
            // Stored precision differs by engine; hash what every engine returns.
            created_at: at.trunc_subsecs(6),
            prev_hash,
            hash: String::new(),
            mac: None,
        };
        entry.hash = entry_hash(&entry);
        prev_hash = entry.hash.clone();
        let saved = audit_log::ActiveModel {
            actor_user_id: Set(entry.actor_user_id),
            actor: Set(entry.actor),
            action: Set(entry.action),
            entity_type: Set(entry.entity_type),
            entity_id: Set(entry.entity_id),
            before_json: Set(entry.before_json),
            after_json: Set(entry.after_json),
            created_at: Set(entry.created_at),
            prev_hash: Set(entry.prev_hash),
            mac: Set(Some(secrets.audit_mac(&entry.hash))),
            hash: Set(entry.hash),
            ..Default::default()
        }
        .insert(db)
        .await?;
        head = Some((saved.id, saved.hash));
    }
    Ok(head)
}

/// A record as the audit trail keeps it (secret fields are never serialised; text is scrubbed
/// on the way in).
pub fn snapshot(record: &impl Serialize) -> Option<serde_json::Value> {
    serde_json::to_value(record).ok()
}
