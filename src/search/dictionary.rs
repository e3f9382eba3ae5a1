//! The office's dictionary: words new-word discovery proposes from the stored opinions, and the
//! office's decisions on them (accept, edit and accept, reject, or add a word of its own). An
//! accepted word joins the vocabulary of every server (`vocabulary::changed`).

use entity::dictionary_word::{self, Model as Word};
use entity::opinion;
use entity::vocab::{Role, WordStatus};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::discovery::{Candidate, Settings, discover};
use crate::service::{Actor, ServiceError};
use crate::store::count::{Capped, up_to_cap};
use crate::unit_of_work::{Context, UnitOfWork};

/// Discovery reads the newest opinions only: enough for the names a city is writing about now,
/// and bounded whatever the table's size.
pub const READ_AT_MOST: u64 = 20_000;
/// Proposals kept per run, best first.
const KEEP: usize = 500;

/// A word as the office may type it: 2–16 characters, Chinese with letters or digits (A7县),
/// at least one Chinese character, no spaces or punctuation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DictionaryWord(String);

impl TryFrom<&str> for DictionaryWord {
    type Error = &'static str;

    fn try_from(input: &str) -> Result<Self, Self::Error> {
        let word = super::tokenizer::normalise(input.trim());
        let n = word.chars().count();
        if !(2..=16).contains(&n) {
            return Err("词语须为 2–16 个字");
        }
        if !word.chars().all(|c| c.is_alphanumeric()) || !word.chars().any(|c| matches!(c, '\u{3400}'..='\u{9FFF}')) {
            return Err("词语只能由汉字、字母和数字组成，且至少含一个汉字");
        }
        Ok(Self(word))
    }
}

impl DictionaryWord {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub enum Decision {
    /// Accept, as proposed or as the office corrected it.
    Accept(Option<DictionaryWord>),
    Reject,
}

/// The review page: the best proposals, and the words in the dictionary.
pub struct Review {
    pub proposed: Vec<Word>,
    pub proposed_total: Capped,
    pub accepted: Vec<Word>,
    pub accepted_total: Capped,
}

pub async fn review(db: &impl ConnectionTrait) -> Result<Review, DbErr> {
    let of = |status| dictionary_word::Entity::find().filter(dictionary_word::Column::Status.eq(status));
    Ok(Review {
        proposed: of(WordStatus::Proposed).order_by_desc(dictionary_word::Column::Score).limit(100).all(db).await?,
        proposed_total: up_to_cap(db, of(WordStatus::Proposed)).await?,
        accepted: of(WordStatus::Accepted).order_by_desc(dictionary_word::Column::DecidedAt).limit(200).all(db).await?,
        accepted_total: up_to_cap(db, of(WordStatus::Accepted)).await?,
    })
}

/// Runs discovery over the newest opinions and stores what it proposes; words already decided
/// keep their decision. Returns how many proposals the run made.
pub async fn discover_and_propose(ctx: Context<'_>, actor: &Actor, jieba: std::sync::Arc<jieba_rs::Jieba>) -> Result<usize, ServiceError> {
    let db = ctx.db;
    let newest = crate::jobs::marks::newest_event(db).await?;
    let rows: Vec<(i32, String, String)> = opinion::Entity::find()
        .select_only()
        .columns([opinion::Column::Id, opinion::Column::Title, opinion::Column::Content])
        .order_by_desc(opinion::Column::Id)
        .limit(READ_AT_MOST)
        .into_tuple()
        .all(db)
        .await?;
    // Counting and the example search are CPU work for seconds: off the async workers.
    let found: Vec<(Candidate, Option<i32>)> = tokio::task::spawn_blocking(move || {
        let texts: Vec<String> = rows.iter().map(|(_, t, c)| format!("{t}。{c}")).collect();
        let found = discover(&jieba, texts.iter().map(String::as_str), &Settings::default());
        found
            .into_iter()
            .take(KEEP)
            .map(|c| {
                let example = rows.iter().zip(&texts).find(|(_, text)| text.contains(&c.word)).map(|((id, ..), _)| *id);
                (c, example)
            })
            .collect()
    })
    .await
    .map_err(|e| ServiceError::Db(DbErr::Custom(format!("word discovery stopped: {e}"))))?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let now = uow.now();
    let known: std::collections::HashMap<String, Word> = dictionary_word::Entity::find()
        .filter(dictionary_word::Column::Word.is_in(found.iter().map(|(c, _)| c.word.clone())))
        .all(uow.db())
        .await?
        .into_iter()
        .map(|w| (w.word.clone(), w))
        .collect();
    for (c, example) in &found {
        let example = *example;
        let frequency = i32::try_from(c.frequency).unwrap_or(i32::MAX);
        match known.get(&c.word) {
            Some(w) if w.status == WordStatus::Proposed => {
                let mut m: dictionary_word::ActiveModel = w.clone().into();
                m.frequency = Set(frequency);
                m.score = Set(c.score);
                m.example_opinion_id = Set(example);
                m.update(uow.db()).await?;
            }
            Some(_) => {}
            None => {
                dictionary_word::ActiveModel {
                    word: Set(c.word.clone()),
                    status: Set(WordStatus::Proposed),
                    frequency: Set(frequency),
                    score: Set(c.score),
                    example_opinion_id: Set(example),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(uow.db())
                .await?;
            }
        }
    }
    crate::jobs::marks::write(&uow, crate::jobs::schedule::WORDS.mark, newest).await?;
    uow.audit("words.discover", "dictionary_word", "all", None, Some(serde_json::json!({ "proposed": found.len() })));
    uow.commit().await?;
    Ok(found.len())
}

/// The office's decision on a proposal.
pub async fn decide(ctx: Context<'_>, actor: &Actor, id: i32, decision: Decision) -> Result<Word, ServiceError> {
    actor.require(&[Role::Office])?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let before = dictionary_word::Entity::find_by_id(id).one(uow.db()).await?.ok_or(ServiceError::NotFound)?;
    let (status, text) = match decision {
        Decision::Accept(edited) => (WordStatus::Accepted, edited.map_or(before.word.clone(), |w| w.0)),
        Decision::Reject => (WordStatus::Rejected, before.word.clone()),
    };
    if text != before.word && find(&uow, &text).await?.is_some() {
        return Err(ServiceError::Conflict(format!("“{text}”已在词表中")));
    }
    let after = settle(&mut uow, &before, status, text).await?;
    uow.commit().await?;
    Ok(after)
}

/// A word the office adds itself: accepted at once (a proposal or a rejected word of that text
/// is accepted instead of stored twice).
pub async fn add(ctx: Context<'_>, actor: &Actor, word: DictionaryWord) -> Result<Word, ServiceError> {
    actor.require(&[Role::Office])?;
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let added = match find(&uow, word.as_str()).await? {
        Some(existing) if existing.status == WordStatus::Accepted => {
            return Err(ServiceError::Conflict(format!("“{}”已在词表中", existing.word)));
        }
        Some(existing) => settle(&mut uow, &existing, WordStatus::Accepted, existing.word.clone()).await?,
        None => {
            let now = uow.now();
            let added = dictionary_word::ActiveModel {
                word: Set(word.0),
                status: Set(WordStatus::Accepted),
                frequency: Set(0),
                score: Set(0.0),
                example_opinion_id: Set(None),
                created_at: Set(now),
                decided_at: Set(Some(now)),
                decided_by: Set(Some(actor.label.clone())),
                ..Default::default()
            }
            .insert(uow.db())
            .await?;
            super::vocabulary::changed(&mut uow);
            uow.audit("words.add", "dictionary_word", added.id, None, Some(serde_json::json!(added.word)));
            added
        }
    };
    uow.commit().await?;
    Ok(added)
}

async fn find(uow: &UnitOfWork, word: &str) -> Result<Option<Word>, DbErr> {
    dictionary_word::Entity::find().filter(dictionary_word::Column::Word.eq(word)).one(uow.db()).await
}

/// Writes a decision, only while the word is as it was read (a lost race answers 409); the
/// vocabulary changes when a word enters or leaves it.
async fn settle(uow: &mut UnitOfWork, before: &Word, status: WordStatus, text: String) -> Result<Word, ServiceError> {
    let mut m: dictionary_word::ActiveModel = before.clone().into();
    m.word = Set(text);
    m.status = Set(status);
    m.decided_at = Set(Some(uow.now()));
    m.decided_by = Set(Some(uow.actor().label.clone()));
    let after = dictionary_word::Entity::update(m)
        .validate()?
        .filter(dictionary_word::Column::Status.eq(before.status))
        .exec(uow.db())
        .await
        .map_err(|e| match e {
            DbErr::RecordNotUpdated => ServiceError::Conflict("这个词刚刚已被他人处理，请刷新页面".into()),
            other => other.into(),
        })?;
    if before.status == WordStatus::Accepted || after.status == WordStatus::Accepted {
        super::vocabulary::changed(uow);
    }
    uow.audit(
        "words.decide",
        "dictionary_word",
        before.id,
        Some(serde_json::json!({ "word": before.word, "status": before.status.as_str() })),
        Some(serde_json::json!({ "word": after.word, "status": after.status.as_str() })),
    );
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_is_parsed_once() {
        assert_eq!(DictionaryWord::try_from(" 丽发新城 ").unwrap().as_str(), "丽发新城");
        assert_eq!(DictionaryWord::try_from("Ａ７县").unwrap().as_str(), "a7县");
        for bad in ["丽", "丽发 新城", "abc", "丽发新城！", "一二三四五六七八九十一二三四五六七"] {
            assert!(DictionaryWord::try_from(bad).is_err(), "{bad}");
        }
    }
}
