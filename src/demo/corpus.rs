//! Opinions made up at any size, for sizes the real data cannot reach: the demo city's regions
//! and phrase tables, hundreds of estates, roads and schools, thousands of recurring concerns
//! (a concern in a place is a theme) whose popularity falls off as real traffic does (a few hot
//! themes, a long tail), citizens who write again, bursts around each theme's peak, and the
//! everyday one-off errands that drown them. Deterministic from the seed.

use chrono::{DateTime, Duration, Utc};
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::phrases::{self, REGIONS};

const ESTATE_HEADS: &[&str] = &[
    "滨江", "幸福", "学府", "阳光", "锦绣", "翠湖", "东湖", "金桂", "御景", "龙湖", "碧水", "枫林", "春华", "云顶", "紫荆", "和平", "天元",
    "丽景", "清水", "南湖", "北辰", "瑞丰", "宏达", "新华",
];
const ESTATE_TAILS: &[&str] = &["花园", "小区", "新城", "家园", "华庭", "名都", "雅苑", "公馆"];
const ROAD_HEADS: &[&str] = &["人民", "解放", "建设", "科技", "文化", "光明", "长江", "黄河", "中山", "迎宾", "青年", "工业"];
const ROAD_TAILS: &[&str] = &["路", "大道", "街"];

/// A recurring concern: (category, title templates, body templates). `{place}` is where.
type Template = (&'static str, &'static [&'static str], &'static [&'static str]);

const TEMPLATES: &[Template] = &[
    (
        "环境保护",
        &["{place}附近工地夜间施工噪音扰民", "{place}旁工地半夜还在打桩", "投诉{place}周边夜间违规施工"],
        &["{place}旁边的工地{time}还在施工，噪音很大，{who}睡不着，已经{duration}了。", "{place}附近工地夜里施工，请查处夜间违规施工。"],
    ),
    (
        "环境保护",
        &["{place}楼下餐馆油烟扰民", "{place}商铺油烟直排", "{place}油烟熏天无人管"],
        &["{place}楼下的餐馆油烟直接排放，{who}家里窗户都不敢开，持续{duration}了。", "{place}沿街餐馆没有油烟净化设施，油烟很大。"],
    ),
    (
        "环境保护",
        &["{place}垃圾站清运不及时", "{place}垃圾堆放气味难闻"],
        &["{place}的垃圾站满了{duration}没人清运，夏天气味很大。", "{place}垃圾桶周边脏乱，{time}才有人来清运。"],
    ),
    ("环境保护", &["{place}附近河道发黑发臭", "{place}旁小河有人偷排污水"], &["{place}旁边的河道水发黑发臭，怀疑有企业{time}偷排。"]),
    (
        "城乡建设",
        &["{place}物业乱收停车费", "{place}停车收费不公开", "{place}车位被外来车辆占用"],
        &["{place}物业收取停车费不公开标准，{who}多次反映无果。", "{place}车位被外来车辆长期占用，业主停不了车。"],
    ),
    (
        "城乡建设",
        &["{place}电梯经常故障", "{place}电梯坏了没人修", "{place}老旧电梯困人"],
        &["{place}{building}的电梯经常坏，{who}上下楼困难，维修不及时。", "{place}电梯{duration}内坏了好几次，请监管部门督促维修。"],
    ),
    ("城乡建设", &["{place}自来水发黄", "{place}经常停水不通知"], &["{place}的自来水浑浊发黄，{time}经常停水，也不提前通知。"]),
    (
        "城乡建设",
        &["{place}交房延期", "{place}收房时发现质量问题", "{place}迟迟不能办理房产证"],
        &[
            "{place}开发商交房延期{duration}，{who}至今无法入住。",
            "{place}收房时发现墙面开裂渗水，开发商推诿。",
            "{place}交房多年，房产证一直办不下来。",
        ],
    ),
    ("城乡建设", &["{place}路面坑洼积水", "{place}下雨就积水"], &["{place}路面坑洼，下雨天积水很深，行人车辆通行困难。"]),
    ("城乡建设", &["{place}路灯不亮", "{place}路灯坏了很久"], &["{place}的路灯坏了{duration}，晚上出行很不安全。"]),
    ("交通运输", &["{place}占道经营交通拥堵", "{place}早高峰堵车严重"], &["{place}流动摊贩占道经营，{time}道路堵塞严重。"]),
    ("交通运输", &["{place}公交站台设施老化", "建议{place}增加公交班次"], &["{place}公交班次太少，{who}上下班要等很久，建议增加班次。"]),
    ("交通运输", &["{place}路口缺少红绿灯", "{place}学校门口没有斑马线"], &["{place}路口车多没有信号灯，{who}过马路很危险。"]),
    (
        "教育文体",
        &["{place}配套小学学位紧张", "{place}对口学校迟迟不建", "{place}孩子上学难"],
        &["{place}对口小学学位不足，{who}明年上学不知道去哪里，希望尽快建设配套学校。"],
    ),
    ("教育文体", &["{place}公办幼儿园学位不足", "{place}附近没有普惠幼儿园"], &["{place}周边只有高价民办幼儿园，建议增加公办幼儿园学位。"]),
    ("教育文体", &["{place}健身器材损坏", "{place}篮球场被占用"], &["{place}的健身器材坏了{duration}没人修，老人锻炼不方便。"]),
    (
        "卫生计生",
        &["{place}社区医院药品不全", "{place}卫生服务中心看病难"],
        &["{place}社区卫生服务中心常用药经常缺货，{who}只能去大医院。"],
    ),
    ("卫生计生", &["{place}附近医院停车难", "{place}医院周边乱停车"], &["{place}附近医院周边停车位太少，{time}车辆乱停堵塞道路。"]),
    ("劳动和社会保障", &["{place}养老服务站不足", "{place}老人助餐点太少"], &["{place}老人多，社区养老服务站太少，{who}吃饭没人管。"]),
    (
        "劳动和社会保障",
        &["{place}公司拖欠工资", "{place}工地拖欠农民工工资"],
        &["{place}的公司拖欠工资{duration}，老板联系不上，请劳动监察介入。"],
    ),
    ("商贸旅游", &["{place}预付卡商家跑路", "{place}健身房关门退费难"], &["{place}的健身房突然关门，{who}办的卡退不了费。"]),
    ("商贸旅游", &["{place}农贸市场环境脏乱", "{place}菜市场缺斤短两"], &["{place}农贸市场地面脏乱，部分摊贩缺斤短两。"]),
];

/// One generated message, in the shape hotline exports and `lianxin import opinions` use.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub id: String,
    pub title: String,
    pub body: String,
    /// Beijing wall-clock time, `2026-05-01 09:30:00`.
    pub time: String,
    pub user: String,
    pub likes: i64,
    pub dislikes: i64,
    /// The category it belongs to (for the classifier).
    pub label: String,
    pub region: String,
    /// The theme it was made from: (template, place) as one number; `None` for a one-off errand.
    #[serde(skip)]
    pub theme: Option<usize>,
}

struct Theme {
    template: usize,
    place: String,
    region: &'static str,
    /// Days before `now` when it peaked.
    peak_days_ago: i64,
}

pub struct Corpus {
    rng: ChaCha8Rng,
    themes: Vec<Theme>,
    /// Cumulative Zipf weights over `themes`.
    cumulative: Vec<f64>,
    now: DateTime<Utc>,
    next: usize,
    n: usize,
    users: u64,
}

fn places(rng: &mut ChaCha8Rng) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for head in ESTATE_HEADS {
        for tail in ESTATE_TAILS {
            out.push((format!("{head}{tail}"), *REGIONS.choose(rng).expect("regions")));
        }
    }
    for head in ROAD_HEADS {
        for tail in ROAD_TAILS {
            out.push((format!("{head}{tail}"), *REGIONS.choose(rng).expect("regions")));
        }
    }
    for region in REGIONS {
        for k in 1..=6 {
            out.push((format!("{region}第{}小学", ["一", "二", "三", "四", "五", "六"][k - 1]), *region));
        }
    }
    out
}

impl Corpus {
    /// `n` messages over the year before `now`.
    pub fn new(n: usize, seed: u64, now: DateTime<Utc>) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let places = places(&mut rng);
        let mut themes = Vec::new();
        for (template, _) in TEMPLATES.iter().enumerate() {
            for (place, region) in &places {
                themes.push(Theme { template, place: place.clone(), region, peak_days_ago: rng.random_range(7..360) });
            }
        }
        // Shuffle so that popularity does not follow the table's order, then rank by Zipf.
        for i in (1..themes.len()).rev() {
            themes.swap(i, rng.random_range(0..=i));
        }
        let mut total = 0.0;
        let cumulative = (0..themes.len())
            .map(|rank| {
                total += 1.0 / ((rank + 1) as f64).powf(1.1);
                total
            })
            .collect();
        Self { rng, themes, cumulative, now, next: 0, n, users: (n as u64 / 3).max(10) }
    }

    fn theme(&mut self) -> usize {
        let total = *self.cumulative.last().expect("themes");
        let pick = self.rng.random_range(0.0..total);
        self.cumulative.partition_point(|c| *c < pick).min(self.themes.len() - 1)
    }

    /// Citizens write more than once, and a few write very often.
    fn user(&mut self) -> String {
        let u = self.rng.random_range(0.0f64..1.0).powi(3) * self.users as f64;
        format!("u{}", u as u64)
    }

    fn fill(&mut self, template: &str, place: &str) -> String {
        template
            .replace("{place}", place)
            .replace("{time}", phrases::TIMES.choose(&mut self.rng).expect("times"))
            .replace("{duration}", phrases::DURATIONS.choose(&mut self.rng).expect("durations"))
            .replace("{who}", phrases::WHOS.choose(&mut self.rng).expect("whos"))
            .replace("{building}", phrases::BUILDINGS.choose(&mut self.rng).expect("buildings"))
    }

    fn at(&mut self, days_ago: f64) -> String {
        let at = self.now - Duration::seconds((days_ago.clamp(0.0, 365.0) * 86_400.0) as i64);
        at.with_timezone(&crate::domain::time::beijing()).format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

impl Iterator for Corpus {
    type Item = Message;

    fn next(&mut self) -> Option<Message> {
        if self.next >= self.n {
            return None;
        }
        let id = self.next;
        self.next += 1;
        let user = self.user();
        let message = if self.rng.random_bool(0.6) {
            let index = self.theme();
            let (template, place, region, peak) = {
                let t = &self.themes[index];
                (t.template, t.place.clone(), t.region, t.peak_days_ago)
            };
            let (category, titles, bodies) = TEMPLATES[template];
            let title_template = *titles.choose(&mut self.rng).expect("titles");
            let mut title = self.fill(title_template, &place);
            if self.rng.random_bool(0.1) {
                title = format!("再次反映：{title}");
            }
            let body_template = *bodies.choose(&mut self.rng).expect("bodies");
            let body = self.fill(body_template, &place);
            // Bursts: most messages of a theme fall within a fortnight or so of its peak.
            let spread: f64 = (0..3).map(|_| self.rng.random_range(-10.0..10.0)).sum();
            let time = self.at(peak as f64 + spread);
            let likes = self.rng.random_range(0..if index < 50 { 40 } else { 5 });
            Message {
                id: id.to_string(),
                title,
                body,
                time,
                user,
                likes,
                dislikes: self.rng.random_range(0..3),
                label: category.into(),
                region: region.into(),
                theme: Some(index),
            }
        } else {
            let e = phrases::EVERYDAY.choose(&mut self.rng).expect("everyday");
            let region = *REGIONS.choose(&mut self.rng).expect("regions");
            let body = e.body.replace("{region}", region);
            let days_ago = self.rng.random_range(0.0..365.0);
            let time = self.at(days_ago);
            Message {
                id: id.to_string(),
                title: e.title.into(),
                body,
                time,
                user,
                likes: self.rng.random_range(0..3),
                dislikes: 0,
                label: e.category.into(),
                region: region.into(),
                theme: None,
            }
        };
        Some(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_is_deterministic_skewed_and_bursty() {
        let now = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        let a: Vec<Message> = Corpus::new(20_000, 7, now).collect();
        let b: Vec<Message> = Corpus::new(20_000, 7, now).collect();
        assert_eq!(a.len(), 20_000);
        assert!(a.iter().zip(&b).all(|(x, y)| x.title == y.title && x.time == y.time), "same seed, same corpus");
        let mut sizes = std::collections::HashMap::new();
        for m in a.iter().filter_map(|m| m.theme) {
            *sizes.entry(m).or_insert(0usize) += 1;
        }
        let mut sizes: Vec<usize> = sizes.into_values().collect();
        sizes.sort_unstable_by(|x, y| y.cmp(x));
        assert!(sizes[0] > 20 * sizes[sizes.len() / 2], "a few hot themes, a long tail: {:?}…", &sizes[..5]);
        assert!(sizes.len() > 1000, "many themes: {}", sizes.len());
        let users: std::collections::HashSet<&str> = a.iter().map(|m| m.user.as_str()).collect();
        assert!(users.len() < a.len() / 2, "citizens write more than once");
        assert!(a.iter().all(|m| REGIONS.contains(&m.region.as_str())));
    }
}
