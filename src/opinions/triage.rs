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
use crate::themes::routing::{RoutingModel, Suggestion};
use crate::unit_of_work::{Context, UnitOfWork};

const MARK: &str = "triage";
/// Written by each portal submission, in the unit of work that files it.
pub const TOPIC: &str = "opinion.submitted";
const PAGE: u64 = 500;
const WRITE_GROUP: usize = 50;
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
        let found = look_up(engine, model.clone(), &fresh).await?;
        // A unit of work per group of opinions: one commit for many, yet each short enough not to
        // keep citizens' submissions waiting for the write lock. The mark moves with the last.
        let mut groups: Vec<&[Found]> = found.chunks(WRITE_GROUP).collect();
        if groups.is_empty() {
            // Opinions gone since the event: the mark moves all the same.
            groups.push(&[]);
        }
        for (i, group) in groups.iter().enumerate() {
            let mark = (i + 1 == groups.len()).then_some(last);
            match write(ctx, group, mark).await {
                Err(ServiceError::Db(err)) => return Err(ServiceError::Db(err)),
                // An opinion staff changed meanwhile must not hold up the rest: each alone, and
                // one that is still refused is left to route by hand.
                Err(refused) => {
                    tracing::warn!(%refused, "a triage group was refused; writing each alone");
                    for one in group.iter() {
                        match write(ctx, std::slice::from_ref(one), None).await {
                            Err(ServiceError::Db(err)) => return Err(ServiceError::Db(err)),
                            Err(refused) => tracing::warn!(%refused, opinion = one.0, "opinion not triaged"),
                            Ok(()) => {}
                        }
                    }
                    if mark.is_some() {
                        write(ctx, &[], mark).await?;
                    }
                }
                Ok(()) => {}
            }
        }
        handled += fresh.len();
        after = last;
        if (page.len() as u64) < PAGE {
            break;
        }
    }
    Ok(handled)
}

type Found = (i32, Option<Vec<i32>>, Option<Suggestion>);

/// Stores a group's themes and suggestions in one unit of work, moving the mark with them if given.
async fn write(ctx: Context<'_>, group: &[Found], mark: Option<i64>) -> Result<(), ServiceError> {
    let mut uow = UnitOfWork::begin(ctx, &Actor::system(MARK)).await?;
    for (id, neighbours, suggestion) in group {
        if let Some(neighbours) = neighbours {
            crate::themes::store::join_nearest(&mut uow, *id, neighbours).await?;
        }
        if let Some(suggestion) = suggestion {
            super::submit::store_suggestion(&mut uow, *id, suggestion).await?;
        }
    }
    if let Some(mark) = mark {
        crate::jobs::marks::write(&uow, MARK, mark).await?;
    }
    uow.commit().await?;
    Ok(())
}

/// Each opinion's nearest neighbours and routing suggestion: searches and model runs, read-only,
/// off the async workers and outside any transaction.
async fn look_up(
    engine: &Arc<SearchEngine>,
    model: Option<Arc<RoutingModel>>,
    fresh: &[opinion::Model],
) -> Result<Vec<Found>, ServiceError> {
    let engine = engine.clone();
    let texts: Vec<(i32, String, String)> = fresh.iter().map(|o| (o.id, o.title.clone(), o.content.clone())).collect();
    tokio::task::spawn_blocking(move || {
        texts
            .into_iter()
            .map(|(id, title, content)| {
                let text = format!("{title} {}", content.chars().take(200).collect::<String>());
                // Five others, whether or not the opinion itself is indexed yet.
                let own = format!("opinion:{id}");
                let neighbours = match crate::search::query::similar(&engine, &text, "opinion", 5, Some(&own)) {
                    Ok(hits) => Some(hits.iter().filter_map(|h| h.key.strip_prefix("opinion:")?.parse().ok()).collect()),
                    // Search trouble leaves the opinion out of a theme until the next rebuild; it is not lost.
                    Err(err) => {
                        tracing::warn!(%err, opinion = id, "theme not joined");
                        None
                    }
                };
                (id, neighbours, model.as_ref().map(|m| m.suggest(&engine.jieba(), &title, &content)))
            })
            .collect()
    })
    .await
    .map_err(|e| ServiceError::Db(DbErr::Custom(format!("triage stopped: {e}"))))
}
