//! The outbox of messages to citizens by email and SMS: one row per message and channel, written
//! when the message is, sent by a job that retries with back-off and keeps what it could not
//! send, so an outage loses nothing. The job reads `deliveries(state, next_attempt_at)`.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000013_deliveries"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("deliveries")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("notification_id"))
                    .col(integer("opinion_id"))
                    .col(string_len("channel", 8))
                    .col(string_len("state", 16))
                    .col(integer("attempts").default(0))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(text_null("last_error"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(ForeignKey::create().from("deliveries", "notification_id").to("notifications", "id"))
                    .foreign_key(ForeignKey::create().from("deliveries", "opinion_id").to("opinions", "id"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_deliveries_notification_channel")
                    .table("deliveries")
                    .col("notification_id")
                    .col("channel")
                    .unique()
                    .take(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_deliveries_state_next").table("deliveries").col("state").col("next_attempt_at").take())
            .await?;
        manager.create_index(Index::create().name("ix_deliveries_opinion_id").table("deliveries").col("opinion_id").take()).await?;
        // Only messages written from now on are sent: old ones are on the tracking page already.
        crate::marks::start_at_newest(manager, "deliver", "notifications").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("deliveries").if_exists().take()).await
    }
}
