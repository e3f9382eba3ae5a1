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

/// The next time the clock in Beijing reads `hour`:00 after `now` (a daily digest's send time).
pub fn next_hour(now: DateTime<Utc>, hour: u32) -> DateTime<Utc> {
    let local = now.with_timezone(&beijing());
    let at = |date: NaiveDate| date.and_hms_opt(hour.min(23), 0, 0).expect("a valid hour").and_local_timezone(beijing()).unwrap();
    let today = at(local.date_naive());
    let next = if today > local { today } else { at(local.date_naive().succ_opt().expect("dates stay far from the calendar's end")) };
    next.with_timezone(&Utc)
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
    fn the_next_digest_hour_is_today_until_it_passes() {
        let morning = DateTime::parse_from_rfc3339("2026-11-27T01:00:00Z").unwrap().with_timezone(&Utc); // 09:00 in Beijing
        assert_eq!(next_hour(morning, 20).to_rfc3339(), "2026-11-27T12:00:00+00:00");
        assert_eq!(next_hour(morning, 9).to_rfc3339(), "2026-11-28T01:00:00+00:00", "on the hour is already past");
        assert_eq!(next_hour(morning, 0).to_rfc3339(), "2026-11-27T16:00:00+00:00", "midnight is tomorrow's");
    }

    #[test]
    fn beijing_dates_roll_over_at_utc_sixteen() {
        let late = DateTime::parse_from_rfc3339("2026-11-27T16:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(today(late), NaiveDate::from_ymd_opt(2026, 11, 28).unwrap());
        assert_eq!(minute(late), "2026-11-28 00:30");
    }
}
