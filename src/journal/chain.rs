//! The chain itself: each entry's hash covers its predecessor's, its MAC covers its hash with a
//! key the database never holds, and a signed checkpoint outside the database remembers the head,
//! so deleting the newest entries (or all of them) and rewriting the chain are both seen.

use chrono::{DateTime, Utc};
use entity::audit_log;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::secrets::Secrets;

/// The hash the first entry points back to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The checkpoint file in the data directory.
pub const CHECKPOINT_FILE: &str = "audit.checkpoint";

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

/// The head of the chain as last seen by this server, signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub last_id: i64,
    pub last_hash: String,
    pub at: String,
    pub signature: String,
}

impl Checkpoint {
    fn text(last_id: i64, last_hash: &str, at: &str) -> String {
        format!("{last_id}|{last_hash}|{at}")
    }

    pub fn new(secrets: &Secrets, last_id: i64, last_hash: &str, at: DateTime<Utc>) -> Self {
        let at = at.to_rfc3339();
        let signature = secrets.checkpoint_signature(&Self::text(last_id, last_hash, &at));
        Self { last_id, last_hash: last_hash.into(), at, signature }
    }

    pub fn genuine(&self, secrets: &Secrets) -> bool {
        secrets.checkpoint_signature(&Self::text(self.last_id, &self.last_hash, &self.at)) == self.signature
    }

    /// One line the office can keep on paper or in a mail, and give back to `audit verify --anchor`.
    pub fn line(&self) -> String {
        format!("{}:{}:{}:{}", self.last_id, self.last_hash, self.at, self.signature)
    }

    pub fn parse(line: &str) -> Option<Self> {
        let mut parts = line.trim().splitn(4, ':');
        let last_id = parts.next()?.parse().ok()?;
        let last_hash = parts.next()?.to_string();
        // The time holds colons of its own; the signature is the last 64 characters.
        let rest = parts.collect::<Vec<_>>().join(":");
        let (at, signature) = rest.rsplit_once(':')?;
        Some(Self { last_id, last_hash, at: at.to_string(), signature: signature.to_string() })
    }
}

static WRITING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Moves the checkpoint forward to (id, hash), never back. Written after the commit that made
/// the head, via a temporary file and a rename.
pub fn write_checkpoint(secrets: &Secrets, last_id: i64, last_hash: &str, at: DateTime<Utc>) -> std::io::Result<()> {
    let Some(path) = secrets.checkpoint_path() else { return Ok(()) };
    let _guard = WRITING.lock().unwrap_or_else(|p| p.into_inner());
    if read_checkpoint(secrets).is_some_and(|c| c.last_id >= last_id) {
        return Ok(());
    }
    let body = serde_json::to_vec(&Checkpoint::new(secrets, last_id, last_hash, at)).expect("checkpoints serialise");
    let temp = path.with_extension("tmp");
    std::fs::write(&temp, body)?;
    crate::secrets::restrict_to_owner(&temp);
    std::fs::rename(temp, path)
}

pub fn read_checkpoint(secrets: &Secrets) -> Option<Checkpoint> {
    let text = std::fs::read(secrets.checkpoint_path()?).ok()?;
    serde_json::from_slice(&text).ok()
}

/// The outcome of walking the chain.
#[derive(Debug, PartialEq, Eq)]
pub enum ChainCheck {
    Intact {
        entries: u64,
        anchored_at: Option<i64>,
    },
    Broken {
        id: i64,
        reason: &'static str,
    },
    /// The anchor names an entry the table no longer holds, or holds with another hash.
    Truncated {
        anchored_id: i64,
        found_entries: u64,
    },
    /// The anchor itself was not signed with this server's secret.
    ForgedAnchor,
}

/// Walks the trail in id order, checking links, hashes and MACs, then the anchors (usually the
/// checkpoint file, and any line the office kept).
pub async fn verify(db: &impl ConnectionTrait, secrets: &Secrets, anchors: &[Checkpoint]) -> Result<ChainCheck, DbErr> {
    let mut anchors = anchors.to_vec();
    if anchors.iter().any(|a| !a.genuine(secrets)) {
        return Ok(ChainCheck::ForgedAnchor);
    }
    anchors.sort_by_key(|a| a.last_id);
    let mut prev = GENESIS.to_string();
    let mut last_id = 0i64;
    let mut entries = 0u64;
    let mut met = std::collections::HashSet::new();
    loop {
        let page = audit_log::Entity::find()
            .filter(audit_log::Column::Id.gt(last_id))
            .order_by_asc(audit_log::Column::Id)
            .limit(1000)
            .all(db)
            .await?;
        if page.is_empty() {
            break;
        }
        for entry in page {
            if entry.prev_hash != prev {
                return Ok(ChainCheck::Broken { id: entry.id, reason: "与前一条记录的链接不符（记录被删除或插入）" });
            }
            if entry_hash(&entry) != entry.hash {
                return Ok(ChainCheck::Broken { id: entry.id, reason: "内容与哈希不符（记录被改动）" });
            }
            if entry.mac.as_deref() != Some(secrets.audit_mac(&entry.hash).as_str()) {
                return Ok(ChainCheck::Broken { id: entry.id, reason: "封印与内容不符（链条被重写）" });
            }
            for (i, anchor) in anchors.iter().enumerate() {
                if anchor.last_id == entry.id && anchor.last_hash == entry.hash {
                    met.insert(i);
                }
            }
            prev = entry.hash;
            last_id = entry.id;
            entries += 1;
        }
    }
    if let Some(missing) = anchors.iter().enumerate().find(|(i, _)| !met.contains(i)) {
        return Ok(ChainCheck::Truncated { anchored_id: missing.1.last_id, found_entries: entries });
    }
    Ok(ChainCheck::Intact { entries, anchored_at: anchors.last().map(|a| a.last_id) })
}

/// Rewrites the whole chain with MACs, cleaning what older releases kept in it (tracking codes,
/// citizen keys, unscrubbed text). Only the holder of the secret can do this; it is itself
/// recorded by the caller. Returns how many entries were resealed.
pub async fn reseal(db: &impl ConnectionTrait, secrets: &Secrets) -> Result<u64, DbErr> {
    const SECRET_FIELDS: &[&str] = &["tracking_code", "code_digest", "citizen_key", "password_hash", "token_digest"];
    fn strip(value: serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::Object(map) => {
                Value::Object(map.into_iter().filter(|(k, _)| !SECRET_FIELDS.contains(&k.as_str())).map(|(k, v)| (k, strip(v))).collect())
            }
            Value::Array(items) => Value::Array(items.into_iter().map(strip).collect()),
            other => other,
        }
    }
    let clean = |json: Option<String>| {
        json.map(|j| {
            serde_json::from_str::<serde_json::Value>(&j)
                .map(|v| super::cleaned(strip(v)).to_string())
                .unwrap_or_else(|_| crate::privacy::scrub(&j))
        })
    };
    let mut prev = GENESIS.to_string();
    let mut last_id = 0i64;
    let mut n = 0;
    loop {
        let page = audit_log::Entity::find()
            .filter(audit_log::Column::Id.gt(last_id))
            .order_by_asc(audit_log::Column::Id)
            .limit(500)
            .all(db)
            .await?;
        if page.is_empty() {
            return Ok(n);
        }
        for entry in page {
            last_id = entry.id;
            let mut fixed = entry.clone();
            fixed.before_json = clean(entry.before_json.clone());
            fixed.after_json = clean(entry.after_json.clone());
            fixed.prev_hash = prev.clone();
            fixed.hash = entry_hash(&fixed);
            fixed.mac = Some(secrets.audit_mac(&fixed.hash));
            prev = fixed.hash.clone();
            let mut model = entry.into_active_model();
            model.before_json = Set(fixed.before_json);
            model.after_json = Set(fixed.after_json);
            model.prev_hash = Set(fixed.prev_hash);
            model.hash = Set(fixed.hash);
            model.mac = Set(fixed.mac);
            model.update(db).await?;
            n += 1;
        }
    }
}

/// Whether any entry predates the MAC (written by an older release).
pub async fn needs_reseal(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    Ok(audit_log::Entity::find()
        .select_only()
        .column(audit_log::Column::Id)
        .filter(audit_log::Column::Mac.is_null())
        .limit(1)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .is_some())
}
