//! Reading the audit trail, newest first, for the admin's page.

use entity::audit_log;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder};

/// Filters for reading the audit trail; blank means any.
#[derive(Debug, Default, Clone)]
pub struct TrailFilter {
    pub actor: Option<String>,
    /// A prefix: `unit.` finds `unit.create` and `unit.update`.
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
}

/// One page of the trail, newest first: (entries, page shown, pages).
pub async fn trail(
    db: &impl ConnectionTrait,
    filter: &TrailFilter,
    page: u64,
    per_page: u64,
) -> Result<(Vec<audit_log::Model>, u64, u64), DbErr> {
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
    let mut query = audit_log::Entity::find().order_by_desc(audit_log::Column::Id);
    if let Some(actor) = &filter.actor {
        query = query.filter(audit_log::Column::Actor.eq(actor));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_log::Column::Action.starts_with(action));
    }
    if let Some(entity_type) = &filter.entity_type {
        query = query.filter(audit_log::Column::EntityType.eq(entity_type));
    }
    if let Some(entity_id) = &filter.entity_id {
        query = query.filter(audit_log::Column::EntityId.eq(entity_id));
    }
    let paginator = query.paginate(db, per_page);
    let pages = paginator.num_pages().await?.max(1);
    let page = page.clamp(1, pages);
    Ok((paginator.fetch_page(page - 1).await?, page, pages))
}
