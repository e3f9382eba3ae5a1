//! One write path: the events outbox replaces the change log, one-time submission keys, and
//! the "only once" rules of ratings held by the schema.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000002_write_path"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("events")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string_len("topic", 48))
                    .col(string_len("entity_type", 32))
                    .col(integer("entity_id"))
                    .col(text("citizens"))
                    .col(text_null("data_json"))
                    .col(timestamp_with_time_zone("created_at"))
                    .take(),
            )
            .await?;
        manager.create_index(Index::create().name("ix_events_topic_id").table("events").col("topic").col("id").take()).await?;
        manager.drop_table(Table::drop().table("change_log").if_exists().take()).await?;
        manager
            .create_table(
                Table::create()
                    .table("idempotency_keys")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(string_len("scope", 32))
                    .col(string_len("key", 96))
                    .col(string_len("request_hash", 64))
                    .col(text("outcome_json"))
                    .col(timestamp_with_time_zone("created_at"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_idempotency_keys_scope_key").table("idempotency_keys").col("scope").col("key").unique().take(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_idempotency_keys_created_at").table("idempotency_keys").col("created_at").take())
            .await?;
        // Ratings given twice before the schema forbade it: the first one stands.
        let db = manager.get_connection();
        let duplicates = "SELECT id FROM ratings r WHERE EXISTS (SELECT 1 FROM ratings o WHERE o.tracking_code = r.tracking_code \
                          AND o.target = r.target AND o.is_followup = r.is_followup AND o.id < r.id)";
        db.execute_unprepared(&format!("DELETE FROM followup_tasks WHERE rating_id IN ({duplicates})")).await?;
        db.execute_unprepared(&format!("DELETE FROM ratings WHERE id IN ({duplicates})")).await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_ratings_once")
                    .table("ratings")
                    .col("tracking_code")
                    .col("target")
                    .col("is_followup")
                    .unique()
                    .take(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_followup_tasks_rating_id").table("followup_tasks").col("rating_id").unique().take())
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_followup_tasks_rating_id").table("followup_tasks").to_owned()).await?;
        manager.drop_index(Index::drop().name("ix_ratings_once").table("ratings").to_owned()).await?;
        manager.drop_table(Table::drop().table("idempotency_keys").if_exists().take()).await?;
        manager.drop_table(Table::drop().table("events").if_exists().take()).await?;
        Ok(())
    }
}
