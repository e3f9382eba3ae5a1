//! The server's background jobs, started under the supervisor in `jobs`.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use sea_orm::DatabaseConnection;

use crate::config::Config;
use crate::domain::clock::Clock;
use crate::jobs::schedule::{self, Schedule};
use crate::jobs::{self, Board, Job, Leader, Run};
use crate::limits::RateLimiter;
use crate::search::SearchEngine;
use crate::secrets::Secrets;
use crate::themes::routing::RoutingModel;
use crate::unit_of_work::{Context, UnitOfWork};

pub type RoutingSlot = Arc<std::sync::RwLock<Option<Arc<RoutingModel>>>>;

/// What the jobs work on; cheap to clone into each run.
#[derive(Clone)]
struct Parts {
    db: DatabaseConnection,
    clock: Clock,
    secrets: Secrets,
    limiter: Arc<RateLimiter>,
    search: Arc<SearchEngine>,
    routing: RoutingSlot,
}

fn run<F, Fut>(parts: &Parts, body: F) -> Run
where
    F: Fn(Parts) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<String, String>> + Send + 'static,
{
    let parts = parts.clone();
    let body = Arc::new(body);
    Arc::new(move || {
        let (parts, body) = (parts.clone(), body.clone());
        Box::pin(async move { body(parts).await })
    })
}

/// Work the office can queue (`jobs::schedule`), on the leader: a cheap check every few seconds;
/// `body` runs when the office asked or `every` has passed since the last run.
fn queued<F, Fut>(
    parts: &Parts,
    name: &'static str,
    schedule: &'static Schedule,
    every: chrono::Duration,
    started: DateTime<Utc>,
    body: F,
) -> Job
where
    F: Fn(Parts) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<String, String>> + Send + 'static,
{
    let body = Arc::new(body);
    Job {
        name,
        every: Duration::from_secs(5),
        first_after: Duration::from_secs(5),
        leader_only: true,
        run: run(parts, move |p| {
            let body = body.clone();
            async move {
                if !schedule.due(&p.db, p.clock.now(), started, every).await.map_err(|e| e.to_string())? {
                    return Ok(String::new());
                }
                body(p).await
            }
        }),
    }
}

/// Starts every job this server runs and returns the board `/healthz` reads.
pub fn start(
    config: &Config,
    db: &DatabaseConnection,
    clock: &Clock,
    secrets: &Secrets,
    search: &Arc<SearchEngine>,
    routing: &RoutingSlot,
    limiter: &Arc<RateLimiter>,
) -> Board {
    let board = Board::default();
    let leader = Leader::new(db.clone());
    let parts = Parts {
        db: db.clone(),
        clock: clock.clone(),
        secrets: secrets.clone(),
        limiter: limiter.clone(),
        search: search.clone(),
        routing: routing.clone(),
    };
    let mut list = vec![
        Job {
            name: "index",
            // A tantivy commit writes and syncs a new segment; under a stream of submissions one a
            // second keeps search current without taking the disk from the writers.
            every: Duration::from_secs(1),
            first_after: Duration::ZERO,
            leader_only: false,
            run: run(&parts, |p| async move {
                use crate::search::indexer;
                let caught = indexer::catch_up(&p.search, &p.db).await.map_err(|e| e.to_string())?;
                indexer::retry_failures(&p.search, &p.db).await.map_err(|e| e.to_string())?;
                if caught.vocabulary && indexer::follow_vocabulary(&p.search, &p.db).await.map_err(|e| e.to_string())? {
                    return Ok("rebuilt for a new vocabulary".into());
                }
                Ok(if caught.read == 0 { String::new() } else { format!("{} events", caught.read) })
            }),
        },
        Job {
            name: "routing",
            every: Duration::from_secs(6 * 3600),
            first_after: Duration::ZERO,
            leader_only: false,
            run: run(&parts, |p| async move {
                let n = retrain_routing(&p.db, &p.search, &p.routing).await.map_err(|e| e.to_string())?;
                Ok(format!("trained on {n} examples"))
            }),
        },
        Job {
            name: "purge",
            every: Duration::from_secs(3600),
            first_after: Duration::from_secs(60),
            leader_only: true,
            run: run(&parts, |p| async move {
                let ctx = Context { db: &p.db, clock: &p.clock, secrets: &p.secrets };
                let uow = UnitOfWork::begin(ctx, &crate::service::Actor::system("purge")).await.map_err(|e| e.to_string())?;
                let keys = crate::idempotency::purge(&uow).await.map_err(|e| e.to_string())?;
                let failures = crate::login::forget_old_failures(&uow).await.map_err(|e| e.to_string())?;
                uow.commit().await.map_err(|e| e.to_string())?;
                Ok(format!("{keys} old submission keys and {failures} old login failure counts forgotten"))
            }),
        },
        Job {
            name: "limits",
            every: Duration::from_secs(60),
            first_after: Duration::from_secs(60),
            leader_only: false,
            run: run(&parts, |p| async move {
                p.limiter.forget_idle();
                Ok(String::new())
            }),
        },
    ];
    let started = clock.now();
    list.push(queued(&parts, "themes", &schedule::THEMES, chrono::Duration::hours(24), started, |p| async move {
        let ctx = Context { db: &p.db, clock: &p.clock, secrets: &p.secrets };
        let actor = crate::service::Actor::system("themes");
        let done = crate::themes::mining::rebuild(ctx, &actor, p.search.jieba(), |_, _| {}).await.map_err(|e| e.to_string())?;
        Ok(format!("{} themes from {} opinions", done.themes, done.opinions))
    }));
    list.push(Job {
        name: "notify",
        every: Duration::from_secs(1),
        first_after: Duration::ZERO,
        leader_only: true,
        run: run(&parts, |p| async move {
            let ctx = Context { db: &p.db, clock: &p.clock, secrets: &p.secrets };
            let n = crate::opinions::updates::follow(ctx).await.map_err(|e| e.to_string())?;
            Ok(if n == 0 { String::new() } else { format!("{n} messages to citizens") })
        }),
    });
    list.push(Job {
        name: "revisits",
        every: Duration::from_secs(60),
        first_after: Duration::from_secs(10),
        leader_only: true,
        run: run(&parts, |p| async move {
            let ctx = Context { db: &p.db, clock: &p.clock, secrets: &p.secrets };
            let n = crate::opinions::revisits::settle_quiet(ctx).await.map_err(|e| e.to_string())?;
            Ok(if n == 0 { String::new() } else { format!("{n} settled by the quiet period") })
        }),
    });
    let retention = config.chat_retention_days;
    list.push(Job {
        name: "chat-retention",
        every: Duration::from_secs(3600),
        first_after: Duration::from_secs(30),
        leader_only: true,
        run: run(&parts, move |p| async move {
            let ctx = Context { db: &p.db, clock: &p.clock, secrets: &p.secrets };
            let n = crate::chat::state::expire(ctx, retention).await.map_err(|e| e.to_string())?;
            Ok(if n == 0 { String::new() } else { format!("{n} chat turns past retention deleted") })
        }),
    });
    // Built once; a configuration that cannot be used shows on /healthz as the job's error.
    let channels = Arc::new(crate::deliveries::Channels::from_config(config));
    list.push(Job {
        name: "deliver",
        every: Duration::from_secs(2),
        first_after: Duration::ZERO,
        leader_only: true,
        run: run(&parts, move |p| {
            let channels = channels.clone();
            async move {
                let channels = channels.as_ref().as_ref().map_err(Clone::clone)?;
                let ctx = Context { db: &p.db, clock: &p.clock, secrets: &p.secrets };
                let (queued, sent) = crate::deliveries::pass(ctx, channels).await.map_err(|e| e.to_string())?;
                Ok(if queued + sent == 0 { String::new() } else { format!("{queued} queued, {sent} sent") })
            }
        }),
    });
    list.push(Job {
        name: "reports",
        // A scheduled report appears within this long after its time (one indexed query).
        every: Duration::from_secs(5),
        first_after: Duration::ZERO,
        leader_only: true,
        run: run(&parts, |p| async move {
            let ctx = Context { db: &p.db, clock: &p.clock, secrets: &p.secrets };
            let n = crate::reports::workflow::publish_due(ctx).await.map_err(|e| e.to_string())?;
            Ok(if n == 0 { String::new() } else { format!("{n} scheduled reports published") })
        }),
    });
    list.push(Job {
        name: "theme-periods",
        every: Duration::from_secs(2),
        first_after: Duration::ZERO,
        leader_only: true,
        run: run(&parts, |p| async move {
            let ctx = Context { db: &p.db, clock: &p.clock, secrets: &p.secrets };
            let actor = crate::service::Actor::system("themes");
            let done = crate::themes::periods::answer_next(ctx, &actor, p.search.jieba()).await.map_err(|e| e.to_string())?;
            Ok(done.map(|(period, n)| format!("{n} themes for {period}")).unwrap_or_default())
        }),
    });
    // Discovery reads up to 20,000 opinions; names a city writes about change slowly.
    list.push(queued(&parts, "words", &schedule::WORDS, chrono::Duration::days(7), started, |p| async move {
        let ctx = Context { db: &p.db, clock: &p.clock, secrets: &p.secrets };
        let actor = crate::service::Actor::system("words");
        let n = crate::search::dictionary::discover_and_propose(ctx, &actor, p.search.jieba()).await.map_err(|e| e.to_string())?;
        Ok(format!("{n} words proposed"))
    }));
    let score_every = chrono::Duration::seconds(config.score_refresh_seconds as i64);
    list.push(Job {
        name: "scores",
        // A cheap check each second; the refresh itself runs only when due.
        every: Duration::from_secs(1),
        first_after: Duration::ZERO,
        leader_only: true,
        run: run(&parts, move |p| async move {
            let ctx = Context { db: &p.db, clock: &p.clock, secrets: &p.secrets };
            let written = crate::score::snapshot::refresh_if_due(ctx, score_every).await.map_err(|e| e.to_string())?;
            Ok(written.map(|n| format!("{n} subject scores refreshed")).unwrap_or_default())
        }),
    });
    list.push(Job {
        name: "triage",
        every: Duration::from_millis(500),
        first_after: Duration::ZERO,
        leader_only: true,
        run: run(&parts, |p| async move {
            let ctx = Context { db: &p.db, clock: &p.clock, secrets: &p.secrets };
            let model = p.routing.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
            let n = crate::opinions::triage::run(ctx, &p.search, model).await.map_err(|e| e.to_string())?;
            Ok(if n == 0 { String::new() } else { format!("{n} submissions triaged") })
        }),
    });
    if config.deadline_check_minutes > 0 {
        list.push(Job {
            name: "deadlines",
            every: Duration::from_secs(config.deadline_check_minutes * 60),
            first_after: Duration::ZERO,
            leader_only: true,
            run: run(&parts, |p| async move {
                let ctx = Context { db: &p.db, clock: &p.clock, secrets: &p.secrets };
                let n = crate::lists::deadlines::mark_overdue(ctx, p.clock.today()).await.map_err(|e| e.to_string())?;
                Ok(format!("{n} items marked overdue"))
            }),
        });
    }
    for job in list {
        jobs::spawn(&board, &leader, clock, job);
    }
    board
}

/// Trains the routing models from the database and puts them in `slot`. Returns how many
/// examples it learned from. The training runs off the async workers.
pub async fn retrain_routing(db: &DatabaseConnection, search: &Arc<SearchEngine>, slot: &RoutingSlot) -> Result<usize, String> {
    let (categories, units) = crate::themes::routing::training_set(db).await.map_err(|e| e.to_string())?;
    let jieba = search.jieba();
    let model = tokio::task::spawn_blocking(move || crate::themes::routing::train(&jieba, categories, units))
        .await
        .map_err(|e| format!("training: {e}"))?;
    let examples = model.examples;
    *slot.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(model));
    Ok(examples)
}
