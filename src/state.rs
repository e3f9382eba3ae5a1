//! What every request handler can reach.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{config::Config, limits::RateLimiter, search::SearchEngine};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub tera: Arc<tera::Tera>,
    pub config: Arc<Config>,
    pub limiter: Arc<RateLimiter>,
    pub search: Arc<SearchEngine>,
}
