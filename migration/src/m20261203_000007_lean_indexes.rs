//! Leaner opinion indexes for a city's imports. Each index an opinion enters is one more B-tree
//! page a batch rewrites, and an index keyed by the submission time takes a historical import's
//! rows at random pages: at a million opinions those rewrites are what an import spends its time
//! on. So the indexes whose column imported (and most new) opinions leave empty hold only the
//! opinions that have it, and two single-column indexes the composite ones already cover go.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000007_lean_indexes"
    }
}

/// (index, its definition): every query they serve asks for a given theme or unit, which implies
/// the column is set, so both engines' planners use them as before.
const PARTIAL: &[(&str, &str)] = &[
    // A theme's members, by month and newest first.
    ("ix_opinions_theme_id_submitted_at", "opinions (theme_id, submitted_at) WHERE theme_id IS NOT NULL"),
    // A unit's inbox, newest first, and its open cases by status.
    ("ix_opinions_routed_unit_id_submitted_at", "opinions (routed_unit_id, submitted_at) WHERE routed_unit_id IS NOT NULL"),
    ("ix_opinions_routed_unit_id_status", "opinions (routed_unit_id, status) WHERE routed_unit_id IS NOT NULL"),
];

/// Covered by `(status, submitted_at)` and `(routed_unit_id, …)`, which lead with the same column.
const COVERED: &[(&str, &str)] =
    &[("ix_opinions_status", "opinions (status)"), ("ix_opinions_routed_unit_id", "opinions (routed_unit_id)")];

async fn recreate(manager: &SchemaManager<'_>, name: &str, definition: &str) -> Result<(), DbErr> {
    // One call, so one connection: another of SQLite's pooled connections may still read the
    // schema from before the drop.
    manager.get_connection().execute_unprepared(&format!("DROP INDEX IF EXISTS {name}; CREATE INDEX {name} ON {definition}")).await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, definition) in PARTIAL {
            recreate(manager, name, definition).await?;
        }
        for (name, _) in COVERED {
            manager.get_connection().execute_unprepared(&format!("DROP INDEX IF EXISTS {name}")).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, definition) in PARTIAL.iter().chain(COVERED) {
            let whole = definition.split(" WHERE ").next().unwrap_or(definition);
            recreate(manager, name, whole).await?;
        }
        Ok(())
    }
}
