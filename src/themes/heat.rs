//! Heat, as documented on the office page: `10·ln(1+P) + 4·ln(1+S) + 5·ln(1+R) + 10·F`, where P
//! is the number of distinct citizens, S the net support (likes − dislikes, never below 0), R the
//! messages per week over the theme's span, and F the freshness `exp(−d/30)` with d the days from
//! its last message to the day it is read (today, for the stored opinions).

use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Heat {
    pub citizens: usize,
    pub support: i64,
    pub per_week: f64,
    pub freshness: f64,
}

impl Heat {
    /// The heat of `size` messages from `citizens` people with net `support`, first and last
    /// written at `span`, read on `as_of`.
    pub fn of(
        size: usize,
        citizens: usize,
        support: i64,
        span: Option<(DateTime<Utc>, DateTime<Utc>)>,
        as_of: Option<DateTime<Utc>>,
    ) -> Self {
        let (per_week, freshness) = match (span, as_of) {
            (Some((first, last)), Some(as_of)) => {
                let weeks = ((last - first).num_days() as f64 / 7.0).max(1.0);
                (size as f64 / weeks, (-((as_of - last).num_days().max(0) as f64) / 30.0).exp())
            }
            _ => (size as f64, 1.0),
        };
        Self { citizens, support: support.max(0), per_week, freshness }
    }

    /// Each part's share of the heat, in the formula's order: citizens, support, rate, freshness.
    pub fn parts(&self) -> [f64; 4] {
        [
            10.0 * (1.0 + self.citizens as f64).ln(),
            4.0 * (1.0 + self.support as f64).ln(),
            5.0 * (1.0 + self.per_week).ln(),
            10.0 * self.freshness,
        ]
    }

    pub fn value(&self) -> f64 {
        self.parts().iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    #[test]
    fn heat_counts_people_support_rate_and_freshness_from_the_day_read() {
        let first = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let last = first + Duration::days(14);
        let fresh = Heat::of(10, 4, 3, Some((first, last)), Some(last));
        assert_eq!(fresh.per_week, 5.0);
        assert_eq!(fresh.freshness, 1.0);
        let expected = 10.0 * 5f64.ln() + 4.0 * 4f64.ln() + 5.0 * 6f64.ln() + 10.0;
        assert!((fresh.value() - expected).abs() < 1e-9);
        let month_later = Heat::of(10, 4, 3, Some((first, last)), Some(last + Duration::days(30)));
        assert!((month_later.freshness - (-1f64).exp()).abs() < 1e-9, "a month later, freshness is 1/e");
        assert_eq!(Heat::of(3, 3, -5, None, None).support, 0, "support never below 0");
    }
}
