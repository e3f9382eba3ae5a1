//! Reply quality: each answer a unit sends keeps the checker's findings and, when it went out
//! despite them, the unit's reason; per unit and month, counters the office's rate reads without
//! going through every reply.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000015_reply_checks"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("reply_checks")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("opinion_id"))
                    .col(integer_null("unit_id"))
                    .col(integer("score"))
                    .col(text("findings"))
                    .col(text_null("reason"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(ForeignKey::create().from("reply_checks", "opinion_id").to("opinions", "id"))
                    .take(),
            )
            .await?;
        manager.create_index(Index::create().name("ix_reply_checks_opinion_id").table("reply_checks").col("opinion_id").take()).await?;
        manager
            .create_table(
                Table::create()
                    .table("reply_quality")
                    .if_not_exists()
                    .col(integer("unit_id"))
                    .col(string_len("month", 7))
                    .col(integer("replies").default(0))
                    .col(integer("flagged").default(0))
                    .col(integer("sent_anyway").default(0))
                    .col(big_integer("score_sum").default(0))
                    .primary_key(Index::create().col("unit_id").col("month"))
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("reply_quality").if_exists().take()).await?;
        manager.drop_table(Table::drop().table("reply_checks").if_exists().take()).await
    }
}
