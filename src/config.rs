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
    /// Hex key (64 bytes) that signs and encrypts session cookies (`LIANXIN_SESSION_KEY`);
    /// when unset, one is generated into the data directory. Servers behind one load balancer
    /// must share it.
    pub session_key: Option<String>,
    /// Mark cookies `Secure` (`LIANXIN_COOKIE_SECURE`): set it when users reach the portal over TLS.
    pub cookie_secure: bool,
    /// Trust the last `X-Forwarded-For` hop as the client address (`LIANXIN_TRUST_PROXY`):
    /// set it only behind a reverse proxy that appends it, or rate limits key on the proxy.
    pub trust_proxy: bool,
    /// A staff session ends after this many idle minutes (`LIANXIN_SESSION_IDLE_MINUTES`).
    pub session_idle_minutes: i64,
    /// …and after this many hours in any case (`LIANXIN_SESSION_MAX_HOURS`).
    pub session_max_hours: i64,
    /// How often the server marks items past their deadline as overdue
    /// (`LIANXIN_DEADLINE_CHECK_MINUTES`; 0 turns the check off, e.g. when cron runs it).
    pub deadline_check_minutes: u64,
}

impl Config {
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Self {
            bind: var("LIANXIN_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            data_dir: var("LIANXIN_DATA_DIR").map(PathBuf::from).unwrap_or_else(|| "data".into()),
            database_url: var("DATABASE_URL"),
            demo_seed: var("LIANXIN_DEMO_SEED").and_then(|v| v.parse().ok()).unwrap_or(20_261_128),
            session_key: var("LIANXIN_SESSION_KEY"),
            cookie_secure: var("LIANXIN_COOKIE_SECURE").is_some_and(|v| truthy(&v)),
            trust_proxy: var("LIANXIN_TRUST_PROXY").is_some_and(|v| truthy(&v)),
            session_idle_minutes: var("LIANXIN_SESSION_IDLE_MINUTES").and_then(|v| v.parse().ok()).unwrap_or(30),
            session_max_hours: var("LIANXIN_SESSION_MAX_HOURS").and_then(|v| v.parse().ok()).unwrap_or(12),
            deadline_check_minutes: var("LIANXIN_DEADLINE_CHECK_MINUTES").and_then(|v| v.parse().ok()).unwrap_or(60),
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

fn truthy(value: &str) -> bool {
    matches!(value.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")
}

impl Default for Config {
    /// The settings of a fresh laptop: no environment at all.
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            data_dir: "data".into(),
            database_url: None,
            demo_seed: 20_261_128,
            session_key: None,
            cookie_secure: false,
            trust_proxy: false,
            session_idle_minutes: 30,
            session_max_hours: 12,
            deadline_check_minutes: 60,
        }
    }
}
