//! Connecting to SQLite or PostgreSQL, and migrating.

use std::path::Path;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("DATABASE_URL 无法识别（{0}）：请使用 sqlite://路径?mode=rwc 或 postgres://用户@主机/库名")]
    UnsupportedUrl(String),
    #[error("数据目录 {path} 不可写：{source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("无法连接数据库 {url}：{source}")]
    Connect { url: String, source: sea_orm::DbErr },
    #[error("数据库迁移失败：{0}")]
    Migrate(sea_orm::DbErr),
}

/// The name `/healthz` reports for a backend.
pub fn backend_name(db: &DatabaseConnection) -> &'static str {
    match db.get_database_backend() {
        DbBackend::Postgres => "postgres",
        DbBackend::Sqlite => "sqlite",
        _ => "other",
    }
}

/// Makes sure the data directory exists and can be written to.
pub fn ensure_data_dir(dir: &Path) -> Result<(), DbSetupError> {
    let fail = |source| DbSetupError::DataDir { path: dir.display().to_string(), source };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let probe = dir.join(".write-test");
    std::fs::write(&probe, b"ok").map_err(fail)?;
    std::fs::remove_file(&probe).map_err(fail)
}

/// Connects; for SQLite switches the file to WAL so readers never wait on the writer.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbSetupError> {
    let is_sqlite = url.starts_with("sqlite:");
    if !is_sqlite && !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
        return Err(DbSetupError::UnsupportedUrl(redact(url)));
    }
    let mut options = ConnectOptions::new(url.to_owned());
    // Fail fast at start-up rather than retrying an unreachable server for half a minute.
    options.sqlx_logging(false).connect_timeout(Duration::from_secs(5)).acquire_timeout(Duration::from_secs(5));
    if is_sqlite {
        // One SQLite file takes one writer at a time; a small pool avoids lock contention.
        options.max_connections(4);
    }
    let fail = |source| DbSetupError::Connect { url: redact(url), source };
    let db = Database::connect(options).await.map_err(fail)?;
    if is_sqlite {
        db.execute_unprepared("PRAGMA journal_mode=WAL").await.map_err(fail)?;
    }
    Ok(db)
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbSetupError> {
    Migrator::up(db, None).await.map_err(DbSetupError::Migrate)
}

/// A URL fit for a log line: the password replaced by `***`.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_the_password_only() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
