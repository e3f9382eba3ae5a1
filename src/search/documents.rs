//! What the index holds for each record, built from the database. Public text only, scrubbed;
//! contacts are never read here.

use std::collections::HashMap;

use entity::vocab::{OpinionStatus, RectificationStatus, ReportStatus};
use entity::{opinion, problem, progress_update, rectification, report, responsibility, responsibility_unit, unit};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tantivy::TantivyDocument;
use tantivy::schema::Facet;

use super::Fields;
use crate::privacy::PublicText;

/// The kinds of document, as stored in `doc_type` and shown in Chinese.
pub const TYPES: &[(&str, &str)] = &[("problem", "问题"), ("rectification", "整改"), ("report", "报道"), ("opinion", "群众意见")];

pub fn type_label(doc_type: &str) -> &'static str {
    TYPES.iter().find(|(t, _)| *t == doc_type).map(|(_, l)| *l).unwrap_or("")
}

pub struct Source {
    pub doc_type: &'static str,
    pub id: i32,
    pub public: bool,
    pub title: PublicText,
    pub body: PublicText,
    pub url: String,
    pub code: String,
    pub region: String,
    pub category: String,
    pub status: String,
    pub units: Vec<String>,
    pub date: i64,
}

impl Source {
    pub fn key(doc_type: &str, id: i32) -> String {
        format!("{doc_type}:{id}")
    }

    pub fn to_document(&self, f: &Fields) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_text(f.key, Self::key(self.doc_type, self.id));
        doc.add_text(f.doc_type, self.doc_type);
        doc.add_text(f.visibility, if self.public { "public" } else { "staff" });
        doc.add_text(f.title, self.title.as_str());
        doc.add_text(f.body, self.body.as_str());
        doc.add_text(f.grams, self.title.as_str());
        doc.add_text(f.grams, self.body.as_str());
        doc.add_text(f.url, &self.url);
        doc.add_text(f.code, &self.code);
        doc.add_text(f.region, &self.region);
        doc.add_text(f.category, &self.category);
        doc.add_text(f.status, &self.status);
        doc.add_i64(f.date, self.date);
        doc.add_u64(f.title_key, super::folding::title_key(self.doc_type, self.title.as_str()));
        doc.add_facet(f.facets, Facet::from_path(["type", self.doc_type]));
        for (name, value) in [("region", &self.region), ("category", &self.category), ("status", &self.status)] {
            if !value.is_empty() {
                doc.add_facet(f.facets, Facet::from_path([name, value.as_str()]));
            }
        }
        for code in &self.units {
            doc.add_facet(f.facets, Facet::from_path(["unit", code.as_str()]));
        }
        doc
    }
}

/// The units of each problem, lead first: codes (for facets) and names (for words).
async fn units_of(db: &impl ConnectionTrait, problem_ids: &[i32]) -> Result<HashMap<i32, (Vec<String>, Vec<String>)>, DbErr> {
    let resps = responsibility::Entity::find().filter(responsibility::Column::ProblemId.is_in(problem_ids.to_vec())).all(db).await?;
    let links = responsibility_unit::Entity::find()
        .filter(responsibility_unit::Column::ResponsibilityId.is_in(resps.iter().map(|r| r.id)))
        .all(db)
        .await?;
    // The unit list is short (a city has tens to hundreds of units).
    let units: HashMap<i32, unit::Model> = unit::Entity::find().all(db).await?.into_iter().map(|u| (u.id, u)).collect();
    let mut out = HashMap::new();
    for r in resps {
        let ids = std::iter::once(r.lead_unit_id).chain(links.iter().filter(|l| l.responsibility_id == r.id).map(|l| l.unit_id));
        let (codes, names) = ids.filter_map(|id| units.get(&id)).map(|u| (u.code.clone(), u.name.clone())).unzip();
        out.insert(r.problem_id, (codes, names));
    }
    Ok(out)
}

/// The documents of `ids` of one type, loaded in a few queries whatever their number; `None`
/// for a record that is gone or must not be in the index.
pub async fn load_many(db: &impl ConnectionTrait, entity_type: &str, ids: &[i32]) -> Result<Vec<(i32, Option<Source>)>, DbErr> {
    let mut found: HashMap<i32, Source> = match entity_type {
        "problem" => problems(db, ids).await?,
        "rectification" => rectifications(db, ids).await?,
        "report" => reports(db, ids).await?,
        "opinion" => opinions(db, ids).await?,
        _ => HashMap::new(),
    };
    Ok(ids.iter().map(|id| (*id, found.remove(id))).collect())
}

async fn problems(db: &impl ConnectionTrait, ids: &[i32]) -> Result<HashMap<i32, Source>, DbErr> {
    let found = problem::Entity::find().filter(problem::Column::Id.is_in(ids.to_vec())).all(db).await?;
    let status: HashMap<i32, RectificationStatus> = rectification::Entity::find()
        .select_only()
        .columns([rectification::Column::ProblemId, rectification::Column::Status])
        .filter(rectification::Column::ProblemId.is_in(ids.to_vec()))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    // Citizens search in their own words: the titles of the public opinions that raised the
    // problem make it findable by them.
    let mut voiced: HashMap<i32, Vec<String>> = HashMap::new();
    let titles: Vec<(Option<i32>, String)> = opinion::Entity::find()
        .select_only()
        .columns([opinion::Column::ProblemId, opinion::Column::Title])
        .filter(opinion::Column::ProblemId.is_in(ids.to_vec()))
        .filter(opinion::Column::Status.is_not_in([OpinionStatus::Hidden, OpinionStatus::Withdrawn]))
        .filter(opinion::Column::Public.eq(true))
        .into_tuple()
        .all(db)
        .await?;
    for (problem_id, title) in titles {
        voiced.entry(problem_id.unwrap_or_default()).or_default().push(title);
    }
    let mut units = units_of(db, ids).await?;
    Ok(found
        .into_iter()
        .map(|p| {
            let mut titles = voiced.remove(&p.id).unwrap_or_default();
            titles.sort();
            titles.dedup();
            titles.truncate(30);
            let (codes, names) = units.remove(&p.id).unwrap_or_default();
            let source = Source {
                doc_type: "problem",
                id: p.id,
                public: true,
                title: PublicText::of(&p.title),
                body: PublicText::of(&format!("{}\n责任单位：{}\n群众反映：{}", p.description, names.join("、"), titles.join("；"))),
                url: format!("/problems/{}", p.code),
                code: p.code,
                region: p.region,
                category: p.category,
                status: status.get(&p.id).map(|s| s.as_str().to_string()).unwrap_or_default(),
                units: codes,
                date: p.updated_at.timestamp(),
            };
            (p.id, source)
        })
        .collect())
}

async fn rectifications(db: &impl ConnectionTrait, ids: &[i32]) -> Result<HashMap<i32, Source>, DbErr> {
    let rects = rectification::Entity::find().filter(rectification::Column::Id.is_in(ids.to_vec())).all(db).await?;
    let problem_ids: Vec<i32> = rects.iter().map(|r| r.problem_id).collect();
    let problems: HashMap<i32, problem::Model> = problem::Entity::find()
        .filter(problem::Column::Id.is_in(problem_ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut timelines: HashMap<i32, Vec<String>> = HashMap::new();
    let updates: Vec<(i32, String)> = progress_update::Entity::find()
        .select_only()
        .columns([progress_update::Column::RectificationId, progress_update::Column::Text])
        .filter(progress_update::Column::RectificationId.is_in(ids.to_vec()))
        .order_by_asc(progress_update::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    for (rect, text) in updates {
        timelines.entry(rect).or_default().push(text);
    }
    let mut units = units_of(db, &problem_ids).await?;
    Ok(rects
        .into_iter()
        .filter_map(|r| {
            let p = problems.get(&r.problem_id)?;
            let body = format!("{}\n{}\n{}\n{}", r.measures, r.plan, r.target, timelines.remove(&r.id).unwrap_or_default().join("\n"));
            let source = Source {
                doc_type: "rectification",
                id: r.id,
                public: true,
                title: PublicText::of(&format!("{}（整改）", p.title)),
                body: PublicText::of(&body),
                url: format!("/problems/{}", p.code),
                code: p.code.clone(),
                region: p.region.clone(),
                category: p.category.clone(),
                status: r.status.as_str().into(),
                units: units.remove(&p.id).map(|(codes, _)| codes).unwrap_or_default(),
                date: r.updated_at.timestamp(),
            };
            Some((r.id, source))
        })
        .collect())
}

async fn reports(db: &impl ConnectionTrait, ids: &[i32]) -> Result<HashMap<i32, Source>, DbErr> {
    Ok(report::Entity::find()
        .filter(report::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| {
            let source = Source {
                doc_type: "report",
                id: r.id,
                public: r.status == ReportStatus::Published,
                title: PublicText::of(&r.title),
                // Plain text: Markdown syntax would show in snippets.
                body: PublicText::of(&format!("{}\n{}", r.summary, crate::reports::render::to_plain(&r.body_md))),
                url: format!("/reports/{}", r.slug),
                code: String::new(),
                region: String::new(),
                category: String::new(),
                status: r.status.as_str().into(),
                units: Vec::new(),
                date: r.published_at.unwrap_or(r.updated_at).timestamp(),
            };
            (r.id, source)
        })
        .collect())
}

/// Whether a change to an opinion changes a search document: its own (made below) or its
/// problem's (which carries the titles of its public opinions). Staff-side fields (the routing
/// suggestion, the theme) do not, so saving them re-indexes nothing.
pub fn opinion_change_shows(before: &opinion::Model, after: &opinion::Model) -> bool {
    fn shown(o: &opinion::Model) -> impl PartialEq + '_ {
        (&o.title, &o.content, &o.reply, o.public, &o.region, &o.category, o.status, o.routed_unit_id, o.submitted_at, o.problem_id)
    }
    shown(before) != shown(after)
}

async fn opinions(db: &impl ConnectionTrait, ids: &[i32]) -> Result<HashMap<i32, Source>, DbErr> {
    let units: HashMap<i32, String> = unit::Entity::find().all(db).await?.into_iter().map(|u| (u.id, u.code)).collect();
    Ok(opinion::Entity::find()
        .filter(opinion::Column::Id.is_in(ids.to_vec()))
        // A merged duplicate folds into the opinion it joined (whose page counts it).
        .filter(opinion::Column::Status.is_not_in([OpinionStatus::Hidden, OpinionStatus::Withdrawn, OpinionStatus::Merged]))
        .all(db)
        .await?
        .into_iter()
        .map(|o| {
            let body = match &o.reply {
                Some(reply) => format!("{}\n{}", o.content, reply),
                None => o.content.clone(),
            };
            let source = Source {
                doc_type: "opinion",
                id: o.id,
                // 举报 and other private opinions are for staff only.
                public: o.public,
                title: PublicText::of(&o.title),
                body: PublicText::of(&body),
                // The public page for public opinions; staff open the rest on their desk.
                url: if o.public { format!("/opinions/{}", o.id) } else { format!("/office/opinions/{}", o.id) },
                code: String::new(),
                region: o.region.clone().unwrap_or_default(),
                category: o.category.clone().unwrap_or_default(),
                status: o.status.as_str().into(),
                units: o.routed_unit_id.and_then(|id| units.get(&id).cloned()).into_iter().collect(),
                date: o.submitted_at.timestamp(),
            };
            (o.id, source)
        })
        .collect())
}
