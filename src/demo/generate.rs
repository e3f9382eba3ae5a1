//! Pure generation of the demo city: the same seed and date give the same city.

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use entity::vocab::*;
use entity::*;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::phrases::{self, CONCERNS, REGIONS, UNITS};
use crate::domain::time::{add_working_days, today};
use crate::domain::tracking_code::TrackingCode;
use crate::secrets::Secrets;

pub const OPINIONS: usize = 2000;

#[derive(Debug, Default)]
pub struct City {
    pub units: Vec<unit::Model>,
    pub users: Vec<user::Model>,
    pub problems: Vec<problem::Model>,
    pub responsibilities: Vec<responsibility::Model>,
    pub responsibility_units: Vec<responsibility_unit::Model>,
    pub rectifications: Vec<rectification::Model>,
    pub progress_updates: Vec<progress_update::Model>,
    pub opinions: Vec<opinion::Model>,
    pub contacts: Vec<opinion_contact::Model>,
    pub events: Vec<opinion_event::Model>,
    pub ratings: Vec<rating::Model>,
    pub followups: Vec<followup_task::Model>,
    pub reports: Vec<report::Model>,
    pub report_links: Vec<report_link::Model>,
}

impl City {
    pub fn summary(&self) -> String {
        format!(
            "{} 个责任单位，{} 项问题，{} 条群众意见，{} 条评价，{} 篇跟踪报道",
            self.units.len(),
            self.problems.len(),
            self.opinions.len(),
            self.ratings.len(),
            self.reports.len()
        )
    }
}

struct Gen {
    rng: ChaCha8Rng,
    now: DateTime<Utc>,
    today: NaiveDate,
    city: City,
    office_user: i32,
    publicity_user: i32,
    reviewer_user: i32,
    secrets: Secrets,
}

/// Builds the whole city in memory. `hash` turns the demo password into a stored hash;
/// `secrets` keys the tracking-code digests and citizen pseudonyms as the portal stores them.
pub fn generate(seed: u64, now: DateTime<Utc>, hash: fn(&str) -> String, secrets: &Secrets) -> City {
    let now = now.with_nanosecond(0).expect("zero nanoseconds is valid");
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(seed),
        now,
        today: today(now),
        city: City::default(),
        office_user: 2,
        publicity_user: 3,
        reviewer_user: 6,
        secrets: secrets.clone(),
    };
    g.units();
    g.users(hash);
    g.problems();
    g.opinions();
    g.reports();
    g.city
}

fn unit_id(code: &str) -> i32 {
    UNITS.iter().position(|u| u.code == code).expect("demo unit codes are consistent") as i32 + 1
}

fn unit_name(id: i32) -> &'static str {
    UNITS[(id - 1) as usize].name
}

/// The unit that handles a category by default; the region's government for the rest.
fn default_unit(category: &str, region: &str) -> i32 {
    UNITS.iter().position(|u| u.categories.contains(&category)).map(|i| i as i32 + 1).unwrap_or_else(|| district_unit(region))
}

fn district_unit(region: &str) -> i32 {
    UNITS.iter().position(|u| u.region == Some(region)).expect("every region has a district unit") as i32 + 1
}

fn fill(template: &str, g: &mut Gen, region: &str) -> String {
    let time = *phrases::TIMES.choose(&mut g.rng).unwrap();
    let duration = *phrases::DURATIONS.choose(&mut g.rng).unwrap();
    let who = *phrases::WHOS.choose(&mut g.rng).unwrap();
    let building = *phrases::BUILDINGS.choose(&mut g.rng).unwrap();
    template
        .replace("{time}", time)
        .replace("{duration}", duration)
        .replace("{who}", who)
        .replace("{building}", building)
        .replace("{region}", region)
}

impl Gen {
    fn at(&mut self, days_ago_min: i64, days_ago_max: i64) -> DateTime<Utc> {
        let seconds = self.rng.random_range(days_ago_min * 86_400..=days_ago_max.max(days_ago_min) * 86_400);
        self.now - Duration::seconds(seconds)
    }

    fn between(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> DateTime<Utc> {
        let span = (to - from).num_seconds().max(1);
        from + Duration::seconds(self.rng.random_range(0..span))
    }

    /// A post title that fits the leading unit.
    fn post_for(&mut self, unit: i32) -> String {
        let spec = &UNITS[(unit - 1) as usize];
        match spec.region {
            Some(region) if region.ends_with('县') => "分管副县长".into(),
            Some("高新区") => "管委会副主任".into(),
            Some(_) => "分管副区长".into(),
            None => phrases::DEPARTMENT_POSTS.choose(&mut self.rng).unwrap().to_string(),
        }
    }

    fn units(&mut self) {
        let created_at = self.now - Duration::days(420);
        for (i, spec) in UNITS.iter().enumerate() {
            self.city.units.push(unit::Model {
                id: i as i32 + 1,
                code: spec.code.into(),
                name: spec.name.into(),
                kind: spec.kind,
                parent_id: None,
                region: spec.region.map(Into::into),
                active: true,
                created_at,
            });
        }
    }

    fn users(&mut self, hash: fn(&str) -> String) {
        let accounts: [(&str, &str, Role, Option<&str>); 6] = [
            ("admin", "系统管理员", Role::Admin, None),
            ("jixiaoban", "绩效办值班员", Role::Office, None),
            ("xuanchuanbu", "宣传部编辑", Role::Publicity, None),
            ("sthjj", "市生态环境局联络员", Role::Unit, Some("STHJJ")),
            ("zjj", "市住建局联络员", Role::Unit, Some("ZJJ")),
            // A report is reviewed by a colleague, never by its author.
            ("shenhe", "宣传部审核员", Role::Publicity, None),
        ];
        for (i, (username, display, role, unit)) in accounts.into_iter().enumerate() {
            self.city.users.push(user::Model {
                id: i as i32 + 1,
                username: username.into(),
                display_name: display.into(),
                password_hash: hash(super::DEMO_PASSWORD),
                role,
                unit_id: unit.map(unit_id),
                active: true,
                last_login_at: None,
                created_at: self.now - Duration::days(400),
            });
        }
    }

    fn problems(&mut self) {
        // Every status appears; most items are done or under way, as in a working city.
        let mut statuses: Vec<RectificationStatus> = [
            (RectificationStatus::Rectified, 20),
            (RectificationStatus::InProgress, 14),
            (RectificationStatus::LongTerm, 8),
            (RectificationStatus::Reported, 6),
            (RectificationStatus::Overdue, 6),
            (RectificationStatus::NotStarted, 6),
        ]
        .into_iter()
        .flat_map(|(s, n)| std::iter::repeat_n(s, n))
        .collect();
        statuses.shuffle(&mut self.rng);

        let mut listed: Vec<(usize, &str)> =
            (0..phrases::LISTED_PROBLEMS.len()).flat_map(|i| REGIONS.iter().map(move |r| (i, *r))).collect();
        listed.shuffle(&mut self.rng);

        for (index, status) in statuses.into_iter().enumerate() {
            let seed = if let Some(c) = CONCERNS.get(index) {
                ProblemSeed {
                    title: c.problem_title.into(),
                    category: c.category,
                    region: c.region,
                    lead: unit_id(c.lead),
                    cooperating: c.cooperating.iter().map(|code| unit_id(code)).collect(),
                    source: ProblemSource::Opinion,
                    measures: c.measures.into(),
                    plan: c.plan.into(),
                    target: c.target.into(),
                    peak_days_ago: Some(30 * (12 - c.peak_month as i64)),
                }
            } else {
                let (which, region) = listed[index - CONCERNS.len()];
                let lp = &phrases::LISTED_PROBLEMS[which];
                let district = district_unit(region);
                let (lead, cooperating) = match lp.lead {
                    Some(code) if self.rng.random_bool(0.7) => (unit_id(code), vec![district]),
                    Some(code) => (district, vec![unit_id(code)]),
                    None => (district, vec![]),
                };
                let source = *[ProblemSource::Superior, ProblemSource::Media, ProblemSource::Inspection, ProblemSource::Pledge]
                    .choose(&mut self.rng)
                    .unwrap();
                ProblemSeed {
                    title: lp.title.replace("{region}", region),
                    category: lp.category,
                    region,
                    lead,
                    cooperating,
                    source,
                    measures: lp.measures.into(),
                    plan: "按照整改方案分阶段实施：摸底排查、集中整治、巩固提升，每月向社会公开进展。".into(),
                    target: "问题整改到位，群众满意".into(),
                    peak_days_ago: None,
                }
            };
            self.problem(index as i32 + 1, seed, status);
        }
    }

    fn problem(&mut self, id: i32, seed: ProblemSeed, status: RectificationStatus) {
        use RectificationStatus as S;
        let created_at = match (status, seed.peak_days_ago) {
            (S::NotStarted, _) => self.at(2, 20),
            (S::Overdue, _) => self.at(120, 300),
            (_, Some(peak)) => self.at((peak - 20).max(30), (peak + 20).max(45)),
            (S::Rectified | S::Reported, None) => self.at(90, 330),
            (_, None) => self.at(30, 300),
        };
        let created_date = today(created_at);
        let kind = match status {
            S::LongTerm => ResponsibilityKind::LongTerm,
            _ if self.rng.random_bool(0.25) => ResponsibilityKind::Immediate,
            _ => ResponsibilityKind::Deadline,
        };
        let deadline = match (status, kind) {
            (S::Overdue, _) => self.today - Duration::days(self.rng.random_range(5..40)),
            (_, ResponsibilityKind::Immediate) => created_date + Duration::days(self.rng.random_range(15..30)),
            (_, ResponsibilityKind::Deadline) => created_date + Duration::days(self.rng.random_range(60..150)),
            (_, ResponsibilityKind::LongTerm) => created_date + Duration::days(self.rng.random_range(365..720)),
        };
        // Work still open needs a deadline ahead of today, or it would be overdue.
        let deadline = if matches!(status, S::InProgress | S::NotStarted | S::LongTerm | S::Reported) {
            deadline.max(self.today + Duration::days(self.rng.random_range(10..90)))
        } else {
            deadline
        };
        let year = today(created_at).format("%Y").to_string();
        let seq = self.city.problems.iter().filter(|p| p.code.contains(&format!("-{year}-"))).count() + 1;
        self.city.problems.push(problem::Model {
            id,
            code: format!("WT-{year}-{seq:04}"),
            title: seed.title.clone(),
            description: format!("{}。该问题由{}提出，列入问题清单后由{}牵头整改。", seed.title, seed.source.label(), unit_name(seed.lead)),
            category: seed.category.into(),
            region: seed.region.into(),
            source: seed.source,
            theme_id: None,
            created_by: Some(self.office_user),
            created_at,
            updated_at: created_at,
        });
        let responsible_post = self.post_for(seed.lead);
        self.city.responsibilities.push(responsibility::Model {
            id,
            problem_id: id,
            lead_unit_id: seed.lead,
            responsible_post,
            deadline,
            kind,
            created_at,
            updated_at: created_at,
        });
        for unit in seed.cooperating.iter().filter(|u| **u != seed.lead) {
            self.city.responsibility_units.push(responsibility_unit::Model { responsibility_id: id, unit_id: *unit });
        }
        self.rectification(id, created_at, status, &seed);
    }

    fn rectification(&mut self, id: i32, created_at: DateTime<Utc>, status: RectificationStatus, seed: &ProblemSeed) {
        use RectificationStatus as S;
        let progress = match status {
            S::NotStarted => 0,
            S::Reported | S::Rectified => 100,
            S::LongTerm => self.rng.random_range(6..15) * 5,
            _ => self.rng.random_range(4..17) * 5,
        };
        let steps = match status {
            S::NotStarted => 0,
            S::Overdue => self.rng.random_range(1..4),
            S::InProgress => self.rng.random_range(2..5),
            S::LongTerm => self.rng.random_range(3..7),
            S::Reported | S::Rectified => self.rng.random_range(4..8),
        };
        // A few open items have gone quiet past their promised update date (逾期未更新);
        // finished items finished a while ago.
        let quiet = matches!(status, S::InProgress | S::LongTerm | S::Overdue) && self.rng.random_bool(0.3);
        let last_possible = match status {
            S::Rectified => self.now - Duration::days(self.rng.random_range(12..60)),
            S::Reported => self.now - Duration::days(self.rng.random_range(1..10)),
            _ if quiet => self.now - Duration::days(self.rng.random_range(35..70)),
            _ => self.now - Duration::hours(6),
        };
        let first_possible = created_at + Duration::hours(2);
        let mut times: Vec<DateTime<Utc>> =
            (0..steps).map(|_| self.between(first_possible, last_possible.max(first_possible + Duration::hours(1)))).collect();
        times.sort();
        // Items that keep their promise were updated within the last month.
        let open = !matches!(status, S::Reported | S::Rectified);
        if let (true, false, Some(last)) = (open, quiet, times.last().copied()) {
            let recent = (self.now - Duration::days(25)).max(last);
            let latest = self.between(recent, self.now - Duration::hours(6));
            *times.last_mut().expect("times is not empty") = latest;
        }
        let mut last_update_at = None;
        for (step, when) in times.into_iter().enumerate() {
            let percent = if step + 1 == steps { progress } else { progress * (step as i32 + 1) / (steps as i32 + 1) };
            let text_index = if step + 1 == steps && progress == 100 {
                phrases::PROGRESS_STEPS.len() - 1
            } else {
                step.min(phrases::PROGRESS_STEPS.len() - 2)
            };
            self.city.progress_updates.push(progress_update::Model {
                id: self.city.progress_updates.len() as i32 + 1,
                rectification_id: id,
                author_id: None,
                text: phrases::PROGRESS_STEPS[text_index].into(),
                percent,
                created_at: when,
            });
            last_update_at = Some(when);
        }
        let done = matches!(status, S::Reported | S::Rectified);
        let next_update_due = (!done).then(|| {
            let base = last_update_at.map(today).unwrap_or(self.today);
            base + Duration::days(30)
        });
        let completed_at = if done { last_update_at } else { None };
        let failed_before = status == S::InProgress && self.rng.random_bool(0.2);
        let (verification, verification_reason, verified_at) = match status {
            S::Reported => (Some(Verification::Pending), None, None),
            S::Rectified => {
                let at = completed_at.map(|c| (c + Duration::days(self.rng.random_range(3..10))).min(self.now));
                (Some(Verification::Passed), None, at)
            }
            _ if failed_before => {
                (Some(Verification::Failed), Some("现场核查发现部分点位仍未整改到位，请继续整改。".to_string()), last_update_at)
            }
            _ => (None, None, None),
        };
        let citizen_confirmation = match status {
            S::Rectified if self.rng.random_bool(0.85) => Some(CitizenConfirmation::Confirmed),
            // Settled by 回访's quiet period with no 未解决.
            S::Rectified => Some(CitizenConfirmation::Lapsed),
            S::Reported => Some(CitizenConfirmation::Pending),
            _ => None,
        };
        let next_milestone = (!done).then(|| phrases::PROGRESS_STEPS[steps.min(phrases::PROGRESS_STEPS.len() - 1)].to_string());
        let updated_at = verified_at.or(last_update_at).unwrap_or(created_at);
        self.city.rectifications.push(rectification::Model {
            id,
            problem_id: id,
            responsibility_id: id,
            measures: seed.measures.clone(),
            plan: seed.plan.clone(),
            target: seed.target.clone(),
            next_milestone,
            status,
            progress,
            next_update_due,
            last_update_at,
            completed_at,
            verification,
            verification_reason,
            verified_by: verified_at.map(|_| self.office_user),
            verified_at,
            citizen_confirmation,
            reopened_count: i32::from(failed_before),
            created_at,
            updated_at,
        });
        if let Some(p) = self.city.problems.iter_mut().find(|p| p.id == id) {
            p.updated_at = updated_at;
        }
    }

    fn opinions(&mut self) {
        let total_weight: u32 = CONCERNS.iter().map(|c| c.weight).sum();
        let mut drafts: Vec<OpinionDraft> = (0..OPINIONS).map(|_| self.opinion_draft(total_weight)).collect();
        drafts.sort_by_key(|d| d.submitted_at);
        let mut external_seq = 0;
        for (i, draft) in drafts.into_iter().enumerate() {
            let id = i as i32 + 1;
            let channel = match self.rng.random_range(0..10) {
                0..=5 => Channel::Web,
                6..=8 => Channel::Hotline,
                _ => Channel::Chat,
            };
            let external_id = (channel == Channel::Hotline).then(|| {
                external_seq += 1;
                format!("12345-{}-{external_seq:05}", draft.submitted_at.format("%Y"))
            });
            self.opinion(id, draft, channel, external_id);
        }
    }

    fn opinion_draft(&mut self, total_weight: u32) -> OpinionDraft {
        if self.rng.random_bool(0.55) {
            let mut pick = self.rng.random_range(0..total_weight);
            let concern_index = CONCERNS
                .iter()
                .position(|c| {
                    if pick < c.weight {
                        true
                    } else {
                        pick -= c.weight;
                        false
                    }
                })
                .expect("pick is below the total weight");
            let c = &CONCERNS[concern_index];
            // Opinions bunch around the concern's peak month.
            let offset: i64 = (0..3).map(|_| self.rng.random_range(-30..=30)).sum::<i64>();
            let days_ago = (30 * (12 - c.peak_month as i64) - 15 + offset).clamp(1, 364);
            let submitted_at = self.at(days_ago, days_ago + 1);
            let region = if self.rng.random_bool(0.92) { c.region } else { *REGIONS.choose(&mut self.rng).unwrap() };
            let mut title = c.titles.choose(&mut self.rng).unwrap().to_string();
            match self.rng.random_range(0..10) {
                0 => title = format!("再次反映：{title}"),
                1 => title.push_str("，希望尽快解决"),
                _ => {}
            }
            let body = fill(c.bodies.choose(&mut self.rng).unwrap(), self, region);
            let kind = if self.rng.random_bool(0.7) {
                c.kind
            } else {
                *[OpinionKind::Complaint, OpinionKind::Help, OpinionKind::Suggestion].choose(&mut self.rng).unwrap()
            };
            let citizen = self.rng.random_range(0..c.weight * 12) + concern_index as u32 * 1000;
            OpinionDraft {
                concern: Some(concern_index),
                title,
                body,
                kind,
                category: c.category,
                region,
                routed_unit: unit_id(c.lead),
                reply: c.reply.into(),
                submitted_at,
                citizen: 100_000 + citizen,
            }
        } else {
            let e = phrases::EVERYDAY.choose(&mut self.rng).unwrap();
            let region = *REGIONS.choose(&mut self.rng).unwrap();
            let routed_unit = if self.rng.random_bool(0.4) { district_unit(region) } else { default_unit(e.category, region) };
            let submitted_at = self.at(0, 364);
            OpinionDraft {
                concern: None,
                title: e.title.into(),
                body: fill(e.body, self, region),
                kind: e.kind,
                category: e.category,
                region,
                routed_unit,
                reply: format!(
                    "您好！您反映的“{}”已由{}核实办理，相关情况已向您电话说明。感谢您对我们工作的支持。",
                    e.title,
                    unit_name(routed_unit)
                ),
                submitted_at,
                citizen: self.rng.random_range(0..1500),
            }
        }
    }

    fn opinion(&mut self, id: i32, d: OpinionDraft, channel: Channel, external_id: Option<String>) {
        use OpinionStatus as S;
        let age_days = (self.now - d.submitted_at).num_days();
        let roll = self.rng.random_range(0..100);
        let status = match age_days {
            0..=1 => {
                if roll < 60 {
                    S::Received
                } else {
                    S::Routed
                }
            }
            2..=14 => match roll {
                0..=29 => S::Routed,
                30..=79 => S::InProgress,
                80..=97 => S::Closed,
                _ => S::Withdrawn,
            },
            _ => match roll {
                0..=59 => S::Closed,
                60..=71 => S::Revisited,
                72..=79 => S::Explained,
                80..=87 => S::InProgress,
                88..=92 => S::Merged,
                93..=95 => S::Hidden,
                96..=97 => S::Withdrawn,
                _ => S::Routed,
            },
        };
        let working_days = match d.kind {
            OpinionKind::Consult => 2,
            OpinionKind::Complaint | OpinionKind::Report => 15,
            _ => 10,
        };
        let due_date = add_working_days(today(d.submitted_at), working_days);
        let routed = !matches!(status, S::Received | S::Withdrawn | S::Hidden | S::Merged);
        let finished = matches!(status, S::Closed | S::Revisited | S::Explained);
        let closed_at = finished.then(|| {
            let limit = (d.submitted_at + Duration::days(working_days as i64 * 7 / 5 + 8)).min(self.now);
            self.between(d.submitted_at + Duration::hours(4), limit)
        });
        let merged_into_id = if status == S::Merged {
            self.city
                .opinions
                .iter()
                .rev()
                .find(|o| o.title == d.title || (d.concern.is_some() && o.problem_id == Some(d.concern.unwrap() as i32 + 1)))
                .map(|o| o.id)
        } else {
            None
        };
        let status = if status == S::Merged && merged_into_id.is_none() { S::Closed } else { status };
        let closed_at = if status == S::Closed && closed_at.is_none() { Some(self.between(d.submitted_at, self.now)) } else { closed_at };
        let public = !matches!(status, S::Hidden | S::Withdrawn);
        let problem_id = d.concern.filter(|_| public && status != S::Merged).map(|c| c as i32 + 1);
        let reply = match status {
            S::Explained => Some(format!("您好！经{}核实，您反映的情况属于政策范围外事项，已向您做好解释说明。", unit_name(d.routed_unit))),
            _ if closed_at.is_some() => Some(d.reply.clone()),
            _ => None,
        };
        let code = self.secrets.code_digest(&TrackingCode::generate(&mut self.rng));
        self.city.opinions.push(opinion::Model {
            id,
            code_digest: code.clone(),
            kind: d.kind,
            title: d.title.clone(),
            content: d.body.clone(),
            category: self.rng.random_bool(0.9).then(|| d.category.to_string()),
            region: Some(d.region.into()),
            location_note: None,
            public: d.kind != OpinionKind::Report,
            channel,
            external_id,
            citizen_key: Some(self.secrets.citizen_key(&format!("demo:{}", d.citizen))),
            feed_digest: None,
            status,
            routed_unit_id: routed.then_some(d.routed_unit),
            due_date: routed.then_some(due_date),
            reply: reply.clone(),
            replied_at: closed_at,
            problem_id,
            theme_id: None,
            merged_into_id,
            consent_contact: self.rng.random_bool(0.7),
            photos_public: false,
            reopened_count: 0,
            units_tried: 0,
            likes: if d.concern.is_some() { self.rng.random_range(0..30) } else { self.rng.random_range(0..4) },
            dislikes: self.rng.random_range(0..3),
            suggested_category: None,
            suggested_unit_id: None,
            suggestion_confidence: None,
            submitted_at: d.submitted_at,
            updated_at: closed_at.unwrap_or(d.submitted_at),
            closed_at,
        });
        self.contact(id, d.submitted_at);
        self.events(id, &d, status, closed_at);
        if let Some(closed_at) = closed_at.filter(|_| status != S::Explained || self.rng.random_bool(0.5)) {
            self.rate_opinion(id, &code, &d, closed_at);
        }
    }

    fn contact(&mut self, opinion_id: i32, at: DateTime<Utc>) {
        let has_phone = self.rng.random_bool(0.8);
        let has_name = self.rng.random_bool(0.6);
        let has_email = self.rng.random_bool(0.15);
        if !(has_phone || has_name || has_email) {
            return;
        }
        let name = has_name.then(|| {
            let surname = phrases::SURNAMES.choose(&mut self.rng).unwrap();
            let title = if self.rng.random_bool(0.5) { "先生" } else { "女士" };
            format!("{surname}{title}")
        });
        let phone = has_phone.then(|| {
            let prefix = *["138", "139", "150", "186", "177"].choose(&mut self.rng).unwrap();
            format!("{prefix}{:08}", self.rng.random_range(0..100_000_000u32))
        });
        let email = has_email.then(|| format!("citizen{opinion_id}@example.cn"));
        self.city.contacts.push(opinion_contact::Model { opinion_id, name, phone, email, daily_digest: false, created_at: at });
    }

    fn events(&mut self, opinion_id: i32, d: &OpinionDraft, status: OpinionStatus, closed_at: Option<DateTime<Utc>>) {
        use OpinionStatus as S;
        let unit = unit_name(d.routed_unit);
        let mut at = d.submitted_at;
        let mut from = None;
        let mut push = |g: &mut Gen, to: S, actor: &str, note: Option<String>, public: bool, when: DateTime<Utc>| {
            g.city.events.push(opinion_event::Model {
                id: g.city.events.len() as i32 + 1,
                opinion_id,
                from_status: from,
                to_status: to,
                actor_user_id: None,
                actor_label: actor.into(),
                note,
                public,
                created_at: when,
            });
            from = Some(to);
        };
        push(self, S::Received, "系统", Some("意见已受理，请保存查询码。".into()), true, at);
        match status {
            S::Received => return,
            S::Withdrawn => {
                at = self.between(at, (at + Duration::days(2)).min(self.now));
                push(self, S::Withdrawn, "群众", Some("群众主动撤回。".into()), true, at);
                return;
            }
            S::Hidden => {
                at = self.between(at, (at + Duration::days(1)).min(self.now));
                push(self, S::Hidden, "绩效办", Some("含不文明用语，依规屏蔽，原文留存。".into()), false, at);
                return;
            }
            S::Merged => {
                at = self.between(at, (at + Duration::days(1)).min(self.now));
                push(self, S::Merged, "绩效办", Some("与已受理的同一事项重复，已合并办理。".into()), true, at);
                return;
            }
            _ => {}
        }
        at = self.between(at, (at + Duration::hours(20)).min(self.now));
        push(self, S::Routed, "绩效办", Some(format!("已转{unit}办理。")), true, at);
        if status == S::Routed {
            return;
        }
        let end = closed_at.unwrap_or(self.now);
        at = self.between(at, end.max(at + Duration::minutes(1)));
        push(self, S::InProgress, unit, Some("已签收，正在办理。".into()), true, at);
        if status == S::InProgress {
            return;
        }
        let end = closed_at.expect("finished opinions have a close time");
        let final_status = if status == S::Explained { S::Explained } else { S::Closed };
        push(self, final_status, unit, None, true, end.max(at));
        if status == S::Revisited {
            let when = (end + Duration::days(self.rng.random_range(1..5))).min(self.now);
            push(self, S::Revisited, "绩效办", Some("已电话回访，群众表示知晓办理结果。".into()), true, when);
        }
    }

    fn rate_opinion(&mut self, opinion_id: i32, code: &str, d: &OpinionDraft, closed_at: DateTime<Utc>) {
        if !self.rng.random_bool(0.65) {
            return;
        }
        let quality = UNITS[(d.routed_unit - 1) as usize].quality;
        let when = (closed_at + Duration::hours(self.rng.random_range(2..96))).min(self.now);
        let level = self.level(quality);
        let rating_id = self.rating(RatingTarget::Opinion, Some(opinion_id), None, code, level, false, d, when);
        if level.is_negative() {
            self.followup(rating_id, Some(opinion_id), when);
        }
        if self.rng.random_bool(0.06) && when + Duration::days(3) < self.now {
            let later = self.between(when + Duration::days(3), self.now);
            let level = self.level(quality);
            self.rating(RatingTarget::Opinion, Some(opinion_id), None, code, level, true, d, later);
        }
        // Citizens linked to a rectified problem also rate its result.
        if let Some(concern) = d.concern {
            let problem_id = concern as i32 + 1;
            let done = self.city.rectifications.iter().find(|r| r.problem_id == problem_id).and_then(|r| {
                matches!(r.status, RectificationStatus::Rectified | RectificationStatus::Reported).then_some(r.completed_at)?
            });
            if let Some(done_at) = done.filter(|at| *at < self.now - Duration::days(1))
                && self.rng.random_bool(0.35)
            {
                let when = self.between(done_at, self.now);
                let level = self.level((quality + 0.1).min(1.0));
                self.rating(RatingTarget::Rectification, None, Some(problem_id), code, level, false, d, when);
            }
        }
    }

    /// A rating level; units of higher quality get happier citizens.
    fn level(&mut self, quality: f64) -> RatingLevel {
        let r: f64 = self.rng.random();
        if r < quality * 0.55 {
            RatingLevel::VerySatisfied
        } else if r < quality * 0.9 {
            RatingLevel::Satisfied
        } else if r < quality * 0.9 + (1.0 - quality) * 0.4 {
            RatingLevel::Basic
        } else if r < quality * 0.9 + (1.0 - quality) * 0.75 {
            RatingLevel::Dissatisfied
        } else {
            RatingLevel::VeryDissatisfied
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn rating(
        &mut self,
        target: RatingTarget,
        opinion_id: Option<i32>,
        rectification_id: Option<i32>,
        code: &str,
        level: RatingLevel,
        is_followup: bool,
        d: &OpinionDraft,
        when: DateTime<Utc>,
    ) -> i32 {
        let negative = level.is_negative();
        let tags = if negative { phrases::RATING_TAGS_BAD } else { phrases::RATING_TAGS_GOOD };
        let count = self.rng.random_range(0..3);
        let chosen: Vec<&str> = tags.sample(&mut self.rng, count).copied().collect();
        let comments = if negative { phrases::RATING_COMMENTS_BAD } else { phrases::RATING_COMMENTS_GOOD };
        let comment = self.rng.random_bool(0.4).then(|| comments.choose(&mut self.rng).unwrap().to_string());
        let id = self.city.ratings.len() as i32 + 1;
        self.city.ratings.push(rating::Model {
            id,
            target,
            opinion_id,
            rectification_id,
            code_digest: code.into(),
            level,
            tags: serde_json::to_string(&chosen).expect("tags serialise"),
            comment,
            is_followup,
            origin: RatingOrigin::Citizen,
            unit_id: Some(d.routed_unit),
            region: Some(d.region.into()),
            category: Some(d.category.into()),
            created_at: when,
        });
        id
    }

    fn followup(&mut self, rating_id: i32, opinion_id: Option<i32>, at: DateTime<Utc>) {
        let due_date = add_working_days(today(at), 15);
        let done = due_date < self.today - Duration::days(5) || self.rng.random_bool(0.3);
        let handled_at = done.then(|| self.between(at, self.now));
        self.city.followups.push(followup_task::Model {
            id: self.city.followups.len() as i32 + 1,
            rating_id,
            opinion_id,
            rectification_id: None,
            status: if done { FollowupStatus::Done } else { FollowupStatus::Open },
            due_date,
            note: done.then(|| "已联系群众了解不满意原因，督促承办单位再次办理。".to_string()),
            handled_by: done.then_some(self.office_user),
            handled_at,
            created_at: at,
        });
    }

    fn reports(&mut self) {
        let plans = [
            (0usize, ReportStatus::Published, "report-binjiang-noise", "滨江路工地夜间施工噪音整治见成效"),
            (1, ReportStatus::InReview, "report-renmin-market", "人民路农贸市场周边环境整治跟踪"),
            (2, ReportStatus::Draft, "report-keji-avenue", "科技大道早晚高峰拥堵治理进展"),
        ];
        for (i, (concern, status, slug, title)) in plans.into_iter().enumerate() {
            let created_at = self.at(3, 20);
            let c = &CONCERNS[concern];
            let problem = &self.city.problems[concern];
            let rect = &self.city.rectifications[concern];
            let raised = self.city.opinions.iter().filter(|o| o.problem_id == Some(problem.id)).count();
            let body_md = format!(
                "## 群众反映\n\n{raised} 条群众意见反映了“{}”。\n\n## 整改措施\n\n{}\n\n## 整改进展\n\n目前整改状态为**{}**，进度 {}%。{}\n\n## 下一步\n\n{}\n",
                problem.title,
                c.measures,
                rect.status.label(),
                rect.progress,
                c.reply,
                c.plan
            );
            self.city.reports.push(report::Model {
                id: i as i32 + 1,
                slug: slug.into(),
                title: title.into(),
                summary: format!("{}：群众关切有回音，整改进展公开透明。", problem.title),
                body_md,
                status,
                author_id: Some(self.publicity_user),
                reviewer_id: (status == ReportStatus::Published).then_some(self.reviewer_user),
                review_note: None,
                published_at: (status == ReportStatus::Published).then(|| created_at + Duration::days(1)),
                publish_at: None,
                withdrawn_reason: None,
                withdrawn_at: None,
                created_at,
                updated_at: created_at,
            });
            self.city.report_links.push(report_link::Model {
                id: i as i32 + 1,
                report_id: i as i32 + 1,
                problem_id: Some(problem.id),
                theme_id: None,
            });
        }
    }
}

struct ProblemSeed {
    title: String,
    category: &'static str,
    region: &'static str,
    lead: i32,
    cooperating: Vec<i32>,
    source: ProblemSource,
    measures: String,
    plan: String,
    target: String,
    peak_days_ago: Option<i64>,
}

struct OpinionDraft {
    concern: Option<usize>,
    title: String,
    body: String,
    kind: OpinionKind,
    category: &'static str,
    region: &'static str,
    routed_unit: i32,
    reply: String,
    submitted_at: DateTime<Utc>,
    citizen: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_hash(password: &str) -> String {
        format!("plain:{password}")
    }

    fn fingerprint(city: &City) -> Vec<String> {
        city.opinions
            .iter()
            .map(|o| format!("{}|{}|{}|{}", o.code_digest, o.title, o.status.as_str(), o.submitted_at))
            .chain(city.rectifications.iter().map(|r| format!("{}|{}|{:?}", r.status.as_str(), r.progress, r.next_update_due)))
            .collect()
    }

    #[test]
    fn the_same_seed_and_date_give_the_same_city() {
        let now = DateTime::parse_from_rfc3339("2026-11-28T08:00:00Z").unwrap().with_timezone(&Utc);
        let a = generate(9, now, fake_hash, &Secrets::for_tests());
        let b = generate(9, now, fake_hash, &Secrets::for_tests());
        let c = generate(10, now, fake_hash, &Secrets::for_tests());
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&c));
    }

    #[test]
    fn the_city_is_consistent() {
        let now = DateTime::parse_from_rfc3339("2026-03-01T02:00:00Z").unwrap().with_timezone(&Utc);
        let city = generate(3, now, fake_hash, &Secrets::for_tests());
        assert_eq!(city.problems.len(), 60);
        let codes: std::collections::HashSet<_> = city.problems.iter().map(|p| &p.code).collect();
        assert_eq!(codes.len(), 60, "problem codes are unique");
        assert!(city.problems.iter().all(|p| p.code.starts_with("WT-20")));
        for o in &city.opinions {
            assert!(o.submitted_at <= now);
            if let Some(closed) = o.closed_at {
                assert!(closed >= o.submitted_at && closed <= now, "opinion {} closes after it opens", o.id);
            }
            if let Some(target) = o.merged_into_id {
                assert!(target < o.id, "merged into an earlier opinion");
            }
        }
        for r in &city.rectifications {
            let open = !matches!(r.status, RectificationStatus::Rectified | RectificationStatus::Reported);
            let overdue = r.status == RectificationStatus::Overdue;
            let deadline = city.responsibilities[(r.responsibility_id - 1) as usize].deadline;
            if open {
                assert_eq!(deadline < today(now), overdue, "open items are overdue exactly when past their deadline ({})", r.id);
            }
        }
        for e in &city.events {
            assert!(e.created_at <= now);
        }
        // Ratings are bound to real tracking codes.
        let tracking: std::collections::HashSet<_> = city.opinions.iter().map(|o| &o.code_digest).collect();
        assert!(city.ratings.iter().all(|r| tracking.contains(&r.code_digest)));
    }
}
