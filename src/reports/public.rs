//! Reports as the public reads them: the published ones, newest first, filtered by the region or
//! unit of the problems they report on; one report with the current state of those problems;
//! and the reports about one problem.

use chrono::{DateTime, Utc};
use entity::vocab::ReportStatus;
use entity::{problem, rectification, report, report_link, responsibility, unit};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use serde::Serialize;

pub const PAGE_SIZE: u64 = 20;

#[derive(Debug, Default)]
pub struct Filter {
    pub region: Option<String>,
    /// A unit's code: reports on problems it leads.
    pub unit: Option<String>,
    pub page: u64,
}

#[derive(Debug, Serialize)]
pub struct Listed {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub published_at: String,
    #[serde(skip)]
    pub published: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct LinkedProblem {
    pub code: String,
    pub title: String,
    pub region: String,
    pub status_label: Option<&'static str>,
    pub progress: Option<i32>,
}

#[derive(Debug, Serialize)]
pub struct PublicReport {
    pub slug: String,
    pub title: String,
    pub summary: String,
    /// Sanitised (see [`super::render`]).
    pub html: String,
    pub published_at: Option<String>,
    pub updated: DateTime<Utc>,
    pub withdrawn: bool,
    pub withdrawn_reason: Option<String>,
    pub withdrawn_at: Option<String>,
    pub problems: Vec<LinkedProblem>,
    /// The first image of the body, for link previews.
    pub image: Option<String>,
}

fn shown() -> [ReportStatus; 2] {
    [ReportStatus::Published, ReportStatus::Withdrawn]
}

/// Published reports, newest first: a page of them and how many there are.
pub async fn published(db: &impl ConnectionTrait, filter: &Filter) -> Result<(Vec<Listed>, u64), DbErr> {
    let mut find = report::Entity::find().filter(report::Column::Status.eq(ReportStatus::Published));
    let mut problems = problem::Entity::find().select_only().column(problem::Column::Id);
    let mut narrowed = false;
    if let Some(region) = &filter.region {
        problems = problems.filter(problem::Column::Region.eq(region.as_str()));
        narrowed = true;
    }
    if let Some(code) = &filter.unit {
        let led = responsibility::Entity::find().select_only().column(responsibility::Column::ProblemId).filter(
            responsibility::Column::LeadUnitId.in_subquery(
                unit::Entity::find().select_only().column(unit::Column::Id).filter(unit::Column::Code.eq(code.as_str())).into_query(),
            ),
        );
        problems = problems.filter(problem::Column::Id.in_subquery(led.into_query()));
        narrowed = true;
    }
    if narrowed {
        let linked = report_link::Entity::find()
            .select_only()
            .column(report_link::Column::ReportId)
            .filter(report_link::Column::ProblemId.in_subquery(problems.into_query()));
        find = find.filter(report::Column::Id.in_subquery(linked.into_query()));
    }
    let total = find.clone().count(db).await?;
    let rows = find
        .order_by_desc(report::Column::PublishedAt)
        .order_by_desc(report::Column::Id)
        .offset(filter.page.saturating_sub(1).min(10_000) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all(db)
        .await?;
    Ok((rows.into_iter().map(listed).collect(), total))
}

fn listed(r: report::Model) -> Listed {
    let published = r.published_at.unwrap_or(r.updated_at);
    Listed { slug: r.slug, title: r.title, summary: r.summary, published_at: crate::domain::time::minute(published), published }
}

/// A published or withdrawn report (a draft, one in review or scheduled is not public yet).
pub async fn by_slug(db: &impl ConnectionTrait, slug: &str) -> Result<Option<PublicReport>, DbErr> {
    let Some(r) =
        report::Entity::find().filter(report::Column::Slug.eq(slug)).filter(report::Column::Status.is_in(shown())).one(db).await?
    else {
        return Ok(None);
    };
    let problems = linked_problems(db, r.id).await?;
    // A withdrawn report keeps its page and notice, not its text: it may be why it was withdrawn.
    let html = if r.status == ReportStatus::Withdrawn { String::new() } else { super::render::to_html(&r.body_md) };
    let image = regex::Regex::new(r#"<img src="(/[^"]+)""#).expect("a valid pattern").captures(&html).map(|c| c[1].to_string());
    Ok(Some(PublicReport {
        slug: r.slug,
        title: r.title,
        summary: r.summary,
        html,
        published_at: r.published_at.map(crate::domain::time::minute),
        updated: r.updated_at,
        withdrawn: r.status == ReportStatus::Withdrawn,
        withdrawn_reason: r.withdrawn_reason,
        withdrawn_at: r.withdrawn_at.map(crate::domain::time::minute),
        problems,
        image,
    }))
}

/// The problems a report is about, each with its rectification's state now.
pub async fn linked_problems(db: &impl ConnectionTrait, report_id: i32) -> Result<Vec<LinkedProblem>, DbErr> {
    let ids = report_link::Entity::find()
        .select_only()
        .column(report_link::Column::ProblemId)
        .filter(report_link::Column::ReportId.eq(report_id))
        .filter(report_link::Column::ProblemId.is_not_null());
    let problems = problem::Entity::find()
        .filter(problem::Column::Id.in_subquery(ids.into_query()))
        .order_by_asc(problem::Column::Code)
        .all(db)
        .await?;
    let rects = rectification::Entity::find()
        .filter(rectification::Column::ProblemId.is_in(problems.iter().map(|p| p.id)))
        .order_by_asc(rectification::Column::Id)
        .all(db)
        .await?;
    Ok(problems
        .into_iter()
        .map(|p| {
            let rect = rects.iter().rfind(|r| r.problem_id == p.id);
            LinkedProblem {
                title: crate::privacy::scrub(&p.title),
                code: p.code,
                region: p.region,
                status_label: rect.map(|r| r.status.label()),
                progress: rect.map(|r| r.progress),
            }
        })
        .collect())
}

/// Published reports about a problem or a theme (either, or both), newest first.
pub async fn about(db: &impl ConnectionTrait, problem_id: Option<i32>, theme_id: Option<i32>) -> Result<Vec<Listed>, DbErr> {
    if problem_id.is_none() && theme_id.is_none() {
        return Ok(Vec::new());
    }
    let mut which = sea_orm::Condition::any();
    if let Some(id) = problem_id {
        which = which.add(report_link::Column::ProblemId.eq(id));
    }
    if let Some(id) = theme_id {
        which = which.add(report_link::Column::ThemeId.eq(id));
    }
    let linked = report_link::Entity::find().select_only().column(report_link::Column::ReportId).filter(which);
    let rows = report::Entity::find()
        .filter(report::Column::Id.in_subquery(linked.into_query()))
        .filter(report::Column::Status.eq(ReportStatus::Published))
        .order_by_desc(report::Column::PublishedAt)
        .limit(20)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(listed).collect())
}
