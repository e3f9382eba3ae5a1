//! Read models for a city's scale: live scores per period and subject, costly home-page figures,
//! the marks of jobs that follow the events table, and the indexes the pages' queries need (each
//! named for its query).

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000004_read_models"
    }
}

/// (table, columns): the index each page or job query uses.
const INDEXES: &[(&str, &[&str])] = &[
    // A theme's members, counted by month and read newest first (theme pages, lifecycle).
    ("opinions", &["theme_id", "submitted_at"]),
    // The office inbox filtered by status, newest first; the unit inbox likewise.
    ("opinions", &["status", "submitted_at"]),
    ("opinions", &["routed_unit_id", "status"]),
    // Ratings behind an opinion (tracking page, score pass) and a rectification (problem page).
    ("ratings", &["opinion_id"]),
    ("ratings", &["rectification_id"]),
    ("ratings", &["unit_id", "created_at"]),
    // Follow-ups by opinion (case page), contacts by opinion are the primary key already.
    ("followup_tasks", &["opinion_id"]),
    // Notifications newest first on the tracking page.
    ("notifications", &["opinion_id", "id"]),
    // Problems by region/category/code for the lists; responsibilities by unit for ledgers.
    ("problems", &["region"]),
    ("problems", &["category"]),
    ("problems", &["updated_at"]),
    ("responsibility_units", &["unit_id"]),
    ("rectifications", &["status", "next_update_due"]),
    ("progress_updates", &["created_at"]),
    // Themes ranked by heat.
    ("themes", &["heat"]),
    // The home page's rating figures (counted by the scores job, not per request).
    ("ratings", &["origin", "level"]),
    // Events by topic for followers other than the index.
    ("events", &["created_at"]),
    ("sessions", &["token_digest", "ended_at"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("score_live")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(string_len("period", 16))
                    .col(string_len("level", 16))
                    .col(string_len("subject", 64))
                    .col(integer("settings_version"))
                    .col(text("payload_json"))
                    .col(timestamp_with_time_zone("computed_at"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_score_live_period_level_subject")
                    .table("score_live")
                    .col("period")
                    .col("level")
                    .col("subject")
                    .unique()
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("job_marks")
                    .if_not_exists()
                    .col(string_len("name", 32).primary_key())
                    .col(big_integer("last_event_id"))
                    .col(timestamp_with_time_zone("at"))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("summaries")
                    .if_not_exists()
                    .col(string_len("name", 32).primary_key())
                    .col(text("payload_json"))
                    .col(timestamp_with_time_zone("computed_at"))
                    .take(),
            )
            .await?;
        for (table, columns) in INDEXES {
            let mut index = Index::create().name(format!("ix_{table}_{}", columns.join("_"))).table(*table).if_not_exists().take();
            for column in *columns {
                index.col(*column);
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("summaries").if_exists().take()).await?;
        manager.drop_table(Table::drop().table("job_marks").if_exists().take()).await?;
        manager.drop_table(Table::drop().table("score_live").if_exists().take()).await?;
        Ok(())
    }
}
