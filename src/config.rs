//! Settings from environment variables with sane defaults; passed in, never a global. A value
//! that does not parse stops the start with one line naming the variable, never a silent default.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
#[error("{name}={value:?} 无法识别：{expected}")]
pub struct ConfigError {
    pub name: &'static str,
    pub value: String,
    pub expected: &'static str,
}

/// A rate limit: `burst` requests, then one more every `period / burst`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub burst: u32,
    pub period: Duration,
}

impl Limit {
    const fn per_minute(burst: u32) -> Self {
        Self { burst, period: Duration::from_secs(60) }
    }

    /// `10/min`, `5/hour`, `30/s`: at most N in that time, N at once.
    pub fn parse(text: &str) -> Option<Self> {
        let (n, unit) = text.trim().split_once('/')?;
        let burst: u32 = n.trim().parse().ok().filter(|n| *n > 0)?;
        let period = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            _ => return None,
        };
        Some(Self { burst, period })
    }
}

/// Per-address limits (IPv4 address, IPv6 /64), per server process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub login: Limit,
    pub submit: Limit,
    pub rate: Limit,
    pub track: Limit,
    pub chat: Limit,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            login: Limit::per_minute(10),
            submit: Limit { burst: 5, period: Duration::from_secs(300) },
            rate: Limit { burst: 10, period: Duration::from_secs(300) },
            track: Limit::per_minute(30),
            chat: Limit::per_minute(30),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Address `serve` listens on (`LIANXIN_BIND`, overridden by `--bind`).
    pub bind: String,
    /// Where the SQLite file, the search index, uploads and the secret live (`LIANXIN_DATA_DIR`).
    pub data_dir: PathBuf,
    /// `DATABASE_URL`; when unset, a SQLite file in the data directory.
    pub database_url: Option<String>,
    /// The address citizens use (`LIANXIN_PUBLIC_URL`): feeds and absolute links are built from
    /// it, never from request headers, and requests from another origin are refused.
    pub public_url: url::Url,
    /// Seed of the demo city generator (`LIANXIN_DEMO_SEED`).
    pub demo_seed: u64,
    /// The server's secret in hex (`LIANXIN_SECRET_KEY`); when unset, one is generated into the
    /// data directory. Servers sharing one database must share it.
    pub secret_key: Option<String>,
    /// Mark cookies `Secure` and name the session cookie `__Host-…` (`LIANXIN_COOKIE_SECURE`;
    /// default: whether the public URL is https).
    pub cookie_secure: bool,
    /// Trust the last `X-Forwarded-For` hop as the client address (`LIANXIN_TRUST_PROXY`):
    /// set it only behind a reverse proxy that appends it, or rate limits key on the proxy.
    pub trust_proxy: bool,
    /// A staff session ends after this many idle minutes (`LIANXIN_SESSION_IDLE_MINUTES`).
    pub session_idle_minutes: i64,
    /// …and after this many hours in any case (`LIANXIN_SESSION_MAX_HOURS`).
    pub session_max_hours: i64,
    /// How often the leader marks items past their deadline as overdue
    /// (`LIANXIN_DEADLINE_CHECK_MINUTES`; 0 turns the check off, e.g. when cron runs it).
    pub deadline_check_minutes: u64,
    /// The live scores are recomputed at most this often while things happen
    /// (`LIANXIN_SCORE_REFRESH_SECONDS`); a settings change refreshes them at once.
    pub score_refresh_seconds: u64,
    /// `LIANXIN_LIMIT_LOGIN`, `_SUBMIT`, `_RATE`, `_TRACK`, `_CHAT` (`10/min`, `5/hour`).
    pub limits: Limits,
    /// Where messages to citizens who left an email and consented are sent (`LIANXIN_SMTP_URL`,
    /// `smtp://host:25`, `smtp://user:pass@host:587?tls=required`, `smtps://host:465`); unset, none are.
    pub smtp_url: Option<String>,
    /// Their sender (`LIANXIN_MAIL_FROM`).
    pub mail_from: String,
    /// The SMS gateway (`LIANXIN_SMS_URL`, http://): each message is POSTed as JSON
    /// `{"id", "phone", "text"}`; any 2xx answer means sent. Unset, no SMS are sent.
    pub sms_url: Option<String>,
    /// A failed delivery is retried after this many seconds, doubling up to an hour
    /// (`LIANXIN_DELIVERY_RETRY_SECONDS`).
    pub retry_seconds: u64,
    /// Chatbot conversations and transcripts are deleted after this many days
    /// (`LIANXIN_CHAT_RETENTION_DAYS`).
    pub chat_retention_days: u32,
    /// An OpenAI-compatible chat endpoint that may phrase the chatbot's grounded answers
    /// (`LIANXIN_LLM_URL`, the base such as `http://127.0.0.1:8000/v1`; `LIANXIN_LLM_MODEL`;
    /// `LIANXIN_LLM_KEY` if it wants one; `LIANXIN_LLM_TIMEOUT_MS`, 5000). Unset, the embedded
    /// templates answer alone.
    pub llm: Option<LlmConfig>,
    /// Who runs the portal and how to reach a person, shown in every page's footer and on the
    /// help, privacy and accessibility pages.
    pub portal: Portal,
}

/// The portal's publisher (`LIANXIN_HOST_ORG`), hotline (`LIANXIN_HOTLINE`) and the address that
/// answers questions about the portal itself (`LIANXIN_CONTACT_EMAIL`; unset, the opinion form).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Portal {
    pub host_org: String,
    pub hotline: String,
    pub contact_email: Option<String>,
}

impl Default for Portal {
    fn default() -> Self {
        Self { host_org: "市绩效管理办公室".into(), hotline: "12345".into(), contact_email: None }
    }
}

#[derive(Debug, Clone)]
pub struct LlmConfig {
    pub url: String,
    pub model: String,
    pub key: Option<String>,
    pub timeout_ms: u64,
}

fn fail(name: &'static str, value: &str, expected: &'static str) -> ConfigError {
    ConfigError { name, value: value.to_string(), expected }
}

fn flag(name: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(fail(name, value, "应为 true 或 false")),
    }
}

fn positive(name: &'static str, value: &str) -> Result<i64, ConfigError> {
    value.trim().parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| fail(name, value, "应为正整数"))
}

impl Config {
    /// From the environment; `Err` names the first variable that does not parse.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// From any source of variables (the environment, or a test's table).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let defaults = Self::default();
        let bind = var("LIANXIN_BIND").unwrap_or(defaults.bind);
        let public_url = match var("LIANXIN_PUBLIC_URL") {
            Some(v) => url::Url::parse(v.trim())
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .ok_or_else(|| fail("LIANXIN_PUBLIC_URL", &v, "应为 http:// 或 https:// 开头的网址"))?,
            None => url::Url::parse(&format!("http://{bind}")).unwrap_or(defaults.public_url),
        };
        let cookie_secure = match var("LIANXIN_COOKIE_SECURE") {
            Some(v) => flag("LIANXIN_COOKIE_SECURE", &v)?,
            None => public_url.scheme() == "https",
        };
        let mut limits = Limits::default();
        for (name, slot) in [
            ("LIANXIN_LIMIT_LOGIN", &mut limits.login),
            ("LIANXIN_LIMIT_SUBMIT", &mut limits.submit),
            ("LIANXIN_LIMIT_RATE", &mut limits.rate),
            ("LIANXIN_LIMIT_TRACK", &mut limits.track),
            ("LIANXIN_LIMIT_CHAT", &mut limits.chat),
        ] {
            if let Some(v) = var(name) {
                *slot = Limit::parse(&v).ok_or_else(|| fail(name, &v, "应如 10/min、5/hour 或 30/s"))?;
            }
        }
        Ok(Self {
            bind,
            data_dir: var("LIANXIN_DATA_DIR").map(PathBuf::from).unwrap_or(defaults.data_dir),
            database_url: var("DATABASE_URL"),
            public_url,
            demo_seed: match var("LIANXIN_DEMO_SEED") {
                Some(v) => v.trim().parse().map_err(|_| fail("LIANXIN_DEMO_SEED", &v, "应为非负整数"))?,
                None => defaults.demo_seed,
            },
            secret_key: var("LIANXIN_SECRET_KEY"),
            cookie_secure,
            trust_proxy: var("LIANXIN_TRUST_PROXY").map(|v| flag("LIANXIN_TRUST_PROXY", &v)).transpose()?.unwrap_or(false),
            session_idle_minutes: var("LIANXIN_SESSION_IDLE_MINUTES")
                .map(|v| positive("LIANXIN_SESSION_IDLE_MINUTES", &v))
                .transpose()?
                .unwrap_or(defaults.session_idle_minutes),
            session_max_hours: var("LIANXIN_SESSION_MAX_HOURS")
                .map(|v| positive("LIANXIN_SESSION_MAX_HOURS", &v))
                .transpose()?
                .unwrap_or(defaults.session_max_hours),
            deadline_check_minutes: match var("LIANXIN_DEADLINE_CHECK_MINUTES") {
                Some(v) => v.trim().parse().map_err(|_| fail("LIANXIN_DEADLINE_CHECK_MINUTES", &v, "应为非负整数（0 表示关闭）"))?,
                None => defaults.deadline_check_minutes,
            },
            score_refresh_seconds: match var("LIANXIN_SCORE_REFRESH_SECONDS") {
                Some(v) => v.trim().parse().map_err(|_| fail("LIANXIN_SCORE_REFRESH_SECONDS", &v, "应为非负整数（秒）"))?,
                None => defaults.score_refresh_seconds,
            },
            limits,
            smtp_url: match var("LIANXIN_SMTP_URL") {
                Some(v) if v.starts_with("smtp://") || v.starts_with("smtps://") => Some(v.trim().to_string()),
                Some(v) => return Err(fail("LIANXIN_SMTP_URL", &v, "应为 smtp:// 或 smtps:// 开头的地址")),
                None => None,
            },
            mail_from: match var("LIANXIN_MAIL_FROM") {
                Some(v) if v.parse::<lettre::message::Mailbox>().is_ok() => v.trim().to_string(),
                Some(v) => return Err(fail("LIANXIN_MAIL_FROM", &v, "应为邮箱地址，如 连心桥 <noreply@example.gov.cn>")),
                None => defaults.mail_from,
            },
            sms_url: match var("LIANXIN_SMS_URL") {
                Some(v) if v.starts_with("http://") => Some(v.trim().to_string()),
                Some(v) => return Err(fail("LIANXIN_SMS_URL", &v, "应为 http:// 开头的短信网关地址")),
                None => None,
            },
            retry_seconds: var("LIANXIN_DELIVERY_RETRY_SECONDS")
                .map(|v| positive("LIANXIN_DELIVERY_RETRY_SECONDS", &v))
                .transpose()?
                .map_or(defaults.retry_seconds, |n| n as u64),
            chat_retention_days: var("LIANXIN_CHAT_RETENTION_DAYS")
                .map(|v| positive("LIANXIN_CHAT_RETENTION_DAYS", &v))
                .transpose()?
                .map_or(defaults.chat_retention_days, |n| n as u32),
            llm: match (var("LIANXIN_LLM_URL"), var("LIANXIN_LLM_MODEL")) {
                (Some(url), _) if !(url.starts_with("http://") || url.starts_with("https://")) => {
                    return Err(fail("LIANXIN_LLM_URL", &url, "应为 http:// 或 https:// 开头的接口地址"));
                }
                (Some(url), Some(model)) => Some(LlmConfig {
                    url: url.trim().trim_end_matches('/').to_string(),
                    model: model.trim().to_string(),
                    key: var("LIANXIN_LLM_KEY").map(|k| k.trim().to_string()),
                    timeout_ms: var("LIANXIN_LLM_TIMEOUT_MS")
                        .map(|v| positive("LIANXIN_LLM_TIMEOUT_MS", &v))
                        .transpose()?
                        .map_or(5000, |n| n as u64),
                }),
                (Some(_), None) => return Err(fail("LIANXIN_LLM_MODEL", "", "设置了 LIANXIN_LLM_URL 时必须同时设置模型名")),
                (None, _) => None,
            },
            portal: Portal {
                host_org: var("LIANXIN_HOST_ORG").map_or(defaults.portal.host_org, |v| v.trim().to_string()),
                hotline: match var("LIANXIN_HOTLINE") {
                    Some(v) if v.trim().chars().all(|c| c.is_ascii_digit() || c == '-') && v.trim().len() <= 20 => v.trim().to_string(),
                    Some(v) => return Err(fail("LIANXIN_HOTLINE", &v, "应为电话号码，如 12345 或 0731-12345")),
                    None => defaults.portal.hotline,
                },
                contact_email: match var("LIANXIN_CONTACT_EMAIL") {
                    Some(v) if v.trim().parse::<lettre::Address>().is_ok() => Some(v.trim().to_string()),
                    Some(v) => return Err(fail("LIANXIN_CONTACT_EMAIL", &v, "应为邮箱地址")),
                    None => None,
                },
            },
        })
    }

    /// The database to use: `DATABASE_URL`, or `lianxin.db` in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("lianxin.db").display()),
        }
    }

    /// The public origin (`https://host[:port]`), for links and the same-origin check.
    pub fn public_origin(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }

    /// The public URL of a path: `/feed.atom` → `https://example.gov.cn/feed.atom`.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{path}", self.public_origin())
    }
}

impl Default for Config {
    /// The settings of a fresh laptop: no environment at all.
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            data_dir: "data".into(),
            database_url: None,
            public_url: url::Url::parse("http://127.0.0.1:8080").expect("a valid URL"),
            demo_seed: 20_261_128,
            secret_key: None,
            cookie_secure: false,
            trust_proxy: false,
            session_idle_minutes: 30,
            session_max_hours: 12,
            deadline_check_minutes: 60,
            score_refresh_seconds: 300,
            limits: Limits::default(),
            smtp_url: None,
            mail_from: "连心桥 <noreply@localhost>".into(),
            sms_url: None,
            retry_seconds: 30,
            chat_retention_days: 180,
            llm: None,
            portal: Portal::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_vars(|name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn values_that_do_not_parse_stop_the_start_with_their_name() {
        for (name, value) in [
            ("LIANXIN_COOKIE_SECURE", "ture"),
            ("LIANXIN_SESSION_IDLE_MINUTES", "abc"),
            ("LIANXIN_SESSION_IDLE_MINUTES", "-5"),
            ("LIANXIN_SESSION_MAX_HOURS", "0"),
            ("LIANXIN_DEADLINE_CHECK_MINUTES", "-1"),
            ("LIANXIN_TRUST_PROXY", "maybe"),
            ("LIANXIN_PUBLIC_URL", "example.com"),
            ("LIANXIN_LIMIT_LOGIN", "lots"),
            ("LIANXIN_DEMO_SEED", "x"),
            ("LIANXIN_LLM_URL", "ftp://model.local"),
            ("LIANXIN_HOTLINE", "call us"),
            ("LIANXIN_CONTACT_EMAIL", "nobody"),
        ] {
            let err = from(&[(name, value)]).expect_err(name);
            assert_eq!(err.name, name);
            assert!(err.to_string().starts_with(name), "{err}");
        }
    }

    #[test]
    fn a_language_model_needs_its_url_and_model_together() {
        assert!(from(&[]).unwrap().llm.is_none());
        assert_eq!(from(&[("LIANXIN_LLM_URL", "http://127.0.0.1:8000/v1")]).expect_err("a model is needed").name, "LIANXIN_LLM_MODEL");
        let set =
            from(&[("LIANXIN_LLM_URL", "http://127.0.0.1:8000/v1/"), ("LIANXIN_LLM_MODEL", "qwen"), ("LIANXIN_LLM_TIMEOUT_MS", "800")])
                .unwrap();
        let llm = set.llm.unwrap();
        assert_eq!((llm.url.as_str(), llm.model.as_str(), llm.timeout_ms, llm.key), ("http://127.0.0.1:8000/v1", "qwen", 800, None));
        assert_eq!(
            from(&[("LIANXIN_LLM_URL", "http://x/v1"), ("LIANXIN_LLM_MODEL", "m"), ("LIANXIN_LLM_TIMEOUT_MS", "0")])
                .expect_err("a positive timeout")
                .name,
            "LIANXIN_LLM_TIMEOUT_MS"
        );
    }

    #[test]
    fn the_public_url_decides_secure_cookies_unless_told_otherwise() {
        let https = from(&[("LIANXIN_PUBLIC_URL", "https://wenzheng.example.gov.cn")]).unwrap();
        assert!(https.cookie_secure);
        assert_eq!(https.absolute("/feed.atom"), "https://wenzheng.example.gov.cn/feed.atom");
        assert!(!from(&[]).unwrap().cookie_secure);
        assert!(!from(&[("LIANXIN_PUBLIC_URL", "https://x.cn"), ("LIANXIN_COOKIE_SECURE", "false")]).unwrap().cookie_secure);
        let limits = from(&[("LIANXIN_LIMIT_LOGIN", "3/hour")]).unwrap().limits;
        assert_eq!(limits.login, Limit { burst: 3, period: Duration::from_secs(3600) });
    }
}
