//! What follows a citizen's submission, off the request: the new opinion joins the theme its
//! nearest neighbours share, and gets the routing model's suggestion. The `triage` job follows
//! the `opinion.submitted` events (written in the submission's own transaction), so a submission
//! answers as soon as it is stored, and nothing is skipped when a server restarts: the job's mark
//! moves only after the work it covers (each step is idempotent, so a repeat is harmless).

use std::sync::Arc;

use entity::{event, opinion};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::search::SearchEngine;
use crate::service::{Actor, ServiceError};
use crate::themes::routing::RoutingModel;
use crate::unit_of_work::{Context, UnitOfWork};

const MARK: &str = "triage";
/// Written by each portal submission, in its own unit of work.
pub const TOPIC: &str = "opinion.submitted";
const PAGE: u64 = 500;
/// Pages per run: a backlog drains over several runs, never holding the job for long.
const PAGES_PER_RUN: usize = 20;

/// Triages the opinions submitted since the mark. Returns how many it handled.
pub async fn run(ctx: Context<'_>, engine: &Arc<SearchEngine>, model: Option<Arc<RoutingModel>>) -> Result<usize, ServiceError> {
    let mut after = crate::jobs::marks::read(ctx.db, MARK).await?.map_or(0, |m| m.last_event_id);
    let mut handled = 0;
    for _ in 0..PAGES_PER_RUN {
        let page: Vec<(i64, i32)> = event::Entity::find()
            .select_only()
            .columns([event::Column::Id, event::Column::EntityId])
            .filter(event::Column::Topic.eq(TOPIC))
            .filter(event::Column::Id.gt(after))
            .order_by_asc(event::Column::Id)
            .limit(PAGE)
            .into_tuple()
            .all(ctx.db)
            .await?;
        let Some(&(last, _)) = page.last() else { break };
        let ids: Vec<i32> = page.iter().map(|(_, id)| *id).collect();
        let fresh = opinion::Entity::find().filter(opinion::Column::Id.is_in(ids)).order_by_asc(opinion::Column::Id).all(ctx.db).await?;
        for o in &fresh {
            triage_one(ctx, engine, model.clone(), o).await?;
        }
        handled += fresh.len();
        let uow = UnitOfWork::begin(ctx, &Actor::system(MARK)).await?;
        crate::jobs::marks::write(&uow, MARK, last).await?;
        uow.commit().await?;
        after = last;
        if (page.len() as u64) < PAGE {
            break;
        }
    }
    Ok(handled)
}

async fn triage_one(
    ctx: Context<'_>,
    engine: &Arc<SearchEngine>,
    model: Option<Arc<RoutingModel>>,
    o: &opinion::Model,
) -> Result<(), ServiceError> {
    let jieba = engine.jieba.clone();
    let engine = engine.clone();
    let text = format!("{} {}", o.title, o.content.chars().take(200).collect::<String>());
    let id = o.id;
    let neighbours = tokio::task::spawn_blocking(move || crate::search::query::similar(&engine, &text, "opinion", 5, None))
        .await
        .map_err(|e| ServiceError::Db(DbErr::Custom(format!("similar search stopped: {e}"))))?;
    match neighbours {
        Ok(hits) => {
            let ids: Vec<i32> = hits.iter().filter_map(|h| h.key.strip_prefix("opinion:")?.parse().ok()).filter(|n| *n != id).collect();
            crate::themes::store::join_nearest(ctx, id, &ids).await?;
        }
        // Search trouble leaves the opinion out of a theme until the next rebuild; it is not lost.
        Err(err) => tracing::warn!(%err, opinion = id, "theme not joined"),
    }
    if let Some(model) = model {
        let (title, content) = (o.title.clone(), o.content.clone());
        let suggestion = tokio::task::spawn_blocking(move || model.suggest(&jieba, &title, &content))
            .await
            .map_err(|e| ServiceError::Db(DbErr::Custom(format!("routing stopped: {e}"))))?;
        super::submit::store_suggestion(ctx, id, &suggestion).await?;
    }
    Ok(())
}
