//! Documents that failed to index, set aside so that one bad record never stops the follower:
//! kept beside the index (like the events mark, since the index is this process's own), retried
//! with back-off, and counted on `/healthz`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// The longest wait between two attempts at one document.
const MAX_BACKOFF_SECS: i64 = 3600;
const FILE: &str = "failed-documents.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Failure {
    pub entity_type: String,
    pub id: i32,
    pub error: String,
    pub attempts: u32,
    /// Unix seconds.
    pub next_at: i64,
}

#[derive(Default)]
pub struct Failures {
    path: Option<PathBuf>,
    items: Mutex<BTreeMap<(String, i32), Failure>>,
}

impl Failures {
    /// The failures recorded in `dir`, if any.
    pub fn open(dir: &std::path::Path) -> Self {
        let path = dir.join(FILE);
        let items = match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<Vec<Failure>>(&bytes) {
                Ok(list) => list.into_iter().map(|f| ((f.entity_type.clone(), f.id), f)).collect(),
                Err(err) => {
                    tracing::warn!(%err, path = %path.display(), "unreadable list of failed documents; they are retried on their next change");
                    BTreeMap::new()
                }
            },
            Err(_) => BTreeMap::new(),
        };
        Self { path: Some(path), items: Mutex::new(items) }
    }

    /// Sets a document aside after a failed attempt; the next attempt waits twice as long.
    pub fn record(&self, entity_type: &str, id: i32, error: &str, now: i64) {
        tracing::error!(entity_type, id, error, "a document failed to index; set aside and retried later");
        let mut items = self.lock();
        let entry = items.entry((entity_type.to_string(), id)).or_insert_with(|| Failure {
            entity_type: entity_type.to_string(),
            id,
            error: String::new(),
            attempts: 0,
            next_at: now,
        });
        entry.attempts = entry.attempts.saturating_add(1);
        entry.error = error.to_string();
        entry.next_at = now + (10_i64 << entry.attempts.min(16)).min(MAX_BACKOFF_SECS);
        self.save(&items);
    }

    /// A document indexed at last (or deleted).
    pub fn clear(&self, entity_type: &str, id: i32) {
        let mut items = self.lock();
        if items.remove(&(entity_type.to_string(), id)).is_some() {
            self.save(&items);
        }
    }

    /// The documents due for another attempt.
    pub fn due(&self, now: i64) -> Vec<(String, i32)> {
        self.lock().values().filter(|f| f.next_at <= now).map(|f| (f.entity_type.clone(), f.id)).collect()
    }

    pub fn list(&self) -> Vec<Failure> {
        self.lock().values().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<(String, i32), Failure>> {
        self.items.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn save(&self, items: &BTreeMap<(String, i32), Failure>) {
        let Some(path) = &self.path else { return };
        let list: Vec<&Failure> = items.values().collect();
        let temp = path.with_extension("tmp");
        let written = serde_json::to_vec(&list)
            .map_err(std::io::Error::other)
            .and_then(|bytes| std::fs::write(&temp, bytes))
            .and_then(|_| std::fs::rename(&temp, path));
        if let Err(err) = written {
            tracing::error!(%err, "the list of failed documents was not saved; it lives on in memory");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_waits_longer_each_time_and_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let failures = Failures::open(dir.path());
        failures.record("opinion", 7, "bad row", 1000);
        assert_eq!(failures.due(1000), Vec::<(String, i32)>::new(), "not again at once");
        assert_eq!(failures.due(1020), vec![("opinion".to_string(), 7)]);
        failures.record("opinion", 7, "bad row", 1020);
        assert!(failures.due(1050).is_empty(), "twice the wait the second time");
        assert_eq!(failures.due(1060).len(), 1);

        let reopened = Failures::open(dir.path());
        assert_eq!(reopened.list().len(), 1);
        assert_eq!(reopened.list()[0].attempts, 2);
        reopened.clear("opinion", 7);
        assert!(Failures::open(dir.path()).list().is_empty());
    }
}
