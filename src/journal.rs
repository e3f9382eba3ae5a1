//! The hash-chained audit trail: appended by the unit of work, walked by `audit verify`.

use chrono::{DateTime, SubsecRound, Utc};
use entity::audit_log;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, QueryOrder, QuerySelect};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::service::Actor;

/// The hash the first entry points back to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An audit entry waiting for its unit of work to commit.
#[derive(Debug, Clone)]
pub struct Entry {
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Appends entries to the chain, each linked to the one before. Called by the unit of work at
/// commit, which holds the write lock, so no other writer can link to the same predecessor.
pub async fn append(db: &impl ConnectionTrait, actor: &Actor, at: DateTime<Utc>, entries: Vec<Entry>) -> Result<(), DbErr> {
    if entries.is_empty() {
        return Ok(());
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
    for e in entries {
        let mut entry = audit_log::Model {
            id: 0,
            actor_user_id: actor.user_id,
            actor: actor.label.clone(),
            action: e.action,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            before_json: e.before.map(|v| v.to_string()),
            after_json: e.after.map(|v| v.to_string()),
            // Stored precision differs by engine; hash what every engine returns.
            created_at: at.trunc_subsecs(6),
            prev_hash,
            hash: String::new(),
        };
        entry.hash = entry_hash(&entry);
        prev_hash = entry.hash.clone();
        audit_log::ActiveModel {
            actor_user_id: Set(entry.actor_user_id),
            actor: Set(entry.actor),
            action: Set(entry.action),
            entity_type: Set(entry.entity_type),
            entity_id: Set(entry.entity_id),
            before_json: Set(entry.before_json),
            after_json: Set(entry.after_json),
            created_at: Set(entry.created_at),
            prev_hash: Set(entry.prev_hash),
            hash: Set(entry.hash),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// A record as the audit trail keeps it.
pub fn snapshot(record: &impl Serialize) -> Option<serde_json::Value> {
    serde_json::to_value(record).ok()
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// SHA-256 over every field but the id and the hash itself, each length-prefixed so no
/// two different entries can produce the same input.
pub fn entry_hash(e: &audit_log::Model) -> String {
    let fields = [
        e.prev_hash.clone(),
        e.actor_user_id.map(|i| i.to_string()).unwrap_or_default(),
        e.actor.clone(),
        e.action.clone(),
        e.entity_type.clone(),
        e.entity_id.clone(),
        e.before_json.clone().unwrap_or_default(),
        e.after_json.clone().unwrap_or_default(),
        timestamp(e.created_at),
    ];
    let mut hasher = Sha256::new();
    for field in fields {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// The outcome of walking the chain.
#[derive(Debug, PartialEq, Eq)]
pub enum ChainCheck {
    Intact { entries: u64 },
    Broken { id: i64, reason: &'static str },
}

/// Walks the audit trail in id order and names the first entry that does not check out.
pub async fn verify(db: &impl ConnectionTrait) -> Result<ChainCheck, DbErr> {
    let mut prev = GENESIS.to_string();
    let mut last_id = 0i64;
    let mut entries = 0u64;
    loop {
        use sea_orm::{ColumnTrait, QueryFilter};
        let page = audit_log::Entity::find()
            .filter(audit_log::Column::Id.gt(last_id))
            .order_by_asc(audit_log::Column::Id)
            .limit(1000)
            .all(db)
            .await?;
        if page.is_empty() {
            return Ok(ChainCheck::Intact { entries });
        }
        for entry in page {
            if entry.prev_hash != prev {
                return Ok(ChainCheck::Broken { id: entry.id, reason: "与前一条记录的链接不符（记录被删除或插入）" });
            }
            if entry_hash(&entry) != entry.hash {
                return Ok(ChainCheck::Broken { id: entry.id, reason: "内容与哈希不符（记录被改动）" });
            }
            prev = entry.hash;
            last_id = entry.id;
            entries += 1;
        }
    }
}

/// Filters for reading the audit trail; blank means any.
#[derive(Debug, Default, Clone)]
pub struct TrailFilter {
    pub actor: Option<String>,
    /// A prefix: `unit.` finds `unit.create` and `unit.update`.
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
}

/// One page of the trail, newest first: (entries, page shown, pages).
pub async fn trail(
    db: &impl ConnectionTrait,
    filter: &TrailFilter,
    page: u64,
    per_page: u64,
) -> Result<(Vec<audit_log::Model>, u64, u64), DbErr> {
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
    let mut query = audit_log::Entity::find().order_by_desc(audit_log::Column::Id);
    if let Some(actor) = &filter.actor {
        query = query.filter(audit_log::Column::Actor.eq(actor));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_log::Column::Action.starts_with(action));
    }
    if let Some(entity_type) = &filter.entity_type {
        query = query.filter(audit_log::Column::EntityType.eq(entity_type));
    }
    if let Some(entity_id) = &filter.entity_id {
        query = query.filter(audit_log::Column::EntityId.eq(entity_id));
    }
    let paginator = query.paginate(db, per_page);
    let pages = paginator.num_pages().await?.max(1);
    let page = page.clamp(1, pages);
    Ok((paginator.fetch_page(page - 1).await?, page, pages))
}
