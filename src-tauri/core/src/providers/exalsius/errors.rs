//! The exalsius error bodies (contract §9) as Hangar errors: RFC 7807 problems, FastAPI
//! details and 422 lists, with the form field the server blames.

use serde_json::Value;

use super::form;
use crate::error::Error;
use crate::http::RawResponse;

pub(super) fn error_of(resp: &RawResponse) -> Error {
    let (message, field) = problem(&resp.body);
    resp.status_error(message, field)
}

/// A form key for a field the server names (`resources.gpu_count`, `["body","name"]`...).
fn form_key(wire: &str) -> Option<String> {
    let last = wire.rsplit(['.', '/']).next().unwrap_or(wire);
    let key = match last {
        "name" => "name",
        "cluster_id" => form::CLUSTER,
        "template" => form::TEMPLATE,
        "gpu_count" => form::GPU_COUNT,
        "gpu_type" | "gpu_vendor" => form::GPU_TYPE,
        "cpu_cores" => form::CPU,
        "memory_gb" => form::MEMORY,
        "storage_gb" => form::STORAGE,
        "description" => form::DESCRIPTION,
        _ if wire.contains("variables.") => return Some(format!("{}{last}", form::VAR_PREFIX)),
        _ => return None,
    };
    Some(key.to_string())
}

fn field_named_in(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.')))
        .filter(|t| t.contains('_') || t.contains('.'))
        .find_map(form_key)
}

/// The message and blamed field of an error body (contract §9): RFC 7807 nested in `detail`
/// (the declared shape), flat, a FastAPI `{"detail": "…"}` string or 422 list, else nothing
/// (the raw text is then excerpted by `status_error`).
pub(super) fn problem(body: &str) -> (Option<String>, Option<String>) {
    let Ok(v) = serde_json::from_str::<Value>(body) else { return (None, None) };
    let text = |v: &Value, k: &str| {
        v.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
    };
    let rfc7807 = |p: &Value| -> Option<String> {
        match (text(p, "title"), text(p, "detail")) {
            (Some(t), Some(d)) if d.contains(&t) => Some(d),
            (Some(t), Some(d)) => Some(format!("{t}: {d}")),
            (t, d) => d.or(t),
        }
    };
    let message = match v.get("detail") {
        Some(inner @ Value::Object(_)) => rfc7807(inner),
        Some(Value::String(s)) if v.get("title").is_none() => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Some(Value::Array(items)) => {
            let mut field = None;
            let list: Vec<String> = items
                .iter()
                .map(|i| {
                    let loc: Vec<String> = i
                        .get("loc")
                        .and_then(Value::as_array)
                        .map(|l| {
                            l.iter()
                                .filter_map(|p| p.as_str().map(str::to_string).or_else(|| Some(p.to_string())))
                                .collect()
                        })
                        .unwrap_or_default();
                    let path = loc.iter().filter(|p| p.as_str() != "body").cloned().collect::<Vec<_>>().join(".");
                    if field.is_none() {
                        field = form_key(&path);
                    }
                    format!("{path}: {}", i.get("msg").and_then(Value::as_str).unwrap_or("invalid"))
                })
                .collect();
            let msg = if list.is_empty() { None } else { Some(format!("invalid request ({})", list.join("; "))) };
            return (msg, field);
        }
        _ => rfc7807(&v),
    };
    let field = message.as_deref().and_then(field_named_in);
    (message, field)
}
