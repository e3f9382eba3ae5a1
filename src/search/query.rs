//! Turning what people type into a tantivy query. Terms come from jieba, never from the query
//! parser (which would turn Chinese into phrases and choke on `AND (`, `"`, `*`, `:`).

use std::ops::Bound;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

use super::at_least::AtLeast;
use super::documents::type_label;
use super::folding::{self, Folded, Ranked};
use super::highlight::{Highlighter, escape};
use super::tokenizer::{self, query_words};
use super::{SearchEngine, SearchError};
use super::{grams, synonyms, tiers};
use crate::domain::time;

pub const PAGE_SIZE: usize = 10;
/// The most hits one page may ask for (`page_size`).
pub const MAX_PAGE_SIZE: usize = 50;
/// How deep paging reaches: ranking the ten-thousandth hit costs a heap of ten thousand, and
/// nobody reads that far; more words narrow a search instead.
pub const MAX_DEPTH: usize = 1000;
/// Chinese takes three bytes a character in UTF-8; tantivy sizes snippets in bytes.
const SNIPPET_BYTES: usize = 80 * 3;
const MAX_QUERY_CHARS: usize = 200;

/// Query parameters as they arrive: anything odd is dropped, never an error.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct SearchParams {
    pub q: Option<String>,
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    pub region: Option<String>,
    pub category: Option<String>,
    pub status: Option<String>,
    pub unit: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
    pub page_size: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchRequest {
    pub text: String,
    pub doc_type: Option<String>,
    pub region: Option<String>,
    pub category: Option<String>,
    pub status: Option<String>,
    pub unit: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub by_time: bool,
    pub page: usize,
    pub page_size: usize,
    #[serde(skip)]
    pub public_only: bool,
}

impl Default for SearchRequest {
    /// Everything, first page, public records only.
    fn default() -> Self {
        Self {
            text: String::new(),
            doc_type: None,
            region: None,
            category: None,
            status: None,
            unit: None,
            from: None,
            to: None,
            by_time: false,
            page: 1,
            page_size: PAGE_SIZE,
            public_only: true,
        }
    }
}

fn clean(v: &Option<String>) -> Option<String> {
    v.as_deref().and_then(|s| crate::domain::text::line(s, 64).ok())
}

impl SearchRequest {
    pub fn from_params(p: &SearchParams, public_only: bool) -> Self {
        let date = |v: &Option<String>| v.as_deref().and_then(crate::lists::workflow::parse_date).map(|d| d.to_string());
        Self {
            text: p.q.as_deref().map(|q| q.chars().take(MAX_QUERY_CHARS).collect::<String>()).unwrap_or_default(),
            doc_type: clean(&p.doc_type).filter(|t| !type_label(t).is_empty()),
            region: clean(&p.region),
            category: clean(&p.category),
            status: clean(&p.status),
            unit: clean(&p.unit),
            from: date(&p.from),
            to: date(&p.to),
            by_time: p.sort.as_deref() == Some("time"),
            page: p.page.as_deref().and_then(|s| s.trim().parse().ok()).unwrap_or(1).clamp(1, 1000),
            page_size: PAGE_SIZE,
            public_only,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Hit {
    pub key: String,
    pub doc_type: String,
    pub type_label: &'static str,
    pub title: String,
    pub title_html: String,
    pub snippet_html: String,
    pub url: String,
    pub code: String,
    pub date: String,
    pub region: String,
    pub category: String,
    pub status: String,
    pub score: f32,
    /// Whether the hit holds every word of the query (the first `exact` hits do).
    pub all_words: bool,
    /// Opinions of the same title folded into this hit ("另有 N 条相同反映"), and the pages of
    /// the first of them.
    pub same: usize,
    pub same_urls: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct FacetCount {
    pub value: String,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Serialize)]
pub struct SearchResults {
    pub request: SearchRequest,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    /// The last page paging reaches (see [`MAX_DEPTH`]).
    pub max_page: usize,
    pub hits: Vec<Hit>,
    /// Some words matched nowhere together: these are documents matching any of them.
    pub partial: bool,
    /// How many documents hold every word; after them come those holding only some.
    pub exact: usize,
    /// Where on this page the hits holding only some of the words begin.
    pub partial_from: Option<usize>,
    pub types: Vec<FacetCount>,
    pub regions: Vec<FacetCount>,
    pub categories: Vec<FacetCount>,
    pub statuses: Vec<FacetCount>,
    pub units: Vec<FacetCount>,
}

fn term(field: tantivy::schema::Field, text: &str, boost: f32) -> Box<dyn Query> {
    let q: Box<dyn Query> = Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs));
    if (boost - 1.0).abs() < f32::EPSILON { q } else { Box::new(BoostQuery::new(q, boost)) }
}

/// A query's words as queries: every word required, any one enough, and any one enough with
/// the score telling how many are held (see [`tiers`]; `all` scores the same way).
pub struct WordQueries {
    pub all: BooleanQuery,
    /// Every word but one, of three or more.
    pub most: Option<BooleanQuery>,
    pub any: BooleanQuery,
    pub tiered: BooleanQuery,
    pub words: usize,
}

/// The query's words as queries, or `None` for a query with no words at all.
pub fn text_queries(engine: &SearchEngine, searcher: &Searcher, text: &str) -> Result<Option<WordQueries>, SearchError> {
    let words = mend_guesses(engine, searcher, query_words(&engine.jieba(), text))?;
    word_queries(engine, searcher, &words)
}

/// jieba guesses a word it does not know from the characters around it; in a short query the
/// guess is often two words' halves run together (夜宵摊吵到半夜 gives 摊吵). A guess written
/// nowhere in the index is taken apart into its characters instead of being required whole.
fn mend_guesses(
    engine: &SearchEngine,
    searcher: &Searcher,
    words: Vec<(String, Vec<String>)>,
) -> Result<Vec<(String, Vec<String>)>, SearchError> {
    let jieba = engine.jieba();
    let mut out: Vec<(String, Vec<String>)> = Vec::with_capacity(words.len());
    for (word, parts) in words {
        let written = match grams::literal(engine.fields.grams, &word) {
            Some(literal) if !jieba.has_word(&word) => matches_any(searcher, &*literal)?,
            _ => true,
        };
        if written {
            out.push((word, parts));
            continue;
        }
        for c in jieba.cut(&word, false).into_iter().map(|t| t.word.to_string()) {
            if !tokenizer::is_stopword(&c) && !out.iter().any(|(w, _)| *w == c) {
                out.push((c, Vec::new()));
            }
        }
    }
    Ok(out)
}

/// Whether anything matches `query`: it stops at the first match (a count would go through
/// every occurrence of a common pair of characters).
fn matches_any(searcher: &Searcher, query: &dyn Query) -> Result<bool, SearchError> {
    let weight = query.weight(tantivy::query::EnableScoring::disabled_from_searcher(searcher))?;
    for segment in searcher.segment_readers() {
        if weight.scorer(segment, 1.0)?.doc() != tantivy::TERMINATED {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A synonym of a query word, matched by all of its own words (it may be cut in several).
fn synonym_clause(engine: &SearchEngine, synonym: &str) -> Option<Box<dyn Query>> {
    let f = engine.fields;
    let words = query_words(&engine.jieba(), synonym);
    if words.is_empty() {
        return None;
    }
    let every = words
        .iter()
        .map(|(w, _)| {
            let either = BooleanQuery::new(vec![(Occur::Should, term(f.title, w, 1.2)), (Occur::Should, term(f.body, w, 0.6))]);
            (Occur::Must, Box::new(either) as Box<dyn Query>)
        })
        .collect();
    Some(Box::new(BooleanQuery::new(every)))
}

/// jieba sometimes joins a two-character word's last character to the word after it (路灯不亮
/// as 路/灯不亮: its dictionary holds 灯不亮), so the word is missing from messages that write
/// it. When the index holds its two characters side by side in noticeably more documents than
/// it holds the word, those messages are there to find: the word also matches as written.
fn swallowed(searcher: &Searcher, f: super::Fields, word: &str) -> Result<bool, SearchError> {
    if word.chars().count() != 2 || !grams::is_literal(word) {
        return Ok(false);
    }
    // The bigrams are of title and body together; counting the word's documents per field and
    // adding them up may count one twice, so the test errs towards leaving the query as it was.
    let freq = |field| searcher.doc_freq(&Term::from_field_text(field, word));
    let cut = freq(f.title)? + freq(f.body)?;
    let written = freq(f.grams)?;
    Ok(written > cut + cut / 50)
}

/// Whether a word the dictionary lacks is written in noticeably more documents than jieba cut
/// it out of. Where jieba cuts it out of nearly every document that writes it (没人修), its
/// bigrams as a phrase find little more, at the cost of reading the positions of every match.
fn cut_unevenly(searcher: &Searcher, f: super::Fields, word: &str) -> Result<bool, SearchError> {
    if !grams::is_literal(word) {
        return Ok(false);
    }
    // The larger of the two fields' counts is at most the documents holding the word, and the
    // rarest bigram's count at least those writing it: the test errs towards matching it as
    // written.
    let freq = |term: &Term| searcher.doc_freq(term);
    let cut = freq(&Term::from_field_text(f.title, word))?.max(freq(&Term::from_field_text(f.body, word))?);
    let mut written = u64::MAX;
    for term in grams::terms(f.grams, word) {
        written = written.min(freq(&term)?);
    }
    Ok(written > cut + cut / 50)
}

/// Whether a word found in `found` of `docs` documents is too common to tell anything: in one of
/// twenty, and in enough of them to cost a pass.
fn common(found: u64, docs: u64) -> bool {
    found >= 1_000 && found * 20 >= docs
}

/// How a query word counts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Weighs {
    Required,
    /// Adds to the score of what holds the required words, without being required.
    Light,
    /// A light word in one document of twenty or more (好, 人): it tells nothing, and scoring
    /// it would go through its long list for every match.
    Nothing,
}

/// One word as a query: the word in the title or the body, or as the parts of the table below,
/// and how it counts.
fn word_clause(engine: &SearchEngine, searcher: &Searcher, word: &str, parts: &[String]) -> Result<(Box<dyn Query>, Weighs), SearchError> {
    let f = engine.fields;
    let mut alternatives = vec![(Occur::Should, term(f.title, word, 2.0)), (Occur::Should, term(f.body, word, 1.0))];
    // A compound is matched whole or by every one of its sub-words, never by one alone
    // (噪音扰民 is not 餐饮油烟扰民).
    if !parts.is_empty() {
        let every: Vec<(Occur, Box<dyn Query>)> = parts
            .iter()
            .map(|part| {
                let either = BooleanQuery::new(vec![(Occur::Should, term(f.title, part, 0.6)), (Occur::Should, term(f.body, part, 0.3))]);
                (Occur::Must, Box::new(either) as Box<dyn Query>)
            })
            .collect();
        alternatives.push((Occur::Should, Box::new(BooleanQuery::new(every))));
    }
    // A name the dictionary lacks is cut unevenly from one message to the next (上岭桥镇 as
    // 上/岭/桥/镇): it also matches as written, by its character pairs.
    let literal = if engine.jieba().has_word(word) { swallowed(searcher, f, word)? } else { cut_unevenly(searcher, f, word)? };
    if literal {
        alternatives.extend(grams::literal(f.grams, word).map(|q| (Occur::Should, Box::new(BoostQuery::new(q, 0.5)) as Box<dyn Query>)));
    }
    // What the citizen means, as messages write it, ranks after their own word.
    for synonym in synonyms::of(word) {
        alternatives.extend(synonym_clause(engine, synonym).map(|q| (Occur::Should, q)));
    }
    // A lone character jieba left over (the 声 of 杀猪声) is rarely a word of its own in a
    // message: it adds to the score of what holds every other word, but is not required.
    let weighs = if word.chars().count() > 1 || !synonyms::of(word).is_empty() {
        Weighs::Required
    } else if common(searcher.doc_freq(&Term::from_field_text(f.body, word))?, searcher.num_docs()) {
        Weighs::Nothing
    } else {
        Weighs::Light
    };
    Ok((Box::new(BooleanQuery::new(alternatives)), weighs))
}

fn word_queries(engine: &SearchEngine, searcher: &Searcher, words: &[(String, Vec<String>)]) -> Result<Option<WordQueries>, SearchError> {
    let f = engine.fields;
    if words.is_empty() {
        return Ok(None);
    }
    let clauses = words
        .iter()
        .take(tiers::MAX_WORDS)
        .map(|(word, parts)| word_clause(engine, searcher, word, parts))
        .collect::<Result<Vec<_>, _>>()?;
    let (mut required, mut light): (Vec<_>, Vec<_>) = clauses.into_iter().partition(|(_, weighs)| *weighs == Weighs::Required);
    if required.is_empty() {
        std::mem::swap(&mut required, &mut light);
    } else {
        light.retain(|(_, weighs)| *weighs == Weighs::Light);
    }
    let required: Vec<Box<dyn Query>> = required.into_iter().map(|(q, _)| q).collect();
    let scoring = || light.iter().map(|(q, _)| (Occur::Should, q.box_clone()));
    // The lists answer for many opinions at once: at equal words, a rectification or a report
    // outranks one more citizen's message about it (problems lead them: `tiers::PROBLEM`).
    let preference = |occur: Occur| -> Vec<(Occur, Box<dyn Query>)> {
        [("rectification", 2.0), ("report", 2.0)]
            .into_iter()
            .map(|(t, boost)| {
                (
                    occur,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(Term::from_field_text(f.doc_type, t), IndexRecordOption::Basic)),
                        boost,
                    )) as Box<dyn Query>,
                )
            })
            .collect()
    };
    let problem = || -> (Occur, Box<dyn Query>) {
        let problem = TermQuery::new(Term::from_field_text(f.doc_type, "problem"), IndexRecordOption::Basic);
        (Occur::Should, Box::new(ConstScoreQuery::new(Box::new(problem), tiers::PROBLEM)))
    };
    let held =
        |occur: Occur| required.iter().map(move |c| (occur, Box::new(tiers::Plus::new(c.box_clone(), tiers::TIER)) as Box<dyn Query>));
    let scored_like_all = |mut words: Vec<(Occur, Box<dyn Query>)>| {
        words.extend(scoring());
        words.extend(preference(Occur::Should));
        words.push(problem());
        BooleanQuery::new(words)
    };
    // Two words, or one, have nothing between every word and any.
    let most = (required.len() >= 3).then(|| {
        let clauses = held(Occur::Must).map(|(_, q)| q).collect();
        scored_like_all(vec![(Occur::Must, Box::new(AtLeast::new(clauses, required.len() - 1)) as Box<dyn Query>)])
    });
    let any = |words: Vec<(Occur, Box<dyn Query>)>| {
        let mut q = vec![(Occur::Must, Box::new(BooleanQuery::new(words)) as Box<dyn Query>)];
        q.extend(preference(Occur::Should));
        q
    };
    let mut tiered = any(held(Occur::Should).collect());
    tiered.extend(scoring());
    tiered.push(problem());
    Ok(Some(WordQueries {
        all: scored_like_all(held(Occur::Must).collect()),
        most,
        any: BooleanQuery::new(any(required.iter().map(|c| (Occur::Should, c.box_clone())).collect())),
        tiered: BooleanQuery::new(tiered),
        words: required.len(),
    }))
}

fn filters(engine: &SearchEngine, req: &SearchRequest) -> Vec<(Occur, Box<dyn Query>)> {
    let f = engine.fields;
    let exact =
        |field, value: &str| -> Box<dyn Query> { Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic)) };
    let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if req.public_only {
        // Every document is either public or staff: leaving out the few staff ones skips through
        // a short list, where requiring "public" intersected with nearly every document.
        out.push((Occur::MustNot, exact(f.visibility, "staff")));
    }
    for (field, value) in [(f.doc_type, &req.doc_type), (f.region, &req.region), (f.category, &req.category), (f.status, &req.status)] {
        if let Some(value) = value {
            out.push((Occur::Must, exact(field, value)));
        }
    }
    if let Some(unit) = &req.unit {
        let facet = Facet::from_path(["unit", unit.as_str()]);
        out.push((Occur::Must, Box::new(TermQuery::new(Term::from_facet(f.facets, &facet), IndexRecordOption::Basic))));
    }
    let day = |d: &Option<String>, end: bool| {
        d.as_deref().and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()).map(|d| {
            let t = if end { d.and_hms_opt(23, 59, 59) } else { d.and_hms_opt(0, 0, 0) }.expect("valid time");
            t.and_local_timezone(time::beijing()).single().map(|t| t.timestamp()).unwrap_or(0)
        })
    };
    let (from, to) = (day(&req.from, false), day(&req.to, true));
    if from.is_some() || to.is_some() {
        let bound = |v: Option<i64>| v.map(|v| Bound::Included(Term::from_field_i64(f.date, v))).unwrap_or(Bound::Unbounded);
        out.push((Occur::Must, Box::new(RangeQuery::new(bound(from), bound(to)))));
    }
    out
}

fn with_filters(main: Box<dyn Query>, filters: &[(Occur, Box<dyn Query>)]) -> Box<dyn Query> {
    if filters.is_empty() {
        return main;
    }
    let mut all = vec![(Occur::Must, main)];
    all.extend(filters.iter().map(|(o, q)| (*o, q.box_clone())));
    Box::new(BooleanQuery::new(all))
}

fn stored(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string()
}

/// How many unfolded hits are ranked at first per hit wanted, so that folding fills the page.
const FOLD_SLACK: usize = 3;
/// The most hits ranked to fill a page after folding.
const FOLD_CAP: usize = 10_000;

/// How many hits are ranked at first for a page ending at `wanted`: ranking goes through every
/// match in one pass whatever the limit, and a thousand leaves room for folding (a page past
/// paging depth ranks no deeper, it is only counted).
fn first_limit(wanted: usize) -> usize {
    (wanted.min(MAX_DEPTH) * FOLD_SLACK).max(MAX_DEPTH)
}

/// The page's folded hits, and how many folded hits there are when the whole list was ranked.
/// A list within paging depth is ranked whole, so its page count is exact; a longer one is
/// ranked until the page is full (the page count then counts documents). `matched.ranked`
/// holds the first hits when counting ranked them too; if identical titles fold the page short,
/// the next try ranks up to the cap.
fn fold_page(searcher: &Searcher, matched: &Matched, offset: usize, size: usize) -> Result<(Vec<Folded>, Option<usize>), SearchError> {
    let total = matched.counts.0;
    let wanted = offset + size;
    let mut limit = first_limit(wanted).min(total);
    loop {
        let top = match &matched.ranked {
            Some(ranked) if limit <= ranked.len() => ranked[..limit].to_vec(),
            _ => matched.ranking.top(searcher, limit)?,
        };
        let folded = folding::fold(searcher, top)?;
        let whole = limit >= total;
        if whole || folded.len() >= wanted || limit >= FOLD_CAP {
            let groups = whole.then_some(folded.len());
            return Ok((folded.into_iter().skip(offset).take(size).collect(), groups));
        }
        limit = FOLD_CAP.min(total);
    }
}
/// The folded opinions a hit names by page.
const MAX_SAME_URLS: usize = 10;

/// How a search orders its hits.
enum Ranking {
    /// Newest first (`bool`: whether they hold every word).
    ByDate(Box<dyn Query>, bool),
    /// By score, where the score tells how many of the `usize` words a hit holds (see [`tiers`]).
    Scored(Box<dyn Query>, usize),
}

impl Ranking {
    /// The first `limit` hits in order.
    fn top(&self, searcher: &Searcher, limit: usize) -> Result<Vec<Ranked>, SearchError> {
        let limit = limit.max(1);
        match self {
            Self::ByDate(query, all_words) => {
                let by_date = TopDocs::with_limit(limit).order_by_fast_field::<i64>("date", Order::Desc);
                let found = searcher.search(&**query, &by_date)?;
                Ok(found.into_iter().map(|(_, address)| Ranked { score: 0.0, address, all_words: *all_words }).collect())
            }
            Self::Scored(query, words) => Ok(scored(searcher.search(&**query, &TopDocs::with_limit(limit).order_by_score())?, *words)),
        }
    }
}

/// Hits ranked by a tiered score, told whether they hold all `words` and scored by relevance.
fn scored(found: Vec<(f32, DocAddress)>, words: usize) -> Vec<Ranked> {
    found
        .into_iter()
        .map(|(score, address)| {
            let (held, relevance) = tiers::decode(score);
            Ranked { score: relevance, address, all_words: held >= words }
        })
        .collect()
}

type Counts = (usize, tantivy::collector::FacetCounts);

/// The facets every count describes its hits by.
fn facets() -> FacetCollector {
    let mut facets = FacetCollector::for_field("facets");
    for root in ["/type", "/region", "/category", "/status", "/unit"] {
        facets.add_facet(root);
    }
    facets
}

/// How many documents `query` matches, and how many of them fall under each facet.
fn counted(searcher: &Searcher, query: &dyn Query) -> tantivy::Result<Counts> {
    searcher.search(query, &(Count, facets()))
}

/// What a search matches, counted, and the order it is shown in.
struct Matched {
    /// Nothing holds every word: these hold some.
    partial: bool,
    /// How many hold every word.
    exact: usize,
    counts: Counts,
    ranking: Ranking,
    /// The first hits, when counting ranked them too.
    ranked: Option<Vec<Ranked>>,
}

/// By score: what holds every word, when it fills a page of `size`; or else what misses one
/// word at most, when that fills it; otherwise every word first, then all words but one, and so
/// on (a citizen's long phrasing still finds what matches it best). Problems lead among equals;
/// each try ranks and counts in one pass. By time: what holds every word, or else what holds any.
fn matched(
    searcher: &Searcher,
    filters: &[(Occur, Box<dyn Query>)],
    q: WordQueries,
    by_time: bool,
    (wanted, size): (usize, usize),
) -> Result<Matched, SearchError> {
    if by_time {
        let strict = with_filters(Box::new(q.all), filters);
        let strict_counts = counted(searcher, &*strict)?;
        let exact = strict_counts.0;
        let (query, counts) = if exact == 0 && q.words >= 2 {
            let any = with_filters(Box::new(q.any), filters);
            let counts = counted(searcher, &*any)?;
            (any, counts)
        } else {
            (strict, strict_counts)
        };
        let partial = exact == 0 && counts.0 > 0;
        return Ok(Matched { partial, exact, counts, ranking: Ranking::ByDate(query, !partial), ranked: None });
    }
    let ranking = || TopDocs::with_limit(first_limit(wanted)).order_by_score();
    // What holds every word is an intersection, led through its rarest word: when it fills a
    // page, it is the answer, and the union of every word (the whole list of a common one) is
    // never gone through.
    let every = with_filters(Box::new(q.all), filters);
    let (top, exact, facet_counts) = searcher.search(&*every, &(ranking(), Count, facets()))?;
    if exact >= size || q.words < 2 {
        let counts = (exact, facet_counts);
        return Ok(Matched { partial: false, exact, counts, ranked: Some(scored(top, q.words)), ranking: Ranking::Scored(every, q.words) });
    }
    // Then what misses one word at most: led through the two rarest words.
    if let Some(most) = q.most {
        let most = with_filters(Box::new(most), filters);
        let (top, total, facet_counts) = searcher.search(&*most, &(ranking(), Count, facets()))?;
        if total >= size {
            let (partial, counts) = (exact == 0, (total, facet_counts));
            return Ok(Matched { partial, exact, counts, ranked: Some(scored(top, q.words)), ranking: Ranking::Scored(most, q.words) });
        }
    }
    let query = with_filters(Box::new(q.tiered), filters);
    let (top, total, exact, facet_counts) = searcher.search(&*query, &(ranking(), Count, tiers::Holding { words: q.words }, facets()))?;
    Ok(Matched {
        partial: exact == 0 && total > 0,
        exact,
        counts: (total, facet_counts),
        ranked: Some(scored(top, q.words)),
        ranking: Ranking::Scored(query, q.words),
    })
}

/// Runs a search. Blocking: call it off the async executor.
pub fn run(engine: &SearchEngine, req: &SearchRequest) -> Result<SearchResults, SearchError> {
    let searcher = engine.reader.searcher();
    let filters = filters(engine, req);
    let size = req.page_size.clamp(1, MAX_PAGE_SIZE);
    let offset = (req.page - 1) * size;
    // A page beyond the last, or beyond the depth paging reaches, is empty, with the true count.
    let max_page = (MAX_DEPTH / size).max(1);
    let matched = match text_queries(engine, &searcher, &req.text)? {
        None => {
            let query = with_filters(Box::new(AllQuery), &filters);
            let counts = counted(&searcher, &*query)?;
            Matched { partial: false, exact: counts.0, counts, ranking: Ranking::ByDate(query, true), ranked: None }
        }
        Some(words) => matched(&searcher, &filters, words, req.by_time, (offset + size, size))?,
    };
    let total = matched.counts.0;
    let (page, groups) = if req.page > max_page || (offset >= total && total > MAX_DEPTH) {
        (Vec::new(), None)
    } else {
        fold_page(&searcher, &matched, offset, size)?
    };
    let Matched { partial, exact, counts: (_, facet_counts), .. } = matched;
    let partial_from = if exact > 0 { page.iter().position(|f| !f.lead.all_words) } else { None };
    let hits = hits(engine, &searcher, &Highlighter::new(&engine.jieba(), &req.text), page)?;
    let counts = |root: &str, label: fn(&str) -> String| -> Vec<FacetCount> {
        let mut v: Vec<FacetCount> = facet_counts
            .get(root)
            .map(|(facet, count)| {
                let value = facet.to_path().last().map(|s| s.to_string()).unwrap_or_default();
                FacetCount { label: label(&value), value, count }
            })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
        v
    };
    Ok(SearchResults {
        request: req.clone(),
        total,
        page: req.page,
        pages: groups.unwrap_or(total).div_ceil(size).max(1),
        max_page,
        hits,
        partial,
        exact,
        partial_from,
        types: counts("/type", |v| type_label(v).to_string()),
        regions: counts("/region", str::to_string),
        categories: counts("/category", str::to_string),
        statuses: counts("/status", status_label),
        units: counts("/unit", str::to_string),
    })
}

/// Chinese for a stored status, whichever vocabulary it comes from.
pub fn status_label(value: &str) -> String {
    use entity::vocab::{OpinionStatus, RectificationStatus, ReportStatus};
    RectificationStatus::parse(value)
        .map(|s| s.label())
        .or_else(|| OpinionStatus::parse(value).map(|s| s.label()))
        .or_else(|| ReportStatus::parse(value).map(|s| s.label()))
        .unwrap_or("")
        .to_string()
}

fn hits(engine: &SearchEngine, searcher: &Searcher, highlighter: &Highlighter, page: Vec<Folded>) -> Result<Vec<Hit>, SearchError> {
    let f = engine.fields;
    let mut out = Vec::new();
    for folded in page {
        let doc: TantivyDocument = searcher.doc(folded.lead.address)?;
        let title = stored(&doc, f.title);
        let body = stored(&doc, f.body);
        let (title_html, snippet_html) = highlighted(engine, highlighter, &title, &body);
        let doc_type = stored(&doc, f.doc_type);
        let date = doc
            .get_first(f.date)
            .and_then(|v| v.as_i64())
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
            .map(time::minute)
            .unwrap_or_default();
        let mut same_urls = Vec::new();
        for address in folded.same.iter().take(MAX_SAME_URLS) {
            let same: TantivyDocument = searcher.doc(*address)?;
            same_urls.push(stored(&same, f.url));
        }
        out.push(Hit {
            key: stored(&doc, f.key),
            type_label: type_label(&doc_type),
            doc_type,
            title,
            title_html,
            snippet_html,
            url: stored(&doc, f.url),
            code: stored(&doc, f.code),
            date,
            region: stored(&doc, f.region),
            category: stored(&doc, f.category),
            status: status_label(&stored(&doc, f.status)),
            score: folded.lead.score,
            all_words: folded.lead.all_words,
            same: folded.same.len(),
            same_urls,
        });
    }
    Ok(out)
}

/// The hit's title and snippet with the query's words marked. A fault in the highlighter is a
/// bug to fix, logged loudly, but it costs the hit its highlights, never the page.
fn highlighted(engine: &SearchEngine, highlighter: &Highlighter, title: &str, body: &str) -> (String, String) {
    let jieba = engine.jieba();
    let marked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        (highlighter.highlight(&jieba, title), highlighter.snippet(&jieba, body, SNIPPET_BYTES))
    }));
    marked.unwrap_or_else(|_| {
        tracing::error!(title, "highlighting failed; the hit is shown without highlights");
        (escape(title), escape(&body.chars().take(SNIPPET_BYTES / 3).collect::<String>()))
    })
}

/// Items like `text` among `doc_type`, best first: for catching duplicates before they are filed.
pub fn similar(engine: &SearchEngine, text: &str, doc_type: &str, limit: usize, exclude: Option<&str>) -> Result<Vec<Hit>, SearchError> {
    let searcher = engine.reader.searcher();
    let words = telling_words(engine, &searcher, text)?;
    let top = if doc_type == "opinion" {
        public_opinions(engine, &searcher, &words, limit + 1)?
    } else {
        // A problem is related when it shares most of what the text is about, not one word of
        // it: one shared place name (幸福里) made every problem of that estate "related".
        let Some(WordQueries { all, most, .. }) = word_queries(engine, &searcher, &words)? else { return Ok(Vec::new()) };
        let req = SearchRequest { doc_type: Some(doc_type.into()), public_only: true, page: 1, ..SearchRequest::default() };
        let shared = most.unwrap_or(all);
        searcher.search(&*with_filters(Box::new(shared), &filters(engine, &req)), &TopDocs::with_limit(limit + 1).order_by_score())?
    };
    // Not folded: triage counts each neighbour's theme as a vote.
    let each =
        top.into_iter().map(|(score, address)| Folded { lead: Ranked { score, address, all_words: true }, same: Vec::new() }).collect();
    let mut found = hits(engine, &searcher, &Highlighter::new(&engine.jieba(), text), each)?;
    found.retain(|h| Some(h.key.as_str()) != exclude);
    found.truncate(limit);
    Ok(found)
}

/// Words of a title that tell what it is about: the rarest few. Its common words ("小区",
/// "问题") match a good part of a city's opinions, add little to the ranking and cost the most
/// to score.
fn telling_words(engine: &SearchEngine, searcher: &Searcher, text: &str) -> Result<Vec<(String, Vec<String>)>, SearchError> {
    const TELLING: usize = 4;
    let f = engine.fields;
    let mut counted = Vec::new();
    for (word, parts) in query_words(&engine.jieba(), text).into_iter().take(tiers::MAX_WORDS) {
        let freq = |w: &str| -> Result<u64, SearchError> {
            Ok(searcher.doc_freq(&Term::from_field_text(f.title, w))? + searcher.doc_freq(&Term::from_field_text(f.body, w))?)
        };
        // A word the index never saw whole may still match by its parts.
        let mut found = freq(&word)?;
        if found == 0 {
            for part in &parts {
                found = found.max(freq(part)?);
            }
        }
        // A word found once is found only in the text itself (an opinion triaged, a problem shown).
        if found > 1 {
            counted.push((found, word, parts));
        }
    }
    counted.sort_by_key(|(found, ..)| *found);
    Ok(counted.into_iter().take(TELLING).map(|(_, word, parts)| (word, parts)).collect())
}

/// The public opinions best matching `words`. Opinions are nearly every document, so instead of
/// intersecting with them the query is a flat union of plain terms, which tantivy ranks with
/// block-max WAND (skipping blocks that cannot reach the top); what is not a public opinion is
/// dropped afterwards, asking for more until enough are left.
fn public_opinions(
    engine: &SearchEngine,
    searcher: &Searcher,
    words: &[(String, Vec<String>)],
    want: usize,
) -> Result<Vec<(f32, DocAddress)>, SearchError> {
    let f = engine.fields;
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (word, parts) in words {
        // A boost would hide the term scorers from WAND: the whole word, or its parts if the
        // index never saw it whole, each weighed alike.
        let whole_known =
            searcher.doc_freq(&Term::from_field_text(f.body, word))? + searcher.doc_freq(&Term::from_field_text(f.title, word))? > 0;
        for w in if whole_known { std::slice::from_ref(word) } else { parts.as_slice() } {
            for field in [f.title, f.body] {
                clauses.push((Occur::Should, term(field, w, 1.0)));
            }
        }
    }
    if clauses.is_empty() {
        return Ok(Vec::new());
    }
    let query = BooleanQuery::new(clauses);
    let has = |address: DocAddress, field: tantivy::schema::Field, value: &str| -> Result<bool, SearchError> {
        let index = searcher.segment_reader(address.segment_ord).inverted_index(field)?;
        Ok(match index.read_postings(&Term::from_field_text(field, value), IndexRecordOption::Basic)? {
            // `seek` only moves forward: a fresh list may already stand past the doc.
            Some(mut postings) => {
                let first = tantivy::DocSet::doc(&postings);
                first == address.doc_id
                    || (first < address.doc_id && tantivy::DocSet::seek(&mut postings, address.doc_id) == address.doc_id)
            }
            None => false,
        })
    };
    let mut ask = want * 4;
    loop {
        let top = searcher.search(&query, &TopDocs::with_limit(ask).order_by_score())?;
        let exhausted = top.len() < ask;
        let mut kept = Vec::new();
        for (score, address) in top {
            if kept.len() < want && has(address, f.doc_type, "opinion")? && !has(address, f.visibility, "staff")? {
                kept.push((score, address));
            }
        }
        if kept.len() >= want || exhausted || ask >= 4096 {
            return Ok(kept);
        }
        ask = (ask * 8).min(4096);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::privacy::PublicText;
    use crate::search::documents::Source;

    fn opinion(id: i32, title: &str) -> Source {
        Source {
            doc_type: "opinion",
            id,
            public: true,
            title: PublicText::of(title),
            body: PublicText::of(title),
            url: format!("/opinions/{id}"),
            code: String::new(),
            region: String::new(),
            category: String::new(),
            status: "received".into(),
            units: Vec::new(),
            date: i64::from(id),
        }
    }

    fn engine_of(titles: &[&str]) -> SearchEngine {
        let engine = SearchEngine::in_ram(Arc::new(crate::search::tokenizer::build_jieba(&[]))).unwrap();
        {
            let writer = engine.writer.lock().unwrap();
            for (id, title) in titles.iter().enumerate() {
                writer.add_document(opinion(id as i32, title).to_document(&engine.fields)).unwrap();
            }
        }
        engine.writer.lock().unwrap().commit().unwrap();
        engine.reader.reload().unwrap();
        engine
    }

    /// jieba cuts 路灯不亮 as 路/灯不亮, so the word 路灯 is not among its tokens; the messages
    /// written that way are found all the same, and a word jieba never splits gains nothing.
    #[test]
    fn a_word_jieba_joins_to_the_next_is_found_as_written() {
        let jieba = crate::search::tokenizer::build_jieba(&[]);
        assert!(!crate::search::tokenizer::pieces(&jieba, "路灯不亮").iter().any(|p| p.text == "路灯"), "the cut this test is about");
        let titles = ["东湖小区路灯不亮", "南门路灯不亮", "路灯坏了很久", "小区噪音扰民", "楼道灯不亮"];
        let engine = engine_of(&titles);
        let found = |q: &str| {
            let results = run(&engine, &SearchRequest { text: q.into(), ..Default::default() }).unwrap();
            let mut titles: Vec<String> = results.hits.into_iter().map(|h| h.title).collect();
            titles.sort();
            titles
        };
        let mut expected = vec!["东湖小区路灯不亮", "南门路灯不亮", "路灯坏了很久"];
        expected.sort();
        assert_eq!(found("路灯"), expected);
        assert_eq!(found("噪音"), ["小区噪音扰民"]);
    }

    /// What holds every word is the answer when it fills a page; else what misses one word at
    /// most, when that fills it; else anything holding a word, every word first.
    #[test]
    fn a_search_widens_from_every_word_only_while_the_page_is_short() {
        let numbered = |n: usize, text: &str| (0..n).map(|i| format!("第{i}号{text}")).collect::<Vec<_>>();
        let search = |titles: Vec<String>| {
            let engine = engine_of(&titles.iter().map(String::as_str).collect::<Vec<_>>());
            let r = run(&engine, &SearchRequest { text: "工地夜间噪音".into(), ..Default::default() }).unwrap();
            (r.total, r.exact, r.partial)
        };
        let every = [numbered(12, "工地夜间噪音"), numbered(20, "工地扬尘")].concat();
        assert_eq!(search(every), (12, 12, false), "twelve hold every word: the ones holding one are not counted");
        let most = [numbered(11, "工地夜间施工"), numbered(20, "小区噪音")].concat();
        assert_eq!(search(most), (11, 0, true), "none holds every word, eleven all but one");
        let any = [numbered(3, "工地夜间施工"), numbered(20, "小区噪音")].concat();
        assert_eq!(search(any), (23, 0, true), "too few hold two words: anything holding one fills the page");
    }

    /// Past paging depth, one word's page is ranked a thousand deep first; when one title fills
    /// those thousand, the next try must still reach the other titles and fill the page.
    #[test]
    fn a_page_of_one_word_fills_past_a_flood_of_one_title() {
        let engine = SearchEngine::in_ram(Arc::new(crate::search::tokenizer::build_jieba(&[]))).unwrap();
        {
            let writer = engine.writer.lock().unwrap();
            for id in 0..1_250 {
                writer.add_document(opinion(id, "小区路灯坏了").to_document(&engine.fields)).unwrap();
            }
            for (i, place) in ["滨江花园", "丽发新城", "五矿万境", "伊景园", "魅力之城", "云顶家园"].iter().cycle().take(60).enumerate()
            {
                let id = 2_000 + i as i32;
                writer.add_document(opinion(id, &format!("{place}{i}栋门前路灯坏了很久")).to_document(&engine.fields)).unwrap();
            }
            // The rest of a city, so that the word is not one nearly every document holds.
            for id in 3_000..6_000 {
                writer.add_document(opinion(id, &format!("小区噪音扰民第{id}号")).to_document(&engine.fields)).unwrap();
            }
        }
        engine.writer.lock().unwrap().commit().unwrap();
        engine.reader.reload().unwrap();
        let results = run(&engine, &SearchRequest { text: "路灯".into(), ..Default::default() }).unwrap();
        assert_eq!(results.total, 1_310);
        assert_eq!(results.hits.len(), results.request.page_size, "the page is full of distinct titles");
        let flood = results.hits.iter().find(|h| h.title == "小区路灯坏了").expect("the repeated title leads one hit");
        assert!(flood.same >= 999, "the thousand first ranked fold into it: {}", flood.same);
        assert_eq!(results.hits.iter().filter(|h| h.title == "小区路灯坏了").count(), 1);
    }
}
