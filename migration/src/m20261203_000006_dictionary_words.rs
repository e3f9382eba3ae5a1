//! The words the office adds to the dictionary: proposals from new-word discovery, reviewed on
//! the office's word page; the accepted ones join jieba's vocabulary everywhere.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000006_dictionary_words"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("dictionary_words")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(string_len_uniq("word", 32))
                    .col(string_len("status", 24))
                    .col(integer("frequency"))
                    .col(double("score"))
                    .col(integer_null("example_opinion_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(string_len_null("decided_by", 64))
                    .take(),
            )
            .await?;
        // The review page: proposals best first; the vocabulary: the accepted words.
        manager
            .create_index(
                Index::create()
                    .name("ix_dictionary_words_status_score")
                    .table("dictionary_words")
                    .col("status")
                    .col("score")
                    .if_not_exists()
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("dictionary_words").to_owned()).await
    }
}
