//! Versioned settings. Each change writes a new version; the newest is in force, and the
//! old ones stay so published figures can name the rules they were made under.

use entity::setting;
use entity::vocab::OpinionKind;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::{
    journal,
    service::{Actor, FieldErrors, ServiceError},
    unit_of_work::{Context, Event, UnitOfWork},
};

/// A settings group stored under one key.
pub trait Group: Serialize + DeserializeOwned + Default {
    const KEY: &'static str;
}

/// Handling deadlines in working days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Deadlines {
    pub consult: u32,
    pub help: u32,
    pub suggestion: u32,
    pub complaint: u32,
    pub report: u32,
    pub praise: u32,
    /// For the office's follow-up of a 差评.
    pub followup: u32,
}

impl Default for Deadlines {
    fn default() -> Self {
        Self { consult: 2, help: 10, suggestion: 10, complaint: 15, report: 15, praise: 10, followup: 15 }
    }
}

impl Group for Deadlines {
    const KEY: &'static str = "deadlines";
}

impl Deadlines {
    pub fn for_kind(&self, kind: OpinionKind) -> u32 {
        match kind {
            OpinionKind::Consult => self.consult,
            OpinionKind::Help => self.help,
            OpinionKind::Suggestion => self.suggestion,
            OpinionKind::Complaint => self.complaint,
            OpinionKind::Report => self.report,
            OpinionKind::Praise => self.praise,
        }
    }

    pub fn validate(&self) -> Result<(), ServiceError> {
        let mut errors = FieldErrors::default();
        for (field, days) in [
            ("consult", self.consult),
            ("help", self.help),
            ("suggestion", self.suggestion),
            ("complaint", self.complaint),
            ("report", self.report),
            ("praise", self.praise),
            ("followup", self.followup),
        ] {
            if !(1..=90).contains(&days) {
                errors.add(field, "out_of_range", "须为 1 到 90 个工作日");
            }
        }
        errors.check()
    }
}

/// How the loop is closed with citizens: 回访's quiet period, and the vague time words a reply
/// may not use without a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FollowThrough {
    /// Days after a rectification is reported done with no 未解决 before it counts as 已整改
    /// without a citizen's confirmation.
    pub quiet_days: u32,
    pub vague_words: Vec<String>,
    /// An item reopened this many times goes on the 督办 board.
    pub supervise_reopened: u32,
    /// An opinion routed to this many units goes on the 督办 board.
    pub supervise_units: u32,
    /// The hour (Beijing time, 0–23) a citizen who chose a daily digest gets it.
    pub digest_hour: u32,
}

impl Default for FollowThrough {
    fn default() -> Self {
        Self {
            quiet_days: 15,
            supervise_reopened: 3,
            supervise_units: 3,
            digest_hour: 20,
            vague_words: crate::opinions::reply_check::DEFAULT_VAGUE_WORDS.iter().map(|w| w.to_string()).collect(),
        }
    }
}

impl Group for FollowThrough {
    const KEY: &'static str = "follow_through";
}

impl FollowThrough {
    pub fn validate(&self) -> Result<(), ServiceError> {
        let mut errors = FieldErrors::default();
        if !(1..=90).contains(&self.quiet_days) {
            errors.add("quiet_days", "out_of_range", "须为 1 到 90 天");
        }
        for (field, n) in [("supervise_reopened", self.supervise_reopened), ("supervise_units", self.supervise_units)] {
            if !(2..=20).contains(&n) {
                errors.add(field, "out_of_range", "须为 2 到 20");
            }
        }
        if self.digest_hour > 23 {
            errors.add("digest_hour", "out_of_range", "须为 0 到 23 点");
        }
        if self.vague_words.len() > 50 || self.vague_words.iter().any(|w| w.chars().count() > 10 || w.trim().is_empty()) {
            errors.add("vague_words", "invalid", "每个词 1 到 10 个字，最多 50 个");
        }
        errors.check()
    }
}

/// The group in force and its version (0 = built-in defaults, never saved).
pub async fn current<G: Group>(db: &impl ConnectionTrait) -> Result<(G, i32), DbErr> {
    let row = setting::Entity::find().filter(setting::Column::Key.eq(G::KEY)).order_by_desc(setting::Column::Version).one(db).await?;
    Ok(match row {
        // A row written by an older release may lack newer fields: serde(default) fills them.
        Some(row) => (serde_json::from_str(&row.value_json).unwrap_or_default(), row.version),
        None => (G::default(), 0),
    })
}

/// The group as it was at `version` (0, or a version never saved: the built-in defaults), and when
/// that version was saved.
pub async fn at_version<G: Group>(db: &impl ConnectionTrait, version: i32) -> Result<(G, Option<chrono::DateTime<chrono::Utc>>), DbErr> {
    let row = setting::Entity::find().filter(setting::Column::Key.eq(G::KEY)).filter(setting::Column::Version.eq(version)).one(db).await?;
    Ok(match row {
        Some(row) => (serde_json::from_str(&row.value_json).unwrap_or_default(), Some(row.created_at)),
        None => (G::default(), None),
    })
}

/// Every saved version of a group, newest first (a setting changes a few times a year; at most 100).
pub async fn history<G: Group>(db: &impl ConnectionTrait) -> Result<Vec<(i32, chrono::DateTime<chrono::Utc>, G)>, DbErr> {
    let rows =
        setting::Entity::find().filter(setting::Column::Key.eq(G::KEY)).order_by_desc(setting::Column::Version).limit(100).all(db).await?;
    Ok(rows.into_iter().map(|r| (r.version, r.created_at, serde_json::from_str(&r.value_json).unwrap_or_default())).collect())
}

/// Saves a new version of a group and returns its number.
pub async fn save<G: Group>(ctx: Context<'_>, actor: &Actor, value: &G) -> Result<i32, DbErr> {
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let (old, version) = current::<G>(uow.db()).await?;
    let next = version + 1;
    setting::ActiveModel {
        key: Set(G::KEY.into()),
        version: Set(next),
        value_json: Set(serde_json::to_string(value).expect("settings serialise")),
        created_by: Set(actor.user_id),
        created_at: Set(uow.now()),
        ..Default::default()
    }
    .insert(uow.db())
    .await?;
    uow.audit("settings.save", "setting", format!("{}@{next}", G::KEY), journal::snapshot(&old), journal::snapshot(value));
    uow.emit(Event {
        topic: "settings.saved",
        entity_type: "setting",
        entity_id: next,
        citizens: Vec::new(),
        data: Some(serde_json::json!({ "key": G::KEY })),
    });
    uow.commit().await?;
    Ok(next)
}
