//! Chinese search over the lists, reports and public opinions: jieba + tantivy. The index is
//! derived data under the data directory, kept current from the change log and rebuilt when
//! missing or unreadable.

mod at_least;
pub mod dictionary;
pub mod discovery;
pub mod documents;
pub mod eval;
pub mod failures;
pub mod folding;
pub mod grams;
pub mod highlight;
pub mod indexer;
pub mod query;
pub mod synonyms;
pub mod tiers;
pub mod tokenizer;
pub mod vocabulary;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use jieba_rs::Jieba;
use tantivy::schema::{FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error("search index: {0}")]
    Open(#[from] tantivy::directory::error::OpenDirectoryError),
    /// The blocking task doing index work failed (panicked); the message says how.
    #[error("search index task: {0}")]
    Task(String),
}

#[derive(Clone, Copy)]
pub struct Fields {
    pub key: Field,
    pub doc_type: Field,
    pub visibility: Field,
    pub title: Field,
    pub body: Field,
    pub url: Field,
    pub code: Field,
    pub region: Field,
    pub category: Field,
    pub status: Field,
    pub date: Field,
    pub facets: Field,
    pub title_key: Field,
    /// Title and body as character bigrams (`grams`), for words jieba cuts unevenly.
    pub grams: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(tokenizer::NAME).set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED),
        doc_type: b.add_text_field("doc_type", STRING | STORED),
        visibility: b.add_text_field("visibility", STRING),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text),
        url: b.add_text_field("url", STORED),
        code: b.add_text_field("code", STRING | STORED),
        region: b.add_text_field("region", STRING | STORED),
        category: b.add_text_field("category", STRING | STORED),
        status: b.add_text_field("status", STRING | STORED),
        date: b.add_i64_field("date", INDEXED | STORED | FAST),
        facets: b.add_facet_field("facets", FacetOptions::default()),
        title_key: b.add_u64_field(folding::FIELD, FAST),
        grams: b.add_text_field(
            "grams",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default().set_tokenizer(grams::NAME).set_index_option(IndexRecordOption::WithFreqsAndPositions),
            ),
        ),
    };
    (b.build(), fields)
}

/// The process's search engine: one index, one writer, one reader; a searcher per request.
pub struct SearchEngine {
    pub index: Index,
    pub reader: IndexReader,
    pub writer: Mutex<IndexWriter>,
    pub fields: Fields,
    jieba: tokenizer::SharedJieba,
    /// The version of the vocabulary the index was built with (`vocabulary::Vocabulary`).
    vocabulary: std::sync::RwLock<String>,
    pub dir: PathBuf,
    /// Documents that failed to index, retried by the follower.
    pub failures: failures::Failures,
    /// The last event applied, as `set_applied` last wrote it: what the public page cache keys
    /// on, read per request without touching the disk.
    seen: std::sync::atomic::AtomicI64,
}

const WRITER_HEAP: usize = 50_000_000;
/// The file holding the id of the last event applied; an index without it is rebuilt.
const APPLIED_MARK: &str = "events-applied";
/// The file naming the vocabulary the index was built with; an index of another is rebuilt.
const VOCABULARY_MARK: &str = "vocabulary";

impl SearchEngine {
    /// Opens the index in `dir`; creates it when missing and rebuilds it when unreadable, from
    /// another schema or built with another vocabulary than `version`. Returns whether the
    /// caller must fill it from the database.
    pub fn open(dir: &Path, jieba: Arc<Jieba>, version: &str) -> Result<(Self, bool), SearchError> {
        let (schema, fields) = schema();
        std::fs::create_dir_all(dir)?;
        let (index, fresh) = match Index::open_in_dir(dir) {
            Ok(index) if index.schema() == schema => (index, false),
            Ok(_) => {
                tracing::warn!(dir = %dir.display(), "search index has an old schema; rebuilding it");
                (Self::recreate(dir, schema)?, true)
            }
            Err(tantivy::TantivyError::OpenDirectoryError(_)) | Err(tantivy::TantivyError::OpenReadError(_))
                if !dir.join("meta.json").exists() =>
            {
                tracing::info!(dir = %dir.display(), "no search index yet; building it");
                (Index::create_in_dir(dir, schema)?, true)
            }
            Err(err) => {
                tracing::warn!(dir = %dir.display(), %err, "search index is unreadable; rebuilding it");
                (Self::recreate(dir, schema)?, true)
            }
        };
        // An index that never recorded an event applied (or one from before the events table)
        // cannot say what it is missing: it is rebuilt.
        let fresh = fresh || !dir.join(APPLIED_MARK).exists();
        let built_with = std::fs::read_to_string(dir.join(VOCABULARY_MARK)).unwrap_or_default();
        if !fresh && built_with.trim() != version {
            tracing::info!(was = built_with.trim(), now = version, "the vocabulary changed; rebuilding the search index");
        }
        let fresh = fresh || built_with.trim() != version;
        let engine = Self::assemble(index, fields, jieba, dir.to_path_buf(), failures::Failures::open(dir))?;
        engine.seen.store(engine.applied(), std::sync::atomic::Ordering::Release);
        if fresh {
            engine.record_vocabulary(version)?;
        }
        // A fresh index is filled by the caller before the server answers.
        engine.built_with(version);
        Ok((engine, fresh))
    }

    /// An index in memory, for evaluations and tests.
    pub fn in_ram(jieba: Arc<Jieba>) -> Result<Self, SearchError> {
        let (schema, fields) = schema();
        Self::assemble(Index::create_in_ram(schema), fields, jieba, PathBuf::new(), Default::default())
    }

    /// The engine around an open index: the tokenizer registered, one reader, one writer.
    fn assemble(
        mut index: Index,
        fields: Fields,
        jieba: Arc<Jieba>,
        dir: PathBuf,
        failures: failures::Failures,
    ) -> Result<Self, SearchError> {
        // A search goes through the segments on every core: one citizen's query waits less.
        index.set_default_multithread_executor()?;
        let jieba: tokenizer::SharedJieba = Arc::new(std::sync::RwLock::new(jieba));
        index.tokenizers().register(tokenizer::NAME, tokenizer::JiebaTokenizer { jieba: jieba.clone() });
        index.tokenizers().register(grams::NAME, grams::GramTokenizer);
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let writer = index.writer(WRITER_HEAP)?;
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            jieba,
            vocabulary: Default::default(),
            dir,
            failures,
            seen: Default::default(),
        })
    }

    fn recreate(dir: &Path, schema: Schema) -> Result<Index, SearchError> {
        std::fs::remove_dir_all(dir)?;
        std::fs::create_dir_all(dir)?;
        Ok(Index::create_in_dir(dir, schema)?)
    }

    /// Where the id of the last event applied is kept.
    fn applied_path(&self) -> PathBuf {
        self.dir.join(APPLIED_MARK)
    }

    pub fn applied(&self) -> i64 {
        std::fs::read_to_string(self.applied_path()).ok().and_then(|s| s.trim().parse().ok()).unwrap_or(0)
    }

    /// Forgets what was applied: an index being rebuilt must not look complete if the rebuild
    /// is interrupted (the next start then rebuilds it again).
    pub fn clear_applied(&self) -> Result<(), SearchError> {
        match std::fs::remove_file(self.applied_path()) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// Records that every event up to `id` is in the index (the follower and the rebuild do).
    pub fn set_applied(&self, id: i64) -> Result<(), SearchError> {
        let path = self.applied_path();
        let temp = path.with_extension("tmp");
        std::fs::write(&temp, id.to_string())?;
        std::fs::rename(temp, path)?;
        self.seen.store(id, std::sync::atomic::Ordering::Release);
        Ok(())
    }

    /// The jieba of the current vocabulary, for one use (a query, a mining run).
    pub fn jieba(&self) -> Arc<Jieba> {
        self.jieba.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The version of the vocabulary the index holds.
    pub fn vocabulary(&self) -> String {
        self.vocabulary.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Notes on disk the vocabulary the index is being built with.
    fn record_vocabulary(&self, version: &str) -> Result<(), SearchError> {
        if !self.dir.as_os_str().is_empty() {
            let path = self.dir.join(VOCABULARY_MARK);
            let temp = path.with_extension("tmp");
            std::fs::write(&temp, version)?;
            std::fs::rename(temp, path)?;
        }
        Ok(())
    }

    /// Takes another vocabulary: from now on documents and queries are cut with `jieba`. The
    /// caller rebuilds the index, then calls [`Self::built_with`]. The mark of events applied is
    /// cleared first, so an interrupted rebuild is done again (by the follower, or at start).
    pub fn change_vocabulary(&self, jieba: Arc<Jieba>, version: &str) -> Result<(), SearchError> {
        self.clear_applied()?;
        *self.jieba.write().unwrap_or_else(|p| p.into_inner()) = jieba;
        self.record_vocabulary(version)
    }

    /// Records that the index now holds every document cut with the vocabulary `version`.
    pub fn built_with(&self, version: &str) {
        *self.vocabulary.write().unwrap_or_else(|p| p.into_inner()) = version.to_string();
    }

    /// The last event this process has applied (changes whenever the data does).
    pub fn generation(&self) -> i64 {
        self.seen.load(std::sync::atomic::Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::Count;
    use tantivy::query::PhraseQuery;
    use tantivy::{TantivyDocument, Term};

    fn engine_with(texts: &[&str]) -> SearchEngine {
        let engine = SearchEngine::in_ram(Arc::new(tokenizer::build_jieba(&["滨江花园".into()]))).unwrap();
        {
            let mut writer = engine.writer.lock().unwrap();
            for text in texts {
                let mut doc = TantivyDocument::default();
                doc.add_text(engine.fields.body, *text);
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
        }
        engine.reader.reload().unwrap();
        engine
    }

    fn phrase(engine: &SearchEngine, words: &[&str]) -> usize {
        let terms = words.iter().map(|w| Term::from_field_text(engine.fields.body, w)).collect();
        engine.reader.searcher().search(&PhraseQuery::new(terms), &Count).unwrap()
    }

    /// The position rule, pinned: consecutive words match as a phrase, a sub-word stands where
    /// its compound stands, and words apart do not.
    #[test]
    fn phrases_follow_the_position_rule() {
        let engine = engine_with(&["滨江花园夜间施工噪音扰民", "中华人民共和国成立七十周年", "夜间在滨江花园施工"]);
        assert_eq!(phrase(&engine, &["滨江花园", "夜间施工"]), 1);
        assert_eq!(phrase(&engine, &["共和国", "成立"]), 1, "a sub-word takes its compound's position");
        assert_eq!(phrase(&engine, &["中华人民共和国", "成立"]), 1);
        assert_eq!(phrase(&engine, &["夜间", "滨江花园"]), 0, "words apart are not a phrase");
    }
}
