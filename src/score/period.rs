//! Scoring periods: a month (`2026-07`), a quarter (`2026-Q3`) or a year (`2026`), in Beijing time.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};

use crate::domain::time;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    /// Exclusive.
    pub end: NaiveDate,
}

impl Period {
    pub fn parse(input: &str) -> Option<Self> {
        let s = input.trim().to_ascii_uppercase();
        let date = |y, m| NaiveDate::from_ymd_opt(y, m, 1);
        let (start, end) = if let Some((y, q)) = s.split_once("-Q") {
            let (y, q): (i32, u32) = (y.parse().ok()?, q.parse().ok()?);
            if !(1..=4).contains(&q) {
                return None;
            }
            let start = date(y, (q - 1) * 3 + 1)?;
            (start, if q == 4 { date(y + 1, 1)? } else { date(y, q * 3 + 1)? })
        } else if let Some((y, m)) = s.split_once('-') {
            let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
            let start = date(y, m)?;
            (start, if m == 12 { date(y + 1, 1)? } else { date(y, m + 1)? })
        } else {
            let y: i32 = s.parse().ok()?;
            (date(y, 1)?, date(y + 1, 1)?)
        };
        (1990..=2100).contains(&start.year()).then_some(Self { start, end })
    }

    /// The quarter containing `day`.
    pub fn quarter_of(day: NaiveDate) -> Self {
        Self::parse(&format!("{}-Q{}", day.year(), (day.month() - 1) / 3 + 1)).expect("a quarter parses")
    }

    pub fn name(&self) -> String {
        let months = (self.end.year() - self.start.year()) * 12 + self.end.month() as i32 - self.start.month() as i32;
        match months {
            1 => self.start.format("%Y-%m").to_string(),
            3 => format!("{}-Q{}", self.start.year(), (self.start.month() - 1) / 3 + 1),
            _ => self.start.year().to_string(),
        }
    }

    /// The period just before, of the same length.
    pub fn previous(&self) -> Self {
        let months = ((self.end.year() - self.start.year()) * 12 + self.end.month() as i32 - self.start.month() as i32) as u32;
        Self { start: self.start - chrono::Months::new(months), end: self.start }
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        day >= self.start && day < self.end
    }

    /// The period as UTC instants (Beijing midnights).
    pub fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let at = |d: NaiveDate| {
            time::beijing()
                .from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
                .single()
                .expect("no DST in China")
                .with_timezone(&Utc)
        };
        (at(self.start), at(self.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_name_themselves() {
        for name in ["2026-Q3", "2026-07", "2026", "2026-Q4", "2026-12"] {
            assert_eq!(Period::parse(name).unwrap().name(), name);
        }
        assert_eq!(Period::parse("2026-q3").unwrap().name(), "2026-Q3");
        for bad in ["2026-Q5", "2026-13", "abc", "", "99999", "2026-Q"] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        assert_eq!(Period::parse("2026-Q1").unwrap().previous().name(), "2025-Q4");
        assert_eq!(Period::parse("2026").unwrap().previous().name(), "2025");
    }

    #[test]
    fn bounds_are_beijing_midnights() {
        let (start, _) = Period::parse("2026-07").unwrap().bounds();
        assert_eq!(start.to_rfc3339(), "2026-06-30T16:00:00+00:00");
    }
}
