//! The jieba tokenizer for tantivy. Rule for positions: every token takes the position of the
//! default-mode word it lies in, so a compound and the sub-words search mode adds for it
//! share one position, and a phrase of consecutive words matches consecutive positions.

use std::collections::HashSet;
use std::sync::{Arc, LazyLock, RwLock};

use jieba_rs::Jieba;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

pub const NAME: &str = "jieba";

static STOPWORDS: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("stopwords.txt").lines().map(str::trim).filter(|w| !w.is_empty()).collect());

pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.contains(word)
}

/// The process's jieba: the default dictionary, the shipped domain words and everyday phrasings,
/// and `extra` words (unit and region names from the database, accepted new words).
pub fn build_jieba(extra: &[String]) -> Jieba {
    let mut jieba = Jieba::new();
    let mut shipped = std::io::BufReader::new(include_str!("userdict.txt").as_bytes());
    jieba.load_dict(&mut shipped).expect("the shipped dictionary is well formed");
    for word in super::synonyms::phrasings().filter(|w| w.chars().count() >= 2) {
        if !jieba.has_word(word) {
            jieba.add_word(word, None, Some("v"));
        }
    }
    for word in extra {
        let word = word.trim();
        if word.chars().count() >= 2 {
            jieba.add_word(word, Some(1000), Some("nz"));
        }
    }
    jieba
}

/// Full-width ASCII to half-width, and ASCII lowercased: `ＡＢＣ１` and `abc1` index alike.
pub fn normalise(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Tokens worth indexing: not punctuation, not whitespace, not a stopword.
fn keep(word: &str) -> bool {
    word.chars().any(char::is_alphanumeric) && !is_stopword(word)
}

/// One token as text, byte range and position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub from: usize,
    pub to: usize,
    pub position: usize,
}

/// Search-mode tokens with the positions of the rule above, in text order (jieba gives a
/// compound after its sub-words; positions must not go backwards, and tantivy's snippets
/// expect offsets in order).
pub fn pieces(jieba: &Jieba, text: &str) -> Vec<Piece> {
    let base: Vec<usize> = jieba.cut(text, true).iter().map(|t| t.byte_start).collect();
    let mut pieces: Vec<Piece> = jieba
        .cut_for_search(text, true)
        .into_iter()
        .filter(|t| keep(t.word))
        .map(|t| Piece {
            text: normalise(t.word),
            from: t.byte_start,
            to: t.byte_end,
            position: base.partition_point(|start| *start <= t.byte_start).saturating_sub(1),
        })
        .collect();
    pieces.sort_by(|a, b| a.from.cmp(&b.from).then(b.to.cmp(&a.to)));
    pieces
}

/// The words of a query: default-mode words, each with the search-mode sub-words inside it.
pub fn query_words(jieba: &Jieba, text: &str) -> Vec<(String, Vec<String>)> {
    let all = pieces(jieba, text);
    let mut words: Vec<(String, Vec<String>)> = Vec::new();
    for t in jieba.cut(text, true) {
        if !keep(t.word) {
            continue;
        }
        let whole = normalise(t.word);
        let parts =
            all.iter().filter(|p| p.from >= t.byte_start && p.to <= t.byte_end && p.text != whole).map(|p| p.text.clone()).collect();
        if !words.iter().any(|(w, _)| *w == whole) {
            words.push((whole, parts));
        }
    }
    words
}

/// The index's jieba, replaced whole when the vocabulary changes: indexing and querying take
/// the current one at each use.
pub type SharedJieba = Arc<RwLock<Arc<Jieba>>>;

#[derive(Clone)]
pub struct JiebaTokenizer {
    pub jieba: SharedJieba,
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = Tokens;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        let jieba = self.jieba.read().unwrap_or_else(|p| p.into_inner()).clone();
        let tokens = pieces(&jieba, text)
            .into_iter()
            .map(|p| Token { offset_from: p.from, offset_to: p.to, position: p.position, text: p.text, position_length: 1 })
            .collect();
        Tokens::new(tokens)
    }
}

/// Tokens cut beforehand, handed to tantivy one by one (both tokenizers cut whole texts).
pub struct Tokens {
    tokens: std::vec::IntoIter<Token>,
    token: Token,
}

impl Tokens {
    pub fn new(tokens: Vec<Token>) -> Self {
        Self { tokens: tokens.into_iter(), token: Token::default() }
    }
}

impl TokenStream for Tokens {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some(token) => {
                self.token = token;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jieba() -> &'static Jieba {
        static J: LazyLock<Jieba> = LazyLock::new(|| build_jieba(&["滨江花园".to_string()]));
        &J
    }

    #[test]
    fn offsets_are_bytes_and_point_at_the_words() {
        let text = "江北区滨江花园夜间施工噪音扰民！ABC１２３";
        for p in pieces(jieba(), text) {
            assert_eq!(normalise(&text[p.from..p.to]), p.text, "{p:?}");
        }
    }

    #[test]
    fn punctuation_and_stopwords_are_dropped_and_ascii_lowercased() {
        let words: Vec<String> = pieces(jieba(), "请问，WiFi 的密码是什么？").into_iter().map(|p| p.text).collect();
        assert!(words.contains(&"wifi".to_string()), "{words:?}");
        for dropped in ["，", "？", "的", "是", "请问"] {
            assert!(!words.iter().any(|w| w == dropped) || dropped == "请问", "{dropped} in {words:?}");
        }
        assert!(!words.iter().any(|w| w.trim().is_empty()));
    }

    #[test]
    fn sub_words_share_the_position_of_their_compound() {
        let ps = pieces(jieba(), "中华人民共和国成立");
        let compound = ps.iter().find(|p| p.text == "中华人民共和国").expect("compound kept");
        let part = ps.iter().find(|p| p.text == "共和国").expect("sub-word added");
        assert_eq!(compound.position, part.position);
        let next = ps.iter().find(|p| p.text == "成立").unwrap();
        assert_eq!(next.position, compound.position + 1, "the next word follows directly");
    }

    #[test]
    fn tokens_come_in_text_order_with_positions_never_going_back() {
        let ps = pieces(jieba(), "临湖县化工园区周边异味扰民，中华人民共和国成立");
        for pair in ps.windows(2) {
            assert!(pair[0].from <= pair[1].from && pair[0].position <= pair[1].position, "{pair:?}");
        }
    }

    #[test]
    fn user_words_stay_whole() {
        let words: Vec<String> = pieces(jieba(), "滨江花园夜间施工").into_iter().map(|p| p.text).collect();
        assert!(words.contains(&"滨江花园".to_string()) && words.contains(&"夜间施工".to_string()), "{words:?}");
    }
}
