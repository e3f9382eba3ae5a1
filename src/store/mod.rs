//! Queries per aggregate, over `&impl ConnectionTrait` so they work inside transactions.

pub mod count;
pub mod opinions;
pub mod stats;
