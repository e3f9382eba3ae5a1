//! What services (the rules of each area) share: who acts, what can go wrong, write transactions.

use entity::vocab::Role;
use sea_orm::{DbErr, SqlErr};
use serde::Serialize;

/// Who is acting: a staff member, a citizen holding a tracking code, or the system itself.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i32>,
    /// The name written to the audit trail (a username, 群众 or 系统).
    pub label: String,
    pub role: Option<Role>,
    pub unit_id: Option<i32>,
}

impl Actor {
    pub fn staff(user: &entity::user::Model) -> Self {
        Self { user_id: Some(user.id), label: user.username.clone(), role: Some(user.role), unit_id: user.unit_id }
    }

    pub fn citizen() -> Self {
        Self { user_id: None, label: "群众".into(), role: None, unit_id: None }
    }

    pub fn system(label: &str) -> Self {
        Self { user_id: None, label: format!("系统:{label}"), role: None, unit_id: None }
    }

    pub fn is(&self, role: Role) -> bool {
        self.role == Some(role)
    }

    /// Refuses unless the actor has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ServiceError> {
        match self.role {
            Some(role) if roles.contains(&role) => Ok(()),
            _ => Err(ServiceError::Forbidden),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// A rule refused the action; the message is for people.
    #[error("{0}")]
    Refused(String),
    /// Someone else got there first (a lost race, or a "once" already used); for people.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Db(DbErr),
}

impl From<DbErr> for ServiceError {
    /// A unique constraint only fails when a concurrent action won the race the use case's own
    /// check could not see; anything else is a fault.
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Self::Conflict("该操作刚刚已经完成，请刷新页面查看最新状态".into()),
            _ => Self::Db(err),
        }
    }
}

/// Per-field validation messages: a stable `code` for JSON, a Chinese `message` for forms.
#[derive(Debug, Default, Clone, Serialize)]
pub struct FieldErrors(pub Vec<FieldError>);

#[derive(Debug, Clone, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, code: &'static str, message: impl Into<String>) {
        self.0.push(FieldError { field, code, message: message.into() });
    }

    /// Records a text check's failure under `field`, named by its `label` as the form shows it
    /// ("标题不能为空"), and returns the cleaned value, if any.
    pub fn text<T>(&mut self, field: &'static str, label: &str, result: Result<T, crate::domain::text::TextError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                self.add(field, err.code(), format!("{label}{err}"));
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok` when nothing was recorded.
    pub fn check(self) -> Result<(), ServiceError> {
        if self.is_empty() { Ok(()) } else { Err(ServiceError::Invalid(self)) }
    }

    /// All messages in one line, for a notice above a form.
    pub fn summary(&self) -> String {
        self.0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("；")
    }

    /// Messages by field, for re-rendering a form next to its inputs.
    pub fn by_field(&self) -> std::collections::HashMap<&'static str, &str> {
        self.0.iter().map(|e| (e.field, e.message.as_str())).collect()
    }
}
