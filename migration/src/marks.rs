//! Setting a new follower's job mark when its migration runs on a database already in use.

use sea_orm_migration::prelude::*;

/// A follower's mark at the newest row of `table`: what was there before it is history, not news.
pub async fn start_at_newest(manager: &SchemaManager<'_>, name: &str, table: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let newest = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS newest FROM {table}"),
        ))
        .await?
        .map(|row| row.try_get::<i64>("", "newest"))
        .transpose()?
        .unwrap_or(0);
    let insert = Query::insert()
        .into_table("job_marks")
        .columns(["name", "last_event_id", "at"])
        .values_panic([name.into(), newest.into(), sea_orm::prelude::ChronoUtc::now().into()])
        .to_owned();
    db.execute(&insert).await.map(|_| ())
}
