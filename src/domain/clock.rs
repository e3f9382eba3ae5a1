//! The one source of "now". Production reads the system clock; tests pin it or move it, so
//! whatever depends on "this quarter" or "overdue since" is reproducible.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, NaiveDate, Utc};

#[derive(Debug, Clone)]
pub struct Clock(Kind);

#[derive(Debug, Clone)]
enum Kind {
    System,
    /// Microseconds since the epoch, shared so every clone moves together.
    Set(Arc<AtomicI64>),
}

impl Clock {
    pub fn system() -> Self {
        Self(Kind::System)
    }

    /// A clock standing at `at` until moved.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self(Kind::Set(Arc::new(AtomicI64::new(at.timestamp_micros()))))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            Kind::System => Utc::now(),
            Kind::Set(micros) => DateTime::from_timestamp_micros(micros.load(Ordering::SeqCst)).unwrap_or_default(),
        }
    }

    /// Today in Beijing.
    pub fn today(&self) -> NaiveDate {
        super::time::today(self.now())
    }

    /// Moves a set clock forward; a system clock cannot be moved and ignores it.
    pub fn advance(&self, by: Duration) {
        if let Kind::Set(micros) = &self.0 {
            micros.fetch_add(by.num_microseconds().unwrap_or(i64::MAX / 2), Ordering::SeqCst);
        }
    }

    /// Sets a set clock to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Kind::Set(micros) = &self.0 {
            micros.store(at.timestamp_micros(), Ordering::SeqCst);
        }
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_clock_stands_still_until_moved_and_clones_move_together() {
        let at = DateTime::parse_from_rfc3339("2026-09-30T15:59:00Z").unwrap().with_timezone(&Utc);
        let clock = Clock::fixed(at);
        let other = clock.clone();
        assert_eq!(clock.now(), at);
        assert_eq!(clock.today().to_string(), "2026-09-30");
        other.advance(Duration::minutes(2));
        assert_eq!(clock.today().to_string(), "2026-10-01", "16:01 UTC is the next day in Beijing");
    }
}
