//! The office hands a theme to the publicity department for a follow-up report, with a note;
//! the desk lists the handovers no report answers yet. A theme's reports are found through
//! `report_links(theme_id)`.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000011_report_handovers"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("report_handovers")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("theme_id"))
                    .col(string_len("note", 512))
                    .col(string_len("handed_by", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(integer_null("report_id"))
                    .foreign_key(ForeignKey::create().from("report_handovers", "theme_id").to("themes", "id"))
                    .foreign_key(ForeignKey::create().from("report_handovers", "report_id").to("reports", "id"))
                    .take(),
            )
            .await?;
        manager.create_index(Index::create().name("ix_report_handovers_theme_id").table("report_handovers").col("theme_id").take()).await?;
        manager.create_index(Index::create().name("ix_report_links_theme_id").table("report_links").col("theme_id").take()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DROP INDEX IF EXISTS ix_report_links_theme_id").await?;
        manager.drop_table(Table::drop().table("report_handovers").if_exists().take()).await
    }
}
