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
                if s.contains('=') {
                    *s = hide_secret_params(s, secret);
                }
            }
            serde_json::Value::Object(map) => map.values_mut().for_each(|v| scrub(v, found)),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| scrub(v, found)),
            _ => {}
        }
    }
    let mut found = vec![];
    hide(&mut value, &mut found);
    scrub(&mut value, &found);
    value
}

/// `key=value` pairs in a text (a link's query, a command line) whose key names a secret, with
/// the value hidden: `https://x/lab?token=abc&x=1` → `https://x/lab?token=(hidden)&x=1`.
fn hide_secret_params(text: &str, secret: fn(&str) -> bool) -> String {
    let is_key = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let ends_value = |c: char| matches!(c, '&' | '#' | ';' | '"' | '\'' | ',') || c.is_whitespace();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(eq) = rest.find('=') {
        let (before, after) = (&rest[..eq], &rest[eq + 1..]);
        let key_start =
            before.rfind(|c: char| !is_key(c)).map_or(0, |i| i + before[i..].chars().next().map_or(1, char::len_utf8));
        out.push_str(before);
        out.push('=');
        let end = after.find(ends_value).unwrap_or(after.len());
        if end > 0 && secret(&before[key_start..]) {
            out.push_str("(hidden)");
        } else {
            out.push_str(&after[..end]);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
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
            "jupyter": "https://lab.example/lab?token=9f8e7d6c5b4a&theme=dark",
            "command": "run --api_key=short1 --name=é-box",
            "state": "running",
        });
        let out = super::redact(raw).to_string();
        assert!(!out.contains("ptk_0123456789abcdef") && !out.contains("hunter2"), "{out}");
        assert!(out.contains("\"keep_active\":true") && out.contains("\"state\":\"running\""), "{out}");
        assert!(out.contains("https://3000-w1-(hidden).preview.example"), "the link stays, its token goes: {out}");
        assert!(out.contains("\"api_key\":null"), "nothing is made up where there was nothing: {out}");
        assert!(out.contains("lab?token=(hidden)&theme=dark"), "a secret in a link's query goes: {out}");
        assert!(out.contains("--api_key=(hidden) --name=é-box"), "and in a command line, the rest stays: {out}");
    }
}
