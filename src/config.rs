//! Settings from environment variables with sane defaults; passed in, never a global.

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    /// Address `serve` listens on (`LIANXIN_BIND`, overridden by `--bind`).
    pub bind: String,
    /// Where the SQLite file, the search index and uploads live (`LIANXIN_DATA_DIR`).
    pub data_dir: PathBuf,
    /// `DATABASE_URL`; when unset, a SQLite file in the data directory.
    pub database_url: Option<String>,
    /// Seed of the demo city generator (`LIANXIN_DEMO_SEED`).
    pub demo_seed: u64,
}

impl Config {
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Self {
            bind: var("LIANXIN_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            data_dir: var("LIANXIN_DATA_DIR").map(PathBuf::from).unwrap_or_else(|| "data".into()),
            database_url: var("DATABASE_URL"),
            demo_seed: var("LIANXIN_DEMO_SEED").and_then(|v| v.parse().ok()).unwrap_or(20_261_128),
        }
    }

    /// The database to use: `DATABASE_URL`, or `lianxin.db` in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("lianxin.db").display()),
        }
    }
}
