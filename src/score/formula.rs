//! The satisfaction formulas, as pure functions over counts. Every score is 0–100, shrunk
//! toward the city mean when its sample is small, and carries its n and a 95% interval.

use serde::{Deserialize, Serialize};

use crate::service::{FieldErrors, ServiceError};
use crate::settings::Group;

/// Which ratings count as satisfied for 满意率.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Threshold {
    /// 基本满意 and above.
    #[default]
    Basic,
    /// 满意 and above.
    Satisfied,
}

/// The office's choice of formula, versioned like every setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoreSettings {
    pub threshold: Threshold,
    /// Points for 非常满意, 满意, 基本满意, 不满意, 非常不满意.
    pub level_points: [f64; 5],
    /// How many ratings' worth of the city mean a subject's score starts from.
    pub prior_strength: f64,
    /// Count ratings given by default (not by a citizen) as real ones.
    pub include_default: bool,
    /// League tables rank only subjects with at least this many ratings (样本不足 below).
    pub min_ratings: u64,
    pub weight_ratings: f64,
    pub weight_rectification: f64,
    pub weight_responsiveness: f64,
    pub weight_themes: f64,
}

impl Default for ScoreSettings {
    fn default() -> Self {
        Self {
            threshold: Threshold::Basic,
            level_points: [100.0, 80.0, 60.0, 30.0, 0.0],
            prior_strength: 20.0,
            include_default: false,
            min_ratings: 30,
            weight_ratings: 0.5,
            weight_rectification: 0.25,
            weight_responsiveness: 0.15,
            weight_themes: 0.10,
        }
    }
}

impl Group for ScoreSettings {
    const KEY: &'static str = "score";
}

impl ScoreSettings {
    pub fn validate(&self) -> Result<(), ServiceError> {
        let mut errors = FieldErrors::default();
        let p = self.level_points;
        if p.iter().any(|x| !(0.0..=100.0).contains(x)) || p.windows(2).any(|w| w[0] < w[1]) {
            errors.add("level_points", "invalid", "各级分值须在 0–100 之间，且满意程度越高分值不低于下一级");
        }
        if !(0.0..=1000.0).contains(&self.prior_strength) {
            errors.add("prior_strength", "invalid", "先验强度须在 0–1000 之间");
        }
        if self.min_ratings > 10_000 {
            errors.add("min_ratings", "invalid", "参与排名的最少评价数须在 0–10000 之间");
        }
        let weights = [self.weight_ratings, self.weight_rectification, self.weight_responsiveness, self.weight_themes];
        if weights.iter().any(|w| !(0.0..=1.0).contains(w)) || weights.iter().sum::<f64>() <= 0.0 {
            errors.add("weights", "invalid", "各项权重须在 0–1 之间，且不能全为 0");
        }
        errors.check()
    }
}

impl ScoreSettings {
    /// The rules in words, as the public reads them, in a fixed order (also to compare versions).
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        let p = self.level_points;
        let pct = |w: f64| format!("{}%", (w * 100.0).round());
        vec![
            ("满意率口径", if self.threshold == Threshold::Satisfied { "满意及以上" } else { "基本满意及以上" }.to_string()),
            ("各级分值", format!("非常满意 {}、满意 {}、基本满意 {}、不满意 {}、非常不满意 {}", p[0], p[1], p[2], p[3], p[4])),
            ("小样本收缩", format!("相当于 {} 条全市平均评价", self.prior_strength)),
            ("系统默认评价", if self.include_default { "计入" } else { "不计入" }.to_string()),
            ("参与排名的最少评价数", format!("{} 条", self.min_ratings)),
            (
                "综合指数权重",
                format!(
                    "群众评价 {}、整改按期完成 {}、按时答复 {}、热点问题压力 {}",
                    pct(self.weight_ratings),
                    pct(self.weight_rectification),
                    pct(self.weight_responsiveness),
                    pct(self.weight_themes)
                ),
            ),
        ]
    }
}

/// Ratings per level, 非常满意 first; real (citizen) and default kept apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Levels {
    pub citizen: [u64; 5],
    pub default: [u64; 5],
}

impl Levels {
    pub fn counted(&self, s: &ScoreSettings) -> [u64; 5] {
        let mut c = self.citizen;
        if s.include_default {
            for (a, b) in c.iter_mut().zip(self.default) {
                *a += b;
            }
        }
        c
    }
}

/// 95% Wilson interval of a proportion, in percent.
pub fn wilson(successes: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 100.0);
    }
    let (n, p, z) = (n as f64, successes as f64 / n as f64, 1.96f64);
    let centre = p + z * z / (2.0 * n);
    let spread = z * ((p * (1.0 - p) + z * z / (4.0 * n)) / n).sqrt();
    let denom = 1.0 + z * z / n;
    (((centre - spread) / denom * 100.0).max(0.0), ((centre + spread) / denom * 100.0).min(100.0))
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RatingScore {
    pub n: u64,
    /// 满意率, percent.
    pub satisfied_rate: Option<f64>,
    pub satisfied_interval: Option<(f64, f64)>,
    /// 差评率 (不满意 and 非常不满意), percent.
    pub negative_rate: Option<f64>,
    /// Mean of level points, unshrunk.
    pub raw: Option<f64>,
    /// 满意度得分: the mean shrunk toward `prior`.
    pub score: f64,
    pub interval: (f64, f64),
    /// Share of counted ratings not given by citizens, percent.
    pub non_citizen_share: f64,
}

/// The spread assumed for a subject with no ratings of its own, in points.
const PRIOR_SD: f64 = 30.0;

/// 满意率, 差评率 and the shrunk 满意度得分 of `levels`, with `prior` the city mean.
pub fn rating_score(levels: &Levels, s: &ScoreSettings, prior: f64) -> RatingScore {
    let counted = levels.counted(s);
    let n: u64 = counted.iter().sum();
    let defaults: u64 = if s.include_default { levels.default.iter().sum() } else { 0 };
    let satisfied = match s.threshold {
        Threshold::Basic => counted[0] + counted[1] + counted[2],
        Threshold::Satisfied => counted[0] + counted[1],
    };
    let negative = counted[3] + counted[4];
    let total_points: f64 = counted.iter().zip(s.level_points).map(|(c, p)| *c as f64 * p).sum();
    let raw = (n > 0).then(|| total_points / n as f64);
    let k = s.prior_strength;
    let score = if n as f64 + k > 0.0 { (total_points + k * prior) / (n as f64 + k) } else { prior };
    // Interval: the shrunk mean ± 1.96 standard errors, the prior counting as k observations
    // with a spread of PRIOR_SD points, so two identical ratings are not taken for certainty.
    let squares: f64 = match raw {
        Some(mean) => counted.iter().zip(s.level_points).map(|(c, p)| *c as f64 * (p - mean).powi(2)).sum(),
        None => 0.0,
    };
    let weight = n as f64 + k;
    let interval = if weight > 1.0 {
        let variance = (squares + k * PRIOR_SD * PRIOR_SD) / (weight - 1.0);
        let se = (variance / weight).sqrt();
        ((score - 1.96 * se).clamp(0.0, 100.0), (score + 1.96 * se).clamp(0.0, 100.0))
    } else {
        (0.0, 100.0)
    };
    RatingScore {
        n,
        satisfied_rate: (n > 0).then(|| satisfied as f64 * 100.0 / n as f64),
        satisfied_interval: (n > 0).then(|| wilson(satisfied, n)),
        negative_rate: (n > 0).then(|| negative as f64 * 100.0 / n as f64),
        raw,
        score: score.clamp(0.0, 100.0),
        interval,
        non_citizen_share: if n > 0 { defaults as f64 * 100.0 / n as f64 } else { 0.0 },
    }
}

/// A component on 0–100 from a success count, shrunk toward `prior` like ratings are.
pub fn shrunk_rate(successes: f64, n: f64, prior: f64, k: f64) -> f64 {
    if n + k <= 0.0 { prior } else { ((successes * 100.0 + k * prior) / (n + k)).clamp(0.0, 100.0) }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Components {
    pub ratings: Option<f64>,
    pub rectification: Option<f64>,
    pub responsiveness: Option<f64>,
    pub themes: Option<f64>,
}

/// The composite index: the office's weights over the components that have data.
pub fn composite(c: &Components, s: &ScoreSettings) -> Option<f64> {
    let parts = [
        (c.ratings, s.weight_ratings),
        (c.rectification, s.weight_rectification),
        (c.responsiveness, s.weight_responsiveness),
        (c.themes, s.weight_themes),
    ];
    let weight: f64 = parts.iter().filter(|(v, _)| v.is_some()).map(|(_, w)| w).sum();
    (weight > 0.0).then(|| (parts.iter().filter_map(|(v, w)| v.map(|v| v * w)).sum::<f64>() / weight).clamp(0.0, 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    fn random_levels(rng: &mut rand_chacha::ChaCha8Rng) -> Levels {
        let mut l = Levels::default();
        for i in 0..5 {
            l.citizen[i] = rng.random_range(0..50);
            l.default[i] = rng.random_range(0..5);
        }
        l
    }

    #[test]
    fn scores_stay_within_bounds() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let s = ScoreSettings::default();
        for _ in 0..2000 {
            let l = random_levels(&mut rng);
            let prior = rng.random_range(0.0..=100.0);
            let r = rating_score(&l, &s, prior);
            assert!((0.0..=100.0).contains(&r.score) && r.interval.0 <= r.score + 1e-9 && r.score <= r.interval.1 + 1e-9, "{r:?}");
            let c = Components {
                ratings: Some(r.score),
                rectification: Some(rng.random_range(0.0..=100.0)),
                responsiveness: None,
                themes: Some(0.0),
            };
            let v = composite(&c, &s).unwrap();
            assert!((0.0..=100.0).contains(&v));
        }
    }

    #[test]
    fn a_very_satisfied_rating_never_lowers_a_score_and_a_very_dissatisfied_never_raises_one() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        let s = ScoreSettings::default();
        for _ in 0..2000 {
            let l = random_levels(&mut rng);
            // The city mean moves with the new rating too; it moves the same way.
            let prior = rng.random_range(0.0..=100.0);
            let before = rating_score(&l, &s, prior);
            let mut better = l;
            better.citizen[0] += 1;
            let after = rating_score(&better, &s, (prior + 0.01).min(100.0));
            assert!(after.score >= before.score - 1e-9, "{before:?} → {after:?}");
            assert!(after.satisfied_rate.unwrap() >= before.satisfied_rate.unwrap_or(0.0) - 1e-9);
            let mut worse = l;
            worse.citizen[4] += 1;
            let after = rating_score(&worse, &s, (prior - 0.01).max(0.0));
            assert!(after.score <= before.score + 1e-9, "{before:?} → {after:?}");
        }
    }

    #[test]
    fn two_lucky_ratings_do_not_top_two_hundred_good_ones() {
        let s = ScoreSettings::default();
        let prior = 75.0;
        let lucky = rating_score(&Levels { citizen: [2, 0, 0, 0, 0], default: [0; 5] }, &s, prior);
        let steady = rating_score(&Levels { citizen: [120, 60, 20, 0, 0], default: [0; 5] }, &s, prior);
        assert!(steady.score > lucky.score, "{} vs {}", steady.score, lucky.score);
        assert!(lucky.interval.1 - lucky.interval.0 > steady.interval.1 - steady.interval.0, "a small sample is less certain");
    }

    #[test]
    fn default_ratings_count_only_when_the_formula_says_so() {
        let l = Levels { citizen: [10, 0, 0, 0, 0], default: [0, 0, 0, 0, 10] };
        let mut s = ScoreSettings::default();
        let without = rating_score(&l, &s, 50.0);
        assert_eq!(without.n, 10);
        assert_eq!(without.non_citizen_share, 0.0);
        s.include_default = true;
        let with = rating_score(&l, &s, 50.0);
        assert_eq!(with.n, 20);
        assert_eq!(with.non_citizen_share, 50.0);
        assert!(with.score < without.score);
    }

    #[test]
    fn the_thresholds_and_weights_are_the_offices() {
        let l = Levels { citizen: [1, 1, 1, 1, 0], default: [0; 5] };
        let mut s = ScoreSettings::default();
        assert_eq!(rating_score(&l, &s, 50.0).satisfied_rate, Some(75.0));
        s.threshold = Threshold::Satisfied;
        assert_eq!(rating_score(&l, &s, 50.0).satisfied_rate, Some(50.0));
        assert!(ScoreSettings { level_points: [0.0, 80.0, 60.0, 30.0, 0.0], ..ScoreSettings::default() }.validate().is_err());
        assert!(
            ScoreSettings {
                weight_ratings: 0.0,
                weight_rectification: 0.0,
                weight_responsiveness: 0.0,
                weight_themes: 0.0,
                ..ScoreSettings::default()
            }
            .validate()
            .is_err()
        );
    }
}
