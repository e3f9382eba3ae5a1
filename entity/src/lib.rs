//! sea-orm entities for Lianxin: one module per table, no logic beyond vocabularies.

pub mod vocab;

pub mod attachment;
pub mod audit_log;
pub mod chat_message;
pub mod delivery;
pub mod dictionary_word;
pub mod event;
pub mod followup_task;
pub mod idempotency_key;
pub mod job_mark;
pub mod login_throttle;
pub mod notification;
pub mod opinion;
pub mod opinion_contact;
pub mod opinion_event;
pub mod problem;
pub mod progress_update;
pub mod rating;
pub mod rectification;
pub mod report;
pub mod report_handover;
pub mod report_link;
pub mod report_revision;
pub mod responsibility;
pub mod responsibility_unit;
pub mod revisit;
pub mod score_live;
pub mod score_snapshot;
pub mod session;
pub mod setting;
pub mod summary;
pub mod theme;
pub mod theme_member;
pub mod unit;
pub mod user;
