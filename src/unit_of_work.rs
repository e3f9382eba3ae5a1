//! The one way to write. A unit of work opens a transaction holding the write lock from BEGIN
//! (SQLite `BEGIN IMMEDIATE`; on PostgreSQL a transaction-scoped advisory lock as the first
//! statement), collects audit entries, touched records and events while the use case runs, and
//! at commit writes them beside the row changes: the audit chain, one `document` event per
//! search document that depends on a touched record, and the use case's own events.
//!
//! Why one lock rather than SERIALIZABLE with retries: every check-then-write in the portal
//! (rate once, verify once, number problems, chain the audit log) becomes correct without
//! per-site retry loops, and event ids follow commit order, so a follower never guesses at holes.
//! Writes are short (milliseconds), so serialising them costs little beside the reads, which
//! never wait.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use entity::event;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, EntityTrait, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

use crate::dependencies::{self, Record};
use crate::domain::clock::Clock;
use crate::journal;
use crate::secrets::Secrets;
use crate::service::Actor;

/// Arbitrary constant naming PostgreSQL's advisory write lock.
pub const WRITE_LOCK: i64 = 0x6c69_616e_7877;

/// What a use case needs to reach the outside: the database, the clock and the secrets.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub db: &'a DatabaseConnection,
    pub clock: &'a Clock,
    pub secrets: &'a Secrets,
}

/// Something that happened, for the followers of the events table.
#[derive(Debug, Clone)]
pub struct Event {
    pub topic: &'static str,
    pub entity_type: &'static str,
    pub entity_id: i32,
    /// Opinions whose citizens this concerns.
    pub citizens: Vec<i32>,
    pub data: Option<serde_json::Value>,
}

pub struct UnitOfWork {
    txn: DatabaseTransaction,
    _writer: Option<tokio::sync::MutexGuard<'static, ()>>,
    secrets: Secrets,
    actor: Actor,
    now: DateTime<Utc>,
    audits: Vec<journal::Entry>,
    touched: BTreeSet<Record>,
    events: Vec<Event>,
}

/// Starts a transaction holding the write lock, on either engine.
/// SQLite takes one writer at a time. This process's writers queue here, in order, rather than
/// in SQLite's busy handler, which sleeps up to 100 ms between tries and turns a burst of
/// submissions into seconds of waiting. (Another process writing the same file still meets the
/// busy handler.)
static SQLITE_WRITER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A transaction holding the write lock (and, on SQLite, this process's writer turn).
pub struct Locked {
    pub txn: DatabaseTransaction,
    writer: Option<tokio::sync::MutexGuard<'static, ()>>,
}

impl Locked {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }
}

pub async fn begin_locked(db: &DatabaseConnection) -> Result<Locked, DbErr> {
    let writer = match db.get_database_backend() {
        DbBackend::Sqlite => Some(SQLITE_WRITER.lock().await),
        _ => None,
    };
    let txn = db
        .begin_with_options(TransactionOptions { sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate), ..Default::default() })
        .await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({WRITE_LOCK})")).await?;
    }
    Ok(Locked { txn, writer })
}

impl UnitOfWork {
    pub async fn begin(ctx: Context<'_>, actor: &Actor) -> Result<Self, DbErr> {
        let Locked { txn, writer } = begin_locked(ctx.db).await?;
        // Read after the lock is held, so times follow commit order too.
        let now = ctx.clock.now();
        Ok(Self {
            txn,
            _writer: writer,
            secrets: ctx.secrets.clone(),
            actor: actor.clone(),
            now,
            audits: Vec::new(),
            touched: BTreeSet::new(),
            events: Vec::new(),
        })
    }

    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// The connection to read and write through: inside the transaction.
    pub fn db(&self) -> &DatabaseTransaction {
        &self.txn
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The time of this unit of work: every row it writes carries the same instant.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub fn today(&self) -> chrono::NaiveDate {
        crate::domain::time::today(self.now)
    }

    /// An audit entry by this unit's actor, written at commit.
    pub fn audit(
        &mut self,
        action: &str,
        entity_type: &str,
        entity_id: impl ToString,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) {
        self.audits.push(journal::Entry {
            action: action.into(),
            entity_type: entity_type.into(),
            entity_id: entity_id.to_string(),
            before,
            after,
        });
    }

    /// A record whose derived documents must be refreshed after commit.
    pub fn touch(&mut self, record: Record) {
        self.touched.insert(record);
    }

    pub fn emit(&mut self, event: Event) {
        self.events.push(event);
    }

    /// Writes the events and the audit entries, then commits everything together, and moves the
    /// audit checkpoint outside the database to the new head.
    pub async fn commit(self) -> Result<(), DbErr> {
        let Self { txn, _writer, secrets, actor, now, audits, touched, events } = self;
        let documents = dependencies::documents(&txn, &touched).await?;
        let rows: Vec<event::ActiveModel> = events
            .into_iter()
            .map(|e| row(e.topic, e.entity_type, e.entity_id, &e.citizens, e.data, now))
            .chain(documents.into_iter().map(|(kind, id)| row(dependencies::DOCUMENT, kind, id, &[], None, now)))
            .collect();
        for chunk in rows.chunks(500) {
            event::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
        }
        let head = journal::append(&txn, &secrets, &actor, now, audits).await?;
        txn.commit().await?;
        if let Some((id, hash)) = head
            && let Err(err) = journal::write_checkpoint(&secrets, id, &hash, now)
        {
            // The entries are committed; only the outside anchor lags, and `audit verify` says so.
            tracing::error!(%err, "audit checkpoint not written");
        }
        Ok(())
    }
}

fn row(
    topic: &str,
    entity_type: &str,
    entity_id: i32,
    citizens: &[i32],
    data: Option<serde_json::Value>,
    at: DateTime<Utc>,
) -> event::ActiveModel {
    event::ActiveModel {
        topic: Set(topic.into()),
        entity_type: Set(entity_type.into()),
        entity_id: Set(entity_id),
        citizens: Set(serde_json::to_string(citizens).expect("ids serialise")),
        data_json: Set(data.map(|d| d.to_string())),
        created_at: Set(at),
        ..Default::default()
    }
}
