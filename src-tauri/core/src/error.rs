//! One error type for the whole core. Every variant is a meaning the UI and the CLI act on;
//! its [`ErrorCode`] is what both switch on, never the English message.

use serde::{Deserialize, Serialize};
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

    /// The stable meaning, shared by the IPC payload, `--json` errors and the UI.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Error::InvalidInput { .. } => ErrorCode::InvalidInput,
            Error::Unauthorized(_) => ErrorCode::Unauthorized,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::RateLimited { .. } => ErrorCode::RateLimited,
            Error::Unavailable(_) => ErrorCode::Unavailable,
            Error::BadResponse { .. } => ErrorCode::BadResponse,
            Error::SecretStore(_) => ErrorCode::SecretStore,
            Error::Unsupported(_) => ErrorCode::Unsupported,
            Error::ConsentNeeded(_) => ErrorCode::ConsentNeeded,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The stable code as the string on the wire (`"not_found"`), for logs and `--json`.
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    /// Exit code of `hangarctl`, as the CLI contract lists them.
    pub fn exit_code(&self) -> i32 {
        self.error_code().exit_code()
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
            code: self.error_code(),
            message: self.to_string(),
            field: self.field().map(str::to_string),
            retry_after_secs: match self {
                Error::RateLimited { retry_after_secs, .. } => *retry_after_secs,
                _ => None,
            },
        }
    }
}

/// The stable error codes. The UI switches on them and `hangarctl` turns them into exit
/// codes; the strings are part of the CLI contract and must not change.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, strum::IntoStaticStr, strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    InvalidInput,
    Unauthorized,
    NotFound,
    Conflict,
    RateLimited,
    Unavailable,
    BadResponse,
    SecretStore,
    Unsupported,
    ConsentNeeded,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Exit code of `hangarctl`, as the CLI contract lists them.
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorCode::Internal => 1,
            ErrorCode::InvalidInput | ErrorCode::Unsupported | ErrorCode::ConsentNeeded => 2,
            ErrorCode::Unauthorized => 3,
            ErrorCode::NotFound => 4,
            ErrorCode::Conflict => 5,
            ErrorCode::RateLimited => 6,
            ErrorCode::Unavailable | ErrorCode::BadResponse => 7,
            ErrorCode::SecretStore => 8,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lets a test or a log filter compare with the string on the wire.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// What crosses the IPC boundary and what `--json` prints as `{"error": ...}`.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ErrorPayload {
    pub code: ErrorCode,
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

#[cfg(test)]
mod tests {
    use super::*;
    use strum::VariantArray;

    #[test]
    fn codes_are_the_strings_on_the_wire_and_keep_their_exit_codes() {
        let table: Vec<(String, &str, i32)> = ErrorCode::VARIANTS
            .iter()
            .map(|c| (serde_json::to_value(c).map(|v| v.to_string()).unwrap_or_default(), c.as_str(), c.exit_code()))
            .collect();
        let expected = [
            ("invalid_input", 2),
            ("unauthorized", 3),
            ("not_found", 4),
            ("conflict", 5),
            ("rate_limited", 6),
            ("unavailable", 7),
            ("bad_response", 7),
            ("secret_store", 8),
            ("unsupported", 2),
            ("consent_needed", 2),
            ("internal", 1),
        ];
        let expected: Vec<(String, &str, i32)> =
            expected.iter().map(|&(code, exit)| (format!("\"{code}\""), code, exit)).collect();
        assert_eq!(
            table, expected,
            "serde name, strum name and exit code of every code, as cli-contract.md lists them"
        );
    }

    #[test]
    fn payload_carries_the_code_of_its_error() {
        let e = Error::invalid("name", "must not be empty").context("account 'x'");
        let p = e.payload();
        assert_eq!((p.code, p.field.as_deref()), (ErrorCode::InvalidInput, Some("name")));
        assert_eq!(e.code(), "invalid_input");
        let json = serde_json::to_value(Error::Conflict("busy".into()).payload()).unwrap_or_default();
        assert_eq!(json["code"], "conflict");
    }

    /// `errorCodes.ts`: each code by its Rust name, so the UI compares with no string literal.
    #[test]
    fn export_error_code_constants() -> std::io::Result<()> {
        let mut body = String::from("import type { ErrorCode } from './ErrorCode';\n\n");
        body.push_str(
            "/** Every stable error code by name: the UI compares `error.code` with these, never with a literal. */\n",
        );
        body.push_str("export const ErrorCodes = {\n");
        for code in ErrorCode::VARIANTS {
            body.push_str(&format!("  {code:?}: '{}',\n", code.as_str()));
        }
        body.push_str("} as const satisfies Record<string, ErrorCode>;\n");
        crate::bindings::write("errorCodes.ts", &body).map(drop)
    }
}
