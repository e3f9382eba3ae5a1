//! Counting without scanning a city: a desk needs "how many, roughly" on every view, and an
//! exact count of a million rows costs more than the rest of the page.

use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QuerySelect, QueryTrait, Select};
use serde::Serialize;

/// Beyond this many rows a count says "more than".
pub const CAP: u64 = 10_000;

/// A count that stops at [`CAP`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Capped {
    pub n: u64,
    /// There are more than `n`.
    pub more: bool,
}

impl Capped {
    /// Pages of `per_page` rows within the counted ones (at least one).
    pub fn pages(&self, per_page: u64) -> u64 {
        self.n.div_ceil(per_page).max(1)
    }
}

/// Rows `query` selects, counted up to [`CAP`] (the database stops reading there).
pub async fn up_to_cap<E: EntityTrait>(db: &impl ConnectionTrait, query: Select<E>) -> Result<Capped, DbErr> {
    up_to(db, query, CAP).await
}

/// Rows `query` selects, counted up to `cap`.
pub async fn up_to<E: EntityTrait>(db: &impl ConnectionTrait, query: Select<E>, cap: u64) -> Result<Capped, DbErr> {
    let mut inner = query.select_only().expr(Expr::val(1)).limit(cap + 1).into_query();
    inner.clear_order_by();
    let stmt = Query::select().expr_as(Expr::cust("COUNT(*)"), Alias::new("n")).from_subquery(inner, Alias::new("capped")).to_owned();
    let found = match db.query_one_raw(db.get_database_backend().build(&stmt)).await? {
        Some(row) => row.try_get::<i64>("", "n")? as u64,
        None => 0,
    };
    Ok(Capped { n: found.min(cap), more: found > cap })
}
