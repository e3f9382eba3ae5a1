//! Where submissions queue to be filed. Whatever arrives while one group is being written goes
//! into the next, and each group is one unit of work: one commit, one fsync and one audit
//! checkpoint serve many citizens, where one each capped SQLite at a few hundred a second.
//! Every citizen is answered only after the group holding their opinion has committed; a group
//! that fails is retried one submission at a time, so one bad submission never costs the others
//! theirs.

use entity::vocab::Channel;
use sea_orm::DatabaseConnection;
use tokio::sync::{mpsc, oneshot};

use super::submit::{self, OpinionInput, Pending, Submitted, ValidOpinion};
use crate::domain::clock::Clock;
use crate::idempotency;
use crate::secrets::Secrets;
use crate::service::ServiceError;
use crate::unit_of_work::Context;

/// Enough to fill a commit under any load this machine can take; small enough to keep a group's
/// transaction short.
const MAX_GROUP: usize = 64;
/// Submissions waiting beyond this make their senders wait to queue.
const QUEUE: usize = 1024;

type Answer = oneshot::Sender<Result<Submitted, ServiceError>>;

#[derive(Clone)]
pub struct Intake {
    queue: mpsc::Sender<(Pending, Answer)>,
}

impl Intake {
    /// Starts the filer on the current runtime; it stops when every `Intake` is dropped.
    pub fn start(db: DatabaseConnection, clock: Clock, secrets: Secrets) -> Self {
        let (queue, mut incoming) = mpsc::channel::<(Pending, Answer)>(QUEUE);
        tokio::spawn(async move {
            let mut arrived = Vec::with_capacity(MAX_GROUP);
            while incoming.recv_many(&mut arrived, MAX_GROUP).await > 0 {
                let group = std::mem::take(&mut arrived);
                let (db, clock, secrets) = (db.clone(), clock.clone(), secrets.clone());
                // A panic is a bug; in its own task it drops only its group's answers (their
                // citizens see an error, nothing was committed) and the queue keeps going.
                let filed = tokio::spawn(async move { file(Context { db: &db, clock: &clock, secrets: &secrets }, group).await });
                if let Err(err) = filed.await {
                    tracing::error!(%err, "a group of submissions was dropped");
                }
            }
        });
        Self { queue }
    }

    /// Checks the submission, queues it and waits until it is stored (or refused).
    pub async fn submit(
        &self,
        ctx: Context<'_>,
        input: &OpinionInput,
        channel: Channel,
        once: Option<idempotency::Key>,
    ) -> Result<Submitted, ServiceError> {
        let regions = crate::units::regions(ctx.db).await?;
        self.enqueue(ValidOpinion::parse(input, &regions)?, channel, once).await
    }

    /// `submit` with the citizen's photos: checked and redrawn off the request's thread, stored
    /// before the opinion is queued, attached in its transaction. Every field's error and every
    /// photo's come back together.
    pub async fn submit_with_photos(
        &self,
        ctx: Context<'_>,
        input: &OpinionInput,
        channel: Channel,
        once: Option<idempotency::Key>,
        photos: Vec<crate::evidence::Upload>,
        data_dir: &std::path::Path,
    ) -> Result<Submitted, ServiceError> {
        let regions = crate::units::regions(ctx.db).await?;
        let parsed = ValidOpinion::parse(input, &regions);
        let mut photo_errors = crate::service::FieldErrors::default();
        let checked = crate::evidence::check_apart(photos, "photos", &mut photo_errors).await;
        if checked.iter().any(|f| !f.content_type.starts_with("image/")) {
            photo_errors.add("photos", "not_an_image", "照片：只能上传 JPEG、PNG 或 WebP 图片");
        }
        let valid = match parsed {
            Ok(valid) if photo_errors.is_empty() => valid,
            Ok(_) => return Err(ServiceError::Invalid(photo_errors)),
            Err(ServiceError::Invalid(mut errors)) => {
                errors.0.extend(photo_errors.0);
                return Err(ServiceError::Invalid(errors));
            }
            Err(other) => return Err(other),
        };
        let stored = crate::evidence::store_all(data_dir, &checked).map_err(|e| ServiceError::Refused(format!("照片保存失败：{e}")))?;
        self.enqueue(valid.with_photos(stored), channel, once).await
    }

    async fn enqueue(&self, valid: ValidOpinion, channel: Channel, once: Option<idempotency::Key>) -> Result<Submitted, ServiceError> {
        let (answer, answered) = oneshot::channel();
        let stopped = || ServiceError::Db(sea_orm::DbErr::Custom("the submission queue has stopped".into()));
        self.queue.send((Pending { valid, channel, once }, answer)).await.map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

async fn file(ctx: Context<'_>, group: Vec<(Pending, Answer)>) {
    let (pending, answers): (Vec<Pending>, Vec<Answer>) = group.into_iter().unzip();
    match submit::file_all(ctx, &pending).await {
        Ok(outcomes) => {
            for (answer, outcome) in answers.into_iter().zip(outcomes) {
                // A citizen who stopped waiting is stored all the same.
                let _ = answer.send(outcome);
            }
        }
        Err(err) if pending.len() == 1 => {
            if let Some(answer) = answers.into_iter().next() {
                let _ = answer.send(Err(err));
            }
        }
        Err(err) => {
            tracing::warn!(%err, size = pending.len(), "a group of submissions failed; filing each alone");
            for (one, answer) in pending.into_iter().zip(answers) {
                let outcome =
                    submit::file_all(ctx, std::slice::from_ref(&one)).await.and_then(|mut o| o.pop().ok_or(ServiceError::NotFound));
                let _ = answer.send(outcome.and_then(|o| o));
            }
        }
    }
}
