//! Citizens told of what moved: a message shown on the tracking page is marked seen (the next
//! visit shows what is new since), and each case has a private feed whose address only its
//! tracking code can give (the database keeps a digest of that address, unique).

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000012_citizen_updates"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("notifications").add_column(timestamp_with_time_zone_null("seen_at")).take()).await?;
        manager.alter_table(Table::alter().table("opinions").add_column(string_len_null("feed_digest", 64)).take()).await?;
        manager.create_index(Index::create().name("ux_opinions_feed_digest").table("opinions").col("feed_digest").unique().take()).await?;
        // The notify job starts from now: events from before it existed are history, not news.
        crate::marks::start_at_newest(manager, "notify", "events").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DROP INDEX IF EXISTS ux_opinions_feed_digest").await?;
        manager.alter_table(Table::alter().table("opinions").drop_column("feed_digest").take()).await?;
        manager.alter_table(Table::alter().table("notifications").drop_column("seen_at").take()).await
    }
}
