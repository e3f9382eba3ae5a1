//! Text to sparse TF-IDF vectors: jieba words, word pairs and character pairs, sublinear term
//! frequency, L2-normalised. Shared by the classifier and the theme miner.

use std::collections::HashMap;

use jieba_rs::Jieba;

use crate::search::tokenizer::{is_stopword, normalise};

/// A sparse vector: sorted feature ids and weights.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sparse {
    pub ids: Vec<u32>,
    pub weights: Vec<f32>,
}

impl Sparse {
    pub fn dot(&self, dense: &[f32]) -> f32 {
        self.ids.iter().zip(&self.weights).map(|(i, w)| dense[*i as usize] * w).sum()
    }

    /// Dot product of two sparse vectors (both sorted by id).
    pub fn dot_sparse(&self, other: &Sparse) -> f32 {
        let (mut i, mut j, mut sum) = (0, 0, 0.0);
        while i < self.ids.len() && j < other.ids.len() {
            match self.ids[i].cmp(&other.ids[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    sum += self.weights[i] * other.weights[j];
                    i += 1;
                    j += 1;
                }
            }
        }
        sum
    }

    pub fn squared_norm(&self) -> f32 {
        self.weights.iter().map(|w| w * w).sum()
    }
}

/// The words of a text: jieba default mode, normalised, no stopwords or punctuation.
pub fn words(jieba: &Jieba, text: &str) -> Vec<String> {
    jieba
        .cut(text, true)
        .into_iter()
        .map(|t| normalise(t.word))
        .filter(|w| w.chars().any(char::is_alphanumeric) && !is_stopword(w))
        .collect()
}

/// The raw terms a document contributes: words, adjacent word pairs and character pairs.
pub fn terms(jieba: &Jieba, text: &str) -> Vec<String> {
    let ws = words(jieba, text);
    let mut out: Vec<String> = ws.clone();
    out.extend(ws.windows(2).map(|p| format!("{}_{}", p[0], p[1])));
    let chars: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).collect();
    out.extend(chars.windows(2).map(|p| format!("#{}{}", p[0], p[1])));
    out
}

/// A vocabulary with document frequencies, learned from training texts.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    pub index: HashMap<String, u32>,
    pub idf: Vec<f32>,
}

impl Vocabulary {
    /// Terms seen in at least `min_df` documents.
    pub fn fit(docs: &[Vec<String>], min_df: usize) -> Self {
        let mut df: HashMap<&str, usize> = HashMap::new();
        for doc in docs {
            let mut seen: Vec<&str> = doc.iter().map(String::as_str).collect();
            seen.sort_unstable();
            seen.dedup();
            for term in seen {
                *df.entry(term).or_default() += 1;
            }
        }
        let n = docs.len() as f32;
        let mut kept: Vec<(&str, usize)> = df.into_iter().filter(|(_, d)| *d >= min_df).collect();
        kept.sort_unstable();
        let mut vocab = Vocabulary::default();
        for (i, (term, d)) in kept.into_iter().enumerate() {
            vocab.index.insert(term.to_string(), i as u32);
            vocab.idf.push(((1.0 + n) / (1.0 + d as f32)).ln() + 1.0);
        }
        vocab
    }

    pub fn len(&self) -> usize {
        self.idf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.idf.is_empty()
    }

    /// Sublinear TF-IDF, L2-normalised; unknown terms are ignored.
    pub fn vector(&self, terms: &[String]) -> Sparse {
        let mut tf: HashMap<u32, f32> = HashMap::new();
        for term in terms {
            if let Some(id) = self.index.get(term) {
                *tf.entry(*id).or_default() += 1.0;
            }
        }
        let mut pairs: Vec<(u32, f32)> = tf.into_iter().map(|(id, f)| (id, (1.0 + f.ln()) * self.idf[id as usize])).collect();
        pairs.sort_unstable_by_key(|(id, _)| *id);
        let norm = pairs.iter().map(|(_, w)| w * w).sum::<f32>().sqrt().max(f32::EPSILON);
        Sparse { ids: pairs.iter().map(|(i, _)| *i).collect(), weights: pairs.iter().map(|(_, w)| w / norm).collect() }
    }
}
