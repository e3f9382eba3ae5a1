//! Background work under one supervisor: named jobs, each run in its own task so a panic or an
//! error is caught, logged and retried with back-off instead of ending the job for the life of
//! the process. `/healthz` reads the board. Jobs marked `leader_only` run on one server at a time
//! when several share a PostgreSQL database (the leader holds a session advisory lock); every
//! server still runs the others (following events for its own index, training its own model).

pub mod marks;
pub mod schedule;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbBackend};
use serde::Serialize;

use crate::domain::clock::Clock;

/// A job's body: what one run does, and a line for the board when it went well.
pub type Run = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<String, String>> + Send>> + Send + Sync>;

pub struct Job {
    pub name: &'static str,
    /// Pause between runs that went well.
    pub every: Duration,
    /// Wait before the first run (a daily job need not run at every start).
    pub first_after: Duration,
    pub leader_only: bool,
    pub run: Run,
}

/// After this many failures in a row a job counts as failing on `/healthz`.
pub const FAILING_AFTER: u32 = 3;
const MAX_BACKOFF: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Serialize)]
pub struct JobState {
    /// `waiting`, `running`, `ok`, `retrying`, `standby` (another server leads).
    pub state: &'static str,
    pub runs: u64,
    pub failures_in_a_row: u32,
    pub last_ok: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_note: Option<String>,
}

impl JobState {
    pub fn failing(&self) -> bool {
        self.failures_in_a_row >= FAILING_AFTER
    }
}

/// The jobs of this process and how each is doing.
#[derive(Clone, Default)]
pub struct Board(Arc<Mutex<BTreeMap<&'static str, JobState>>>);

impl Board {
    pub fn snapshot(&self) -> BTreeMap<&'static str, JobState> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn update(&self, name: &'static str, change: impl FnOnce(&mut JobState)) {
        let mut jobs = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let state = jobs.entry(name).or_insert(JobState {
            state: "waiting",
            runs: 0,
            failures_in_a_row: 0,
            last_ok: None,
            last_error: None,
            last_note: None,
        });
        change(state);
    }
}

/// Leadership among servers sharing one PostgreSQL database: a session advisory lock held on a
/// connection kept out of the pool. If the leader dies, its connection closes, the lock goes,
/// and the next server to ask takes over. On SQLite every server leads.
#[derive(Clone)]
pub struct Leader {
    db: DatabaseConnection,
    held: Arc<tokio::sync::Mutex<Option<sea_orm::sqlx::pool::PoolConnection<sea_orm::sqlx::Postgres>>>>,
}

/// Arbitrary constant naming the leader lock.
const LEADER_LOCK: i64 = 0x6c69_616e_6c64;

impl Leader {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db, held: Arc::default() }
    }

    pub async fn is_leader(&self) -> bool {
        if self.db.get_database_backend() != DbBackend::Postgres {
            return true;
        }
        let mut held = self.held.lock().await;
        if let Some(conn) = held.as_mut() {
            if sea_orm::sqlx::query("SELECT 1").execute(&mut **conn).await.is_ok() {
                return true;
            }
            *held = None;
        }
        let Ok(mut conn) = self.db.get_postgres_connection_pool().acquire().await else { return false };
        let won: Result<bool, _> =
            sea_orm::sqlx::query_scalar("SELECT pg_try_advisory_lock($1)").bind(LEADER_LOCK).fetch_one(&mut *conn).await;
        if matches!(won, Ok(true)) {
            // Out of the pool for good: the lock lives as long as this connection.
            *held = Some(conn);
            return true;
        }
        false
    }
}

/// Starts `job` under supervision.
pub fn spawn(board: &Board, leader: &Leader, clock: &Clock, job: Job) {
    let (board, leader, clock) = (board.clone(), leader.clone(), clock.clone());
    board.update(job.name, |_| {});
    tokio::spawn(async move {
        tokio::time::sleep(job.first_after).await;
        loop {
            if job.leader_only && !leader.is_leader().await {
                board.update(job.name, |s| s.state = "standby");
                tokio::time::sleep(job.every.min(Duration::from_secs(30))).await;
                continue;
            }
            board.update(job.name, |s| s.state = "running");
            // Its own task: a panic inside ends that task, not the supervisor.
            let outcome = tokio::spawn((job.run)()).await;
            let failure = match outcome {
                Ok(Ok(note)) => {
                    let now = clock.now();
                    board.update(job.name, |s| {
                        s.state = "ok";
                        s.runs += 1;
                        s.failures_in_a_row = 0;
                        s.last_ok = Some(now);
                        s.last_note = Some(note).filter(|n| !n.is_empty());
                    });
                    None
                }
                Ok(Err(err)) => Some(err),
                Err(join) => Some(format!("panicked: {join}")),
            };
            let pause = match failure {
                None => job.every,
                Some(err) => {
                    let mut failures = 0;
                    board.update(job.name, |s| {
                        s.state = "retrying";
                        s.runs += 1;
                        s.failures_in_a_row += 1;
                        failures = s.failures_in_a_row;
                        s.last_error = Some(err.chars().take(300).collect());
                    });
                    tracing::error!(job = job.name, failures, error = %err, "job failed; retrying");
                    backoff(failures)
                }
            };
            tokio::time::sleep(pause).await;
        }
    });
}

/// 1 s, 2 s, 4 s … up to a minute.
fn backoff(failures: u32) -> Duration {
    Duration::from_secs(1u64 << failures.saturating_sub(1).min(6)).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_up_to_a_minute() {
        assert_eq!(backoff(1), Duration::from_secs(1));
        assert_eq!(backoff(2), Duration::from_secs(2));
        assert_eq!(backoff(4), Duration::from_secs(8));
        assert_eq!(backoff(30), MAX_BACKOFF);
    }

    #[tokio::test]
    async fn a_panicking_job_is_restarted_and_reported() {
        let board = Board::default();
        let db = sea_orm::DatabaseConnection::default();
        let runs = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let counter = runs.clone();
        let run: Run = Arc::new(move || {
            let counter = counter.clone();
            Box::pin(async move {
                if counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                    panic!("first run fails");
                }
                Ok("fine".to_string())
            })
        });
        let job = Job { name: "flaky", every: Duration::from_millis(10), first_after: Duration::ZERO, leader_only: false, run };
        spawn(&board, &Leader::new(db), &Clock::system(), job);
        for _ in 0..100 {
            if runs.load(std::sync::atomic::Ordering::SeqCst) >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        let state = board.snapshot()["flaky"].clone();
        assert!(runs.load(std::sync::atomic::Ordering::SeqCst) >= 2, "restarted after the panic");
        assert!(state.runs >= 2 && state.failures_in_a_row == 0, "{state:?}");
    }
}
