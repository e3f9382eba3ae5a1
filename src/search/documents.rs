//! What the index holds for each record, built from the database. Public text only, scrubbed;
//! contacts are never read here.

use entity::vocab::{OpinionStatus, ReportStatus};
use entity::{opinion, problem, progress_update, rectification, report, responsibility, responsibility_unit, unit};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
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
        doc.add_text(f.url, &self.url);
        doc.add_text(f.code, &self.code);
        doc.add_text(f.region, &self.region);
        doc.add_text(f.category, &self.category);
        doc.add_text(f.status, &self.status);
        doc.add_i64(f.date, self.date);
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

/// The codes (for facets) and names (for words) of the units responsible for a problem, lead first.
async fn units_of(db: &impl ConnectionTrait, problem_id: i32) -> Result<(Vec<String>, Vec<String>), DbErr> {
    let Some(resp) = responsibility::Entity::find().filter(responsibility::Column::ProblemId.eq(problem_id)).one(db).await? else {
        return Ok((Vec::new(), Vec::new()));
    };
    let mut ids = vec![resp.lead_unit_id];
    ids.extend(
        responsibility_unit::Entity::find()
            .filter(responsibility_unit::Column::ResponsibilityId.eq(resp.id))
            .all(db)
            .await?
            .into_iter()
            .map(|l| l.unit_id),
    );
    let mut units = unit::Entity::find().filter(unit::Column::Id.is_in(ids)).all(db).await?;
    units.sort_by_key(|u| u.id != resp.lead_unit_id);
    Ok(units.into_iter().map(|u| (u.code, u.name)).unzip())
}

/// The document for one record, or `None` when it must not be in the index.
pub async fn load(db: &impl ConnectionTrait, entity_type: &str, id: i32) -> Result<Option<Source>, DbErr> {
    match entity_type {
        "problem" => {
            let Some(p) = problem::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
            let status = rectification::Entity::find().filter(rectification::Column::ProblemId.eq(id)).one(db).await?.map(|r| r.status);
            // Citizens search in their own words: the titles of the opinions that raised the
            // problem make it findable by them.
            let mut voiced: Vec<String> = opinion::Entity::find()
                .filter(opinion::Column::ProblemId.eq(id))
                .filter(opinion::Column::Status.is_not_in([OpinionStatus::Hidden, OpinionStatus::Withdrawn]))
                .filter(opinion::Column::Public.eq(true))
                .order_by_asc(opinion::Column::Id)
                .all(db)
                .await?
                .into_iter()
                .map(|o| o.title)
                .collect();
            voiced.sort();
            voiced.dedup();
            voiced.truncate(30);
            let (units, names) = units_of(db, id).await?;
            Ok(Some(Source {
                doc_type: "problem",
                id,
                public: true,
                title: PublicText::of(&p.title),
                body: PublicText::of(&format!("{}\n责任单位：{}\n群众反映：{}", p.description, names.join("、"), voiced.join("；"))),
                url: format!("/problems/{}", p.code),
                code: p.code.clone(),
                region: p.region.clone(),
                category: p.category.clone(),
                status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
                units,
                date: p.updated_at.timestamp(),
            }))
        }
        "rectification" => {
            let Some(r) = rectification::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
            let Some(p) = problem::Entity::find_by_id(r.problem_id).one(db).await? else { return Ok(None) };
            let timeline: Vec<String> = progress_update::Entity::find()
                .filter(progress_update::Column::RectificationId.eq(id))
                .order_by_asc(progress_update::Column::Id)
                .all(db)
                .await?
                .into_iter()
                .map(|u| u.text)
                .collect();
            let body = format!("{}\n{}\n{}\n{}", r.measures, r.plan, r.target, timeline.join("\n"));
            Ok(Some(Source {
                doc_type: "rectification",
                id,
                public: true,
                title: PublicText::of(&format!("{}（整改）", p.title)),
                body: PublicText::of(&body),
                url: format!("/problems/{}", p.code),
                code: p.code.clone(),
                region: p.region.clone(),
                category: p.category.clone(),
                status: r.status.as_str().into(),
                units: units_of(db, p.id).await?.0,
                date: r.updated_at.timestamp(),
            }))
        }
        "report" => {
            let Some(r) = report::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
            Ok(Some(Source {
                doc_type: "report",
                id,
                public: r.status == ReportStatus::Published,
                title: PublicText::of(&r.title),
                body: PublicText::of(&format!("{}\n{}", r.summary, r.body_md)),
                url: format!("/reports/{}", r.slug),
                code: String::new(),
                region: String::new(),
                category: String::new(),
                status: r.status.as_str().into(),
                units: Vec::new(),
                date: r.published_at.unwrap_or(r.updated_at).timestamp(),
            }))
        }
        "opinion" => {
            let Some(o) = opinion::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
            if matches!(o.status, OpinionStatus::Hidden | OpinionStatus::Withdrawn) {
                return Ok(None);
            }
            let unit = match o.routed_unit_id {
                Some(uid) => unit::Entity::find_by_id(uid).one(db).await?.map(|u| u.code),
                None => None,
            };
            let body = match &o.reply {
                Some(reply) => format!("{}\n{}", o.content, reply),
                None => o.content.clone(),
            };
            Ok(Some(Source {
                doc_type: "opinion",
                id,
                // 举报 and other private opinions are for staff only.
                public: o.public,
                title: PublicText::of(&o.title),
                body: PublicText::of(&body),
                url: String::new(),
                code: String::new(),
                region: o.region.clone().unwrap_or_default(),
                category: o.category.clone().unwrap_or_default(),
                status: o.status.as_str().into(),
                units: unit.into_iter().collect(),
                date: o.submitted_at.timestamp(),
            }))
        }
        _ => Ok(None),
    }
}
