//! Theme mining without being told how many themes: TF-IDF word vectors, near-duplicates
//! collapsed, single-pass assignment in time order with candidate themes found through an
//! inverted index, then a merge pass that never merges themes about different places.
//! Linear in the number of messages.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use jieba_rs::Jieba;
use serde::Serialize;

use super::features::{Sparse, words};

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
}

impl Default for Settings {
    fn default() -> Self {
        Self { join: 0.25, merge: 0.4, min_size: 3 }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Theme {
    pub theme: usize,
    pub rank: usize,
    pub heat: f64,
    pub size: usize,
    pub distinct_citizens: usize,
    pub label: String,
    pub keywords: Vec<String>,
    pub representative: String,
    pub place: Option<String>,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub members: Vec<usize>,
}

pub struct Mined {
    /// Per input message, its theme number (`None` for noise).
    pub assignment: Vec<Option<usize>>,
    pub themes: Vec<Theme>,
}

/// Words that name a place: what a merge must not blur.
fn is_place(word: &str) -> bool {
    let n = word.chars().count();
    (3..=8).contains(&n)
        && ["区", "县", "镇", "乡", "村", "路", "街", "小区", "花园", "广场", "大道", "社区", "园区", "公寓", "家园", "苑"]
            .iter()
            .any(|suffix| word.ends_with(suffix))
}

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
    places: HashMap<String, usize>,
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
    pairs.sort_by(|a, b| b.1.total_cmp(&a.1));
    pairs.truncate(k);
    pairs.sort_by_key(|p| p.0);
    let norm = pairs.iter().map(|p| p.1 * p.1).sum::<f32>().sqrt().max(f32::EPSILON);
    Sparse { ids: pairs.iter().map(|p| p.0).collect(), weights: pairs.iter().map(|p| p.1 / norm).collect() }
}

fn centroid_vector(c: &HashMap<u32, f32>) -> Sparse {
    let mut pairs: Vec<(u32, f32)> = c.iter().map(|(k, v)| (*k, *v)).collect();
    pairs.sort_by(|a, b| b.1.total_cmp(&a.1));
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

fn dominant_place(places: &HashMap<String, usize>, size: usize) -> Option<&str> {
    places.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).filter(|(_, n)| **n * 3 >= size).map(|(p, _)| p.as_str())
}

/// Mines themes from `messages`; `progress(done, total)` as it goes.
pub fn mine(jieba: &Jieba, messages: &[Message], settings: &Settings, mut progress: impl FnMut(usize, usize)) -> Mined {
    let total = messages.len();
    // Titles carry the topic: count their words twice. Terms are interned as they are met, so
    // a million messages hold numbers, not strings.
    let mut interner: HashMap<String, u32> = HashMap::new();
    let mut names_all: Vec<String> = Vec::new();
    let mut df: Vec<u32> = Vec::new();
    let docs: Vec<Vec<u32>> = messages
        .iter()
        .map(|m| {
            let mut w = words(jieba, &m.title);
            w.extend(w.clone());
            w.extend(words(jieba, &m.body));
            let ids: Vec<u32> = w
                .into_iter()
                .map(|word| {
                    *interner.entry(word).or_insert_with_key(|word| {
                        names_all.push(word.clone());
                        df.push(0);
                        (names_all.len() - 1) as u32
                    })
                })
                .collect();
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
        .map(|d| {
            let mut tf: HashMap<u32, f32> = HashMap::new();
            for id in d {
                if idf[*id as usize] > 0.0 && !generic.contains(id) {
                    *tf.entry(*id).or_default() += 1.0;
                }
            }
            let mut pairs: Vec<(u32, f32)> = tf.into_iter().map(|(id, f)| (id, (1.0 + f.ln()) * idf[id as usize])).collect();
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
        strongest.sort_by(|a, b| b.1.total_cmp(&a.1));
        let mut candidates: HashSet<usize> = HashSet::new();
        for (term, _) in strongest.iter().take(8) {
            if let Some(list) = postings.get(term) {
                candidates.extend(list.iter().rev().take(50));
            }
        }
        let best =
            candidates.into_iter().map(|c| (c, clusters[c].centre.dot_sparse(v))).max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let place = words(jieba, &messages[i].title).into_iter().find(|w| is_place(w));
        let target = match best {
            Some((c, sim)) if sim >= settings.join => c,
            _ => {
                clusters.push(Cluster { centroid: HashMap::new(), centre: Sparse::default(), members: Vec::new(), places: HashMap::new() });
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
        if let Some(place) = place {
            *cluster.places.entry(place).or_default() += 1;
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
                if sim >= settings.merge && best.is_none_or(|(_, s)| sim > s) {
                    best = Some((big, sim));
                }
            }
        }
        if let Some((big, _)) = best {
            let (a, b) = (
                dominant_place(&clusters[big].places, clusters[big].members.len()),
                dominant_place(&clusters[small].places, clusters[small].members.len()),
            );
            if a.is_some() && b.is_some() && a != b {
                continue;
            }
            merged_into[small] = big;
            let moved = std::mem::take(&mut clusters[small].members);
            let places = std::mem::take(&mut clusters[small].places);
            for (term, w) in std::mem::take(&mut clusters[small].centroid) {
                *clusters[big].centroid.entry(term).or_insert(0.0) += w;
            }
            for (p, n) in places {
                *clusters[big].places.entry(p).or_default() += n;
            }
            clusters[big].members.extend(moved);
        }
    }

    // Collapse near-duplicates inside each theme (the same citizen posting the same words
    // again: same strongest terms), then keep themes big enough to matter.
    let latest = messages.iter().filter_map(|m| m.time).max();
    let mut themes: Vec<Theme> = Vec::new();
    for cluster in &clusters {
        let mut seen: HashSet<(Option<&str>, Vec<u32>)> = HashSet::new();
        let distinct = cluster.members.iter().filter(|&&m| seen.insert((messages[m].user.as_deref(), signature(&vectors[m])))).count();
        if distinct < settings.min_size {
            continue;
        }
        let centre = centroid_vector(&cluster.centroid);
        let mut ranked: Vec<(u32, f32)> = centre.ids.iter().copied().zip(centre.weights.iter().copied()).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        let keywords: Vec<String> = ranked.iter().take(6).map(|(id, _)| names[*id as usize].to_string()).collect();
        let representative = cluster
            .members
            .iter()
            .max_by(|a, b| centre.dot_sparse(&vectors[**a]).total_cmp(&centre.dot_sparse(&vectors[**b])).then(b.cmp(a)))
            .map(|&m| messages[m].title.clone())
            .unwrap_or_default();
        let place = dominant_place(&cluster.places, cluster.members.len()).map(str::to_string);
        let mut members = cluster.members.clone();
        members.sort_unstable();
        let heat = heat(messages, &members, latest);
        let people: HashSet<&str> = members.iter().map(|&m| messages[m].user.as_deref().unwrap_or(messages[m].id.as_str())).collect();
        let times: Vec<DateTime<Utc>> = members.iter().filter_map(|&m| messages[m].time).collect();
        themes.push(Theme {
            theme: 0,
            rank: 0,
            heat,
            size: members.len(),
            distinct_citizens: people.len(),
            label: format!("{}：{}", keywords.iter().take(3).cloned().collect::<Vec<_>>().join("、"), representative),
            keywords,
            representative,
            place,
            first: times.iter().min().copied(),
            last: times.iter().max().copied(),
            members,
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

/// Heat, as documented on the office page:
/// `10·ln(1+P) + 4·ln(1+S) + 5·ln(1+R) + 10·F`, where P is the number of distinct citizens,
/// S the net support (likes − dislikes, never below 0), R the messages per week over the
/// theme's span, and F the freshness `exp(−d/30)` with d the days from its last message to
/// the newest message overall.
pub fn heat(messages: &[Message], members: &[usize], latest: Option<DateTime<Utc>>) -> f64 {
    let people: HashSet<&str> = members.iter().map(|&m| messages[m].user.as_deref().unwrap_or(messages[m].id.as_str())).collect();
    let support: i64 = members.iter().map(|&m| messages[m].likes - messages[m].dislikes).sum::<i64>().max(0);
    let times: Vec<DateTime<Utc>> = members.iter().filter_map(|&m| messages[m].time).collect();
    let (rate, fresh) = match (times.iter().min(), times.iter().max(), latest) {
        (Some(first), Some(last), Some(latest)) => {
            let weeks = ((*last - *first).num_days() as f64 / 7.0).max(1.0);
            (members.len() as f64 / weeks, (-((latest - *last).num_days().max(0) as f64) / 30.0).exp())
        }
        _ => (members.len() as f64, 1.0),
    };
    10.0 * (1.0 + people.len() as f64).ln() + 4.0 * (1.0 + support as f64).ln() + 5.0 * (1.0 + rate).ln() + 10.0 * fresh
}
