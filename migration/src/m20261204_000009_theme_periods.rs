//! Themes mined per period: a period's theme keeps how many of its messages came in the period
//! before (the comparison the office reads), its period's name fits a custom range
//! (`2026-07-01~2026-08-15`), and the office's ranking of one period reads an index
//! (`themes(period, heat)`), not every period's themes.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000009_theme_periods"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("themes").add_column(integer("previous_size").default(0)).take()).await?;
        // SQLite keeps any length in a VARCHAR and cannot alter a column's type.
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            manager.alter_table(Table::alter().table("themes").modify_column(string_len("period", 32)).take()).await?;
        }
        manager.create_index(Index::create().name("ix_themes_period_heat").table("themes").col("period").col("heat").take()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_themes_period_heat").table("themes").to_owned()).await?;
        manager.alter_table(Table::alter().table("themes").drop_column("previous_size").take()).await
    }
}
