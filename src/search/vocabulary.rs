//! One vocabulary for the whole portal: jieba's dictionary, the shipped domain words, the names
//! of this database's units and regions, and the words the office accepted from new-word
//! discovery. The server, every command (reindex, themes, classify, cluster, the demo seed) and
//! the tests build their jieba here, so an index built by one is queried alike by another. The
//! version names the vocabulary: an index built with another one is rebuilt.

use entity::dictionary_word;
use entity::vocab::WordStatus;
use jieba_rs::Jieba;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use sha2::{Digest, Sha256};

use crate::unit_of_work::{Event, UnitOfWork};

/// The topic of the event a change to the vocabulary writes (a word accepted, a unit named):
/// each server's index follower then rebuilds its index with the new vocabulary.
pub const CHANGED: &str = "vocabulary.changed";

/// Notes in the unit of work that the vocabulary changed.
pub fn changed(uow: &mut UnitOfWork) {
    uow.emit(Event { topic: CHANGED, entity_type: "vocabulary", entity_id: 0, citizens: Vec::new(), data: None });
}

/// The words beyond jieba's and the shipped ones, sorted, and the version they make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vocabulary {
    pub words: Vec<String>,
    pub version: String,
}

impl Vocabulary {
    pub fn of(mut words: Vec<String>) -> Self {
        words.sort();
        words.dedup();
        let mut hasher = Sha256::new();
        // jieba's own dictionary comes with the crate version; the shipped words with the binary.
        hasher.update(b"jieba-rs 0.11\n");
        hasher.update(include_str!("userdict.txt").as_bytes());
        hasher.update(super::synonyms::TEXT.as_bytes());
        for word in &words {
            hasher.update(b"\n");
            hasher.update(word.as_bytes());
        }
        let version = hex::encode(&hasher.finalize()[..8]);
        Self { words, version }
    }

    /// The jieba of this vocabulary; built off the async workers (it takes a while).
    pub async fn jieba(&self) -> Result<Jieba, DbErr> {
        let words = self.words.clone();
        tokio::task::spawn_blocking(move || super::tokenizer::build_jieba(&words))
            .await
            .map_err(|e| DbErr::Custom(format!("building the dictionary: {e}")))
    }
}

/// This database's vocabulary: unit and region names and the accepted words (small tables: a
/// city's units and the words its office accepted).
pub async fn current(db: &impl ConnectionTrait) -> Result<Vocabulary, DbErr> {
    let units: Vec<(String, Option<String>)> = entity::unit::Entity::find()
        .select_only()
        .columns([entity::unit::Column::Name, entity::unit::Column::Region])
        .into_tuple()
        .all(db)
        .await?;
    let mut words: Vec<String> = Vec::with_capacity(units.len() * 2);
    for (name, region) in units {
        words.push(name);
        words.extend(region);
    }
    let accepted: Vec<String> = dictionary_word::Entity::find()
        .select_only()
        .column(dictionary_word::Column::Word)
        .filter(dictionary_word::Column::Status.eq(WordStatus::Accepted))
        .into_tuple()
        .all(db)
        .await?;
    words.extend(accepted);
    Ok(Vocabulary::of(words))
}

/// The jieba of this database's vocabulary.
pub async fn jieba(db: &impl ConnectionTrait) -> Result<Jieba, DbErr> {
    current(db).await?.jieba().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_names_the_words_not_their_order() {
        let a = Vocabulary::of(vec!["丽发新城".into(), "五矿万境".into()]);
        let b = Vocabulary::of(vec!["五矿万境".into(), "丽发新城".into(), "五矿万境".into()]);
        assert_eq!(a.version, b.version);
        assert_ne!(a.version, Vocabulary::of(vec!["丽发新城".into()]).version);
    }
}
