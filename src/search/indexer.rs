//! Keeps the index current from the events table: applies each `document` event idempotently
//! by document key, commits, and records the last event id applied; rebuilds from scratch on
//! demand.

use std::collections::BTreeSet;
use std::sync::Arc;

use entity::{event, opinion, problem, rectification, report};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tantivy::Term;

use super::documents::{self, Source};
use super::{SearchEngine, SearchError};
use crate::dependencies::DOCUMENT;

const BATCH: u64 = 2000;

/// (id, topic, entity type, entity id) of the events after `applied`.
async fn events_after(db: &DatabaseConnection, applied: i64) -> Result<Vec<(i64, String, String, i32)>, SearchError> {
    Ok(event::Entity::find()
        .select_only()
        .columns([event::Column::Id, event::Column::Topic, event::Column::EntityType, event::Column::EntityId])
        .filter(event::Column::Id.gt(applied))
        .order_by_asc(event::Column::Id)
        .limit(BATCH)
        .into_tuple()
        .all(db)
        .await?)
}

/// The last id up to which every id is present.
fn contiguous(applied: i64, entries: &[(i64, String, String, i32)]) -> i64 {
    let mut safe = applied;
    for (id, ..) in entries {
        if *id != safe + 1 {
            break;
        }
        safe = *id;
    }
    safe
}

/// What a catch-up read: how many events, and whether one said the vocabulary changed.
#[derive(Debug, Default)]
pub struct CaughtUp {
    pub read: usize,
    pub vocabulary: bool,
}

/// Applies everything new in the events table.
///
/// Every writer holds the write lock from BEGIN and writes its events at commit, so ids follow
/// commit order and a hole can only be a rolled-back transaction or one committing right now.
/// At a hole the follower waits for the lock (every writer that began before has then finished)
/// and reads again; whatever is still missing was rolled back. It never skips a live one.
pub async fn catch_up(engine: &Arc<SearchEngine>, db: &DatabaseConnection) -> Result<CaughtUp, SearchError> {
    let mut caught = CaughtUp::default();
    loop {
        let applied = engine.applied();
        let mut entries = events_after(db, applied).await?;
        if entries.is_empty() {
            return Ok(caught);
        }
        let last = entries.last().map_or(applied, |e| e.0);
        let mut safe = contiguous(applied, &entries);
        if safe < last {
            crate::unit_of_work::begin_locked(db).await?.commit().await?;
            entries = events_after(db, applied).await?;
            let settled = entries.last().map_or(applied, |e| e.0);
            let holes = (settled - applied) as usize - entries.len();
            if holes > 0 {
                tracing::debug!(holes, after = applied, "event ids of rolled-back transactions");
            }
            safe = settled;
        }
        caught.read += entries.len();
        caught.vocabulary |= entries.iter().any(|(id, topic, ..)| *id <= safe && topic == super::vocabulary::CHANGED);
        let docs: BTreeSet<(String, i32)> = entries
            .into_iter()
            .filter(|(id, topic, ..)| *id <= safe && topic == DOCUMENT)
            .map(|(_, _, entity_type, entity_id)| (entity_type, entity_id))
            .collect();
        let mut by_type: std::collections::BTreeMap<String, Vec<i32>> = std::collections::BTreeMap::new();
        for (entity_type, id) in docs {
            by_type.entry(entity_type).or_default().push(id);
        }
        let mut loaded = Vec::new();
        for (entity_type, ids) in by_type {
            for chunk in ids.chunks(500) {
                loaded.extend(load_isolated(engine, db, &entity_type, chunk).await?);
            }
        }
        write(engine, loaded, Some(safe)).await?;
    }
}

/// Tries again the documents set aside whose wait is over.
pub async fn retry_failures(engine: &Arc<SearchEngine>, db: &DatabaseConnection) -> Result<(), SearchError> {
    let mut loaded = Vec::new();
    for (entity_type, id) in engine.failures.due(chrono::Utc::now().timestamp()) {
        loaded.extend(load_isolated(engine, db, &entity_type, &[id]).await?);
    }
    if !loaded.is_empty() {
        write(engine, loaded, None).await?;
    }
    Ok(())
}

/// Loads documents; when a batch fails while the database answers, one by one, setting aside
/// the ones that fail (a record the code cannot read must not stop the others). A document set
/// aside is taken out of the index meanwhile (`None`), so an old public copy of a record that
/// may since have been hidden never stays searchable; one that loads leaves the failures.
async fn load_isolated(
    engine: &SearchEngine,
    db: &DatabaseConnection,
    entity_type: &str,
    ids: &[i32],
) -> Result<Vec<(String, Option<Source>)>, SearchError> {
    let loaded = |found: Vec<(i32, Option<Source>)>| {
        found
            .into_iter()
            .map(|(id, s)| {
                engine.failures.clear(entity_type, id);
                (Source::key(entity_type, id), s)
            })
            .collect::<Vec<_>>()
    };
    match documents::load_many(db, entity_type, ids).await {
        Ok(found) => Ok(loaded(found)),
        Err(err) => {
            let mut out = Vec::new();
            for id in ids {
                match documents::load_many(db, entity_type, std::slice::from_ref(id)).await {
                    Ok(found) => out.extend(loaded(found)),
                    Err(one) => {
                        // An unreachable database is no document's fault: the run stops and is retried.
                        sea_orm::ConnectionTrait::execute_unprepared(db, "SELECT 1").await?;
                        engine.failures.record(entity_type, *id, &format!("{one} (batch: {err})"), chrono::Utc::now().timestamp());
                        out.push((Source::key(entity_type, *id), None));
                    }
                }
            }
            Ok(out)
        }
    }
}

/// Events not yet applied, and the age in seconds of the oldest of them.
pub async fn lag(engine: &SearchEngine, db: &DatabaseConnection, now: chrono::DateTime<chrono::Utc>) -> Result<(u64, i64), SearchError> {
    use sea_orm::PaginatorTrait;
    let applied = engine.applied();
    let behind = event::Entity::find().filter(event::Column::Id.gt(applied)).count(db).await?;
    let oldest: Option<chrono::DateTime<chrono::Utc>> = event::Entity::find()
        .select_only()
        .column(event::Column::CreatedAt)
        .filter(event::Column::Id.gt(applied))
        .order_by_asc(event::Column::Id)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok((behind, oldest.map_or(0, |at| (now - at).num_seconds().max(0))))
}

/// Adds documents without committing (a rebuild commits once, at the end).
async fn add(engine: &Arc<SearchEngine>, docs: Vec<(String, Option<Source>)>) -> Result<(), SearchError> {
    let engine = engine.clone();
    tokio::task::spawn_blocking(move || -> Result<(), SearchError> {
        let writer = engine.writer.lock().unwrap_or_else(|p| p.into_inner());
        for (_, source) in docs {
            if let Some(source) = source {
                put(&engine, &writer, &source);
            }
        }
        Ok(())
    })
    .await
    .map_err(|e| SearchError::Task(e.to_string()))?
}

/// Adds one document; one that cannot be built or added is set aside, never the batch's end.
fn put(engine: &SearchEngine, writer: &tantivy::IndexWriter, source: &Source) {
    let made = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| source.to_document(&engine.fields)))
        .map_err(|panic| format!("building the document panicked: {}", panic_text(panic.as_ref())));
    if let Err(err) = made.and_then(|doc| writer.add_document(doc).map_err(|e| e.to_string())) {
        engine.failures.record(source.doc_type, source.id, &err, chrono::Utc::now().timestamp());
    }
}

/// Replaces documents by key and commits; `applied` moves the events mark with the commit.
async fn write(engine: &Arc<SearchEngine>, docs: Vec<(String, Option<Source>)>, applied: Option<i64>) -> Result<(), SearchError> {
    let engine = engine.clone();
    tokio::task::spawn_blocking(move || -> Result<(), SearchError> {
        let f = engine.fields;
        let mut writer = engine.writer.lock().unwrap_or_else(|p| p.into_inner());
        for (key, source) in docs {
            writer.delete_term(Term::from_field_text(f.key, &key));
            if let Some(source) = source {
                put(&engine, &writer, &source);
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
    .map_err(|e| SearchError::Task(e.to_string()))?
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned()).unwrap_or_default()
}

/// How many records of each type can be in the index, for progress.
async fn counts(db: &DatabaseConnection) -> Result<usize, SearchError> {
    use sea_orm::PaginatorTrait;
    Ok((problem::Entity::find().count(db).await?
        + rectification::Entity::find().count(db).await?
        + report::Entity::find().count(db).await?
        + opinion::Entity::find().count(db).await?) as usize)
}

/// The next page of ids of one type after `after`.
async fn ids_after(db: &DatabaseConnection, entity_type: &str, after: i32, limit: u64) -> Result<Vec<i32>, SearchError> {
    macro_rules! page {
        ($entity:ident) => {
            $entity::Entity::find()
                .select_only()
                .column($entity::Column::Id)
                .filter($entity::Column::Id.gt(after))
                .order_by_asc($entity::Column::Id)
                .limit(limit)
                .into_tuple()
                .all(db)
                .await?
        };
    }
    Ok(match entity_type {
        "problem" => page!(problem),
        "rectification" => page!(rectification),
        "report" => page!(report),
        _ => page!(opinion),
    })
}

/// Rebuilds the index from the database; `progress(done, total)` after each batch.
pub async fn rebuild(
    engine: &Arc<SearchEngine>,
    db: &DatabaseConnection,
    mut progress: impl FnMut(usize, usize),
) -> Result<usize, SearchError> {
    // Changes made while rebuilding are re-applied by the follower from this mark on.
    let mark = crate::jobs::marks::newest_event(db).await?;
    engine.clear_applied()?;
    {
        let engine = engine.clone();
        tokio::task::spawn_blocking(move || -> Result<(), SearchError> {
            engine.writer.lock().unwrap_or_else(|p| p.into_inner()).delete_all_documents()?;
            Ok(())
        })
        .await
        .map_err(|e| SearchError::Task(e.to_string()))??;
    }
    // Pages of ids in order, loaded in batches, fed to the writer's threads (which tokenise in
    // parallel); one commit at the end, with the deletion: readers see the old index until then.
    const PAGE: u64 = 2000;
    let total = counts(db).await?;
    let mut done = 0;
    for entity_type in ["problem", "rectification", "report", "opinion"] {
        let mut after = 0;
        loop {
            let ids = ids_after(db, entity_type, after, PAGE).await?;
            let Some(last) = ids.last().copied() else { break };
            after = last;
            let docs = load_isolated(engine, db, entity_type, &ids).await?;
            done += ids.len();
            add(engine, docs).await?;
            progress(done.min(total), total);
        }
    }
    write(engine, Vec::new(), Some(mark)).await?;
    Ok(done)
}

/// Rebuilds the index when the database's vocabulary is no longer the one it was built with
/// (the office accepted a word, a unit was added or renamed); returns whether it did.
pub async fn follow_vocabulary(engine: &Arc<SearchEngine>, db: &DatabaseConnection) -> Result<bool, SearchError> {
    let current = super::vocabulary::current(db).await?;
    if current.version == engine.vocabulary() {
        return Ok(false);
    }
    let jieba = Arc::new(current.jieba().await?);
    engine.change_vocabulary(jieba, &current.version)?;
    let n = rebuild(engine, db, |_, _| {}).await?;
    engine.built_with(&current.version);
    tracing::info!(version = current.version, documents = n, "search index rebuilt for the new vocabulary");
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i64) -> (i64, String, String, i32) {
        (id, DOCUMENT.into(), "problem".into(), 1)
    }

    #[test]
    fn the_mark_stops_before_the_first_hole() {
        assert_eq!(contiguous(0, &[entry(1), entry(2), entry(4)]), 2, "id 3 may still be committing");
        assert_eq!(contiguous(2, &[entry(3), entry(4)]), 4);
        assert_eq!(contiguous(4, &[entry(6)]), 4);
    }
}
