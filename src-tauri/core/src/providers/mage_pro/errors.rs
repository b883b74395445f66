//! Mage's error envelopes as Hangar errors. Mage answers errors with HTTP 200 unless asked
//! otherwise, so a body's top-level `error` decides, and the HTTP status is only a fallback.
//! Which call was made decides the wording ("only owners can …", a refused sign-in).

use serde_json::Value;

use super::wire::WireError;
use super::VENDOR;
use crate::error::Error;
use crate::http::RawResponse;

const MAX_MESSAGE_CHARS: usize = 300;

/// Which call is being made: it decides how a refusal is worded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Op {
    Statuses,
    SignIn,
    List,
    Get,
    Create,
    Update,
    Start,
    Stop,
    Delete,
}

impl Op {
    /// The verb of "only owners can …", for the calls `WorkspacePolicy` keeps to owners.
    fn owner_verb(self) -> Option<&'static str> {
        match self {
            Op::Create => Some("create"),
            Op::Update => Some("update"),
            Op::Start => Some("start (resume)"),
            Op::Stop => Some("stop"),
            Op::Delete => Some("delete"),
            _ => None,
        }
    }
}

/// A refused call, and whether it was the user token that was refused (worth one sign-in).
pub(super) struct Refused {
    pub error: Error,
    pub token_refused: bool,
}

impl From<Error> for Refused {
    fn from(error: Error) -> Self {
        Refused { error, token_refused: false }
    }
}

/// A checked answer: its JSON, or the refusal its envelope or status stands for.
pub(super) fn read_answer(op: Op, resp: &RawResponse, has_login: bool) -> Result<Value, Refused> {
    let what = resp.what();
    // Parsed once: a body may be tens of MiB.
    let parsed = serde_json::from_str::<Value>(&resp.body);
    if let Some(mut refused) = parsed.as_ref().ok().and_then(|v| envelope_error(op, resp.status, v, what, has_login)) {
        // How long to wait comes in the Retry-After header, not in the body.
        if let Error::RateLimited { retry_after_secs: secs @ None, message } = &mut refused.error {
            if let Some(s) = resp.retry_after_secs {
                *secs = Some(s);
                message.push_str(&format!(" (retry in {s} s)"));
            }
        }
        return Err(refused);
    }
    match parsed {
        _ if !resp.is_success() => Err(resp.status_error(None, None).into()),
        Ok(v) => Ok(v),
        Err(_) => Err(resp.json::<Value>().err().unwrap_or_else(|| bad(what, "an unreadable body")).into()),
    }
}

pub(super) fn bad(what: &str, shape: &str) -> Error {
    Error::BadResponse { message: format!("{what} answered {shape}") }
}

fn clip(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = flat.chars().take(MAX_MESSAGE_CHARS).collect();
    if flat.chars().count() > MAX_MESSAGE_CHARS {
        out.push('…');
    }
    out
}

/// The error a body's top-level `error` stands for, or `None` when it has none. Mage sends
/// these with HTTP 200 unless asked otherwise, so the HTTP status is only a fallback.
pub(super) fn envelope_error(op: Op, status: u16, body: &Value, what: &str, has_login: bool) -> Option<Refused> {
    let raw = body.as_object()?.get("error").filter(|e| !e.is_null())?;
    let err: WireError = match raw {
        Value::String(s) => WireError { message: Some(s.clone()), ..WireError::default() },
        other => serde_json::from_value(other.clone()).unwrap_or_default(),
    };
    let kind = err.kind.clone().unwrap_or_default();
    let code = err.code().or((status != 200).then_some(status)).unwrap_or(0);
    let message = err.message.as_deref().map(clip).filter(|m| !m.is_empty()).unwrap_or_else(|| kind.clone());
    let tag = if kind.is_empty() { code.to_string() } else { format!("{code} {kind}") };
    let said = format!("{what} answered {tag}: {message}");
    let plain = |error: Error| Some(Refused { error, token_refused: false });
    let token_refused = |error: Error| Some(Refused { error, token_refused: true });
    let new_token = if has_login {
        "Signing in again did not help; check the account's email and password"
    } else {
        "Sign in to Mage again and paste a new token (the oauth_token cookie), or add email and password to the \
         account so Hangar can sign in itself"
    };
    match kind.as_str() {
        "invalid_api_key" => {
            return plain(Error::Unauthorized(format!(
                "{VENDOR} refused the API key ({said}). Check the account's api_key: it is your cluster's key, \
                 the api_key parameter of any request in the browser's network tab"
            )))
        }
        "invalid_oauth_token" => {
            return token_refused(Error::Unauthorized(format!(
                "{VENDOR} refused the OAuth token as invalid ({said}). {new_token}"
            )))
        }
        "expired_oauth_token" => {
            return token_refused(Error::Unauthorized(format!(
                "the {VENDOR} OAuth token has expired ({said}). {new_token}"
            )))
        }
        _ => {}
    }
    if op == Op::SignIn && (kind == "record_not_found" || code == 404 || code == 400) {
        return plain(Error::Unauthorized(format!("{VENDOR} refused the sign-in: wrong email or password ({said})")));
    }
    let error = match code {
        401 => Error::Unauthorized(said),
        403 => match op.owner_verb() {
            Some(verb) => Error::Unauthorized(format!(
                "only owners can {verb} workspaces on this {VENDOR} cluster, and the signed-in user is not one ({said})"
            )),
            None => Error::Unauthorized(said),
        },
        404 => Error::NotFound(said),
        409 => Error::Conflict(said),
        429 => Error::RateLimited { retry_after_secs: None, message: said },
        400 | 422 => {
            let lower = message.to_ascii_lowercase();
            if lower.contains("already exists") {
                Error::Conflict(said)
            } else if lower.contains("ineligible for workspace management") {
                Error::invalid(
                    "base_url",
                    format!("{said}. The URL must be your cluster's workspace manager (the main project)"),
                )
            } else if lower.contains("workspace name") {
                Error::invalid("name", said)
            } else {
                Error::InvalidInput { field: None, message: said }
            }
        }
        c if c >= 500 => Error::Unavailable(format!("{what} failed inside Mage ({c}): {}", internal_detail(&err))),
        _ => match kind.as_str() {
            "record_not_found" => Error::NotFound(said),
            "unauthorized_access" => Error::Unauthorized(said),
            "api_resource_error" | "record_invalid" => Error::InvalidInput { field: None, message: said },
            _ => Error::BadResponse { message: said },
        },
    };
    plain(error)
}

/// A short reason from a 500 envelope: the exception's first line, else the traceback's last.
fn internal_detail(err: &WireError) -> String {
    let from_exception = err.exception.as_deref().and_then(|e| e.lines().map(str::trim).find(|l| !l.is_empty()));
    let from_message = err.message.as_deref().and_then(|m| m.lines().map(str::trim).rev().find(|l| !l.is_empty()));
    let line = from_exception.or(from_message).unwrap_or("no reason given");
    let mut out: String = line.chars().take(160).collect();
    if line.chars().count() > 160 {
        out.push('…');
    }
    out
}
