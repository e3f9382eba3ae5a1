//! The portal shows Beijing time; the database stores UTC.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// `2026-11-28 09:30` in Beijing time.
pub fn minute(at: DateTime<Utc>) -> String {
    at.with_timezone(&beijing()).format("%Y-%m-%d %H:%M").to_string()
}

/// Today's date in Beijing.
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&beijing()).date_naive()
}

/// The date `days` working days after `from` (weekends skipped; public holidays are not known).
pub fn add_working_days(from: NaiveDate, days: u32) -> NaiveDate {
    use chrono::{Datelike, Weekday};
    let mut date = from;
    let mut left = days;
    while left > 0 {
        date = date.succ_opt().expect("dates stay far from the calendar's end");
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    date
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_days_skip_weekends() {
        let friday = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(add_working_days(friday, 1), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
        assert_eq!(add_working_days(friday, 5), NaiveDate::from_ymd_opt(2026, 12, 4).unwrap());
        assert_eq!(add_working_days(friday, 0), friday);
    }

    #[test]
    fn beijing_dates_roll_over_at_utc_sixteen() {
        let late = DateTime::parse_from_rfc3339("2026-11-27T16:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(today(late), NaiveDate::from_ymd_opt(2026, 11, 28).unwrap());
        assert_eq!(minute(late), "2026-11-28 00:30");
    }
}
