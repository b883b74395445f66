//! One error type for the whole core. Every variant is a meaning the UI and the CLI act on;
//! `code()` is the stable string both switch on, never the English message.

use serde::Serialize;
use ts_rs::TS;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    #[error("{message}")]
    InvalidInput { field: Option<String>, message: String },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{message}")]
    RateLimited { retry_after_secs: Option<u64>, message: String },
    #[error("{0}")]
    Unavailable(String),
    #[error("{message}")]
    BadResponse { message: String },
    #[error("{0}")]
    SecretStore(String),
    #[error("{0}")]
    Unsupported(String),
    /// The user has not yet said whether Hangar may change a file of theirs (`~/.ssh/config`).
    #[error("{0}")]
    ConsentNeeded(String),
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidInput { field: Some(field.into()), message: message.into() }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Error::InvalidInput { field: None, message: message.into() }
    }

    /// Stable machine code, shared by the IPC payload, `--json` errors and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidInput { .. } => "invalid_input",
            Error::Unauthorized(_) => "unauthorized",
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
            Error::RateLimited { .. } => "rate_limited",
            Error::Unavailable(_) => "unavailable",
            Error::BadResponse { .. } => "bad_response",
            Error::SecretStore(_) => "secret_store",
            Error::Unsupported(_) => "unsupported",
            Error::ConsentNeeded(_) => "consent_needed",
            Error::Internal(_) => "internal",
        }
    }

    /// Exit code of `hangarctl`, as the CLI contract lists them.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Internal(_) => 1,
            Error::InvalidInput { .. } | Error::Unsupported(_) | Error::ConsentNeeded(_) => 2,
            Error::Unauthorized(_) => 3,
            Error::NotFound(_) => 4,
            Error::Conflict(_) => 5,
            Error::RateLimited { .. } => 6,
            Error::Unavailable(_) | Error::BadResponse { .. } => 7,
            Error::SecretStore(_) => 8,
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            Error::InvalidInput { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// Prefixes the message with where it happened ("account 'x': ...") without losing its meaning.
    pub fn context(self, prefix: &str) -> Self {
        let p = |m: String| format!("{prefix}: {m}");
        match self {
            Error::InvalidInput { field, message } => Error::InvalidInput { field, message: p(message) },
            Error::Unauthorized(m) => Error::Unauthorized(p(m)),
            Error::NotFound(m) => Error::NotFound(p(m)),
            Error::Conflict(m) => Error::Conflict(p(m)),
            Error::RateLimited { retry_after_secs, message } => {
                Error::RateLimited { retry_after_secs, message: p(message) }
            }
            Error::Unavailable(m) => Error::Unavailable(p(m)),
            Error::BadResponse { message } => Error::BadResponse { message: p(message) },
            Error::SecretStore(m) => Error::SecretStore(p(m)),
            Error::Unsupported(m) => Error::Unsupported(p(m)),
            Error::ConsentNeeded(m) => Error::ConsentNeeded(p(m)),
            Error::Internal(m) => Error::Internal(p(m)),
        }
    }

    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload {
            code: self.code().to_string(),
            message: self.to_string(),
            field: self.field().map(str::to_string),
            retry_after_secs: match self {
                Error::RateLimited { retry_after_secs, .. } => *retry_after_secs,
                _ => None,
            },
        }
    }
}

/// What crosses the IPC boundary and what `--json` prints as `{"error": ...}`.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ErrorPayload {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
    #[ts(type = "number | null")]
    pub retry_after_secs: Option<u64>,
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Internal(format!("file system: {e}"))
    }
}
