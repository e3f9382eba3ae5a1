//! One vocabulary for the whole portal: jieba's dictionary, the shipped domain words, and the
//! names of this database's units and regions. The server, every command (reindex, themes,
//! classify, cluster, the demo seed) and the tests build their jieba here, so an index built by
//! one is queried alike by another.

use jieba_rs::Jieba;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

/// Words jieba must keep whole: the names of units and regions in this database.
pub async fn words(db: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    let units = entity::unit::Entity::find().all(db).await?;
    let mut words: Vec<String> = units.iter().map(|u| u.name.clone()).collect();
    words.extend(units.into_iter().filter_map(|u| u.region));
    Ok(words)
}

/// The jieba of this database's vocabulary; built off the async workers (it takes a while).
pub async fn jieba(db: &impl ConnectionTrait) -> Result<Jieba, DbErr> {
    let words = words(db).await?;
    tokio::task::spawn_blocking(move || super::tokenizer::build_jieba(&words))
        .await
        .map_err(|e| DbErr::Custom(format!("building the dictionary: {e}")))
}
