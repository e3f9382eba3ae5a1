//! Rows written before the privacy migration, rewritten once at start by the holder of the
//! secret: tracking codes become keyed digests (in opinions and ratings), unkeyed citizen hashes
//! become keyed pseudonyms, and the audit trail is cleaned and sealed with MACs. Recorded in the
//! trail itself. Nothing to do on a database that never held such rows.

use entity::{opinion, opinion_contact, rating};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect,
    sea_query::Expr,
};

use crate::domain::clock::Clock;
use crate::domain::tracking_code::TrackingCode;
use crate::secrets::Secrets;
use crate::service::Actor;
use crate::unit_of_work::{Context, UnitOfWork};

const BATCH: u64 = 1000;

pub async fn run(db: &DatabaseConnection, secrets: &Secrets, clock: &Clock) -> Result<(), DbErr> {
    let legacy_code = opinion::Entity::find()
        .select_only()
        .column(opinion::Column::Id)
        .filter(Expr::cust("LENGTH(code_digest) < 64"))
        .limit(1)
        .into_tuple::<i32>()
        .one(db)
        .await?;
    let legacy_key = opinion::Entity::find()
        .select_only()
        .column(opinion::Column::Id)
        .filter(opinion::Column::CitizenKey.is_not_null())
        .filter(opinion::Column::CitizenKey.not_like("c-%"))
        .limit(1)
        .into_tuple::<i32>()
        .one(db)
        .await?;
    let reseal = crate::journal::needs_reseal(db).await?;
    if legacy_code.is_none() && legacy_key.is_none() && !reseal {
        return Ok(());
    }
    let mut uow = UnitOfWork::begin(Context { db, clock, secrets }, &Actor::system("upgrade")).await?;
    let (mut codes, mut keys) = (0u64, 0u64);
    loop {
        let batch = opinion::Entity::find().filter(Expr::cust("LENGTH(code_digest) < 64")).limit(BATCH).all(uow.db()).await?;
        if batch.is_empty() {
            break;
        }
        for o in batch {
            // An unreadable old code can never be typed again: any digest that is no code's.
            let digest = TrackingCode::parse(&o.code_digest)
                .map(|c| secrets.code_digest(&c))
                .unwrap_or_else(|| secrets.code_digest(&TrackingCode::generate(&mut rand::rng())));
            rating::Entity::update_many()
                .col_expr(rating::Column::CodeDigest, Expr::value(digest.clone()))
                .filter(rating::Column::CodeDigest.eq(&o.code_digest))
                .exec(uow.db())
                .await?;
            let mut model = o.into_active_model();
            model.code_digest = Set(digest);
            model.update(uow.db()).await?;
            codes += 1;
        }
    }
    loop {
        let batch = opinion::Entity::find()
            .filter(opinion::Column::CitizenKey.is_not_null())
            .filter(opinion::Column::CitizenKey.not_like("c-%"))
            .limit(BATCH)
            .all(uow.db())
            .await?;
        if batch.is_empty() {
            break;
        }
        for o in batch {
            let phone = opinion_contact::Entity::find_by_id(o.id).one(uow.db()).await?.and_then(|c| c.phone);
            let identity = match phone {
                Some(phone) => format!("tel:{phone}"),
                None => format!("legacy:{}", o.citizen_key.clone().unwrap_or_default()),
            };
            let mut model = o.into_active_model();
            model.citizen_key = Set(Some(secrets.citizen_key(&identity)));
            model.update(uow.db()).await?;
            keys += 1;
        }
    }
    let resealed = if reseal { crate::journal::reseal(uow.db(), secrets).await? } else { 0 };
    let detail = serde_json::json!({ "tracking_codes": codes, "citizen_keys": keys, "audit_entries_resealed": resealed });
    uow.audit("upgrade.privacy", "database", "all", None, Some(detail));
    uow.commit().await?;
    tracing::info!(codes, keys, resealed, "rows from before the privacy migration rewritten");
    Ok(())
}
