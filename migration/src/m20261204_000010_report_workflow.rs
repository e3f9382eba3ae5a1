//! Follow-up reports get their workflow: a scheduled publication time, a withdrawal's reason and
//! time (the page stays, with a notice), and every revision kept, numbered per report, so a
//! reviewer can see what changed. The public list reads `reports(status, published_at)`.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000010_report_workflow"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in
            [timestamp_with_time_zone_null("publish_at"), text_null("withdrawn_reason"), timestamp_with_time_zone_null("withdrawn_at")]
        {
            manager.alter_table(Table::alter().table("reports").add_column(column).take()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("report_revisions")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(integer("report_id"))
                    .col(integer("number"))
                    .col(string("title"))
                    .col(string_len("summary", 512))
                    .col(text("body_md"))
                    .col(string_len("editor", 64))
                    .col(string_len_null("note", 512))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(ForeignKey::create().from("report_revisions", "report_id").to("reports", "id"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_report_revisions_report_number")
                    .table("report_revisions")
                    .col("report_id")
                    .col("number")
                    .unique()
                    .take(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_reports_status_published_at").table("reports").col("status").col("published_at").take())
            .await?;
        // A problem's page lists the reports about it.
        manager.create_index(Index::create().name("ix_report_links_problem_id").table("report_links").col("problem_id").take()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["ix_report_links_problem_id", "ix_reports_status_published_at"] {
            manager.get_connection().execute_unprepared(&format!("DROP INDEX IF EXISTS {name}")).await?;
        }
        manager.drop_table(Table::drop().table("report_revisions").if_exists().take()).await?;
        for column in ["withdrawn_at", "withdrawn_reason", "publish_at"] {
            manager.alter_table(Table::alter().table("reports").drop_column(column).take()).await?;
        }
        Ok(())
    }
}
