//! The three lists (问题清单, 责任清单, 整改清单) and the work on them.

pub mod progress;
pub mod scope;
