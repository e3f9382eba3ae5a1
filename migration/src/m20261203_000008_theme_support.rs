//! A theme keeps its net support (likes − dislikes over its members, not below 0), the one part
//! of its heat that its other columns do not give: its page then shows each part of the heat as
//! of today, and an opinion joining it between rebuilds updates the heat. An index of each
//! theme's citizens answers whether the joining opinion's citizen is already counted (one
//! lookup, not a pass over a big theme's members).

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000008_theme_support"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("themes").add_column(big_integer("support").default(0)).take()).await?;
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_opinions_theme_id_citizen_key ON opinions (theme_id, citizen_key) \
                 WHERE theme_id IS NOT NULL AND citizen_key IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DROP INDEX IF EXISTS ix_opinions_theme_id_citizen_key").await?;
        manager.alter_table(Table::alter().table("themes").drop_column("support").take()).await
    }
}
