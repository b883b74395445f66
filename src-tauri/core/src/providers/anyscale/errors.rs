//! Anyscale's error bodies (`{"error": {"detail": …}}`, FastAPI's 422 lists inside) as Hangar
//! errors, with the form field a validation error blames.

use serde_json::Value;

use super::form;
use super::wire::ErrorBody;
use crate::error::Error;
use crate::http::RawResponse;

/// Vendor field names in 422 bodies → the form's keys.
fn form_field(wire: &str) -> Option<&'static str> {
    Some(match wire {
        "name" => form::NAME,
        "idle_timeout_minutes" | "idle_timeout" => form::IDLE_MINUTES,
        "project_id" => form::PROJECT,
        "cloud_id" => form::CLOUD,
        "compute_config_id" => form::COMPUTE_CONFIG,
        "cluster_environment_build_id" => form::BUILD,
        "image_uri" => form::IMAGE_URI,
        "ray_version" => form::RAY_VERSION,
        "max_workers" => form::MAX_WORKERS,
        "instance_type" => form::HEAD_TYPE,
        _ => return None,
    })
}

pub(super) fn error_of(resp: &RawResponse) -> Error {
    let detail = serde_json::from_str::<ErrorBody>(&resp.body).ok().and_then(|b| b.error);
    let (message, field) = match detail {
        Some(e) => match e.detail {
            Some(Value::String(s)) => (Some(s), None),
            Some(Value::Array(items)) => {
                let mut field = None;
                let list: Vec<String> = items
                    .iter()
                    .map(|i| {
                        let loc = i.get("loc").and_then(Value::as_array);
                        let wire = loc.and_then(|l| l.last()).and_then(Value::as_str).unwrap_or("?");
                        if field.is_none() {
                            field = form_field(wire).map(str::to_string);
                        }
                        format!("{wire}: {}", i.get("msg").and_then(Value::as_str).unwrap_or("invalid"))
                    })
                    .collect();
                let head = e.message.unwrap_or_else(|| "Invalid request".into());
                (Some(if list.is_empty() { head } else { format!("{head} ({})", list.join("; ")) }), field)
            }
            _ => (e.message, None),
        },
        None => (None, None),
    };
    resp.status_error(message, field)
}
