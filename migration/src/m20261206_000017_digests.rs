//! The citizen's choice of one message per day instead of one per event, a delivery's place in
//! such a digest, and the contact lookups that let a citizen who lost a code get it re-issued.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000017_digests"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("opinion_contacts").add_column(boolean("daily_digest").default(false)).take()).await?;
        manager.alter_table(Table::alter().table("deliveries").add_column(boolean("digest").default(false)).take()).await?;
        // "Send me my codes": the citizen's phone or email finds their opinions.
        for (name, column) in [("ix_opinion_contacts_email", "email"), ("ix_opinion_contacts_phone", "phone")] {
            manager.create_index(Index::create().name(name).table("opinion_contacts").col(column).take()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["ix_opinion_contacts_email", "ix_opinion_contacts_phone"] {
            manager.get_connection().execute_unprepared(&format!("DROP INDEX IF EXISTS {name}")).await?;
        }
        manager.alter_table(Table::alter().table("deliveries").drop_column("digest").take()).await?;
        manager.alter_table(Table::alter().table("opinion_contacts").drop_column("daily_digest").take()).await
    }
}
