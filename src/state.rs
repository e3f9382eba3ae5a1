//! What every request handler can reach.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{config::Config, limits::RateLimiter, search::SearchEngine, themes::routing::RoutingModel};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub tera: Arc<tera::Tera>,
    pub config: Arc<Config>,
    pub limiter: Arc<RateLimiter>,
    pub search: Arc<SearchEngine>,
    /// The routing suggester, once trained (training runs in the background).
    pub routing: Arc<std::sync::RwLock<Option<Arc<RoutingModel>>>>,
}
