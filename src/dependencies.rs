//! Which derived documents depend on which records, declared once. A writer touches the
//! records it changed; the unit of work expands them here into every search document to
//! refresh, so no writer can forget one:
//!
//! | touched record | documents refreshed |
//! |---|---|
//! | opinion | the opinion; the problem it is linked to (its document carries its opinions' titles) |
//! | problem | the problem; its rectification (titled after it) |
//! | rectification | the rectification; its problem (which carries the rectification's status) |
//! | report | the report |
//! | unit | every problem and rectification it leads or cooperates on (unit facets and names) |
//!
//! A link that moves (an opinion relinked to another problem) is touched on both sides by the
//! one function that moves it: `opinions::save`.

use std::collections::BTreeSet;

use entity::{opinion, rectification, responsibility, responsibility_unit};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

/// The topic of events that ask for a search document to be refreshed.
pub const DOCUMENT: &str = "document";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Record {
    Opinion(i32),
    Problem(i32),
    Rectification(i32),
    Report(i32),
    Unit(i32),
}

/// A search document: (type, record id).
pub type Document = (&'static str, i32);

/// Every document depending on `touched`, as the rows stand now.
pub async fn documents(db: &impl ConnectionTrait, touched: &BTreeSet<Record>) -> Result<BTreeSet<Document>, DbErr> {
    let mut out = BTreeSet::new();
    let (mut opinions, mut problems, mut rects, mut units) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for record in touched {
        match *record {
            Record::Opinion(id) => opinions.push(id),
            Record::Problem(id) => problems.push(id),
            Record::Rectification(id) => rects.push(id),
            Record::Report(id) => {
                out.insert(("report", id));
            }
            Record::Unit(id) => units.push(id),
        }
    }
    for chunk in opinions.chunks(500) {
        out.extend(chunk.iter().map(|id| ("opinion", *id)));
        let linked: Vec<Option<i32>> = opinion::Entity::find()
            .select_only()
            .column(opinion::Column::ProblemId)
            .filter(opinion::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        problems.extend(linked.into_iter().flatten());
    }
    for chunk in units.chunks(500) {
        let led: Vec<i32> = responsibility::Entity::find()
            .select_only()
            .column(responsibility::Column::ProblemId)
            .filter(responsibility::Column::LeadUnitId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        problems.extend(led);
        let helped: Vec<i32> = responsibility_unit::Entity::find()
            .select_only()
            .column(responsibility_unit::Column::ResponsibilityId)
            .filter(responsibility_unit::Column::UnitId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        for part in helped.chunks(500) {
            let of: Vec<i32> = responsibility::Entity::find()
                .select_only()
                .column(responsibility::Column::ProblemId)
                .filter(responsibility::Column::Id.is_in(part.to_vec()))
                .into_tuple()
                .all(db)
                .await?;
            problems.extend(of);
        }
    }
    for chunk in rects.chunks(500) {
        out.extend(chunk.iter().map(|id| ("rectification", *id)));
        let of: Vec<i32> = rectification::Entity::find()
            .select_only()
            .column(rectification::Column::ProblemId)
            .filter(rectification::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(of.into_iter().map(|id| ("problem", id)));
    }
    problems.sort_unstable();
    problems.dedup();
    for chunk in problems.chunks(500) {
        out.extend(chunk.iter().map(|id| ("problem", *id)));
        let of: Vec<i32> = rectification::Entity::find()
            .select_only()
            .column(rectification::Column::Id)
            .filter(rectification::Column::ProblemId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(of.into_iter().map(|id| ("rectification", id)));
    }
    Ok(out)
}
