//! Strongly.ai's error bodies (not published, contract §9) as Hangar errors: the message, a
//! code and request id for support, and the form field the server blames.

use super::wire::{ErrorBody, ErrorValue};
use crate::error::Error;
use crate::http::RawResponse;

pub(super) fn error_of(resp: &RawResponse) -> Error {
    let (message, field) = vendor_error(&resp.body);
    resp.status_error(message, field)
}

/// The vendor's message and the form field it blames, from an error body. The body is not
/// published (contract §9): `error` as text or object, then `message`; a code and a request id
/// are kept beside the message so support can trace the call.
pub(super) fn vendor_error(body: &str) -> (Option<String>, Option<String>) {
    let Ok(body) = serde_json::from_str::<ErrorBody>(body) else {
        return (None, None);
    };
    let (error_text, error_code, error_field) = match body.error {
        Some(ErrorValue::Text(t)) => (Some(t), None, None),
        Some(ErrorValue::Detail(d)) => (d.message, d.code, d.field),
        None => (None, None, None),
    };
    let mut texts: Vec<String> = vec![];
    for t in [error_text, body.message].into_iter().flatten() {
        if !t.trim().is_empty() && !texts.contains(&t) {
            texts.push(t);
        }
    }
    let mut message = texts.join(" — ");
    let code = error_code.or(body.code).filter(|c| !message.contains(c.as_str()));
    let request_id = body.request_id.or(body.meta.and_then(|m| m.request_id));
    let tags: Vec<String> = [code, request_id.map(|r| format!("request {r}"))].into_iter().flatten().collect();
    if !tags.is_empty() {
        message = if message.is_empty() { tags.join("; ") } else { format!("{message} ({})", tags.join("; ")) };
    }
    let field = error_field
        .or(body.field)
        .or_else(|| body.details.as_ref().and_then(detail_field))
        .and_then(|f| form_key(&f))
        .or_else(|| field_named_in(&texts.join(" ")));
    ((!message.is_empty()).then_some(message), field)
}

/// A field named by `details` as `{"field": ...}` or `[{"field"|"path": ...}]`.
fn detail_field(details: &serde_json::Value) -> Option<String> {
    let of =
        |v: &serde_json::Value| v.get("field").or_else(|| v.get("path")).and_then(|f| f.as_str()).map(str::to_string);
    match details {
        serde_json::Value::Array(items) => items.iter().find_map(of),
        other => of(other),
    }
}

/// The form field a vendor field name stands for ("resources.gpuType" → "gpuType").
fn form_key(name: &str) -> Option<String> {
    name.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).rev().find_map(|token| {
        let key = match token.to_ascii_lowercase().as_str() {
            "name" => "name",
            "description" => "description",
            "environmenttype" | "environment_type" => "environmentType",
            "image" => "image",
            "projectid" | "project_id" => "projectId",
            "cpu" => "cpu",
            "memory" => "memory",
            "gpu" => "gpu",
            "gputype" | "gpu_type" => "gpuType",
            "storage" => "storage",
            _ => return None,
        };
        Some(key.to_string())
    })
}

/// The first field a validation message names ("description is required").
fn field_named_in(message: &str) -> Option<String> {
    message.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')).find_map(form_key)
}
