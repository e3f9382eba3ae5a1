//! Citizens' photos: stored as attachments of their opinion, private to staff until the office
//! shows them on the public page (a face or a plate is not scrubbed the way text is).

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000019_opinion_photos"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("opinions").add_column(boolean("photos_public").default(false)).take()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("opinions").drop_column("photos_public").take()).await
    }
}
