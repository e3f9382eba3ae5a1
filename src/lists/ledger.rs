//! A unit's ledger (台账): its items and how often it finishes on time.

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::time;
use crate::lists::catalog::ListRow;

#[derive(Debug, Serialize)]
pub struct OnTime {
    /// Lead items whose deadline has come, or that were finished earlier.
    pub due: usize,
    pub on_time: usize,
    pub rate_pct: Option<u32>,
}

/// On time means finished (reported) on or before the deadline, counted over the items this
/// unit leads whose deadline has passed or that are already finished.
pub fn on_time(rows: &[ListRow], unit_code: &str, today: NaiveDate) -> OnTime {
    let led = rows.iter().filter(|r| r.lead.code == unit_code);
    let due: Vec<&ListRow> = led.filter(|r| r.completed_at.is_some() || r.deadline < today).collect();
    let on_time = due.iter().filter(|r| r.completed_at.is_some_and(|done| time::today(done) <= r.deadline)).count();
    OnTime { due: due.len(), on_time, rate_pct: (!due.is_empty()).then(|| (on_time * 100 / due.len()) as u32) }
}
