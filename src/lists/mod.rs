//! The three lists (问题清单, 责任清单, 整改清单) and the work on them.

use entity::vocab::OpinionStatus;

pub mod catalog;
pub mod deadlines;
pub mod detail;
pub mod exchange;
pub mod feed;
pub mod ledger;
pub mod progress;
pub mod scope;
pub mod workflow;

/// Opinions that never count publicly: hidden for abuse, withdrawn by the citizen.
pub const HIDDEN_OPINION_STATUSES: [OpinionStatus; 2] = [OpinionStatus::Hidden, OpinionStatus::Withdrawn];
