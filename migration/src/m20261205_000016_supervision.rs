//! 督办: stalled work on an office board. Opinions count the units they were routed to (bounced
//! between units); the office's notices, raised to 提级督办 when needed, are recorded per unit.
//! Indexes serve the board's lists: overdue by due date, reopened and bounced by their counts.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000016_supervision"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("opinions").add_column(integer("units_tried").default(0)).take()).await?;
        for (name, columns) in [
            ("ix_opinions_status_due_date", &["status", "due_date"][..]),
            ("ix_opinions_reopened_count", &["reopened_count"][..]),
            ("ix_opinions_units_tried", &["units_tried"][..]),
        ] {
            let mut index = Index::create().name(name).table("opinions").take();
            for c in columns {
                index.col(*c);
            }
            manager.create_index(index).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("supervisions")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(string_len("subject", 16))
                    .col(integer("subject_id"))
                    .col(integer_null("unit_id"))
                    .col(string_len("reason", 16))
                    .col(text("note"))
                    .col(string_len("level", 16))
                    .col(integer_null("issued_by"))
                    .col(timestamp_with_time_zone("issued_at"))
                    .col(timestamp_with_time_zone_null("escalated_at"))
                    .take(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_supervisions_subject").table("supervisions").col("subject").col("subject_id").take())
            .await?;
        manager
            .create_index(Index::create().name("ix_supervisions_unit_id").table("supervisions").col("unit_id").col("issued_at").take())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("supervisions").if_exists().take()).await?;
        for name in ["ix_opinions_status_due_date", "ix_opinions_reopened_count", "ix_opinions_units_tried"] {
            manager.get_connection().execute_unprepared(&format!("DROP INDEX IF EXISTS {name}")).await?;
        }
        manager.alter_table(Table::alter().table("opinions").drop_column("units_tried").take()).await
    }
}
