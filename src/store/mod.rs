//! Queries per aggregate, over `&impl ConnectionTrait` so they work inside transactions.

pub mod stats;
