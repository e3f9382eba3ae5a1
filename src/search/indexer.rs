//! Keeps the index current from the change log: applies each change idempotently by document
//! key, commits, and records the last id applied; rebuilds from scratch on demand.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use entity::{change_log, opinion, problem, rectification, report, vocab::ChangeOp};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tantivy::Term;

use super::documents::{self, Source};
use super::{SearchEngine, SearchError};

/// How long a hole in the change-log ids may stay open before it is taken for a rolled-back
/// transaction. On PostgreSQL a later id can commit before an earlier one.
const GAP_PATIENCE: Duration = Duration::from_secs(5);
const BATCH: u64 = 2000;

#[derive(Default)]
pub struct Follower {
    gap: Option<(i64, Instant)>,
}

impl Follower {
    /// Applies everything new in the change log; returns how many entries were read.
    pub async fn catch_up(&mut self, engine: &Arc<SearchEngine>, db: &DatabaseConnection) -> Result<usize, SearchError> {
        let mut read = 0;
        loop {
            let applied = engine.applied();
            let entries = change_log::Entity::find()
                .filter(change_log::Column::Id.gt(applied))
                .order_by_asc(change_log::Column::Id)
                .limit(BATCH)
                .all(db)
                .await?;
            if entries.is_empty() {
                return Ok(read);
            }
            read += entries.len();
            let safe = self.safe_point(applied, &entries);
            let mut latest: BTreeMap<(String, i32), ChangeOp> = BTreeMap::new();
            for e in &entries {
                latest.insert((e.entity_type.clone(), e.entity_id), e.op);
            }
            let mut docs = Vec::new();
            for ((entity_type, id), op) in latest {
                let source = match op {
                    ChangeOp::Delete => None,
                    ChangeOp::Upsert => documents::load(db, &entity_type, id).await?,
                };
                docs.push((Source::key(&entity_type, id), source));
            }
            write(engine, docs, Some(safe)).await?;
            if safe < entries.last().map(|e| e.id).unwrap_or(safe) {
                // Waiting on a hole: everything read is applied, the mark stays before the hole.
                return Ok(read);
            }
        }
    }

    /// The highest id up to which every id has been seen (or a hole has outlasted its patience).
    fn safe_point(&mut self, applied: i64, entries: &[change_log::Model]) -> i64 {
        let mut safe = applied;
        for e in entries {
            if e.id == safe + 1 {
                safe = e.id;
                continue;
            }
            let since = match self.gap {
                Some((start, since)) if start == safe + 1 => since,
                _ => {
                    self.gap = Some((safe + 1, Instant::now()));
                    Instant::now()
                }
            };
            if since.elapsed() < GAP_PATIENCE {
                return safe;
            }
            safe = e.id;
        }
        self.gap = None;
        safe
    }
}

/// Replaces documents by key and commits; `applied` moves the change-log mark with the commit.
async fn write(engine: &Arc<SearchEngine>, docs: Vec<(String, Option<Source>)>, applied: Option<i64>) -> Result<(), SearchError> {
    let engine = engine.clone();
    tokio::task::spawn_blocking(move || -> Result<(), SearchError> {
        let f = engine.fields;
        let mut writer = engine.writer.lock().unwrap_or_else(|p| p.into_inner());
        for (key, source) in docs {
            writer.delete_term(Term::from_field_text(f.key, &key));
            if let Some(source) = source {
                writer.add_document(source.to_document(&f))?;
            }
        }
        writer.commit()?;
        drop(writer);
        if let Some(id) = applied {
            engine.set_applied(id)?;
        }
        engine.reader.reload()?;
        Ok(())
    })
    .await
    .expect("the index writer task does not panic")
}

/// Every record that can be in the index, as (type, id).
async fn all_records(db: &DatabaseConnection) -> Result<Vec<(&'static str, i32)>, SearchError> {
    let mut all = Vec::new();
    let ids = |v: Vec<i32>, t: &'static str| v.into_iter().map(move |id| (t, id));
    all.extend(ids(problem::Entity::find().select_only().column(problem::Column::Id).into_tuple().all(db).await?, "problem"));
    all.extend(ids(
        rectification::Entity::find().select_only().column(rectification::Column::Id).into_tuple().all(db).await?,
        "rectification",
    ));
    all.extend(ids(report::Entity::find().select_only().column(report::Column::Id).into_tuple().all(db).await?, "report"));
    all.extend(ids(opinion::Entity::find().select_only().column(opinion::Column::Id).into_tuple().all(db).await?, "opinion"));
    Ok(all)
}

/// Rebuilds the index from the database; `progress(done, total)` after each batch.
pub async fn rebuild(
    engine: &Arc<SearchEngine>,
    db: &DatabaseConnection,
    mut progress: impl FnMut(usize, usize),
) -> Result<usize, SearchError> {
    // Changes made while rebuilding are re-applied by the follower from this mark on.
    let mark: Option<i64> = change_log::Entity::find()
        .select_only()
        .column(change_log::Column::Id)
        .order_by_desc(change_log::Column::Id)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    {
        let engine = engine.clone();
        tokio::task::spawn_blocking(move || -> Result<(), SearchError> {
            let mut writer = engine.writer.lock().unwrap_or_else(|p| p.into_inner());
            writer.delete_all_documents()?;
            writer.commit()?;
            Ok(())
        })
        .await
        .expect("the index writer task does not panic")?;
    }
    let records = all_records(db).await?;
    let total = records.len();
    for (done, chunk) in records.chunks(500).enumerate() {
        let mut docs = Vec::new();
        for (t, id) in chunk {
            docs.push((Source::key(t, *id), documents::load(db, t, *id).await?));
        }
        let last = (done + 1) * 500 >= total;
        write(engine, docs, last.then_some(mark.unwrap_or(0))).await?;
        progress(((done + 1) * 500).min(total), total);
    }
    if total == 0 {
        engine.set_applied(mark.unwrap_or(0))?;
    }
    Ok(total)
}

/// Runs the follower for the life of the server: writes are searchable within a second.
pub fn spawn(engine: Arc<SearchEngine>, db: DatabaseConnection) {
    tokio::spawn(async move {
        let mut follower = Follower::default();
        loop {
            if let Err(err) = follower.catch_up(&engine, &db).await {
                tracing::warn!(%err, "search indexer: will retry");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i64) -> change_log::Model {
        change_log::Model { id, entity_type: "problem".into(), entity_id: 1, op: ChangeOp::Upsert, created_at: chrono::Utc::now() }
    }

    #[test]
    fn the_mark_waits_at_a_hole_and_then_moves_past_it() {
        let mut follower = Follower::default();
        assert_eq!(follower.safe_point(0, &[entry(1), entry(2), entry(4)]), 2, "id 3 may still commit");
        assert_eq!(follower.safe_point(2, &[entry(3), entry(4)]), 4, "it did");
        assert_eq!(follower.safe_point(4, &[entry(6)]), 4);
        follower.gap = Some((5, Instant::now() - GAP_PATIENCE));
        assert_eq!(follower.safe_point(4, &[entry(6)]), 6, "a hole older than the patience was a rollback");
    }
}
