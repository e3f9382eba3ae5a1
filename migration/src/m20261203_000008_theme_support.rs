//! A theme keeps its net support (likes − dislikes over its members, not below 0), the one part
//! of its heat that its other columns do not give: its page then shows each part of the heat as
//! of today, and an opinion joining it between rebuilds updates the heat.

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
        manager.alter_table(Table::alter().table("themes").add_column(big_integer("support").default(0)).take()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("themes").drop_column("support").take()).await
    }
}
