//! Indexes for pages at a city's scale: each staff inbox filter, newest first, reads its page
//! and its capped count from an index instead of scanning a million opinions; likewise the
//! follow-up desk and a public opinion's count of merged duplicates.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000005_page_indexes"
    }
}

/// (table, columns): the query each serves (the inbox filters: `store::opinions::inbox`).
const INDEXES: &[(&str, &[&str])] = &[
    // The unit's inbox: its opinions, newest first.
    ("opinions", &["routed_unit_id", "submitted_at"]),
    // The office inbox filtered by region, category or kind, newest first.
    ("opinions", &["region", "submitted_at"]),
    ("opinions", &["category", "submitted_at"]),
    ("opinions", &["kind", "submitted_at"]),
    // Open follow-ups, the oldest due first (`opinions::ratings::open_followups`).
    ("followup_tasks", &["status", "due_date"]),
    // A public opinion's "另有 N 条相同反映" (`opinions::public_view`).
    ("opinions", &["merged_into_id"]),
];

fn name(table: &str, columns: &[&str]) -> String {
    format!("ix_{table}_{}", columns.join("_"))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, columns) in INDEXES {
            let mut index = Index::create().name(name(table, columns)).table(*table).if_not_exists().take();
            for column in *columns {
                index.col(*column);
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, columns) in INDEXES {
            manager.drop_index(Index::drop().name(name(table, columns)).table(*table).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
