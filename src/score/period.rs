//! Scoring periods: a month (`2026-07`), a quarter (`2026-Q3`) or a year (`2026`), in Beijing time;
//! theme mining also reads a range of days (`2026-07-01~2026-08-15`, both days included).

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

    /// A month, quarter or year, or else a range of days (`2026-07-01~2026-08-15`, both
    /// included, at most ten years): the periods themes are mined for.
    pub fn parse_span(input: &str) -> Option<Self> {
        let Some((from, to)) = input.trim().split_once(['~', '至']) else { return Self::parse(input) };
        let day = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let (start, last) = (day(from)?, day(to)?);
        let end = last.succ_opt()?;
        let sane = start < end && (end - start).num_days() <= 3660 && (1990..=2100).contains(&start.year()) && end.year() <= 2101;
        sane.then_some(Self { start, end })
    }

    /// Whole months from start to end, when both are firsts of a month and the span is a month,
    /// a quarter or a year as the calendar counts them.
    fn named_months(&self) -> Option<i32> {
        let months = (self.end.year() - self.start.year()) * 12 + self.end.month() as i32 - self.start.month() as i32;
        let aligned = match months {
            1 => true,
            3 => self.start.month() % 3 == 1,
            12 => self.start.month() == 1,
            _ => false,
        };
        (self.start.day() == 1 && self.end.day() == 1 && aligned).then_some(months)
    }

    pub fn name(&self) -> String {
        match self.named_months() {
            Some(1) => self.start.format("%Y-%m").to_string(),
            Some(3) => format!("{}-Q{}", self.start.year(), (self.start.month() - 1) / 3 + 1),
            Some(_) => self.start.year().to_string(),
            None => format!("{}~{}", self.start, self.end.pred_opt().unwrap_or(self.end)),
        }
    }

    /// The period just before, of the same length.
    pub fn previous(&self) -> Self {
        match self.named_months() {
            Some(months) => Self { start: self.start - chrono::Months::new(months as u32), end: self.start },
            None => Self { start: self.start - (self.end - self.start), end: self.start },
        }
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
    fn a_range_of_days_names_itself_and_its_previous_is_as_long() {
        let range = Period::parse_span("2026-07-01~2026-08-15").unwrap();
        assert_eq!(range.name(), "2026-07-01~2026-08-15");
        assert_eq!(range.previous().name(), "2026-05-16~2026-06-30");
        assert_eq!(Period::parse_span("2026-07-01 至 2026-09-30").unwrap().name(), "2026-Q3", "a quarter by its days is the quarter");
        assert_eq!(Period::parse_span("2026-Q3").unwrap().name(), "2026-Q3");
        for bad in ["2026-08-15~2026-07-01", "2026-07-01~", "2026-02-30~2026-03-01", "1900-01-01~1900-02-01", "2000-01-01~2026-01-01"] {
            assert_eq!(Period::parse_span(bad), None, "{bad}");
        }
    }

    #[test]
    fn bounds_are_beijing_midnights() {
        let (start, _) = Period::parse("2026-07").unwrap().bounds();
        assert_eq!(start.to_rfc3339(), "2026-06-30T16:00:00+00:00");
    }
}
