//! 回访: the citizens linked to a closed opinion or to a rectification reported done are asked
//! whether it is fixed. One row per question, answered at most once; a round ends when the item
//! is reopened or its quiet period passes. A citizen's 未解决 reopens the item, so opinions count
//! their reopenings, as rectifications already do.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000014_revisits"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("revisits")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("opinion_id"))
                    .col(integer_null("rectification_id"))
                    .col(timestamp_with_time_zone("asked_at"))
                    .col(string_len_null("answer", 16))
                    .col(integer_null("level"))
                    .col(text_null("comment"))
                    .col(timestamp_with_time_zone_null("answered_at"))
                    .col(timestamp_with_time_zone_null("closed_at"))
                    .foreign_key(ForeignKey::create().from("revisits", "opinion_id").to("opinions", "id"))
                    .foreign_key(ForeignKey::create().from("revisits", "rectification_id").to("rectifications", "id"))
                    .take(),
            )
            .await?;
        manager.create_index(Index::create().name("ix_revisits_opinion_id").table("revisits").col("opinion_id").take()).await?;
        manager
            .create_index(
                Index::create().name("ix_revisits_rectification_id").table("revisits").col("rectification_id").col("answer").take(),
            )
            .await?;
        manager.create_index(Index::create().name("ix_revisits_asked_at").table("revisits").col("asked_at").take()).await?;
        // The office's list of the newest 未解决.
        manager
            .create_index(Index::create().name("ix_revisits_answer_answered_at").table("revisits").col("answer").col("answered_at").take())
            .await?;
        manager.alter_table(Table::alter().table("opinions").add_column(integer("reopened_count").default(0)).take()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("opinions").drop_column("reopened_count").take()).await?;
        manager.drop_table(Table::drop().table("revisits").if_exists().take()).await
    }
}
