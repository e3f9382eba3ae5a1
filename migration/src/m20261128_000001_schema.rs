//! The whole data model, in dependency order.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000001_schema"
    }
}

/// Status columns hold stable English strings (see `entity::vocab`).
fn status(name: &'static str) -> ColumnDef {
    string_len(name, 24)
}

fn status_null(name: &'static str) -> ColumnDef {
    string_len_null(name, 24)
}

fn instant(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone(name)
}

fn instant_null(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone_null(name)
}

fn table(name: &'static str) -> TableCreateStatement {
    Table::create().table(name).if_not_exists().take()
}

fn fk(table: &'static str, column: &'static str, target: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(format!("fk_{table}_{column}")).from(table, column).to(target, "id").take()
}

fn index(table: &'static str, columns: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut stmt = Index::create().name(format!("ix_{table}_{}", columns.join("_"))).table(table).if_not_exists().take();
    for column in columns {
        stmt.col(*column);
    }
    if unique {
        stmt.unique();
    }
    stmt
}

fn tables() -> Vec<TableCreateStatement> {
    vec![
        table("units")
            .col(pk_auto("id"))
            .col(string_len_uniq("code", 32))
            .col(string("name"))
            .col(status("kind"))
            .col(integer_null("parent_id"))
            .col(string_null("region"))
            .col(boolean("active").default(true))
            .col(instant("created_at"))
            .foreign_key(&mut fk("units", "parent_id", "units"))
            .take(),
        table("users")
            .col(pk_auto("id"))
            .col(string_len_uniq("username", 64))
            .col(string("display_name"))
            .col(string("password_hash"))
            .col(status("role"))
            .col(integer_null("unit_id"))
            .col(boolean("active").default(true))
            .col(integer("failed_logins").default(0))
            .col(instant_null("locked_until"))
            .col(instant_null("last_login_at"))
            .col(instant("created_at"))
            .foreign_key(&mut fk("users", "unit_id", "units"))
            .take(),
        table("themes")
            .col(pk_auto("id"))
            .col(string("label"))
            .col(text("keywords"))
            .col(string("representative_title"))
            .col(double("heat"))
            .col(integer("size"))
            .col(integer("distinct_citizens"))
            .col(text("regions"))
            .col(instant("first_seen"))
            .col(instant("last_seen"))
            .col(string_len("period", 16))
            .col(status("status"))
            .col(integer_null("problem_id"))
            .col(instant("created_at"))
            .col(instant("updated_at"))
            .take(),
        table("problems")
            .col(pk_auto("id"))
            .col(string_len_uniq("code", 32))
            .col(string("title"))
            .col(text("description"))
            .col(string_len("category", 32))
            .col(string_len("region", 32))
            .col(status("source"))
            .col(integer_null("theme_id"))
            .col(integer_null("created_by"))
            .col(instant("created_at"))
            .col(instant("updated_at"))
            .foreign_key(&mut fk("problems", "theme_id", "themes"))
            .foreign_key(&mut fk("problems", "created_by", "users"))
            .take(),
        table("responsibilities")
            .col(pk_auto("id"))
            .col(integer("problem_id"))
            .col(integer("lead_unit_id"))
            .col(string("responsible_post"))
            .col(date("deadline"))
            .col(status("kind"))
            .col(instant("created_at"))
            .col(instant("updated_at"))
            .foreign_key(&mut fk("responsibilities", "problem_id", "problems"))
            .foreign_key(&mut fk("responsibilities", "lead_unit_id", "units"))
            .take(),
        table("responsibility_units")
            .col(integer("responsibility_id"))
            .col(integer("unit_id"))
            .primary_key(Index::create().col("responsibility_id").col("unit_id"))
            .foreign_key(&mut fk("responsibility_units", "responsibility_id", "responsibilities"))
            .foreign_key(&mut fk("responsibility_units", "unit_id", "units"))
            .take(),
        table("rectifications")
            .col(pk_auto("id"))
            .col(integer_uniq("problem_id"))
            .col(integer("responsibility_id"))
            .col(text("measures"))
            .col(text("plan"))
            .col(string("target"))
            .col(string_null("next_milestone"))
            .col(status("status"))
            .col(integer("progress").default(0))
            .col(date_null("next_update_due"))
            .col(instant_null("last_update_at"))
            .col(instant_null("completed_at"))
            .col(status_null("verification"))
            .col(string_null("verification_reason"))
            .col(integer_null("verified_by"))
            .col(instant_null("verified_at"))
            .col(status_null("citizen_confirmation"))
            .col(integer("reopened_count").default(0))
            .col(instant("created_at"))
            .col(instant("updated_at"))
            .foreign_key(&mut fk("rectifications", "problem_id", "problems"))
            .foreign_key(&mut fk("rectifications", "responsibility_id", "responsibilities"))
            .foreign_key(&mut fk("rectifications", "verified_by", "users"))
            .take(),
        table("progress_updates")
            .col(pk_auto("id"))
            .col(integer("rectification_id"))
            .col(integer_null("author_id"))
            .col(text("text"))
            .col(integer("percent"))
            .col(instant("created_at"))
            .foreign_key(&mut fk("progress_updates", "rectification_id", "rectifications"))
            .foreign_key(&mut fk("progress_updates", "author_id", "users"))
            .take(),
        table("attachments")
            .col(pk_auto("id"))
            .col(string_len("owner_type", 24))
            .col(integer("owner_id"))
            .col(string("file_name"))
            .col(string_len("content_type", 64))
            .col(big_integer("size_bytes"))
            .col(string_len("sha256", 64))
            .col(integer_null("uploaded_by"))
            .col(instant("created_at"))
            .foreign_key(&mut fk("attachments", "uploaded_by", "users"))
            .take(),
        table("opinions")
            .col(pk_auto("id"))
            .col(string_len_uniq("tracking_code", 16))
            .col(status("kind"))
            .col(string("title"))
            .col(text("content"))
            .col(string_len_null("category", 32))
            .col(string_len_null("region", 32))
            .col(status("channel"))
            .col(string_len_null("external_id", 64))
            .col(string_len_null("citizen_key", 64))
            .col(status("status"))
            .col(integer_null("routed_unit_id"))
            .col(date_null("due_date"))
            .col(text_null("reply"))
            .col(instant_null("replied_at"))
            .col(integer_null("problem_id"))
            .col(integer_null("theme_id"))
            .col(integer_null("merged_into_id"))
            .col(boolean("consent_contact").default(false))
            .col(integer("likes").default(0))
            .col(integer("dislikes").default(0))
            .col(string_len_null("suggested_category", 32))
            .col(integer_null("suggested_unit_id"))
            .col(double_null("suggestion_confidence"))
            .col(instant("submitted_at"))
            .col(instant("updated_at"))
            .col(instant_null("closed_at"))
            .foreign_key(&mut fk("opinions", "routed_unit_id", "units"))
            .foreign_key(&mut fk("opinions", "problem_id", "problems"))
            .foreign_key(&mut fk("opinions", "theme_id", "themes"))
            .foreign_key(&mut fk("opinions", "merged_into_id", "opinions"))
            .foreign_key(&mut fk("opinions", "suggested_unit_id", "units"))
            .take(),
        table("opinion_contacts")
            .col(integer("opinion_id").primary_key())
            .col(string_null("name"))
            .col(string_len_null("phone", 32))
            .col(string_null("email"))
            .col(instant("created_at"))
            .foreign_key(&mut fk("opinion_contacts", "opinion_id", "opinions"))
            .take(),
        table("opinion_events")
            .col(pk_auto("id"))
            .col(integer("opinion_id"))
            .col(status_null("from_status"))
            .col(status("to_status"))
            .col(integer_null("actor_user_id"))
            .col(string("actor_label"))
            .col(text_null("note"))
            .col(boolean("public").default(true))
            .col(instant("created_at"))
            .foreign_key(&mut fk("opinion_events", "opinion_id", "opinions"))
            .foreign_key(&mut fk("opinion_events", "actor_user_id", "users"))
            .take(),
        table("ratings")
            .col(pk_auto("id"))
            .col(status("target"))
            .col(integer_null("opinion_id"))
            .col(integer_null("rectification_id"))
            .col(string_len("tracking_code", 16))
            .col(integer("level"))
            .col(text("tags"))
            .col(text_null("comment"))
            .col(boolean("is_followup").default(false))
            .col(status("origin"))
            .col(integer_null("unit_id"))
            .col(string_len_null("region", 32))
            .col(string_len_null("category", 32))
            .col(instant("created_at"))
            .foreign_key(&mut fk("ratings", "opinion_id", "opinions"))
            .foreign_key(&mut fk("ratings", "rectification_id", "rectifications"))
            .foreign_key(&mut fk("ratings", "unit_id", "units"))
            .take(),
        table("followup_tasks")
            .col(pk_auto("id"))
            .col(integer("rating_id"))
            .col(integer_null("opinion_id"))
            .col(integer_null("rectification_id"))
            .col(status("status"))
            .col(date("due_date"))
            .col(text_null("note"))
            .col(integer_null("handled_by"))
            .col(instant_null("handled_at"))
            .col(instant("created_at"))
            .foreign_key(&mut fk("followup_tasks", "rating_id", "ratings"))
            .foreign_key(&mut fk("followup_tasks", "handled_by", "users"))
            .take(),
        table("notifications")
            .col(pk_auto("id"))
            .col(integer("opinion_id"))
            .col(string_len("kind", 32))
            .col(text("message"))
            .col(instant_null("sent_at"))
            .col(instant("created_at"))
            .foreign_key(&mut fk("notifications", "opinion_id", "opinions"))
            .take(),
        table("theme_members")
            .col(integer("theme_id"))
            .col(integer("opinion_id"))
            .col(double("similarity"))
            .primary_key(Index::create().col("theme_id").col("opinion_id"))
            .foreign_key(&mut fk("theme_members", "theme_id", "themes"))
            .foreign_key(&mut fk("theme_members", "opinion_id", "opinions"))
            .take(),
        table("reports")
            .col(pk_auto("id"))
            .col(string_len_uniq("slug", 96))
            .col(string("title"))
            .col(string_len("summary", 512))
            .col(text("body_md"))
            .col(status("status"))
            .col(integer_null("author_id"))
            .col(integer_null("reviewer_id"))
            .col(string_null("review_note"))
            .col(instant_null("published_at"))
            .col(instant("created_at"))
            .col(instant("updated_at"))
            .foreign_key(&mut fk("reports", "author_id", "users"))
            .foreign_key(&mut fk("reports", "reviewer_id", "users"))
            .take(),
        table("report_links")
            .col(pk_auto("id"))
            .col(integer("report_id"))
            .col(integer_null("problem_id"))
            .col(integer_null("theme_id"))
            .foreign_key(&mut fk("report_links", "report_id", "reports"))
            .foreign_key(&mut fk("report_links", "problem_id", "problems"))
            .foreign_key(&mut fk("report_links", "theme_id", "themes"))
            .take(),
        table("audit_log")
            .col(big_pk_auto("id"))
            .col(integer_null("actor_user_id"))
            .col(string("actor"))
            .col(string_len("action", 64))
            .col(string_len("entity_type", 32))
            .col(string_len("entity_id", 64))
            .col(text_null("before_json"))
            .col(text_null("after_json"))
            .col(instant("created_at"))
            .col(string_len("prev_hash", 64))
            .col(string_len("hash", 64))
            .take(),
        table("change_log")
            .col(big_pk_auto("id"))
            .col(string_len("entity_type", 32))
            .col(integer("entity_id"))
            .col(status("op"))
            .col(instant("created_at"))
            .take(),
        table("settings")
            .col(pk_auto("id"))
            .col(string_len("key", 64))
            .col(integer("version"))
            .col(text("value_json"))
            .col(integer_null("created_by"))
            .col(instant("created_at"))
            .foreign_key(&mut fk("settings", "created_by", "users"))
            .take(),
        table("score_snapshots")
            .col(pk_auto("id"))
            .col(string_len("period", 16))
            .col(string_len("level", 16))
            .col(string_len("subject", 64))
            .col(integer("settings_version"))
            .col(text("payload_json"))
            .col(instant("created_at"))
            .take(),
        table("chat_messages")
            .col(big_pk_auto("id"))
            .col(string_len("session_key", 64))
            .col(string_len("speaker", 16))
            .col(text("text"))
            .col(string_len_null("intent", 32))
            .col(instant("created_at"))
            .take(),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        index("responsibilities", &["problem_id"], false),
        index("responsibilities", &["lead_unit_id"], false),
        index("rectifications", &["status"], false),
        index("progress_updates", &["rectification_id"], false),
        index("attachments", &["owner_type", "owner_id"], false),
        index("opinions", &["status"], false),
        index("opinions", &["submitted_at"], false),
        index("opinions", &["routed_unit_id"], false),
        index("opinions", &["problem_id"], false),
        index("opinions", &["channel", "external_id"], true),
        index("opinion_events", &["opinion_id"], false),
        index("ratings", &["tracking_code"], false),
        index("ratings", &["created_at"], false),
        index("followup_tasks", &["status"], false),
        index("notifications", &["opinion_id"], false),
        index("theme_members", &["opinion_id"], false),
        index("report_links", &["report_id"], false),
        index("audit_log", &["entity_type", "entity_id"], false),
        index("settings", &["key", "version"], true),
        index("score_snapshots", &["period", "level", "subject", "settings_version"], true),
        index("chat_messages", &["session_key"], false),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for stmt in tables() {
            manager.create_table(stmt).await?;
        }
        for stmt in indexes() {
            manager.create_index(stmt).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for stmt in tables().into_iter().rev() {
            let name = stmt.get_table_name().cloned().expect("every table is named");
            manager.drop_table(Table::drop().table(name).if_exists().take()).await?;
        }
        Ok(())
    }
}
