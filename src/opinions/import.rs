//! Importing opinions exported from 12345 hotlines and message boards (CSV, XLSX, JSON Lines).
//! Idempotent by external id: importing a file twice adds nothing the second time.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use entity::vocab::{Channel, OpinionKind, OpinionStatus};
use entity::{opinion, opinion_event};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::dependencies::Record;
use crate::domain::{DEFAULT_CATEGORIES, text, time};
use crate::secrets::Secrets;
use crate::service::{Actor, ServiceError};
use crate::tabular::{ImportReport, ImportRow, Rejected};
use crate::unit_of_work::{Context, UnitOfWork};

/// The fields an opinion import fills, and the headers each understands by default.
pub const DEFAULT_COLUMNS: &[(&str, &[&str])] = &[
    ("id", &["留言编号", "工单编号", "id"]),
    ("user", &["留言用户", "来电人", "user"]),
    ("title", &["留言主题", "标题", "title"]),
    ("time", &["留言时间", "来电时间", "time"]),
    ("body", &["留言详情", "诉求内容", "body"]),
    ("label", &["一级标签", "一级分类", "label"]),
    ("reply", &["答复意见", "办理结果", "reply"]),
    ("reply_time", &["答复时间", "办结时间", "reply_time"]),
    ("likes", &["点赞数", "likes"]),
    ("dislikes", &["反对数", "dislikes"]),
    ("region", &["所在区域", "区域", "region"]),
];

/// Which header feeds which field: the defaults, overridden by `field=header` pairs.
#[derive(Debug, Clone)]
pub struct Mapping(HashMap<&'static str, Vec<String>>);

impl Mapping {
    pub fn new(overrides: &[(String, String)]) -> Result<Self, String> {
        let mut map: HashMap<&'static str, Vec<String>> =
            DEFAULT_COLUMNS.iter().map(|(f, hs)| (*f, hs.iter().map(|h| h.to_string()).collect())).collect();
        for (field, header) in overrides {
            let Some((known, _)) = DEFAULT_COLUMNS.iter().find(|(f, _)| f == field) else {
                return Err(format!("未知字段 {field}，可用：{}", DEFAULT_COLUMNS.iter().map(|(f, _)| *f).collect::<Vec<_>>().join("、")));
            };
            map.insert(known, vec![header.clone()]);
        }
        Ok(Self(map))
    }

    fn get<'a>(&self, row: &'a ImportRow, field: &str) -> &'a str {
        self.0.get(field).and_then(|headers| headers.iter().find_map(|h| row.cells.get(h))).map(|s| s.trim()).unwrap_or("")
    }
}

/// Source times are Beijing wall-clock times in any of the usual spellings.
pub fn parse_time(input: &str) -> Option<DateTime<Utc>> {
    let s = input.trim();
    let naive = ["%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .or_else(|| {
            ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })?;
    time::beijing().from_local_datetime(&naive).single().map(|t| t.with_timezone(&Utc))
}

/// A guess at the type from the words people use; a message board does not record it.
fn kind_of(title: &str) -> OpinionKind {
    let has = |words: &[&str]| words.iter().any(|w| title.contains(w));
    if has(&["举报"]) {
        OpinionKind::Report
    } else if has(&["表扬", "感谢", "点赞"]) {
        OpinionKind::Praise
    } else if has(&["咨询", "请问", "如何", "怎么", "能否", "是否"]) {
        OpinionKind::Consult
    } else if has(&["求助", "救助", "帮帮"]) {
        OpinionKind::Help
    } else if has(&["建议", "希望", "呼吁"]) {
        OpinionKind::Suggestion
    } else {
        OpinionKind::Complaint
    }
}

/// A pseudonym per citizen: counts people without storing who they are.
/// The source's user id, as a keyed pseudonym per source.
fn citizen_key(secrets: &Secrets, source: &str, user: &str) -> Option<String> {
    (!user.is_empty()).then(|| secrets.citizen_key(&format!("import:{source}:{user}")))
}

struct Parsed {
    external_id: String,
    model: opinion::ActiveModel,
    submitted_at: DateTime<Utc>,
    replied_at: Option<DateTime<Utc>>,
}

/// Imported messages have no citizen holding a code. In place of a code's digest they get a marker
/// no digest can equal (digests are 64 hex digits; this starts `import:`), of the same length, and
/// increasing through an import: the unique index takes each at its end rather than at a random
/// page, one index fewer for a batch to rewrite page by page. The random tail keeps two imports
/// at the same instant apart.
fn no_code(now: DateTime<Utc>, row: usize) -> String {
    use rand::RngExt;
    let tail: u128 = rand::rng().random::<u128>() >> 36;
    format!("import:{:020}:{row:012}:{tail:023x}", now.timestamp_nanos_opt().unwrap_or_default().max(0))
}

fn parse_row(
    secrets: &Secrets,
    row: &ImportRow,
    mapping: &Mapping,
    source: &str,
    regions: &[String],
    now: DateTime<Utc>,
) -> Result<Parsed, String> {
    let id = mapping.get(row, "id");
    if id.is_empty() || id.chars().count() > 48 {
        return Err("缺少留言编号（或超过 48 个字符）".into());
    }
    let title: String = text::line(mapping.get(row, "title"), 10_000).map_err(|_| "缺少留言主题".to_string())?.chars().take(200).collect();
    let body = text::block(mapping.get(row, "body"), 20_000).unwrap_or_else(|_| title.clone());
    let submitted_at = match mapping.get(row, "time") {
        "" => now,
        t => parse_time(t).ok_or_else(|| format!("留言时间“{}”无法识别", t.chars().take(30).collect::<String>()))?,
    };
    let reply = text::block(mapping.get(row, "reply"), 20_000).ok();
    let replied_at = match (&reply, mapping.get(row, "reply_time")) {
        (None, _) => None,
        (Some(_), "") => Some(submitted_at),
        (Some(_), t) => {
            Some(parse_time(t).ok_or_else(|| format!("答复时间“{}”无法识别", t.chars().take(30).collect::<String>()))?.max(submitted_at))
        }
    };
    let label = mapping.get(row, "label");
    let count = |field: &str| mapping.get(row, field).parse::<f64>().map(|v| v.clamp(0.0, 1e9) as i32).unwrap_or(0);
    let status = if reply.is_some() { OpinionStatus::Closed } else { OpinionStatus::Received };
    let external_id = format!("{source}:{id}");
    let kind = kind_of(&title);
    let model = opinion::ActiveModel {
        code_digest: Set(no_code(now, row.line)),
        kind: Set(kind),
        title: Set(title),
        content: Set(body),
        category: Set(DEFAULT_CATEGORIES.contains(&label).then(|| label.to_string())),
        region: Set(Some(mapping.get(row, "region")).filter(|r| regions.iter().any(|known| known == r)).map(str::to_string)),
        location_note: Set(None),
        public: Set(kind != OpinionKind::Report),
        channel: Set(Channel::Import),
        external_id: Set(Some(external_id.clone())),
        citizen_key: Set(citizen_key(secrets, source, mapping.get(row, "user"))),
        status: Set(status),
        routed_unit_id: Set(None),
        due_date: Set(None),
        reply: Set(reply),
        replied_at: Set(replied_at),
        problem_id: Set(None),
        theme_id: Set(None),
        merged_into_id: Set(None),
        consent_contact: Set(false),
        likes: Set(count("likes")),
        dislikes: Set(count("dislikes")),
        suggested_category: Set(None),
        suggested_unit_id: Set(None),
        suggestion_confidence: Set(None),
        submitted_at: Set(submitted_at),
        updated_at: Set(replied_at.unwrap_or(submitted_at)),
        closed_at: Set(replied_at),
        ..Default::default()
    };
    Ok(Parsed { external_id, model, submitted_at, replied_at })
}

/// Rows per unit of work: big enough to amortise a commit, small enough to keep each short.
const BATCH: usize = 2000;
/// Rows read at once and written in time order. Real exports come shuffled in time, and five
/// desk indexes are keyed by the submission time: in file order every row of a batch lands on
/// a random page of each, and each commit rewrites them all; sorted, a batch covers a slice of
/// the window's time and rewrites a slice of the pages.
const WINDOW: usize = 20_000;

/// Imports a stream of rows under `source` (ids are kept as `source:id`), one unit of work per
/// batch with its own audit entry: memory stays flat whatever the file's size, an interrupted
/// import keeps whole batches, and running it again adds exactly the rest (rows whose id is
/// already stored are counted, not added). `progress(rows read)` is called after each window.
pub async fn import_opinions(
    ctx: Context<'_>,
    actor: &Actor,
    mut rows: impl Iterator<Item = Result<ImportRow, Rejected>>,
    mapping: &Mapping,
    source: &str,
    mut progress: impl FnMut(usize),
) -> Result<ImportReport, ServiceError> {
    let source = source.trim();
    if source.is_empty() || source.chars().count() > 15 {
        return Err(ServiceError::Refused("来源名称须为 1–15 个字符".into()));
    }
    let now = ctx.clock.now();
    let regions = crate::units::regions(ctx.db).await?;
    let mut report = ImportReport::default();
    let mut read = 0;
    loop {
        let window: Vec<Result<ImportRow, Rejected>> = rows.by_ref().take(WINDOW).collect();
        if window.is_empty() {
            break;
        }
        read += window.len();
        let mut parsed: Vec<Parsed> = Vec::with_capacity(window.len());
        let mut in_window: HashSet<String> = HashSet::new();
        for row in window {
            match row.and_then(|row| {
                parse_row(ctx.secrets, &row, mapping, source, &regions, now).map_err(|reason| Rejected { line: row.line, reason })
            }) {
                Ok(p) if in_window.insert(p.external_id.clone()) => parsed.push(p),
                Ok(_) => report.unchanged += 1,
                Err(rejected) => report.reject(rejected),
            }
        }
        parsed.sort_by_key(|p| p.submitted_at);
        let mut parsed = parsed.into_iter().peekable();
        while parsed.peek().is_some() {
            write_batch(ctx, actor, source, parsed.by_ref().take(BATCH).collect(), &mut report).await?;
        }
        progress(read);
    }
    report.rejected.sort_by_key(|r| r.line);
    Ok(report)
}

/// Stores the batch's rows not stored yet, with their events, in one unit of work.
async fn write_batch(
    ctx: Context<'_>,
    actor: &Actor,
    source: &str,
    batch: Vec<Parsed>,
    report: &mut ImportReport,
) -> Result<(), ServiceError> {
    let mut uow = UnitOfWork::begin(ctx, actor).await?;
    let txn = uow.db();
    let existing: HashSet<String> = opinion::Entity::find()
        .select_only()
        .column(opinion::Column::ExternalId)
        .filter(opinion::Column::Channel.eq(Channel::Import))
        .filter(opinion::Column::ExternalId.is_in(batch.iter().map(|p| p.external_id.clone())))
        .into_tuple::<Option<String>>()
        .all(txn)
        .await?
        .into_iter()
        .flatten()
        .collect();
    let (old, new): (Vec<Parsed>, Vec<Parsed>) = batch.into_iter().partition(|p| existing.contains(&p.external_id));
    report.unchanged += old.len();
    if !new.is_empty() {
        let times: HashMap<String, (DateTime<Utc>, Option<DateTime<Utc>>)> =
            new.iter().map(|p| (p.external_id.clone(), (p.submitted_at, p.replied_at))).collect();
        for part in new.chunks(500) {
            opinion::Entity::insert_many(part.iter().map(|p| p.model.clone())).exec_without_returning(txn).await?;
        }
        let inserted: Vec<(i32, Option<String>)> = opinion::Entity::find()
            .select_only()
            .columns([opinion::Column::Id, opinion::Column::ExternalId])
            .filter(opinion::Column::Channel.eq(Channel::Import))
            .filter(opinion::Column::ExternalId.is_in(times.keys().cloned()))
            .into_tuple()
            .all(txn)
            .await?;
        let mut events = Vec::new();
        for (id, external) in &inserted {
            let (submitted, replied) = times[external.as_deref().unwrap_or_default()];
            events.push(event(*id, None, OpinionStatus::Received, "批量导入", submitted));
            if let Some(at) = replied {
                events.push(event(*id, Some(OpinionStatus::Received), OpinionStatus::Closed, "承办单位", at));
            }
        }
        for part in events.chunks(1000) {
            opinion_event::Entity::insert_many(part.to_vec()).exec_without_returning(txn).await?;
        }
        let created = inserted.len();
        let first = inserted.iter().map(|(id, _)| *id).min();
        for (id, _) in &inserted {
            uow.touch(Record::Opinion(*id));
        }
        report.created += created;
        let summary = serde_json::json!({ "source": source, "created": created, "first": first });
        uow.audit("opinion.import", "opinion", source, None, Some(summary));
    }
    uow.commit().await?;
    Ok(())
}

fn event(opinion_id: i32, from: Option<OpinionStatus>, to: OpinionStatus, actor: &str, at: DateTime<Utc>) -> opinion_event::ActiveModel {
    opinion_event::ActiveModel {
        opinion_id: Set(opinion_id),
        from_status: Set(from),
        to_status: Set(to),
        actor_user_id: Set(None),
        actor_label: Set(actor.into()),
        note: Set(None),
        public: Set(true),
        created_at: Set(at),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_times_are_read_as_beijing_time() {
        let t = parse_time("2019/1/9 9:05:06").unwrap();
        assert_eq!(t.to_rfc3339(), "2019-01-09T01:05:06+00:00");
        assert!(parse_time("2020-01-06 12:09:38").is_some());
        assert!(parse_time("2020-01-06").is_some());
        assert!(parse_time("昨天").is_none());
    }

    #[test]
    fn types_are_guessed_from_words() {
        assert_eq!(kind_of("请问公积金如何提取"), OpinionKind::Consult);
        assert_eq!(kind_of("举报某小区违建"), OpinionKind::Report);
        assert_eq!(kind_of("A市某路段长期积水"), OpinionKind::Complaint);
    }

    #[test]
    fn imported_opinions_hold_no_code_and_their_markers_increase() {
        let now = Utc::now();
        let (a, b) = (no_code(now, 9), no_code(now, 10));
        assert_eq!((a.len(), b.len()), (64, 64), "as long as a digest, so never taken for an old plain code");
        assert!(a < b);
        assert!(no_code(now, 9) != a, "two imports at one instant stay apart");
        assert!(!a.chars().all(|c| c.is_ascii_hexdigit()), "no code's digest can equal it");
    }

    #[test]
    fn citizens_are_pseudonymous_per_source() {
        let s = Secrets::for_tests();
        assert_eq!(citizen_key(&s, "hot", "A000102948"), citizen_key(&s, "hot", "A000102948"));
        assert_ne!(citizen_key(&s, "hot", "A000102948"), citizen_key(&s, "board", "A000102948"));
        assert_eq!(citizen_key(&s, "hot", ""), None);
    }
}
