//! One opinion as anyone may read it (`/opinions/{id}`), the page a search hit opens: what was
//! asked, how it moved, the answer. Only public opinions that are neither hidden nor withdrawn;
//! never contacts, the tracking code, the location note or a staff note. A merged duplicate
//! sends the reader to the opinion it was merged into.

use entity::opinion;
use entity::vocab::OpinionStatus;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Serialize;

use super::progress::{self, LinkedProblem, Reader, Step};
use crate::domain::time;
use crate::privacy::PublicText;

#[derive(Debug, Serialize)]
pub struct PublicOpinion {
    pub id: i32,
    pub kind: &'static str,
    pub title: PublicText,
    pub content: PublicText,
    pub category: Option<String>,
    pub region: Option<String>,
    pub submitted_at: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub routed_unit: Option<String>,
    pub reply: Option<PublicText>,
    pub replied_at: Option<String>,
    pub history: Vec<Step>,
    pub problem: Option<LinkedProblem>,
    /// Duplicates merged into this one: "另有 N 条相同反映".
    pub duplicates: u64,
    /// The citizen's photos, once the office has shown them (attachment ids).
    pub photos: Vec<i32>,
}

pub enum Shown {
    Page(Box<PublicOpinion>),
    /// A merged duplicate: the opinion it joined.
    MergedInto(i32),
}

/// Whether the public may see an opinion at all.
pub fn is_public(o: &opinion::Model) -> bool {
    o.public && !matches!(o.status, OpinionStatus::Hidden | OpinionStatus::Withdrawn)
}

pub async fn load(db: &impl ConnectionTrait, id: i32) -> Result<Option<Shown>, DbErr> {
    let Some(o) = opinion::Entity::find_by_id(id).one(db).await?.filter(is_public) else { return Ok(None) };
    if o.status == OpinionStatus::Merged {
        // Only to a page that exists for the public: a duplicate of a private opinion is not shown.
        let Some(kept) = o.merged_into_id else { return Ok(None) };
        let public = opinion::Entity::find_by_id(kept).one(db).await?.is_some_and(|k| is_public(&k) && k.status != OpinionStatus::Merged);
        return Ok(public.then_some(Shown::MergedInto(kept)));
    }
    let history = progress::steps(db, o.id, Reader::Public).await?;
    let routed_unit = progress::routed_unit(db, &o).await?;
    let problem = progress::linked_problem(db, &o).await?;
    let duplicates = opinion::Entity::find()
        .filter(opinion::Column::MergedIntoId.eq(o.id))
        .filter(opinion::Column::Status.eq(OpinionStatus::Merged))
        .filter(opinion::Column::Public.eq(true))
        .count(db)
        .await?;
    Ok(Some(Shown::Page(Box::new(PublicOpinion {
        id: o.id,
        kind: o.kind.label(),
        title: PublicText::of(&o.title),
        content: PublicText::of(&o.content),
        category: o.category,
        region: o.region,
        submitted_at: time::minute(o.submitted_at),
        status: o.status.as_str(),
        status_label: o.status.label(),
        routed_unit,
        reply: o.reply.as_deref().map(PublicText::of),
        replied_at: o.replied_at.map(time::minute),
        history,
        problem,
        photos: if o.photos_public { photo_ids(db, o.id).await? } else { Vec::new() },
        duplicates,
    }))))
}

/// The ids of an opinion's photos, oldest first.
pub async fn photo_ids(db: &impl ConnectionTrait, opinion_id: i32) -> Result<Vec<i32>, DbErr> {
    use entity::attachment;
    use sea_orm::{QueryOrder, QuerySelect};
    attachment::Entity::find()
        .select_only()
        .column(attachment::Column::Id)
        .filter(attachment::Column::OwnerType.eq(crate::evidence::OWNER_OPINION))
        .filter(attachment::Column::OwnerId.eq(opinion_id))
        .order_by_asc(attachment::Column::Id)
        .into_tuple()
        .all(db)
        .await
}
