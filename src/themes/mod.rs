//! Hot themes and smart routing: pure functions over texts, unit-tested; the database and
//! the command line call them.

pub mod classify;
pub mod cluster;
pub mod detail;
pub mod features;
pub mod heat;
pub mod lifecycle;
pub mod lineage;
pub mod mining;
pub mod periods;
pub mod report;
pub mod routing;
pub mod store;
pub mod views;
