//! What Hangar has seen of each workspace: its state transitions with their causes (the
//! details panel's timeline) and its running intervals (spend so far, today, this week).

pub mod ledger;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{Workspace, WorkspaceState};

/// A vendor record with every value whose key names a secret replaced, at any depth, and
/// those values removed from every other string too (a preview URL carrying its token).
pub fn redact(mut value: serde_json::Value) -> serde_json::Value {
    fn secret(key: &str) -> bool {
        let k = key.to_ascii_lowercase();
        ["token", "secret", "password", "passwd", "key", "credential", "auth", "cookie", "session", "signature"]
            .iter()
            .any(|s| k.contains(s))
    }
    const HIDDEN: &str = "(hidden)";
    fn hide(v: &mut serde_json::Value, found: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if secret(k) && !v.is_null() {
                        collect(v, found);
                        *v = serde_json::Value::String(HIDDEN.into());
                    } else {
                        hide(v, found);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|i| hide(i, found)),
            _ => {}
        }
    }
    fn collect(v: &serde_json::Value, found: &mut Vec<String>) {
        match v {
            // Short values (a flag, "none") would blank out ordinary words elsewhere.
            serde_json::Value::String(s) if s.len() >= 8 => found.push(s.clone()),
            serde_json::Value::Object(map) => map.values().for_each(|v| collect(v, found)),
            serde_json::Value::Array(items) => items.iter().for_each(|v| collect(v, found)),
            _ => {}
        }
    }
    fn scrub(v: &mut serde_json::Value, found: &[String]) {
        match v {
            serde_json::Value::String(s) => {
                for secret in found {
                    if s.contains(secret.as_str()) {
                        *s = s.replace(secret.as_str(), HIDDEN);
                    }
                }
            }
            serde_json::Value::Object(map) => map.values_mut().for_each(|v| scrub(v, found)),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| scrub(v, found)),
            _ => {}
        }
    }
    let mut found = vec![];
    hide(&mut value, &mut found);
    if !found.is_empty() {
        scrub(&mut value, &found);
    }
    value
}

/// Who made a transition happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::Display, strum::IntoStaticStr)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
#[ts(export)]
pub enum Cause {
    /// The user, from the window or `hangarctl`.
    You,
    Tray,
    /// Hangar's own policy (auto-stop, a notification's action counts as `you`).
    Policy,
    /// Nobody in Hangar: the vendor, or someone elsewhere.
    Vendor,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Transition {
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    /// `None` when Hangar first saw the workspace.
    pub from: Option<WorkspaceState>,
    pub to: WorkspaceState,
    pub cause: Cause,
}

/// One workspace with everything known of it: `hangarctl show` and the details panel.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct WorkspaceDetails {
    #[serde(flatten)]
    #[ts(flatten)]
    pub workspace: Workspace,
    /// Oldest first.
    pub timeline: Vec<Transition>,
    /// The managed SSH alias and the exact command, where the workspace has SSH.
    pub ssh_alias: Option<String>,
    pub ssh_command: Option<String>,
    /// Running time spent today and this week, in the workspace's `currency`.
    pub spent_today: Option<f64>,
    pub spent_week: Option<f64>,
    /// The vendor's own record, secrets removed; `null` when the vendor has none to give.
    #[ts(type = "unknown")]
    pub raw: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn a_vendor_record_loses_its_secrets_wherever_they_are() {
        let raw = json!({
            "id": "w1",
            "preview_token": "ptk_0123456789abcdef",
            "urls": ["https://3000-w1-ptk_0123456789abcdef.preview.example"],
            "nested": {"auth": {"password": "hunter2hunter2"}, "api_key": null},
            "keep_active": true,
            "state": "running",
        });
        let out = super::redact(raw).to_string();
        assert!(!out.contains("ptk_0123456789abcdef") && !out.contains("hunter2"), "{out}");
        assert!(out.contains("\"keep_active\":true") && out.contains("\"state\":\"running\""), "{out}");
        assert!(out.contains("https://3000-w1-(hidden).preview.example"), "the link stays, its token goes: {out}");
        assert!(out.contains("\"api_key\":null"), "nothing is made up where there was nothing: {out}");
    }
}
