//! Several words ranked in one pass. Each required word a document holds adds [`TIER`] to its
//! score and a problem adds [`PROBLEM`], so ranking by score orders the hits by how many words
//! they hold, problems first among equals, then by relevance; and one pass over the matches
//! ranks them, counts them with their facets and counts those holding every word. (Ranking
//! each tier as a query of its own went through the matches once per tier.)

use std::fmt;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentOrdinal, SegmentReader, Term};

/// What holding one more required word adds to a score; a score of a few hundred thousand keeps a
/// resolution of hundredths in an `f32`.
pub const TIER: Score = 10_000.0;
/// What being a problem adds: problems lead the documents holding as many words.
pub const PROBLEM: Score = 5_000.0;
/// The most words a query is built from.
pub const MAX_WORDS: usize = 24;
/// The most relevance one word adds (a word's BM25 over title, body, parts and synonyms is a few
/// dozen): every word at its cap, with what else scores, stays below [`PROBLEM`], so relevance
/// never passes for a word held or for being a problem.
const WORD_CAP: Score = PROBLEM / (2 * MAX_WORDS) as Score;

/// A hit's score taken apart: how many required words it holds, and its relevance.
pub fn decode(score: Score) -> (usize, Score) {
    let words = (score / TIER).floor().max(0.0);
    (words as usize, (score - words * TIER).rem_euclid(PROBLEM))
}

/// `query`, its score capped at [`WORD_CAP`], with `add` added to it for whatever it matches.
pub struct Plus {
    query: Box<dyn Query>,
    add: Score,
}

impl Plus {
    pub fn new(query: Box<dyn Query>, add: Score) -> Self {
        Self { query, add }
    }
}

impl Clone for Plus {
    fn clone(&self) -> Self {
        Self { query: self.query.box_clone(), add: self.add }
    }
}

impl fmt::Debug for Plus {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "Plus(query={:?}, add={})", self.query, self.add)
    }
}

impl Query for Plus {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let inner = self.query.weight(enable_scoring)?;
        Ok(if enable_scoring.is_scoring_enabled() { Box::new(PlusWeight { inner, add: self.add }) } else { inner })
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor)
    }
}

struct PlusWeight {
    inner: Box<dyn Weight>,
    add: Score,
}

impl Weight for PlusWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(PlusScorer { inner: self.inner.scorer(reader, boost)?, add: self.add * boost }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let inner = self.inner.explain(reader, doc)?;
        let mut explanation = Explanation::new_with_string(format!("Plus {} to ...", self.add), inner.value().min(WORD_CAP) + self.add);
        explanation.add_detail(inner);
        Ok(explanation)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.inner.count(reader)
    }
}

struct PlusScorer {
    inner: Box<dyn Scorer>,
    add: Score,
}

impl DocSet for PlusScorer {
    fn advance(&mut self) -> DocId {
        self.inner.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.inner.seek(target)
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }

    fn cost(&self) -> u64 {
        self.inner.cost()
    }
}

impl Scorer for PlusScorer {
    fn score(&mut self) -> Score {
        self.inner.score().min(WORD_CAP) + self.add
    }
}

/// Counts the documents holding every one of `words` required words (their score says so), in
/// the same pass as the ranking.
pub struct Holding {
    pub words: usize,
}

pub struct HoldingSegment {
    words: usize,
    count: usize,
}

impl Collector for Holding {
    type Fruit = usize;
    type Child = HoldingSegment;

    fn for_segment(&self, _: SegmentOrdinal, _: &SegmentReader) -> tantivy::Result<HoldingSegment> {
        Ok(HoldingSegment { words: self.words, count: 0 })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, counts: Vec<usize>) -> tantivy::Result<usize> {
        Ok(counts.into_iter().sum())
    }
}

impl SegmentCollector for HoldingSegment {
    type Fruit = usize;

    fn collect(&mut self, _: DocId, score: Score) {
        // `decode` floors: per match, a comparison is cheaper.
        self.count += usize::from(score >= self.words as Score * TIER);
    }

    fn harvest(self) -> usize {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_score_comes_apart_into_words_and_relevance() {
        assert_eq!(decode(3.0 * TIER + PROBLEM + 12.5), (3, 12.5));
        assert_eq!(decode(TIER + PROBLEM + 4_999.0).0, 1, "a problem holding one word holds one");
        assert_eq!(decode(2.0 * TIER + 7.25), (2, 7.25));
        assert_eq!(decode(0.5), (0, 0.5));
        // However relevant, a document holding one word and being a problem is not one holding two.
        assert_eq!(decode(TIER + PROBLEM + WORD_CAP * (2 * MAX_WORDS) as Score - 1.0).0, 1);
    }
}
