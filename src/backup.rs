//! Backups of a SQLite portal: one tar file holding a consistent copy of the database (`VACUUM
//! INTO`, taken while the portal keeps serving), the evidence files, and a manifest (counts,
//! audit head, schema version, checksums) that `restore` verifies before anything is replaced.
//! The search index is not backed up: it is derived, and rebuilt at the next start.
//! PostgreSQL deployments use `pg_dump`/`pg_restore` and copy the evidence directory (README).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("备份只适用于 SQLite；PostgreSQL 请用 pg_dump / pg_restore（见 README）")]
    NotSqlite,
    #[error("数据目录 {0} 里已有数据；确认要覆盖请加 --force")]
    NotEmpty(String),
    #[error("备份文件校验失败：{0}")]
    Corrupt(String),
    #[error("文件读写失败：{0}")]
    Io(#[from] std::io::Error),
    #[error("数据库错误：{0}")]
    Db(#[from] sea_orm::DbErr),
}

/// Tables whose row counts the manifest records.
const COUNTED: &[&str] = &[
    "units",
    "users",
    "problems",
    "rectifications",
    "progress_updates",
    "attachments",
    "opinions",
    "opinion_contacts",
    "opinion_events",
    "ratings",
    "reports",
    "audit_log",
    "events",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub created_at: String,
    /// The newest migration applied to the copied database.
    pub schema_version: String,
    pub counts: BTreeMap<String, i64>,
    pub audit_entries: i64,
    pub audit_head: String,
    pub database_sha256: String,
    pub evidence_files: usize,
}

const DB_NAME: &str = "lianxin.db";
const MANIFEST: &str = "manifest.json";
const EVIDENCE: &str = "evidence";

async fn scalar(db: &impl ConnectionTrait, sql: &str) -> Result<Option<sea_orm::QueryResult>, sea_orm::DbErr> {
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_string())).await
}

async fn describe(db: &impl ConnectionTrait) -> Result<(String, BTreeMap<String, i64>, i64, String), sea_orm::DbErr> {
    let version = scalar(db, "SELECT version FROM seaql_migrations ORDER BY version DESC LIMIT 1")
        .await?
        .and_then(|r| r.try_get_by_index::<String>(0).ok())
        .unwrap_or_default();
    let mut counts = BTreeMap::new();
    for table in COUNTED {
        let n = scalar(db, &format!("SELECT COUNT(*) FROM {table}")).await?.and_then(|r| r.try_get_by_index::<i64>(0).ok()).unwrap_or(0);
        counts.insert(table.to_string(), n);
    }
    let head = scalar(db, "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
        .await?
        .and_then(|r| r.try_get_by_index::<String>(0).ok())
        .unwrap_or_else(|| crate::journal::GENESIS.to_string());
    let entries = counts.get("audit_log").copied().unwrap_or(0);
    Ok((version, counts, entries, head))
}

fn sha256_of(path: &Path) -> Result<String, std::io::Error> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(hex::encode(hasher.finalize()));
        }
        hasher.update(&buf[..n]);
    }
}

fn evidence_files(dir: &Path) -> Result<Vec<PathBuf>, std::io::Error> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    for shard in std::fs::read_dir(dir)? {
        let shard = shard?.path();
        if shard.is_dir() {
            for file in std::fs::read_dir(&shard)? {
                let file = file?.path();
                // Content-addressed: the name is the checksum; temporary files are not evidence.
                if file.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.len() == 64) {
                    out.push(file);
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Writes a backup of the portal in `data_dir` (database `db`) to `target`.
pub async fn backup(
    db: &DatabaseConnection,
    data_dir: &Path,
    target: &Path,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Manifest, BackupError> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Err(BackupError::NotSqlite);
    }
    let work = tempfile::tempdir_in(data_dir)?;
    let copy = work.path().join(DB_NAME);
    // One consistent snapshot, taken by SQLite itself while writers go on.
    let quoted = copy.display().to_string().replace('\'', "''");
    db.execute_unprepared(&format!("VACUUM INTO '{quoted}'")).await?;
    let snapshot = sea_orm::Database::connect(format!("sqlite://{}?mode=ro", copy.display())).await?;
    let (schema_version, counts, audit_entries, audit_head) = describe(&snapshot).await?;
    snapshot.close().await?;
    let evidence = evidence_files(&data_dir.join(EVIDENCE))?;
    let manifest = Manifest {
        format: 1,
        created_at: now.to_rfc3339(),
        schema_version,
        counts,
        audit_entries,
        audit_head,
        database_sha256: sha256_of(&copy)?,
        evidence_files: evidence.len(),
    };
    let partial = target.with_extension("partial");
    {
        let mut archive = tar::Builder::new(std::fs::File::create(&partial)?);
        let body = serde_json::to_vec_pretty(&manifest).expect("manifests serialise");
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o600);
        header.set_cksum();
        archive.append_data(&mut header, MANIFEST, body.as_slice())?;
        archive.append_path_with_name(&copy, DB_NAME)?;
        for file in &evidence {
            let relative = file.strip_prefix(data_dir).unwrap_or(file);
            archive.append_path_with_name(file, relative)?;
        }
        archive.into_inner()?.sync_all()?;
    }
    // Renamed into place only when whole, so a half-written backup never looks like one.
    std::fs::rename(&partial, target)?;
    Ok(manifest)
}

/// Whether a data directory already holds a portal.
fn holds_data(data_dir: &Path) -> bool {
    data_dir.join(DB_NAME).exists() || evidence_files(&data_dir.join(EVIDENCE)).is_ok_and(|f| !f.is_empty())
}

/// Restores `source` into `data_dir`, after checking every checksum and count in its manifest.
/// Refuses to replace an existing portal unless `force`. The search index is removed so the next
/// start rebuilds it from the restored database.
pub async fn restore(source: &Path, data_dir: &Path, secrets: &crate::secrets::Secrets, force: bool) -> Result<Manifest, BackupError> {
    if holds_data(data_dir) && !force {
        return Err(BackupError::NotEmpty(data_dir.display().to_string()));
    }
    std::fs::create_dir_all(data_dir)?;
    let work = tempfile::tempdir_in(data_dir)?;
    tar::Archive::new(std::fs::File::open(source)?).unpack(work.path())?;
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(work.path().join(MANIFEST)).map_err(|_| BackupError::Corrupt("缺少清单".into()))?)
            .map_err(|e| BackupError::Corrupt(format!("清单无法读取：{e}")))?;
    let db_file = work.path().join(DB_NAME);
    if sha256_of(&db_file)? != manifest.database_sha256 {
        return Err(BackupError::Corrupt("数据库文件与清单的校验和不符".into()));
    }
    let evidence = evidence_files(&work.path().join(EVIDENCE))?;
    for file in &evidence {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if sha256_of(file)? != name {
            return Err(BackupError::Corrupt(format!("证明材料 {name} 已损坏")));
        }
    }
    if evidence.len() != manifest.evidence_files {
        return Err(BackupError::Corrupt("证明材料数量与清单不符".into()));
    }
    let restored = sea_orm::Database::connect(format!("sqlite://{}?mode=ro", db_file.display())).await?;
    let (schema_version, counts, audit_entries, audit_head) = describe(&restored).await?;
    let chain = crate::journal::verify(&restored, secrets, &[]).await?;
    restored.close().await?;
    if (schema_version, counts, audit_entries, audit_head)
        != (manifest.schema_version.clone(), manifest.counts.clone(), manifest.audit_entries, manifest.audit_head.clone())
    {
        return Err(BackupError::Corrupt("数据库内容与清单不符".into()));
    }
    match chain {
        crate::journal::ChainCheck::Intact { .. } => {}
        crate::journal::ChainCheck::Broken { reason, .. } if reason.contains("封印") => {
            return Err(BackupError::Corrupt(
                "审计封印与本机密钥不符：恢复时请使用备份来源服务器的密钥（LIANXIN_SECRET_KEY 或数据目录里的 secret.key）".into(),
            ));
        }
        crate::journal::ChainCheck::Broken { id, reason } => {
            return Err(BackupError::Corrupt(format!("审计链在第 {id} 条处断开：{reason}")));
        }
        other => return Err(BackupError::Corrupt(format!("审计链：{other:?}"))),
    }
    for stale in ["lianxin.db-wal", "lianxin.db-shm"] {
        let _ = std::fs::remove_file(data_dir.join(stale));
    }
    std::fs::rename(&db_file, data_dir.join(DB_NAME))?;
    for file in evidence {
        let relative = file.strip_prefix(work.path()).unwrap_or(&file);
        let to = data_dir.join(relative);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::rename(&file, &to)?;
    }
    let index = data_dir.join("index");
    if index.exists() {
        std::fs::remove_dir_all(index)?;
    }
    // The restored head is the head now: the old anchor would call it truncated.
    if let Some(path) = secrets.checkpoint_path() {
        let _ = std::fs::remove_file(path);
    }
    Ok(manifest)
}
