//! Counting the score's inputs for many periods in one pass: ratings and opinions are read in
//! pages of their few needed columns, never a whole table at once, and each row is counted for
//! every period it falls in. What used to be done per theme (scanning every opinion for each) is
//! one accumulation keyed by (period, theme, subject).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::vocab::{OpinionStatus, RatingLevel, RatingOrigin, RatingTarget, RectificationStatus, Verification};
use entity::{opinion, problem, rating, rectification, responsibility, theme, unit};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::formula::{Components, ScoreSettings, composite, rating_score, shrunk_rate};
use super::period::Period;
use super::{Key, SubjectScore, Tally, keys};
use crate::domain::time;

const PAGE: u64 = 10_000;

/// Subjects interned to small numbers, so per-theme shares cost little.
#[derive(Default)]
struct Subjects {
    ids: HashMap<Key, u32>,
    keys: Vec<Key>,
}

impl Subjects {
    fn id(&mut self, key: Key) -> u32 {
        if let Some(id) = self.ids.get(&key) {
            return *id;
        }
        let id = self.keys.len() as u32;
        self.keys.push(key.clone());
        self.ids.insert(key, id);
        id
    }
}

struct Window {
    period: Period,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Default)]
struct ThemeTally {
    members: u32,
    bad: u32,
    /// Members per subject.
    shares: HashMap<u32, u32>,
}

type RatingRow = (Option<i32>, RatingLevel, RatingOrigin, DateTime<Utc>, Option<i32>, Option<String>, Option<String>);
type OpinionRow = (
    i32,
    Option<i32>,
    Option<String>,
    Option<String>,
    Option<i32>,
    Option<DateTime<Utc>>,
    OpinionStatus,
    Option<NaiveDate>,
    Option<DateTime<Utc>>,
    DateTime<Utc>,
);

/// One rating row as the score reads it: id, opinion, target, level, origin, follow-up, time,
/// unit, region, category.
type RatingTuple =
    (i32, Option<i32>, RatingTarget, RatingLevel, RatingOrigin, bool, DateTime<Utc>, Option<i32>, Option<String>, Option<String>);
/// One rectification as the score reads it: problem, status, completion, verification.
type RectTuple = (i32, RectificationStatus, Option<DateTime<Utc>>, Option<Verification>);

/// Every subject's score in each of `periods`, under `s`, as of `today`.
pub async fn compute_many(
    db: &impl ConnectionTrait,
    periods: &[Period],
    s: &ScoreSettings,
    today: NaiveDate,
) -> Result<Vec<(Period, Vec<SubjectScore>)>, DbErr> {
    let windows: Vec<Window> = periods
        .iter()
        .map(|p| {
            let (start, end) = p.bounds();
            Window { period: *p, start, end }
        })
        .collect();
    let (Some(earliest), Some(latest)) = (windows.iter().map(|w| w.start).min(), windows.iter().map(|w| w.end).max()) else {
        return Ok(Vec::new());
    };
    // Units and themes are the city's short lists.
    let units: HashMap<i32, unit::Model> = unit::Entity::find().all(db).await?.into_iter().map(|u| (u.id, u)).collect();
    let unit_code = |id: Option<i32>| id.and_then(|i| units.get(&i)).map(|u| u.code.clone());
    let themes: HashMap<i32, (f64, String)> = theme::Entity::find()
        .select_only()
        .columns([theme::Column::Id, theme::Column::Heat, theme::Column::RepresentativeTitle])
        // The live themes, which opinions point to; a period's themes are the office's reading.
        .filter(theme::Column::Period.eq(crate::themes::mining::ALL))
        .into_tuple::<(i32, f64, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, heat, title)| (id, (heat, title)))
        .collect();
    let mut tallies: Vec<BTreeMap<Key, Tally>> = windows.iter().map(|_| BTreeMap::new()).collect();

    // Ratings: who rated (for response rates), who was unhappy (for theme pressure), and the
    // ratings inside the windows themselves.
    let mut rated: HashSet<i32> = HashSet::new();
    let mut negative: HashMap<i32, bool> = HashMap::new();
    let mut in_windows: Vec<RatingRow> = Vec::new();
    let mut after = 0;
    loop {
        let page: Vec<RatingTuple> = rating::Entity::find()
            .select_only()
            .columns([
                rating::Column::Id,
                rating::Column::OpinionId,
                rating::Column::Target,
                rating::Column::Level,
                rating::Column::Origin,
                rating::Column::IsFollowup,
                rating::Column::CreatedAt,
                rating::Column::UnitId,
                rating::Column::Region,
                rating::Column::Category,
            ])
            .filter(rating::Column::Id.gt(after))
            .order_by_asc(rating::Column::Id)
            .limit(PAGE)
            .into_tuple()
            .all(db)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.0;
        for (_, opinion_id, target, level, origin, followup, at, unit_id, region, category) in page {
            if let Some(o) = opinion_id.filter(|_| target == RatingTarget::Opinion) {
                if origin == RatingOrigin::Citizen {
                    rated.insert(o);
                }
                if !followup {
                    negative.insert(o, level.is_negative());
                }
            }
            if !followup && at >= earliest && at < latest {
                in_windows.push((opinion_id, level, origin, at, unit_id, region, category));
            }
        }
    }

    // Opinions: response rate, responsiveness, and each theme's members per window.
    let mut theme_of: HashMap<i32, i32> = HashMap::new();
    let mut subjects = Subjects::default();
    let mut theme_tallies: HashMap<(usize, i32), ThemeTally> = HashMap::new();
    let open = [OpinionStatus::Received, OpinionStatus::Routed, OpinionStatus::InProgress];
    let mut after = 0;
    loop {
        let page: Vec<OpinionRow> = opinion::Entity::find()
            .select_only()
            .columns([
                opinion::Column::Id,
                opinion::Column::RoutedUnitId,
                opinion::Column::Region,
                opinion::Column::Category,
                opinion::Column::ThemeId,
                opinion::Column::ClosedAt,
                opinion::Column::Status,
                opinion::Column::DueDate,
                opinion::Column::RepliedAt,
                opinion::Column::SubmittedAt,
            ])
            .filter(opinion::Column::Id.gt(after))
            .order_by_asc(opinion::Column::Id)
            .limit(PAGE)
            .into_tuple()
            .all(db)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.0;
        for (id, routed, region, category, theme_id, closed_at, status, due_date, replied_at, submitted_at) in page {
            // Withdrawn by the citizen: it counts for no one.
            if status == OpinionStatus::Withdrawn {
                continue;
            }
            if let Some(t) = theme_id {
                theme_of.insert(id, t);
            }
            let k = keys(unit_code(routed).as_deref(), region.as_deref(), category.as_deref(), theme_id);
            let rateable = crate::opinions::RATEABLE.contains(&status);
            let bad = negative.get(&id).copied().unwrap_or(false) || (open.contains(&status) && due_date.is_some_and(|d| d < today));
            for (w, window) in windows.iter().enumerate() {
                if closed_at.is_some_and(|c| c >= window.start && c < window.end) && rateable {
                    for key in &k {
                        let t = tallies[w].entry(key.clone()).or_default();
                        t.asked += 1;
                        t.rated += u64::from(rated.contains(&id));
                    }
                }
                // Answered by the due date, among cases due in the window.
                if let Some(due) = due_date.filter(|d| window.period.contains(*d) && (*d < today || replied_at.is_some())) {
                    let ok = replied_at.is_some_and(|r| time::today(r) <= due);
                    for key in &k {
                        let t = tallies[w].entry(key.clone()).or_default();
                        t.resp_due += 1.0;
                        t.resp_ok += f64::from(u8::from(ok));
                    }
                }
                if let Some(t) = theme_id.filter(|_| submitted_at < window.end) {
                    let tally = theme_tallies.entry((w, t)).or_default();
                    tally.members += 1;
                    tally.bad += u32::from(bad);
                    for key in &k {
                        *tally.shares.entry(subjects.id(key.clone())).or_default() += 1;
                    }
                }
            }
        }
    }
    for (opinion_id, level, origin, at, unit_id, region, category) in in_windows {
        let theme = opinion_id.and_then(|id| theme_of.get(&id).copied());
        let slot = RatingLevel::ALL.iter().position(|l| *l == level).expect("five levels");
        for (w, window) in windows.iter().enumerate() {
            if at >= window.start && at < window.end {
                for key in keys(unit_code(unit_id).as_deref(), region.as_deref(), category.as_deref(), theme) {
                    let t = tallies[w].entry(key).or_default();
                    if origin == RatingOrigin::Citizen { t.levels.citizen[slot] += 1 } else { t.levels.default[slot] += 1 }
                }
            }
        }
    }

    // Theme pressure: hot themes whose citizens are unhappy or unanswered weigh on every subject
    // their messages belong to, in proportion to their heat and the subject's share of them.
    for ((w, theme_id), t) in theme_tallies {
        let heat = themes.get(&theme_id).map_or(0.0, |(h, _)| *h);
        let bad = f64::from(t.bad) / f64::from(t.members.max(1));
        for (subject, n) in t.shares {
            let share = f64::from(n) / f64::from(t.members.max(1));
            let tally = tallies[w].entry(subjects.keys[subject as usize].clone()).or_default();
            tally.pressure_num += heat * bad * share;
            tally.pressure_den += heat * share;
        }
    }

    // Rectification: finished on time and not failed, among items due or finished in the window.
    let rects: Vec<RectTuple> = rectification::Entity::find()
        .select_only()
        .columns([
            rectification::Column::ProblemId,
            rectification::Column::Status,
            rectification::Column::CompletedAt,
            rectification::Column::Verification,
        ])
        .into_tuple()
        .all(db)
        .await?;
    let resps: HashMap<i32, (i32, NaiveDate)> = responsibility::Entity::find()
        .select_only()
        .columns([responsibility::Column::ProblemId, responsibility::Column::LeadUnitId, responsibility::Column::Deadline])
        .into_tuple::<(i32, i32, NaiveDate)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(p, u, d)| (p, (u, d)))
        .collect();
    let problems: HashMap<i32, (String, String)> = problem::Entity::find()
        .select_only()
        .columns([problem::Column::Id, problem::Column::Region, problem::Column::Category])
        .into_tuple::<(i32, String, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, r, c)| (id, (r, c)))
        .collect();
    for (problem_id, _, completed_at, verification) in rects {
        let (Some((lead, deadline)), Some((region, category))) = (resps.get(&problem_id), problems.get(&problem_id)) else { continue };
        let ok = completed_at.is_some_and(|c| time::today(c) <= *deadline) && verification != Some(Verification::Failed);
        for (w, window) in windows.iter().enumerate() {
            let finished_in = completed_at.is_some_and(|c| c >= window.start && c < window.end);
            let due_in = window.period.contains(*deadline) && *deadline < today;
            if !(finished_in || due_in) {
                continue;
            }
            for key in keys(unit_code(Some(*lead)).as_deref(), Some(region), Some(category), None) {
                let t = tallies[w].entry(key).or_default();
                t.rect_due += 1.0;
                t.rect_ok += f64::from(u8::from(ok));
            }
        }
    }

    let labels = |level: &str, subject: &str| -> String {
        match level {
            "city" => "全市".to_string(),
            "unit" => units.values().find(|u| u.code == subject).map(|u| u.name.clone()).unwrap_or_else(|| subject.to_string()),
            "theme" => {
                subject.parse::<i32>().ok().and_then(|id| themes.get(&id)).map(|(_, t)| t.clone()).unwrap_or_else(|| subject.to_string())
            }
            _ => subject.to_string(),
        }
    };
    Ok(windows.into_iter().zip(tallies).map(|(w, tallies)| (w.period, finish(tallies, s, &labels))).collect())
}

/// Turns one window's tallies into scores, each shrunk toward the city's own figures.
fn finish(tallies: BTreeMap<Key, Tally>, s: &ScoreSettings, label: &dyn Fn(&str, &str) -> String) -> Vec<SubjectScore> {
    let city = tallies.get(&("city", "city".to_string())).cloned().unwrap_or_default();
    let city_mean = rating_score(&city.levels, &ScoreSettings { prior_strength: 0.0, ..s.clone() }, 75.0).raw.unwrap_or(75.0);
    let city_rect = if city.rect_due > 0.0 { city.rect_ok * 100.0 / city.rect_due } else { 75.0 };
    let city_resp = if city.resp_due > 0.0 { city.resp_ok * 100.0 / city.resp_due } else { 75.0 };
    let k = s.prior_strength;
    tallies
        .into_iter()
        .map(|((level, subject), t)| {
            let ratings = rating_score(&t.levels, s, city_mean);
            let components = Components {
                ratings: (ratings.n > 0).then_some(ratings.score),
                rectification: (t.rect_due > 0.0).then(|| shrunk_rate(t.rect_ok, t.rect_due, city_rect, k / 2.0)),
                responsiveness: (t.resp_due > 0.0).then(|| shrunk_rate(t.resp_ok, t.resp_due, city_resp, k / 2.0)),
                themes: (t.pressure_den > 0.0).then(|| (100.0 * (1.0 - t.pressure_num / t.pressure_den)).clamp(0.0, 100.0)),
            };
            SubjectScore {
                level: level.to_string(),
                label: label(level, &subject),
                response_rate: (t.asked > 0).then(|| t.rated as f64 * 100.0 / t.asked as f64),
                asked: t.asked,
                rated: t.rated,
                rectification_n: t.rect_due as u64,
                responsiveness_n: t.resp_due as u64,
                composite: composite(&components, s),
                components,
                ratings,
                subject,
            }
        })
        .collect()
}
