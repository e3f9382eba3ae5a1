//! Opinion queries for the staff inboxes. Opinions run to hundreds of thousands, so these
//! filter and page in the database.

use entity::vocab::{OpinionKind, OpinionStatus};
use entity::{opinion, opinion_contact, opinion_event, unit};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

use crate::domain::{text, time};
use crate::privacy::{StaffText, mask_phone};

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct InboxFilter {
    pub status: Option<String>,
    pub kind: Option<String>,
    pub category: Option<String>,
    pub region: Option<String>,
    /// `oldest` for oldest first (a backlog is worked from its oldest); newest first otherwise.
    pub order: Option<String>,
    /// A unit's inbox: `todo` (待办, due soonest — so overdue — first), `done` (已办) or `all`.
    pub view: Option<String>,
    pub page: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct InboxRow {
    pub id: i32,
    pub title: StaffText,
    pub kind: &'static str,
    pub status: &'static str,
    pub status_label: &'static str,
    pub category: Option<String>,
    pub region: Option<String>,
    pub submitted_at: String,
    pub due_date: Option<String>,
    pub overdue: bool,
}

pub struct Inbox {
    pub rows: Vec<InboxRow>,
    pub total: super::count::Capped,
    pub page: u64,
    pub pages: u64,
}

const PAGE: u64 = 30;

/// Opinions matching `filter`, newest first; only those routed to `unit_id` when given.
pub async fn inbox(
    db: &impl ConnectionTrait,
    filter: &InboxFilter,
    unit_id: Option<i32>,
    today: chrono::NaiveDate,
) -> Result<Inbox, DbErr> {
    let mut query = if filter.view.as_deref() == Some("todo") {
        opinion::Entity::find()
            .filter(opinion::Column::Status.is_in([OpinionStatus::Routed, OpinionStatus::InProgress]))
            .order_by_asc(opinion::Column::DueDate)
            .order_by_asc(opinion::Column::Id)
    } else if filter.view.as_deref() == Some("done") {
        opinion::Entity::find()
            .filter(opinion::Column::Status.is_in([OpinionStatus::Closed, OpinionStatus::Explained, OpinionStatus::Revisited]))
            .order_by_desc(opinion::Column::SubmittedAt)
            .order_by_desc(opinion::Column::Id)
    } else if filter.order.as_deref() == Some("oldest") {
        opinion::Entity::find().order_by_asc(opinion::Column::SubmittedAt).order_by_asc(opinion::Column::Id)
    } else {
        opinion::Entity::find().order_by_desc(opinion::Column::SubmittedAt).order_by_desc(opinion::Column::Id)
    };
    if let Some(status) = filter.status.as_deref().and_then(OpinionStatus::parse) {
        query = query.filter(opinion::Column::Status.eq(status));
    }
    if let Some(kind) = filter.kind.as_deref().and_then(OpinionKind::parse) {
        query = query.filter(opinion::Column::Kind.eq(kind));
    }
    if let Some(category) = filter.category.as_deref().and_then(|c| text::line(c, 32).ok()) {
        query = query.filter(opinion::Column::Category.eq(category));
    }
    if let Some(region) = filter.region.as_deref().and_then(|r| text::line(r, 32).ok()) {
        query = query.filter(opinion::Column::Region.eq(region));
    }
    if let Some(unit) = unit_id {
        query = query.filter(opinion::Column::RoutedUnitId.eq(unit));
    }
    let total = super::count::up_to_cap(db, query.clone()).await?;
    let page = filter.page.unwrap_or(1).clamp(1, total.pages(PAGE));
    let rows = query
        .paginate(db, PAGE)
        .fetch_page(page - 1)
        .await?
        .into_iter()
        .map(|o| InboxRow {
            id: o.id,
            title: StaffText::of(&o.title),
            kind: o.kind.label(),
            status: o.status.as_str(),
            status_label: o.status.label(),
            category: o.category,
            region: o.region,
            submitted_at: time::minute(o.submitted_at),
            due_date: o.due_date.map(|d| d.to_string()),
            overdue: matches!(o.status, OpinionStatus::Routed | OpinionStatus::InProgress) && o.due_date.is_some_and(|d| d < today),
        })
        .collect();
    Ok(Inbox { rows, total, page, pages: total.pages(PAGE) })
}

#[derive(Debug, Serialize)]
pub struct Contact {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub masked: bool,
}

#[derive(Debug, Serialize)]
pub struct StaffView {
    pub id: i32,
    pub kind: &'static str,
    pub title: StaffText,
    pub content: StaffText,
    pub category: Option<String>,
    pub region: Option<String>,
    pub channel: &'static str,
    pub status: &'static str,
    pub status_label: &'static str,
    pub routed_unit: Option<String>,
    pub due_date: Option<String>,
    pub reply: Option<StaffText>,
    pub consent_contact: bool,
    /// Shown on public pages (举报 are not, unless published).
    pub public: bool,
    pub location_note: Option<StaffText>,
    pub contact: Option<Contact>,
    pub events: Vec<serde_json::Value>,
    pub submitted_at: String,
    pub suggested_category: Option<String>,
    pub suggested_unit: Option<(String, String)>,
    pub suggestion_confidence: Option<u32>,
    /// The office's actions that apply now.
    pub allowed: crate::opinions::handling::Allowed,
    /// The problem on the list it is linked to: code and title.
    pub problem: Option<(String, String)>,
    pub merged_into: Option<i32>,
    /// 好差评 and 追评, oldest first.
    pub ratings: Vec<serde_json::Value>,
    /// What the office did about each 差评.
    pub followups: Vec<serde_json::Value>,
    /// The citizen's photos (attachment ids), and whether the public sees them.
    pub photos: Vec<i32>,
    pub photos_public: bool,
}

/// One opinion for staff. Contacts in full only for the unit handling the case.
pub async fn staff_view(db: &impl ConnectionTrait, id: i32, full_contact_for_unit: Option<i32>) -> Result<Option<StaffView>, DbErr> {
    let Some(o) = opinion::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
    let full = full_contact_for_unit.is_some() && full_contact_for_unit == o.routed_unit_id;
    let contact = opinion_contact::Entity::find_by_id(o.id).one(db).await?.map(|c| {
        if full {
            Contact { name: c.name, phone: c.phone, email: c.email, masked: false }
        } else {
            Contact {
                name: c.name.map(|n| format!("{}**", n.chars().next().unwrap_or('*'))),
                phone: c.phone.as_deref().map(mask_phone),
                email: c.email.map(|e| match e.split_once('@') {
                    Some((_, domain)) => format!("***@{domain}"),
                    None => "***".into(),
                }),
                masked: true,
            }
        }
    });
    let events = opinion_event::Entity::find()
        .filter(opinion_event::Column::OpinionId.eq(o.id))
        .order_by_asc(opinion_event::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|e| serde_json::json!({ "at": time::minute(e.created_at), "status": e.to_status.label(), "actor": e.actor_label, "note": e.note.as_deref().map(|n| StaffText::shown(n, full)), "public": e.public }))
        .collect();
    let routed_unit = match o.routed_unit_id {
        Some(uid) => unit::Entity::find_by_id(uid).one(db).await?.map(|u| u.name),
        None => None,
    };
    let suggested_unit = match o.suggested_unit_id {
        Some(uid) => unit::Entity::find_by_id(uid).one(db).await?.map(|u| (u.code, u.name)),
        None => None,
    };
    let problem = match o.problem_id {
        Some(pid) => entity::problem::Entity::find_by_id(pid).one(db).await?.map(|p| (p.code, p.title)),
        None => None,
    };
    let ratings: Vec<entity::rating::Model> = entity::rating::Entity::find()
        .filter(entity::rating::Column::OpinionId.eq(o.id))
        .order_by_asc(entity::rating::Column::Id)
        .all(db)
        .await?;
    let followups = entity::followup_task::Entity::find()
        .filter(entity::followup_task::Column::OpinionId.eq(o.id))
        .order_by_asc(entity::followup_task::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|f| {
            serde_json::json!({ "status": f.status.label(), "due": f.due_date.to_string(), "note": f.note.as_deref().map(|n| StaffText::shown(n, full)),
                "handled_at": f.handled_at.map(time::minute) })
        })
        .collect();
    let ratings = ratings
        .into_iter()
        .map(|r| {
            serde_json::json!({ "what": if r.is_followup { "追评" } else { r.target.label() }, "level": r.level.label(), "score": r.level.score(),
                "tags": r.tags, "comment": r.comment.as_deref().map(|c| StaffText::shown(c, full)), "at": time::minute(r.created_at) })
        })
        .collect();
    Ok(Some(StaffView {
        photos: crate::opinions::public_view::photo_ids(db, o.id).await?,
        photos_public: o.photos_public,
        allowed: crate::opinions::handling::Allowed::for_status(o.status),
        problem,
        merged_into: o.merged_into_id,
        ratings,
        followups,
        id: o.id,
        kind: o.kind.label(),
        // Numbers typed into the text are contacts too: only the handling unit sees them.
        title: StaffText::shown(&o.title, full),
        content: StaffText::shown(&o.content, full),
        category: o.category,
        region: o.region,
        channel: o.channel.label(),
        status: o.status.as_str(),
        status_label: o.status.label(),
        routed_unit,
        due_date: o.due_date.map(|d| d.to_string()),
        reply: o.reply.as_deref().map(|r| StaffText::shown(r, full)),
        consent_contact: o.consent_contact,
        public: o.public,
        location_note: o.location_note.as_deref().map(|n| StaffText::shown(n, full)),
        contact,
        events,
        submitted_at: time::minute(o.submitted_at),
        suggested_category: o.suggested_category,
        suggested_unit,
        suggestion_confidence: o.suggestion_confidence.map(|c| (c * 100.0).round() as u32),
    }))
}
