//! Privacy by construction: tracking codes and ratings keyed by digest, a region list with a free
//! note beside it, 举报 private by default, a MAC on every audit entry, sessions on the server and
//! login throttling by username digest. Rows written before are rewritten by the server at start
//! (it holds the secret the digests need).

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000003_privacy"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        for table in ["opinions", "ratings"] {
            db.execute_unprepared(&format!("ALTER TABLE {table} RENAME COLUMN tracking_code TO code_digest")).await?;
            if postgres {
                db.execute_unprepared(&format!("ALTER TABLE {table} ALTER COLUMN code_digest TYPE varchar(64)")).await?;
            }
        }
        manager.alter_table(Table::alter().table("opinions").add_column(string_len_null("location_note", 200)).take()).await?;
        manager.alter_table(Table::alter().table("opinions").add_column(boolean("public").default(true)).take()).await?;
        db.execute_unprepared("UPDATE opinions SET public = false WHERE kind = 'report'").await?;
        manager.alter_table(Table::alter().table("audit_log").add_column(string_len_null("mac", 64)).take()).await?;
        for column in ["failed_logins", "locked_until"] {
            manager.alter_table(Table::alter().table("users").drop_column(column).take()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("sessions")
                    .if_not_exists()
                    .col(pk_auto("id"))
                    .col(string_len_uniq("token_digest", 64))
                    .col(integer("user_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("last_seen_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("ended_at"))
                    .col(string_len_null("ended_reason", 24))
                    .col(string_len("client", 64))
                    .col(string_len("agent", 200))
                    .foreign_key(ForeignKey::create().name("fk_sessions_user_id").from("sessions", "user_id").to("users", "id"))
                    .take(),
            )
            .await?;
        manager.create_index(Index::create().name("ix_sessions_user_id").table("sessions").col("user_id").take()).await?;
        manager
            .create_table(
                Table::create()
                    .table("login_throttle")
                    .if_not_exists()
                    .col(string_len("key", 64).primary_key())
                    .col(integer("failures"))
                    .col(timestamp_with_time_zone("last_failure_at"))
                    .take(),
            )
            .await?;
        // Submission keys from before kept the code in the clear; they last a day anyway.
        db.execute_unprepared("DELETE FROM idempotency_keys").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("login_throttle").if_exists().take()).await?;
        manager.drop_table(Table::drop().table("sessions").if_exists().take()).await?;
        Ok(())
    }
}
