//! Schema migrations, shared by SQLite and PostgreSQL. Schema helpers only: never imports `entity`.

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_schema;
mod m20261201_000002_write_path;
mod m20261202_000003_privacy;
mod m20261202_000004_read_models;
mod m20261202_000005_page_indexes;
mod m20261203_000006_dictionary_words;
mod m20261203_000007_lean_indexes;
mod m20261203_000008_theme_support;
mod m20261204_000009_theme_periods;
mod m20261204_000010_report_workflow;
mod m20261204_000011_report_handovers;
mod m20261204_000012_citizen_updates;
mod m20261204_000013_deliveries;
mod m20261205_000014_revisits;
mod m20261205_000015_reply_checks;
mod m20261205_000016_supervision;
mod m20261206_000017_digests;
mod m20261206_000018_chat;
mod m20261207_000019_opinion_photos;
mod marks;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_schema::Migration),
            Box::new(m20261201_000002_write_path::Migration),
            Box::new(m20261202_000003_privacy::Migration),
            Box::new(m20261202_000004_read_models::Migration),
            Box::new(m20261202_000005_page_indexes::Migration),
            Box::new(m20261203_000006_dictionary_words::Migration),
            Box::new(m20261203_000007_lean_indexes::Migration),
            Box::new(m20261203_000008_theme_support::Migration),
            Box::new(m20261204_000009_theme_periods::Migration),
            Box::new(m20261204_000010_report_workflow::Migration),
            Box::new(m20261204_000011_report_handovers::Migration),
            Box::new(m20261204_000012_citizen_updates::Migration),
            Box::new(m20261204_000013_deliveries::Migration),
            Box::new(m20261205_000014_revisits::Migration),
            Box::new(m20261205_000015_reply_checks::Migration),
            Box::new(m20261205_000016_supervision::Migration),
            Box::new(m20261206_000017_digests::Migration),
            Box::new(m20261206_000018_chat::Migration),
            Box::new(m20261207_000019_opinion_photos::Migration),
        ]
    }
}
