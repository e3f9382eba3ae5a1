//! Theme mining without being told how many themes: TF-IDF word vectors, near-duplicates
//! collapsed, single-pass assignment in time order with candidate themes found through an
//! inverted index, then a merge pass that never merges themes about different places.
//! Linear in the number of messages.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use jieba_rs::Jieba;
use serde::Serialize;

use super::features::{Sparse, words};
use super::heat::Heat;

#[derive(Debug, Clone)]
pub struct Message {
    pub id: String,
    pub title: String,
    pub body: String,
    pub time: Option<DateTime<Utc>>,
    /// Who wrote it (a pseudonym): heat counts people, not posts.
    pub user: Option<String>,
    pub likes: i64,
    pub dislikes: i64,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// Cosine to a theme's centre needed to join it.
    pub join: f32,
    /// Cosine between two themes' centres needed to merge them.
    pub merge: f32,
    /// Smaller themes are noise.
    pub min_size: usize,
    /// The day freshness is measured from: today for the stored opinions; for a file of past
    /// messages (`None`), its newest message.
    pub as_of: Option<DateTime<Utc>>,
}

impl Default for Settings {
    fn default() -> Self {
        Self { join: 0.25, merge: 0.4, min_size: 3, as_of: None }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Theme {
    pub theme: usize,
    pub rank: usize,
    pub heat: f64,
    pub size: usize,
    pub distinct_citizens: usize,
    /// Net support (likes − dislikes, not below 0).
    pub support: i64,
    pub label: String,
    pub keywords: Vec<String>,
    pub representative: String,
    pub place: Option<String>,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub members: Vec<usize>,
    /// Per member, in the same order: its cosine to the theme's centre (the closest read as the
    /// theme's representative messages).
    #[serde(skip)]
    pub closeness: Vec<f32>,
}

pub struct Mined {
    /// Per input message, its theme number (`None` for noise).
    pub assignment: Vec<Option<usize>>,
    pub themes: Vec<Theme>,
}

/// The endings of a named place smaller than a district: estates, roads, schools, companies.
const PLACE_ENDINGS: &[&str] = &[
    "路",
    "街",
    "巷",
    "大道",
    "小区",
    "花园",
    "广场",
    "社区",
    "园区",
    "公寓",
    "家园",
    "苑",
    "城",
    "府",
    "庭",
    "湾",
    "郡",
    "居",
    "园",
    "庄",
    "坊",
    "阁",
    "邸",
    "境",
    "村",
    "镇",
    "乡",
    "学校",
    "中学",
    "小学",
    "幼儿园",
    "大学",
    "学院",
    "医院",
    "公司",
    "市场",
    "商场",
    "酒店",
];
/// The endings of a district or county.
const DISTRICT_ENDINGS: &[&str] = &["区", "县", "市"];

/// Words with a place's ending that name a kind of place, not one place.
const KINDS_OF_PLACE: &[&str] = &[
    "幼儿园",
    "产业园",
    "工业园",
    "科技园",
    "物流园",
    "有限公司",
    "分公司",
    "总公司",
    "子公司",
    "物业公司",
    "开发公司",
    "房地产公司",
    "人行道",
    "高速路",
    "农贸市场",
    "批发市场",
    "居民区",
    "商业区",
    "开发区",
    "住宅区",
    "生活区",
    "老城区",
    "新城区",
    "自然村",
    "行政村",
];

/// How a word names a place: `Some(true)` for a place smaller than a district, `Some(false)`
/// for a district or county, `None` for no place. A place's name comes before its ending
/// (东六路, not 马路); words for a kind of place (幼儿园, 有限公司) name none, and neither does
/// a common word that happens to end like one (污染环境, 不知道): a name is one jieba's own
/// dictionary lacks, or holds as a place or proper name, or one learned from the messages.
fn place_kind(jieba: &Jieba, word: &str) -> Option<bool> {
    let n = word.chars().count();
    if !(3..=10).contains(&n) || KINDS_OF_PLACE.contains(&word) {
        return None;
    }
    let named = |e: &&str| word.ends_with(e) && n >= e.chars().count() + 2;
    let kind = if PLACE_ENDINGS.iter().any(named) {
        true
    } else if DISTRICT_ENDINGS.iter().any(named) {
        false
    } else {
        return None;
    };
    let proper = !jieba.has_word(word) || jieba.tag(word, false).first().is_some_and(|t| t.word == word && matches!(t.tag, "ns" | "nz"));
    proper.then_some(kind)
}

/// The place a title names, the most precise first: an estate, road or school before the
/// district it lies in, and of two the last, as addresses go from large to small
/// (A3区丽发新城 is about 丽发新城, 武广新城伊景园滨河苑 about 伊景园滨河苑).
fn title_place<'a>(jieba: &Jieba, words: &'a [String]) -> Option<&'a String> {
    let kind = |w: &&String| place_kind(jieba, w);
    words.iter().rfind(|w| kind(w) == Some(true)).or_else(|| words.iter().rfind(|w| kind(w) == Some(false)))
}

/// `text` with the dots some write inside a name (伊景园·滨河苑, 伊景园.滨河苑) taken out.
fn joined(text: &str) -> String {
    let han = |c: Option<&char>| c.is_some_and(|c| ('\u{4E00}'..='\u{9FFF}').contains(c));
    let chars: Vec<char> = text.chars().collect();
    chars
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            !(matches!(c, '·' | '•' | '・' | '.' | '．') && han(i.checked_sub(1).and_then(|p| chars.get(p))) && han(chars.get(i + 1)))
        })
        .map(|(_, c)| *c)
        .collect()
}

/// Whether two places may be one: the same name, or one written inside the other (滨河苑 of
/// 伊景园·滨河苑 and 伊景园滨河苑).
fn same_place(a: &str, b: &str) -> bool {
    a.contains(b) || b.contains(a)
}

/// How much more a place weighs than any topic word in a message's vector: two messages about one
/// place's one problem meet even in other words (交房, 收房).
const PLACE_WEIGHT: f32 = 3.0;

/// Words too general to name a theme.
const GENERIC: &[&str] = &[
    "问题", "反映", "希望", "相关", "部门", "解决", "情况", "市民", "群众", "领导", "我们", "请求", "关于", "现在", "没有", "一直", "目前",
    "严重", "导致", "要求", "尽快", "处理", "进行", "存在", "表示", "工作", "单位", "政府", "您好", "尊敬",
];

struct Cluster {
    centroid: HashMap<u32, f32>,
    /// The centre as a vector, refreshed as the theme grows (rebuilding it per comparison
    /// would make the pass quadratic in a theme's size).
    centre: Sparse,
    members: Vec<usize>,
    /// The one place its messages name, if any names one: a theme is about one place or none.
    place: Option<String>,
}

impl Cluster {
    fn refresh(&mut self) {
        let n = self.members.len();
        if n < 16 || n.is_power_of_two() || n.is_multiple_of(32) {
            self.centre = centroid_vector(&self.centroid);
        }
    }
}

const CENTROID_TERMS: usize = 60;
const DOC_TERMS: usize = 40;

fn top_terms(v: &Sparse, k: usize) -> Sparse {
    let mut pairs: Vec<(u32, f32)> = v.ids.iter().copied().zip(v.weights.iter().copied()).collect();
    pairs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    pairs.truncate(k);
    pairs.sort_by_key(|p| p.0);
    let norm = pairs.iter().map(|p| p.1 * p.1).sum::<f32>().sqrt().max(f32::EPSILON);
    Sparse { ids: pairs.iter().map(|p| p.0).collect(), weights: pairs.iter().map(|p| p.1 / norm).collect() }
}

fn centroid_vector(c: &HashMap<u32, f32>) -> Sparse {
    let mut pairs: Vec<(u32, f32)> = c.iter().map(|(k, v)| (*k, *v)).collect();
    pairs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    pairs.truncate(CENTROID_TERMS);
    pairs.sort_by_key(|p| p.0);
    let norm = pairs.iter().map(|p| p.1 * p.1).sum::<f32>().sqrt().max(f32::EPSILON);
    Sparse { ids: pairs.iter().map(|p| p.0).collect(), weights: pairs.iter().map(|p| p.1 / norm).collect() }
}

/// A message's five strongest terms: two messages with the same signature say the same thing.
fn signature(v: &Sparse) -> Vec<u32> {
    let mut pairs: Vec<(u32, f32)> = v.ids.iter().copied().zip(v.weights.iter().copied()).collect();
    pairs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut top: Vec<u32> = pairs.into_iter().take(5).map(|p| p.0).collect();
    top.sort_unstable();
    top
}

/// Whether themes or messages about `a` and `b` may be one.
fn compatible(a: Option<&str>, b: Option<&str>) -> bool {
    a.zip(b).is_none_or(|(a, b)| same_place(a, b))
}

/// Mines themes from `messages`; `progress(done, total)` as it goes.
pub fn mine(jieba: &Jieba, messages: &[Message], settings: &Settings, mut progress: impl FnMut(usize, usize)) -> Mined {
    let total = messages.len();
    // Titles carry the topic: count their words twice. Terms are interned as they are met, so
    // a million messages hold numbers, not strings.
    let mut interner: HashMap<String, u32> = HashMap::new();
    let mut names_all: Vec<String> = Vec::new();
    let mut df: Vec<u32> = Vec::new();
    let mut places: Vec<Option<u32>> = Vec::with_capacity(total);
    let docs: Vec<Vec<u32>> = messages
        .iter()
        .map(|m| {
            let mut w = words(jieba, &joined(&m.title));
            let place = title_place(jieba, &w).cloned();
            w.extend(w.clone());
            w.extend(words(jieba, &m.body));
            let mut intern = |word: String| {
                *interner.entry(word).or_insert_with_key(|word| {
                    names_all.push(word.clone());
                    df.push(0);
                    (names_all.len() - 1) as u32
                })
            };
            places.push(place.map(&mut intern));
            let ids: Vec<u32> = w.into_iter().map(intern).collect();
            let mut unique = ids.clone();
            unique.sort_unstable();
            unique.dedup();
            for id in unique {
                df[id as usize] += 1;
            }
            ids
        })
        .collect();
    drop(interner);
    let n = total as f32;
    let idf: Vec<f32> = df.iter().map(|d| if *d >= 2 { ((1.0 + n) / (1.0 + *d as f32)).ln() + 1.0 } else { 0.0 }).collect();
    let names: Vec<&str> = names_all.iter().map(String::as_str).collect();
    let generic: HashSet<u32> = GENERIC.iter().filter_map(|w| names.iter().position(|n| n == w).map(|p| p as u32)).collect();
    let vectors: Vec<Sparse> = docs
        .iter()
        .zip(&places)
        .map(|(d, place)| {
            let mut tf: HashMap<u32, f32> = HashMap::new();
            for id in d {
                if idf[*id as usize] > 0.0 && !generic.contains(id) {
                    *tf.entry(*id).or_default() += 1.0;
                }
            }
            let weight = |id: u32| if Some(id) == *place { PLACE_WEIGHT } else { 1.0 };
            let mut pairs: Vec<(u32, f32)> = tf.into_iter().map(|(id, f)| (id, (1.0 + f.ln()) * idf[id as usize] * weight(id))).collect();
            pairs.sort_unstable_by_key(|p| p.0);
            top_terms(&Sparse { ids: pairs.iter().map(|p| p.0).collect(), weights: pairs.iter().map(|p| p.1).collect() }, DOC_TERMS)
        })
        .collect();
    drop(docs);

    let mut order: Vec<usize> = (0..total).collect();
    order.sort_by_key(|&i| (messages[i].time, i));
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut postings: HashMap<u32, Vec<usize>> = HashMap::new();
    for (done, &i) in order.iter().enumerate() {
        let v = &vectors[i];
        if v.ids.is_empty() {
            continue;
        }
        // Candidates: clusters sharing one of this message's strongest terms.
        let mut strongest: Vec<(u32, f32)> = v.ids.iter().copied().zip(v.weights.iter().copied()).collect();
        strongest.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut candidates: HashSet<usize> = HashSet::new();
        for (term, _) in strongest.iter().take(8) {
            if let Some(list) = postings.get(term) {
                candidates.extend(list.iter().rev().take(50));
            }
        }
        let place = places[i].map(|id| names_all[id as usize].as_str());
        // A message about one place never joins a theme about another.
        let best = candidates
            .into_iter()
            .filter(|c| compatible(place, clusters[*c].place.as_deref()))
            .map(|c| (c, clusters[c].centre.dot_sparse(v)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let target = match best {
            Some((c, sim)) if sim >= settings.join => c,
            _ => {
                clusters.push(Cluster { centroid: HashMap::new(), centre: Sparse::default(), members: Vec::new(), place: None });
                clusters.len() - 1
            }
        };
        let cluster = &mut clusters[target];
        for (id, w) in v.ids.iter().zip(&v.weights) {
            let entry = cluster.centroid.entry(*id).or_insert(0.0);
            if *entry == 0.0 {
                let list = postings.entry(*id).or_default();
                if list.last() != Some(&target) {
                    list.push(target);
                }
            }
            *entry += w;
        }
        if cluster.place.is_none() {
            cluster.place = place.map(str::to_string);
        }
        cluster.members.push(i);
        cluster.refresh();
        if done % 1000 == 999 {
            progress(done + 1, total);
        }
    }

    // Merge pass: big themes first absorb smaller ones that say the same about the same place.
    let mut alive: Vec<usize> = (0..clusters.len()).filter(|c| clusters[*c].members.len() >= 2).collect();
    alive.sort_by_key(|c| (std::cmp::Reverse(clusters[*c].members.len()), *c));
    let rank: HashMap<usize, usize> = alive.iter().enumerate().map(|(pos, c)| (*c, pos)).collect();
    let mut merged_into: Vec<usize> = (0..clusters.len()).collect();
    let centroids: Vec<Sparse> = clusters.iter().map(|c| centroid_vector(&c.centroid)).collect();
    let mut term_index: HashMap<u32, Vec<usize>> = HashMap::new();
    for &c in &alive {
        for id in centroids[c].ids.iter().take(20) {
            term_index.entry(*id).or_default().push(c);
        }
    }
    for (pos, &small) in alive.iter().enumerate().rev() {
        let mut best: Option<(usize, f32)> = None;
        let mut seen: HashSet<usize> = HashSet::new();
        for id in &centroids[small].ids {
            // Only the biggest few themes sharing a term are worth comparing against.
            for &big in term_index.get(id).map(Vec::as_slice).unwrap_or(&[]).iter().take(40) {
                if rank[&big] >= pos || merged_into[big] != big || !seen.insert(big) {
                    continue;
                }
                let sim = centroids[big].dot_sparse(&centroids[small]);
                let places = compatible(clusters[big].place.as_deref(), clusters[small].place.as_deref());
                if sim >= settings.merge && places && best.is_none_or(|(_, s)| sim > s) {
                    best = Some((big, sim));
                }
            }
        }
        if let Some((big, _)) = best {
            merged_into[small] = big;
            let moved = std::mem::take(&mut clusters[small].members);
            for (term, w) in std::mem::take(&mut clusters[small].centroid) {
                *clusters[big].centroid.entry(term).or_insert(0.0) += w;
            }
            if clusters[big].place.is_none() {
                clusters[big].place = clusters[small].place.take();
            }
            clusters[big].members.extend(moved);
        }
    }

    // Collapse near-duplicates inside each theme (the same citizen posting the same words
    // again: same strongest terms), then keep themes big enough to matter.
    let latest = settings.as_of.or_else(|| messages.iter().filter_map(|m| m.time).max());
    let mut themes: Vec<Theme> = Vec::new();
    for cluster in &clusters {
        let mut seen: HashSet<(Option<&str>, Vec<u32>)> = HashSet::new();
        let distinct = cluster.members.iter().filter(|&&m| seen.insert((messages[m].user.as_deref(), signature(&vectors[m])))).count();
        if distinct < settings.min_size {
            continue;
        }
        let centre = centroid_vector(&cluster.centroid);
        let mut ranked: Vec<(u32, f32)> = centre.ids.iter().copied().zip(centre.weights.iter().copied()).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let keywords = whole_words(jieba, ranked.iter().map(|(id, _)| names[*id as usize]), 6);
        let representative = cluster
            .members
            .iter()
            .max_by(|a, b| centre.dot_sparse(&vectors[**a]).total_cmp(&centre.dot_sparse(&vectors[**b])).then(b.cmp(a)))
            .map(|&m| messages[m].title.clone())
            .unwrap_or_default();
        let place = cluster.place.clone();
        let mut members = cluster.members.clone();
        members.sort_unstable();
        let closeness = members.iter().map(|&m| centre.dot_sparse(&vectors[m])).collect();
        let parts = heat(messages, &members, latest);
        let times: Vec<DateTime<Utc>> = members.iter().filter_map(|&m| messages[m].time).collect();
        themes.push(Theme {
            theme: 0,
            rank: 0,
            heat: parts.value(),
            size: members.len(),
            distinct_citizens: parts.citizens,
            support: parts.support,
            label: format!("{}：{}", keywords.iter().take(3).cloned().collect::<Vec<_>>().join("、"), representative),
            keywords,
            representative,
            place,
            first: times.iter().min().copied(),
            last: times.iter().max().copied(),
            members,
            closeness,
        });
    }
    // Numbered by heat: theme 1 is the hottest.
    themes.sort_by(|a, b| b.heat.total_cmp(&a.heat).then(b.size.cmp(&a.size)));
    let mut assignment = vec![None; total];
    for (rank, t) in themes.iter_mut().enumerate() {
        t.rank = rank + 1;
        t.theme = rank + 1;
        for &m in &t.members {
            assignment[m] = Some(t.theme);
        }
    }
    progress(total, total);
    Mined { assignment, themes }
}

/// The first `k` of `words` that are words of the vocabulary (or letters and digits), never a
/// single character, a fragment jieba guessed (区丽发 from A3区丽发新城) or a part of another one
/// kept (景园 beside 伊景园滨河苑).
fn whole_words<'a>(jieba: &Jieba, words: impl Iterator<Item = &'a str>, k: usize) -> Vec<String> {
    let candidates: Vec<&str> = words
        .filter(|w| w.chars().count() >= 2 && (jieba.has_word(w) || w.chars().all(|c| c.is_ascii_alphanumeric())))
        .take(k * 3)
        .collect();
    let mut kept: Vec<String> = Vec::new();
    for w in &candidates {
        if kept.len() < k && !candidates.iter().any(|other| other != w && other.contains(w)) {
            kept.push(w.to_string());
        }
    }
    kept
}

/// The heat of `members` read on `latest` (see [`Heat`]).
pub fn heat(messages: &[Message], members: &[usize], latest: Option<DateTime<Utc>>) -> Heat {
    let people: HashSet<&str> = members.iter().map(|&m| messages[m].user.as_deref().unwrap_or(messages[m].id.as_str())).collect();
    let support: i64 = members.iter().map(|&m| messages[m].likes - messages[m].dislikes).sum();
    let times: Vec<DateTime<Utc>> = members.iter().filter_map(|&m| messages[m].time).collect();
    let span = times.iter().min().zip(times.iter().max()).map(|(a, b)| (*a, *b));
    Heat::of(members.len(), people.len(), support, span, latest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(i: usize, title: &str, body: &str) -> Message {
        Message {
            id: i.to_string(),
            title: title.into(),
            body: body.into(),
            time: None,
            user: Some(format!("u{i}")),
            likes: 0,
            dislikes: 0,
        }
    }

    fn mined(texts: &[(&str, &str)]) -> Mined {
        let jieba = crate::search::tokenizer::build_jieba(&["丽发新城".into(), "伊景园滨河苑".into()]);
        let messages: Vec<Message> = texts.iter().enumerate().map(|(i, (t, b))| message(i, t, b)).collect();
        mine(&jieba, &messages, &Settings::default(), |_, _| {})
    }

    #[test]
    fn two_estates_never_share_a_theme_and_one_estate_keeps_its_own_together() {
        let mut texts = Vec::new();
        for _ in 0..4 {
            texts.push(("A3区丽发新城开发商捆绑销售车位", "丽发新城开发商强制捆绑销售车位，不买车位不给交房。"));
            texts.push(("A7县伊景园滨河苑开发商捆绑销售车位", "伊景园滨河苑开发商强制捆绑销售车位，不买车位不给交房。"));
        }
        texts.push(("丽发新城收房被要求先买车位", "丽发新城业主收房时被要求先买车位。"));
        let found = mined(&texts);
        let theme_of = |i: usize| found.assignment[i];
        for t in &found.themes {
            let estates: HashSet<bool> = t.members.iter().map(|m| texts[*m].0.contains("丽发")).collect();
            assert_eq!(estates.len(), 1, "theme {} mixes two estates: {:?}", t.label, t.members);
        }
        assert!(theme_of(0).is_some() && theme_of(1).is_some());
        assert_ne!(theme_of(0), theme_of(1));
        assert_eq!(theme_of(8), theme_of(0), "收房 joins the 交房 theme of its estate");
        for t in &found.themes {
            assert!(t.keywords.iter().all(|k| k.chars().count() >= 2), "{:?}", t.keywords);
            assert!(!t.keywords.iter().any(|k| k == "景园" || k == "滨河" || k == "区丽发"), "{:?}", t.keywords);
        }
        assert!(found.themes.iter().any(|t| t.keywords.iter().any(|k| k == "伊景园滨河苑")), "the estate is a keyword, whole");
    }

    #[test]
    fn a_title_names_its_estate_before_its_district() {
        let jieba = crate::search::tokenizer::build_jieba(&["丽发新城".into(), "伊景园滨河苑".into()]);
        let words = |ws: &[&str]| -> Vec<String> { ws.iter().map(|w| w.to_string()).collect() };
        let title = words(&["a3区", "丽发新城", "车位"]);
        assert_eq!(title_place(&jieba, &title).map(String::as_str), Some("丽发新城"));
        let district = words(&["a3区", "车位"]);
        assert_eq!(title_place(&jieba, &district).map(String::as_str), Some("a3区"));
        for not_a_place in ["车位", "幼儿园", "有限公司", "污染环境", "不知道", "高速公路"] {
            assert_eq!(place_kind(&jieba, not_a_place), None, "{not_a_place}");
        }
        let two = words(&["武广新城", "伊景园滨河苑", "车位"]);
        assert_eq!(title_place(&jieba, &two).map(String::as_str), Some("伊景园滨河苑"), "the smaller, last named");
        assert!(same_place("滨河苑", "伊景园滨河苑") && !same_place("丽发新城", "伊景园滨河苑"));
        assert_eq!(joined("A市伊景园·滨河苑，3.5万"), "A市伊景园滨河苑，3.5万");
    }
}
