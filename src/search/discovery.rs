//! New-word discovery: words the dictionary lacks (estate and road names, colloquial compounds),
//! found in the messages themselves by the standard statistics. A string of Chinese characters
//! is proposed when it recurs, its characters stick together more than chance would have them
//! (cohesion: the least pointwise mutual information over its split points) and it is free on
//! both sides (branching entropy of the characters before and after it). Strings jieba already
//! keeps whole, and phrases of dictionary words, are not proposed.

use std::collections::HashMap;

use jieba_rs::Jieba;

#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub min_count: u32,
    pub max_len: usize,
    pub min_cohesion: f64,
    pub min_freedom: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self { min_count: 5, max_len: 7, min_cohesion: 4.0, min_freedom: 1.0 }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub word: String,
    pub frequency: u32,
    /// The least PMI (natural log) over the word's split points.
    pub cohesion: f64,
    /// The lesser of the left and right branching entropies.
    pub freedom: f64,
    pub score: f64,
}

/// Characters that start or end a phrase rather than a word.
const EDGE: &str = "的了在是和与及或我你他她它们这那有不也就都对被把从向给让很还又而但并等个为以于之其所吗呢吧啊呀请您该已将要会能可到说中内未着旁边处里第";
/// Characters that join words into a phrase: adverbs, particles, copulas.
const FUNCTION: &str = "后有很是被不非常太在把给让就都也还又才已更最挺会要没未再";
/// Characters a word never holds: particles and measure words (尊敬的领导, 两个月, 据了解).
const NEVER_INSIDE: &str = "的了个着么";

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// A run of Chinese characters: words never cross punctuation, digits or ASCII. A run right
/// after a letter or digit starts with a character that belongs to them (3号线, A县, 5栋):
/// no word starts there, though the character still counts as a neighbour.
struct Run {
    chars: Vec<char>,
    attached: bool,
}

fn runs<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<Run> {
    let mut out = Vec::new();
    for text in texts {
        let mut run = Run { chars: Vec::new(), attached: false };
        for c in text.chars() {
            if is_han(c) {
                run.chars.push(c);
            } else {
                let attached = c.is_ascii_alphanumeric() || ('\u{FF10}'..='\u{FF5A}').contains(&c);
                let done = std::mem::replace(&mut run, Run { chars: Vec::new(), attached });
                if !done.chars.is_empty() {
                    out.push(done);
                }
            }
        }
        if !run.chars.is_empty() {
            out.push(run);
        }
    }
    out
}

/// Counts of every frequent string of 1..=len characters. A string is counted only when both
/// its shorter halves are frequent (a string is never more frequent than its parts), which keeps
/// the maps small on a large corpus.
fn frequent_grams(runs: &[Run], settings: &Settings) -> HashMap<String, u32> {
    let mut frequent: HashMap<String, u32> = HashMap::new();
    for n in 1..=settings.max_len {
        let mut counts: HashMap<String, u32> = HashMap::new();
        for run in runs {
            for window in run.chars.windows(n) {
                if n > 1 {
                    let prefix: String = window[..n - 1].iter().collect();
                    let suffix: String = window[1..].iter().collect();
                    if !frequent.contains_key(&prefix) || !frequent.contains_key(&suffix) {
                        continue;
                    }
                }
                *counts.entry(window.iter().collect()).or_default() += 1;
            }
        }
        let before = frequent.len();
        frequent.extend(counts.into_iter().filter(|(_, c)| *c >= settings.min_count));
        if frequent.len() == before {
            break;
        }
    }
    frequent
}

/// The least PMI over the split points of `word`, with `total` characters in the corpus.
fn cohesion(word: &[char], grams: &HashMap<String, u32>, total: f64) -> f64 {
    let whole = f64::from(grams[&word.iter().collect::<String>()]);
    (1..word.len())
        .map(|k| {
            let left = f64::from(grams[&word[..k].iter().collect::<String>()]);
            let right = f64::from(grams[&word[k..].iter().collect::<String>()]);
            (whole * total / (left * right)).ln()
        })
        .fold(f64::INFINITY, f64::min)
}

#[derive(Default)]
struct Sides {
    left: HashMap<char, u32>,
    right: HashMap<char, u32>,
    /// Occurrences at the start or end of a run: each counts as a neighbour of its own.
    left_edge: u32,
    right_edge: u32,
}

fn entropy(neighbours: &HashMap<char, u32>, edges: u32) -> f64 {
    let total = f64::from(neighbours.values().sum::<u32>() + edges);
    if total == 0.0 {
        return 0.0;
    }
    let term = |n: f64| -(n / total) * (n / total).ln();
    neighbours.values().map(|n| term(f64::from(*n))).sum::<f64>() + f64::from(edges) * term(1.0)
}

fn sides(runs: &[Run], cohesive: &HashMap<String, f64>, max_len: usize) -> HashMap<String, Sides> {
    let mut out: HashMap<String, Sides> = HashMap::new();
    for Run { chars: run, attached } in runs {
        for n in 2..=max_len.min(run.len()) {
            for start in usize::from(*attached)..=run.len() - n {
                let word: String = run[start..start + n].iter().collect();
                if !cohesive.contains_key(&word) {
                    continue;
                }
                let entry = out.entry(word).or_default();
                match start.checked_sub(1).map(|i| run[i]) {
                    Some(c) => *entry.left.entry(c).or_default() += 1,
                    None => entry.left_edge += 1,
                }
                match run.get(start + n) {
                    Some(c) => *entry.right.entry(*c).or_default() += 1,
                    None => entry.right_edge += 1,
                }
            }
        }
    }
    out
}

/// Whether jieba already handles the string: a dictionary word, or a phrase of dictionary
/// words of two characters or more (小区业主), possibly joined by function characters. A word jieba breaks into single characters
/// (丽发新城 → 丽/发/新城) is what discovery is for.
fn known(jieba: &Jieba, word: &str) -> bool {
    if jieba.has_word(word) {
        return true;
    }
    let pieces = jieba.cut(word, false);
    let is_word = |p: &&jieba_rs::Token| p.word.chars().count() >= 2 && jieba.has_word(p.word);
    let words = pieces.iter().filter(is_word).count();
    // Dictionary words joined by a function character are a phrase (卫生条件很差, 烧开后有沉淀),
    // where a name's own characters are not (伊景园滨河苑: 伊/景园/滨河/苑).
    let joined = pieces.iter().any(|p| p.word.chars().count() == 1 && FUNCTION.contains(p.word));
    pieces.len() > 1 && (words == pieces.len() || (words >= 1 && joined))
}

/// The candidates in the texts, best first.
pub fn discover<'a>(jieba: &Jieba, texts: impl IntoIterator<Item = &'a str>, settings: &Settings) -> Vec<Candidate> {
    let runs = runs(texts);
    let total = runs.iter().map(|r| r.chars.len()).sum::<usize>() as f64;
    let grams = frequent_grams(&runs, settings);
    let cohesive: HashMap<String, f64> = grams
        .keys()
        .filter_map(|w| {
            let chars: Vec<char> = w.chars().collect();
            if chars.len() < 2
                || EDGE.contains(chars[0])
                || EDGE.contains(chars[chars.len() - 1])
                || chars.iter().any(|c| NEVER_INSIDE.contains(*c))
            {
                return None;
            }
            let c = cohesion(&chars, &grams, total);
            (c >= settings.min_cohesion).then(|| (w.clone(), c))
        })
        .collect();
    let sides = sides(&runs, &cohesive, settings.max_len);
    let mut found: Vec<Candidate> = sides
        .into_iter()
        .filter_map(|(word, s)| {
            let freedom = entropy(&s.left, s.left_edge).min(entropy(&s.right, s.right_edge));
            if freedom < settings.min_freedom || known(jieba, &word) {
                return None;
            }
            let frequency = grams[&word];
            let cohesion = cohesive[&word];
            let score = f64::from(frequency).ln() * cohesion.min(12.0) * freedom.min(4.0);
            Some(Candidate { word, frequency, cohesion, freedom, score })
        })
        .collect();
    // A part that almost always appears inside a longer candidate is that candidate's fragment;
    // a candidate and a dictionary word side by side (泉塘街道) is a phrase once it is accepted.
    let all = found.clone();
    let words: std::collections::HashSet<&str> = all.iter().map(|c| c.word.as_str()).collect();
    let phrase = |w: &str| {
        w.char_indices().skip(1).any(|(i, _)| {
            let (a, b) = w.split_at(i);
            (words.contains(a) && b.chars().count() >= 2 && jieba.has_word(b))
                || (words.contains(b) && a.chars().count() >= 2 && jieba.has_word(a))
        })
    };
    found.retain(|c| {
        !phrase(&c.word)
            && !all.iter().any(|o| o.word.len() > c.word.len() && o.word.contains(&c.word) && o.frequency * 10 >= c.frequency * 8)
    });
    found.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.word.cmp(&b.word)));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Vec<String> {
        let places = ["东区", "西门", "北岸", "南路口", "老街", "新村", "大院", "桥头"];
        let worries = ["停车难", "路灯坏了", "垃圾没人清", "噪音扰民", "漏水严重", "电梯停运"];
        let mut texts = Vec::new();
        for (i, place) in places.iter().enumerate() {
            for (j, worry) in worries.iter().enumerate() {
                texts.push(format!("丽发新城{place}{worry}，请尽快处理"));
                if (i + j) % 2 == 0 {
                    texts.push(format!("投诉楼下饭店油烟熏天，{worry}"));
                }
            }
        }
        texts
    }

    #[test]
    fn recurring_names_jieba_breaks_are_proposed() {
        let jieba = crate::search::tokenizer::build_jieba(&[]);
        let texts = corpus();
        // A small corpus: every string is likelier than in a city's worth of messages.
        let found = discover(&jieba, texts.iter().map(String::as_str), &Settings { min_cohesion: 2.0, ..Settings::default() });
        let words: Vec<&str> = found.iter().map(|c| c.word.as_str()).collect();
        assert!(words.contains(&"丽发新城"), "{words:?}");
        assert!(!words.iter().any(|w| *w == "丽发新" || *w == "发新城"), "fragments folded into the whole: {words:?}");
        assert!(
            !words.contains(&"请尽快处理") && !words.contains(&"尽快处理"),
            "a phrase of dictionary words is not a new word: {words:?}"
        );
    }

    #[test]
    fn a_string_seen_too_rarely_is_not_proposed() {
        let jieba = crate::search::tokenizer::build_jieba(&[]);
        let found = discover(&jieba, ["五矿万境业主反映", "五矿万境停车"], &Settings::default());
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn entropy_counts_each_edge_as_its_own_neighbour() {
        let one_side: HashMap<char, u32> = [('甲', 4)].into();
        assert_eq!(entropy(&one_side, 0), 0.0);
        assert!((entropy(&HashMap::new(), 4) - 4f64.ln()).abs() < 1e-9);
    }
}
