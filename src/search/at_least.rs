//! Documents holding at least so many of several words, found without going through the list of
//! every word. A document holding `least` of `n` words holds one of any `n - least + 1` of them,
//! so the rarest `n - least + 1` lead and the others are only looked up at the documents they
//! give (a common word's list is skipped through, never read whole). Scored as the sum of the
//! words it holds, so [`super::tiers`] reads how many from the score.

use std::fmt;

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// Matches what holds at least `least` of `clauses`.
pub struct AtLeast {
    clauses: Vec<Box<dyn Query>>,
    least: usize,
}

impl AtLeast {
    pub fn new(clauses: Vec<Box<dyn Query>>, least: usize) -> Self {
        let least = least.clamp(1, clauses.len().max(1));
        Self { clauses, least }
    }
}

impl Clone for AtLeast {
    fn clone(&self) -> Self {
        Self { clauses: self.clauses.iter().map(|c| c.box_clone()).collect(), least: self.least }
    }
}

impl fmt::Debug for AtLeast {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "AtLeast({} of {:?})", self.least, self.clauses)
    }
}

impl Query for AtLeast {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self.clauses.iter().map(|c| c.weight(enable_scoring)).collect::<tantivy::Result<_>>()?;
        Ok(Box::new(AtLeastWeight { weights, least: self.least }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for clause in &self.clauses {
            clause.query_terms(visitor);
        }
    }
}

struct AtLeastWeight {
    weights: Vec<Box<dyn Weight>>,
    least: usize,
}

impl Weight for AtLeastWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorers = self.weights.iter().map(|w| w.scorer(reader, boost)).collect::<tantivy::Result<Vec<_>>>()?;
        scorers.sort_by_key(|s| s.cost());
        let rest = scorers.split_off((scorers.len() + 1).saturating_sub(self.least).min(scorers.len()));
        let mut scorer = AtLeastScorer { lead: scorers, rest, least: self.least, doc: 0, score: 0.0 };
        scorer.settle();
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!("Document #({doc}) does not match")));
        }
        Ok(Explanation::new_with_string(format!("at least {} words", self.least), scorer.score()))
    }
}

struct AtLeastScorer {
    /// The rarest words: every match holds one of them.
    lead: Vec<Box<dyn Scorer>>,
    /// The others, looked up at each document the lead gives.
    rest: Vec<Box<dyn Scorer>>,
    least: usize,
    doc: DocId,
    score: Score,
}

impl AtLeastScorer {
    /// Moves to the first document at or after where the lead stands that holds enough words.
    fn settle(&mut self) -> DocId {
        loop {
            let candidate = self.lead.iter().map(|s| s.doc()).min().unwrap_or(TERMINATED);
            if candidate == TERMINATED {
                self.doc = TERMINATED;
                return TERMINATED;
            }
            let (mut held, mut score) = (0, 0.0);
            for s in self.lead.iter_mut().filter(|s| s.doc() == candidate) {
                held += 1;
                score += s.score();
            }
            let mut unseen = self.rest.len();
            for s in &mut self.rest {
                if held + unseen < self.least {
                    break;
                }
                unseen -= 1;
                if s.doc() < candidate {
                    s.seek(candidate);
                }
                if s.doc() == candidate {
                    held += 1;
                    score += s.score();
                }
            }
            if held >= self.least {
                (self.doc, self.score) = (candidate, score);
                return candidate;
            }
            for s in self.lead.iter_mut().filter(|s| s.doc() == candidate) {
                s.advance();
            }
        }
    }
}

impl DocSet for AtLeastScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        let doc = self.doc;
        for s in self.lead.iter_mut().filter(|s| s.doc() == doc) {
            s.advance();
        }
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for s in self.lead.iter_mut().filter(|s| s.doc() < target) {
            s.seek(target);
        }
        self.settle()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.lead.iter().map(|s| s.size_hint()).sum()
    }

    fn cost(&self) -> u64 {
        self.lead.iter().map(|s| s.cost()).sum::<u64>() + self.rest.iter().map(|s| s.cost()).max().unwrap_or(0)
    }
}

impl Scorer for AtLeastScorer {
    fn score(&mut self) -> Score {
        self.score
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, STORED, Schema, TEXT, Value};
    use tantivy::{Index, TantivyDocument, doc};

    use super::*;

    #[test]
    fn finds_exactly_what_holds_enough_words_scored_by_how_many() {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT | STORED);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let texts = ["a b c", "a b", "a", "b c", "c", "a c d", "d", "b d", "x"];
        for text in texts {
            writer.add_document(doc!(body => text)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let words = ["a", "b", "c", "d"];
        let query = |least| {
            let clauses = words
                .iter()
                .map(|w| Box::new(TermQuery::new(Term::from_field_text(body, w), IndexRecordOption::Basic)) as Box<dyn Query>)
                .collect();
            AtLeast::new(clauses, least)
        };
        for least in 1..=4 {
            let expected = texts.iter().filter(|t| t.split(' ').filter(|w| words.contains(w)).count() >= least).count();
            assert_eq!(searcher.search(&query(least), &Count).unwrap(), expected, "at least {least}");
        }
        let top = searcher.search(&query(2), &TopDocs::with_limit(1).order_by_score()).unwrap();
        let best: TantivyDocument = searcher.doc(top[0].1).unwrap();
        let best = best.get_first(body).and_then(|v| v.as_str()).unwrap().to_string();
        assert!(best == "a b c" || best == "a c d", "a document holding three words leads, not {best}");
    }
}
