//! What every request handler can reach.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    background::RoutingSlot, config::Config, domain::clock::Clock, jobs::Board, limits::RateLimiter, search::SearchEngine,
    unit_of_work::Context,
};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub clock: Clock,
    pub secrets: crate::secrets::Secrets,
    /// Encrypts the cookies the browser must not read (receipts); derived from the secret.
    pub cookie_key: actix_web::cookie::Key,
    pub tera: Arc<tera::Tera>,
    pub config: Arc<Config>,
    pub limiter: Arc<RateLimiter>,
    pub search: Arc<SearchEngine>,
    /// The routing suggester, once trained (training runs in the background).
    pub routing: RoutingSlot,
    /// The background jobs and how they are doing.
    pub jobs: Board,
    /// Public pages as anonymous visitors last saw them, while nothing changed.
    pub page_cache: Arc<crate::web::page_cache::PageCache>,
    /// Where submissions queue to be filed in groups.
    pub intake: crate::opinions::intake::Intake,
    /// The chatbot, trained at start.
    pub chat: Arc<crate::chat::Bot>,
}

impl AppState {
    /// What a use case needs: the database and the clock.
    pub fn ctx(&self) -> Context<'_> {
        Context { db: &self.db, clock: &self.clock, secrets: &self.secrets }
    }
}
