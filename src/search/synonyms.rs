//! Citizens' everyday words and how messages write them (`synonyms.txt`). The everyday words
//! are words of the vocabulary too, so a query cuts them whole (吵死人, not 吵死/人).

use std::collections::HashMap;
use std::sync::LazyLock;

pub const TEXT: &str = include_str!("synonyms.txt");

static TABLE: LazyLock<HashMap<&'static str, Vec<&'static str>>> = LazyLock::new(|| {
    TEXT.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            Some((words.next()?, words.collect()))
        })
        .collect()
});

/// How messages write `word`, besides `word` itself.
pub fn of(word: &str) -> &'static [&'static str] {
    TABLE.get(word).map(Vec::as_slice).unwrap_or_default()
}

/// The everyday words the table knows.
pub fn phrasings() -> impl Iterator<Item = &'static str> {
    TABLE.keys().copied()
}
