//! The chatbot: a conversation's state between turns (what is being filed, what was shown), and
//! per turn how sure the bot was, whether it handed off or could not answer, and the citizen's
//! "did this answer your question". Both expire after the retention period.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000018_chat"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("chat_sessions")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(string_len_uniq("key_digest", 64))
                    .col(text("state"))
                    .col(integer("turns").default(0))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .take(),
            )
            .await?;
        manager.create_index(Index::create().name("ix_chat_sessions_updated_at").table("chat_sessions").col("updated_at").take()).await?;
        for column in [
            double_null("confidence"),
            boolean("handoff").default(false).take(),
            boolean("abstained").default(false).take(),
            boolean_null("helpful"),
        ] {
            manager.alter_table(Table::alter().table("chat_messages").add_column(column).take()).await?;
        }
        manager.create_index(Index::create().name("ix_chat_messages_created_at").table("chat_messages").col("created_at").take()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DROP INDEX IF EXISTS ix_chat_messages_created_at").await?;
        for column in ["confidence", "handoff", "abstained", "helpful"] {
            manager.alter_table(Table::alter().table("chat_messages").drop_column(column).take()).await?;
        }
        manager.drop_table(Table::drop().table("chat_sessions").if_exists().take()).await
    }
}
