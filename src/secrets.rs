//! The server's secret, kept outside the database, and every key derived from it: tracking codes
//! and citizen pseudonyms are stored as keyed digests, audit entries carry a keyed MAC, the audit
//! head is anchored in a signed checkpoint file, CSRF tokens are bound to the visitor, and what a
//! retried submission must give back is sealed. A copy of the database alone reveals none of it.
//!
//! The secret comes from `LIANXIN_SECRET_KEY` (hex, at least 32 bytes; servers sharing one
//! database must share it) or is generated into `DATA_DIR/secret.key` (mode 0600) on first start.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, KeyInit as _, Mac};
use sha2::Sha256;

use crate::domain::tracking_code::TrackingCode;

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("LIANXIN_SECRET_KEY 须为至少 64 个十六进制字符（32 字节）")]
    BadKey,
    #[error("无法读写密钥文件 {path}：{source}")]
    File { path: String, source: std::io::Error },
}

const FILE: &str = "secret.key";

#[derive(Clone)]
pub struct Secrets(Arc<Inner>);

struct Inner {
    root: Vec<u8>,
    /// Where the signed audit checkpoint lives (the data directory), if anywhere.
    checkpoint: Option<PathBuf>,
}

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    for part in parts {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

impl Secrets {
    /// From `LIANXIN_SECRET_KEY`, or the data directory's key file (created when missing).
    pub fn load(configured: Option<&str>, data_dir: &Path) -> Result<Self, SecretsError> {
        let root = match configured {
            Some(hex_key) => hex::decode(hex_key.trim()).ok().filter(|k| k.len() >= 32).ok_or(SecretsError::BadKey)?,
            None => {
                let path = data_dir.join(FILE);
                let fail = |source| SecretsError::File { path: path.display().to_string(), source };
                match std::fs::read_to_string(&path) {
                    Ok(text) => hex::decode(text.trim()).ok().filter(|k| k.len() >= 32).ok_or(SecretsError::BadKey)?,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        use rand::RngExt;
                        let fresh: [u8; 32] = rand::rng().random();
                        std::fs::create_dir_all(data_dir).map_err(fail)?;
                        std::fs::write(&path, hex::encode(fresh)).map_err(fail)?;
                        restrict_to_owner(&path);
                        fresh.to_vec()
                    }
                    Err(e) => return Err(fail(e)),
                }
            }
        };
        Ok(Self(Arc::new(Inner { root, checkpoint: Some(data_dir.join(crate::journal::CHECKPOINT_FILE)) })))
    }

    /// Fixed keys for unit tests; no checkpoint file.
    pub fn for_tests() -> Self {
        Self(Arc::new(Inner { root: b"lianxin unit-test secret, never used for real data".to_vec(), checkpoint: None }))
    }

    fn key(&self, purpose: &str) -> [u8; 32] {
        hmac(&self.0.root, &[purpose.as_bytes()])
    }

    fn digest(&self, purpose: &str, value: &str) -> String {
        hex::encode(hmac(&self.key(purpose), &[value.as_bytes()]))
    }

    /// What the database keeps of a tracking code: a keyed digest, 64 hex characters.
    pub fn code_digest(&self, code: &TrackingCode) -> String {
        self.digest("tracking-code", code.as_str())
    }

    /// The address of a case's private feed, from its tracking code: only the code's holder can
    /// work it out; the database keeps [`Secrets::feed_digest`] of it.
    pub fn feed_token(&self, code: &TrackingCode) -> String {
        self.digest("citizen-feed", code.as_str())[..32].to_string()
    }

    /// What the database keeps of a feed address, to find its case.
    pub fn feed_digest(&self, token: &str) -> String {
        self.digest("citizen-feed-lookup", token)
    }

    /// The key in a case's unsubscribe link (in every message sent to its citizen).
    pub fn unsubscribe_mac(&self, opinion_id: i32) -> String {
        self.digest("unsubscribe", &opinion_id.to_string())[..32].to_string()
    }

    /// The link in a 回访 message: answers that case's open questions, without the code.
    pub fn revisit_mac(&self, opinion_id: i32) -> String {
        self.digest("revisit", &opinion_id.to_string())[..32].to_string()
    }

    /// The key in a code-recovery link: names the request and when it stops working.
    pub fn recovery_mac(&self, notification_id: i32, expires: i64) -> String {
        self.digest("code-recovery", &format!("{notification_id}:{expires}"))[..32].to_string()
    }

    /// What the database keeps of a chatbot conversation's token.
    pub fn chat_digest(&self, token: &str) -> String {
        self.digest("chat-session", token)
    }

    /// A citizen's pseudonym (for counting distinct citizens), from something that identifies
    /// them (`tel:…`, `import:source:user`): keyed, so it cannot be reversed by guessing phones.
    pub fn citizen_key(&self, identity: &str) -> String {
        format!("c-{}", &self.digest("citizen", identity)[..40])
    }

    /// The MAC of an audit entry's hash: without the secret, a rewritten chain cannot be sealed.
    pub fn audit_mac(&self, entry_hash: &str) -> String {
        self.digest("audit-entry", entry_hash)
    }

    /// The signature of an audit checkpoint's text.
    pub fn checkpoint_signature(&self, text: &str) -> String {
        self.digest("audit-checkpoint", text)
    }

    pub fn checkpoint_path(&self) -> Option<&Path> {
        self.0.checkpoint.as_deref()
    }

    /// The key under which login failures for a username are counted (known or not).
    pub fn login_key(&self, username: &str) -> String {
        self.digest("login", &username.trim().to_lowercase())
    }

    /// The CSRF token for a visitor's binding (their session, or their visitor cookie).
    pub fn csrf_token(&self, binding: &str) -> String {
        self.digest("csrf", binding)[..32].to_string()
    }

    /// What the database keeps of a session token.
    pub fn session_digest(&self, token: &str) -> String {
        self.digest("session", token)
    }

    /// Key material for cookies the browser must not read (receipts).
    pub fn cookie_key(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&self.key("cookie-1"));
        out[32..].copy_from_slice(&self.key("cookie-2"));
        out
    }

    /// Encrypts `plain` (AES-256-GCM, random nonce): for what must be given back later, such as
    /// the tracking code a retried submission receives.
    pub fn seal(&self, plain: &str) -> String {
        use rand::RngExt;
        let cipher = Aes256Gcm::new_from_slice(&self.key("seal")).expect("32-byte key");
        let nonce: [u8; 12] = rand::rng().random();
        let sealed = cipher.encrypt(&Nonce::from(nonce), plain.as_bytes()).expect("encryption of a short text does not fail");
        format!("{}{}", hex::encode(nonce), hex::encode(sealed))
    }

    pub fn open(&self, sealed: &str) -> Option<String> {
        let bytes = hex::decode(sealed).ok()?;
        if bytes.len() < 12 {
            return None;
        }
        let cipher = Aes256Gcm::new_from_slice(&self.key("seal")).ok()?;
        let nonce: [u8; 12] = bytes[..12].try_into().ok()?;
        let plain = cipher.decrypt(&Nonce::from(nonce), &bytes[12..]).ok()?;
        String::from_utf8(plain).ok()
    }
}

#[cfg(unix)]
pub fn restrict_to_owner(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

#[cfg(not(unix))]
pub fn restrict_to_owner(_: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_keyed_stable_and_distinct_by_purpose() {
        let a = Secrets::for_tests();
        let code = TrackingCode::parse("7KQM-X3RT-9WHP").unwrap();
        assert_eq!(a.code_digest(&code), a.code_digest(&TrackingCode::parse("7kqmx3rt9whp").unwrap()));
        assert_eq!(a.code_digest(&code).len(), 64);
        let other = Secrets(Arc::new(Inner { root: b"another secret of enough length!".to_vec(), checkpoint: None }));
        assert_ne!(a.code_digest(&code), other.code_digest(&code), "a different secret, a different digest");
        assert_ne!(a.citizen_key("tel:13812345678"), a.citizen_key("tel:13812345679"));
        assert_ne!(a.digest("x", "v"), a.digest("y", "v"));
    }

    #[test]
    fn sealed_text_opens_only_with_the_same_secret() {
        let a = Secrets::for_tests();
        let sealed = a.seal("7KQMX3RT9WHP");
        assert!(!sealed.contains("7KQM"));
        assert_eq!(a.open(&sealed).as_deref(), Some("7KQMX3RT9WHP"));
        let other = Secrets(Arc::new(Inner { root: b"another secret of enough length!".to_vec(), checkpoint: None }));
        assert_eq!(other.open(&sealed), None);
        assert_eq!(a.open("zz"), None);
    }
}
