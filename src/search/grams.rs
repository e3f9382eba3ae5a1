//! Character bigrams of the Han text: a second way to find a name that jieba cuts one way in
//! one sentence and another way in the next (a town's name whole in one message, split with
//! the character after it in another). A query word is then also matched by its bigrams,
//! whatever jieba made of it in each message.

use tantivy::Term;
use tantivy::query::{BooleanQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::{Token, Tokenizer};

use super::tokenizer::Tokens;

pub const NAME: &str = "grams";

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// The overlapping bigrams of each run of Han characters, in order, as tokens. Runs are kept a
/// position apart, so that no phrase spans a comma or a number.
fn bigrams(text: &str) -> Vec<Token> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let (mut position, mut apart) = (0, false);
    for pair in chars.windows(2) {
        let [(from, a), (second, b)] = [pair[0], pair[1]];
        if !(is_han(a) && is_han(b)) {
            apart = !out.is_empty();
            continue;
        }
        // A break between runs: the next run starts two positions on.
        position += usize::from(std::mem::take(&mut apart));
        out.push(Token { offset_from: from, offset_to: second + b.len_utf8(), position, text: format!("{a}{b}"), position_length: 1 });
        position += 1;
    }
    out
}

/// Whether `word` can be matched as written: two or more Han characters and nothing else.
pub fn is_literal(word: &str) -> bool {
    word.chars().count() >= 2 && word.chars().all(is_han)
}

/// The bigrams of `word` as terms of `field`.
pub fn terms(field: Field, word: &str) -> Vec<Term> {
    bigrams(word).into_iter().map(|t| Term::from_field_text(field, &t.text)).collect()
}

/// The query matching `word` as written, character for character: every one of its bigrams.
/// They are not required side by side: a document holding a word's overlapping pairs apart
/// and not together is rare, and checking the order would read the positions of every match
/// (a common phrase's cost). `None` unless [`is_literal`].
pub fn literal(field: Field, word: &str) -> Option<Box<dyn Query>> {
    if !is_literal(word) {
        return None;
    }
    let mut terms: Vec<Box<dyn Query>> =
        terms(field, word).into_iter().map(|t| Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)) as Box<dyn Query>).collect();
    Some(if terms.len() == 1 { terms.remove(0) } else { Box::new(BooleanQuery::intersection(terms)) })
}

#[derive(Clone, Default)]
pub struct GramTokenizer;

impl Tokenizer for GramTokenizer {
    type TokenStream<'a> = Tokens;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        Tokens::new(bigrams(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grams(text: &str) -> Vec<(String, usize)> {
        bigrams(text).into_iter().map(|t| (t.text, t.position)).collect()
    }

    #[test]
    fn runs_give_overlapping_bigrams_and_breaks_keep_them_apart() {
        assert_eq!(grams("上岭桥镇"), [("上岭".into(), 0), ("岭桥".into(), 1), ("桥镇".into(), 2)]);
        let apart = grams("月湖，小区");
        assert_eq!(apart[0], ("月湖".into(), 0));
        assert_eq!(apart[1], ("小区".into(), 2), "no phrase spans the comma");
        assert!(grams("A7县 3号线").iter().all(|(g, _)| g == "号线"), "{:?}", grams("A7县 3号线"));
        assert!(grams("湖").is_empty() && grams("").is_empty());
    }

    #[test]
    fn offsets_are_bytes_of_the_pair() {
        let text = "K2区上岭桥";
        for t in bigrams(text) {
            assert_eq!(&text[t.offset_from..t.offset_to], t.text);
        }
    }

    #[test]
    fn only_han_words_have_a_literal() {
        let mut b = tantivy::schema::Schema::builder();
        let f = b.add_text_field("grams", tantivy::schema::TEXT);
        assert!(literal(f, "上岭桥").is_some() && literal(f, "月湖").is_some());
        assert!(literal(f, "湖").is_none() && literal(f, "58车贷").is_none() && literal(f, "wifi").is_none());
    }
}
