//! 智能分办: a linear classifier (one-vs-rest L2-loss SVM trained by dual coordinate descent,
//! the method of LIBLINEAR) over TF-IDF features, with a confidence from a softmax of its scores.

use std::collections::BTreeSet;

use jieba_rs::Jieba;
use serde::Serialize;

use super::features::{Sparse, Vocabulary, terms};

pub struct Example {
    pub text: String,
    pub label: String,
}

pub struct Classifier {
    pub vocabulary: Vocabulary,
    pub labels: Vec<String>,
    /// One weight vector per label (bias as the last weight).
    weights: Vec<Vec<f32>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Prediction {
    pub label: String,
    pub confidence: f32,
}

/// Regularisation: LinearSVC's default.
const C: f32 = 1.0;
const EPOCHS: usize = 30;
const BIAS: f32 = 1.0;

fn train_binary(xs: &[Sparse], ys: &[f32], dims: usize) -> Vec<f32> {
    // Dual coordinate descent for min ½|w|² + C Σ max(0, 1 − y w·x)², with x extended by a bias feature.
    let mut w = vec![0.0f32; dims + 1];
    let mut alpha = vec![0.0f32; xs.len()];
    let diag = 0.5 / C;
    let q: Vec<f32> = xs.iter().map(|x| x.squared_norm() + BIAS * BIAS + diag).collect();
    let mut order: Vec<usize> = (0..xs.len()).collect();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..EPOCHS {
        // A fixed-seed shuffle: the same data always trains the same model.
        for i in (1..order.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            order.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let mut max_change = 0.0f32;
        for &i in &order {
            let x = &xs[i];
            let margin = ys[i] * (x.dot(&w[..dims]) + w[dims] * BIAS);
            let gradient = margin - 1.0 + diag * alpha[i];
            let new_alpha = (alpha[i] - gradient / q[i]).max(0.0);
            let delta = (new_alpha - alpha[i]) * ys[i];
            if delta != 0.0 {
                for (id, v) in x.ids.iter().zip(&x.weights) {
                    w[*id as usize] += delta * v;
                }
                w[dims] += delta * BIAS;
                max_change = max_change.max((new_alpha - alpha[i]).abs());
            }
            alpha[i] = new_alpha;
        }
        if max_change < 1e-3 {
            break;
        }
    }
    w
}

impl Classifier {
    pub fn train(jieba: &Jieba, examples: &[Example]) -> Self {
        let docs: Vec<Vec<String>> = examples.iter().map(|e| terms(jieba, &e.text)).collect();
        let vocabulary = Vocabulary::fit(&docs, 2);
        let xs: Vec<Sparse> = docs.iter().map(|d| vocabulary.vector(d)).collect();
        let labels: Vec<String> = examples.iter().map(|e| e.label.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        let weights = labels
            .iter()
            .map(|label| {
                let ys: Vec<f32> = examples.iter().map(|e| if &e.label == label { 1.0 } else { -1.0 }).collect();
                train_binary(&xs, &ys, vocabulary.len())
            })
            .collect();
        Self { vocabulary, labels, weights }
    }

    pub fn predict(&self, jieba: &Jieba, text: &str) -> Option<Prediction> {
        self.ranked(jieba, text).into_iter().next()
    }

    /// Every label, most likely first, with confidences that sum to one.
    pub fn ranked(&self, jieba: &Jieba, text: &str) -> Vec<Prediction> {
        let x = self.vocabulary.vector(&terms(jieba, text));
        let dims = self.vocabulary.len();
        let scores: Vec<f32> = self.weights.iter().map(|w| x.dot(&w[..dims]) + w[dims] * BIAS).collect();
        let Some(top) = scores.iter().copied().max_by(f32::total_cmp) else { return Vec::new() };
        // Margins are roughly in [-1, 1]; a temperature makes the softmax a usable confidence.
        let exp: Vec<f32> = scores.iter().map(|s| ((s - top) * 4.0).exp()).collect();
        let sum: f32 = exp.iter().sum();
        let mut out: Vec<Prediction> =
            self.labels.iter().zip(exp).map(|(label, e)| Prediction { label: label.clone(), confidence: e / sum }).collect();
        out.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        out
    }
}

/// Macro-F1 of predictions against truth.
pub fn macro_f1(truth: &[String], predicted: &[String]) -> f64 {
    let labels: BTreeSet<&String> = truth.iter().chain(predicted).collect();
    let f1s: Vec<f64> = labels
        .iter()
        .map(|label| {
            let tp = truth.iter().zip(predicted).filter(|(t, p)| t == label && p == label).count() as f64;
            let fp = truth.iter().zip(predicted).filter(|(t, p)| t != label && p == label).count() as f64;
            let fn_ = truth.iter().zip(predicted).filter(|(t, p)| t == label && p != label).count() as f64;
            if tp == 0.0 { 0.0 } else { 2.0 * tp / (2.0 * tp + fp + fn_) }
        })
        .collect();
    f1s.iter().sum::<f64>() / f1s.len().max(1) as f64
}

/// The fold of an example: by a hash of its title, so repeated titles never straddle folds.
pub fn fold_of(title: &str, folds: usize) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in title.trim().as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % folds as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_learns_a_separable_toy_problem() {
        let jieba = crate::search::tokenizer::build_jieba(&[]);
        let mut examples = Vec::new();
        for i in 0..20 {
            examples.push(Example { text: format!("公交线路调整 第{i}路 车站"), label: "交通运输".into() });
            examples.push(Example { text: format!("学校 学位 入学 老师 {i}"), label: "教育文体".into() });
        }
        let model = Classifier::train(&jieba, &examples);
        assert_eq!(model.predict(&jieba, "公交车站太远").unwrap().label, "交通运输");
        let p = model.predict(&jieba, "孩子入学学位").unwrap();
        assert_eq!(p.label, "教育文体");
        assert!(p.confidence > 0.5 && p.confidence <= 1.0);
    }

    #[test]
    fn macro_f1_weights_classes_equally() {
        let t: Vec<String> = ["a", "a", "a", "b"].iter().map(|s| s.to_string()).collect();
        let p: Vec<String> = ["a", "a", "a", "a"].iter().map(|s| s.to_string()).collect();
        let f = macro_f1(&t, &p);
        assert!((f - (2.0 * 3.0 / 7.0) / 2.0).abs() < 1e-9, "{f}");
    }

    #[test]
    fn repeated_titles_share_a_fold() {
        assert_eq!(fold_of("同一个标题", 5), fold_of(" 同一个标题 ", 5));
    }
}
