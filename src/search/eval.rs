//! Measuring search on real messages: for a set of query words, how many of the documents that
//! contain the words the search finds (recall), and how many of its hits lack them (precision).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use jieba_rs::Jieba;
use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::schema::Value;

use super::documents::Source;
use super::tokenizer::{is_stopword, pieces};
use super::{SearchEngine, SearchError, query};

pub struct Message {
    pub id: String,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct QueryScore {
    pub query: String,
    pub relevant: usize,
    pub hits: usize,
    pub recall: f64,
    pub precision: f64,
}

#[derive(Debug, Serialize)]
pub struct Evaluation {
    pub documents: usize,
    pub queries: Vec<QueryScore>,
    pub mean_recall: f64,
    pub mean_precision: f64,
}

/// Query words chosen without looking at the search: frequent words of two to four characters,
/// skipping the very commonest, then pairs of them.
fn choose_queries(jieba: &Jieba, messages: &[Message], count: usize) -> Vec<String> {
    let mut df: HashMap<String, usize> = HashMap::new();
    for m in messages {
        let words: HashSet<String> = pieces(jieba, &m.text)
            .into_iter()
            .map(|p| p.text)
            .filter(|w| (2..=4).contains(&w.chars().count()) && w.chars().all(|c| !c.is_ascii()) && !is_stopword(w))
            .collect();
        for w in words {
            *df.entry(w).or_default() += 1;
        }
    }
    let mut ranked: Vec<(String, usize)> = df.into_iter().filter(|(_, n)| *n >= 5).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let singles: Vec<String> = ranked.iter().skip(20).step_by(7).take(count * 2 / 3).map(|(w, _)| w.clone()).collect();
    let pairs: Vec<String> =
        singles.windows(2).step_by(2).take(count - singles.len().min(count)).map(|w| format!("{} {}", w[0], w[1])).collect();
    singles.into_iter().chain(pairs).take(count).collect()
}

pub fn evaluate(jieba: Arc<jieba_rs::Jieba>, messages: Vec<Message>, queries: usize) -> Result<Evaluation, SearchError> {
    let engine = SearchEngine::in_ram(jieba.clone())?;
    {
        let mut writer = engine.writer.lock().unwrap_or_else(|p| p.into_inner());
        for (i, m) in messages.iter().enumerate() {
            let source = Source {
                doc_type: "opinion",
                id: i as i32,
                public: true,
                title: crate::privacy::PublicText::default(),
                body: crate::privacy::PublicText::of(&m.text),
                url: String::new(),
                code: m.id.clone(),
                region: String::new(),
                category: String::new(),
                status: String::new(),
                units: Vec::new(),
                date: 0,
            };
            writer.add_document(source.to_document(&engine.fields))?;
        }
        writer.commit()?;
    }
    engine.reader.reload()?;
    let searcher = engine.reader.searcher();
    let mut scores = Vec::new();
    for q in choose_queries(&jieba, &messages, queries) {
        let words: Vec<&str> = q.split(' ').collect();
        let relevant: HashSet<&str> = messages.iter().filter(|m| words.iter().all(|w| m.text.contains(w))).map(|m| m.id.as_str()).collect();
        let found: HashSet<String> = match query::text_queries(&engine, &searcher, &q)? {
            Some(query::WordQueries { all, .. }) => searcher
                .search(&all, &DocSetCollector)?
                .into_iter()
                .filter_map(|address| {
                    let doc: tantivy::TantivyDocument = searcher.doc(address).ok()?;
                    doc.get_first(engine.fields.code).and_then(|v| v.as_str()).map(str::to_string)
                })
                .collect(),
            None => HashSet::new(),
        };
        let hit_relevant = found.iter().filter(|id| relevant.contains(&id[..])).count();
        scores.push(QueryScore {
            recall: if relevant.is_empty() { 1.0 } else { hit_relevant as f64 / relevant.len() as f64 },
            precision: if found.is_empty() { 1.0 } else { hit_relevant as f64 / found.len() as f64 },
            relevant: relevant.len(),
            hits: found.len(),
            query: q,
        });
    }
    let n = scores.len().max(1) as f64;
    Ok(Evaluation {
        documents: messages.len(),
        mean_recall: scores.iter().map(|s| s.recall).sum::<f64>() / n,
        mean_precision: scores.iter().map(|s| s.precision).sum::<f64>() / n,
        queries: scores,
    })
}
