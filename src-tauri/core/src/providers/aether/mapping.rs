//! Aether's workspace objects as Hangar workspaces: label, hardware, details and the preview
//! link built on the gateway's host scheme.

use std::collections::{BTreeMap, HashMap};

use super::wire::{WireHardware, WireWorkspace};
use super::{states, Aether};
use crate::error::{Error, Result};
use crate::model::{Cost, Gpu, Hardware, Link, LinkKind, ProviderId, Workspace};
use crate::providers::timestamps::parse_time;

/// Aether stops a workspace after this many idle minutes unless it is kept active (its docs'
/// default; the per-user setting that could change it is from older code, not the API).
const IDLE_STOP_MINUTES: u32 = 10;

/// Port whose preview "Open in browser" shows, unless the account sets `preview_port`.
const DEFAULT_PREVIEW_PORT: u16 = 3000;

impl Aether {
    /// A workspace from the vendor's object; without an id it could not be addressed.
    pub(super) fn decode(&self, w: WireWorkspace, projects: &HashMap<String, String>) -> Result<Workspace> {
        if w.id.trim().is_empty() {
            return Err(Error::BadResponse { message: "Aether answered a workspace without its id".into() });
        }
        Ok(self.to_workspace(w, projects))
    }

    pub(super) fn to_workspace(&self, w: WireWorkspace, projects: &HashMap<String, String>) -> Workspace {
        let project =
            projects.get(&w.project_id).cloned().unwrap_or_else(|| format!("project {}", short(&w.project_id)));
        let hw = w.hardware.clone().unwrap_or_default();
        let mut details = BTreeMap::from([("project".to_string(), project.clone())]);
        if let Some(r) = w.git_ref.as_ref().filter(|r| !r.trim().is_empty()) {
            details.insert("git ref".into(), r.clone());
        }
        if let Some(m) = w.machine_id.as_ref().filter(|m| !m.trim().is_empty()) {
            details.insert("machine".into(), m.clone());
        }
        if let Some(k) = w.keep_active {
            details.insert("keep active".into(), k.to_string());
        }
        Workspace {
            account: self.account.name.clone(),
            provider: ProviderId::Aether,
            name: format!("{project} · {}", short(&w.id)),
            state: states::normalize(&w.status),
            raw_state: w.status.clone(),
            hardware: to_hardware(&hw),
            created_at: w.created_at.as_deref().and_then(parse_time),
            started_at: None,
            cost: Cost {
                idle_stop_minutes: (w.keep_active == Some(false)).then_some(IDLE_STOP_MINUTES),
                ..Cost::default()
            },
            links: self.links(&w),
            actions: states::actions(&w.status),
            details,
            error: w.error_message.clone().filter(|m| !m.is_empty()),
            id: w.id,
        }
    }

    fn links(&self, w: &WireWorkspace) -> Vec<Link> {
        if w.status != "running" {
            return vec![];
        }
        let port =
            self.account.options.get("preview_port").and_then(|p| p.parse().ok()).unwrap_or(DEFAULT_PREVIEW_PORT);
        preview_url(self.client.base(), &w.project_id, &w.id, port, w.preview_token.as_deref())
            .map(|url| {
                vec![Link { kind: LinkKind::Browser, url, label: Some(format!("Preview :{port}")), ssh_alias: None }]
            })
            .unwrap_or_default()
    }
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

pub(super) fn to_hardware(hw: &WireHardware) -> Hardware {
    let gpu = hw.gpu_kind.clone().filter(|g| !g.trim().is_empty()).map(|kind| Gpu { kind, count: 1 });
    let mut parts = vec![];
    if let Some(g) = &gpu {
        parts.push(format!("GPU {}", g.kind));
    } else {
        if let (Some(k), Some(c)) = (&hw.cpu_kind, hw.cpus) {
            parts.push(format!("{c} {k} CPU"));
        }
        if let Some(m) = hw.memory_mb {
            parts.push(format!("{} GB", fmt_gb(m)));
        }
    }
    if let Some(v) = hw.volume_size_gb {
        parts.push(format!("{v} GB disk"));
    }
    Hardware {
        label: (!parts.is_empty()).then(|| parts.join(" · ")),
        // With a GPU, Aether fixes CPU and memory per GPU and does not report them.
        cpus: if gpu.is_some() { None } else { hw.cpus.map(f64::from) },
        memory_gb: if gpu.is_some() { None } else { hw.memory_mb.map(|m| m as f64 / 1024.0) },
        gpu,
    }
}

pub(super) fn fmt_gb(mb: u64) -> String {
    let gb = mb as f64 / 1024.0;
    if gb.fract() == 0.0 {
        format!("{gb:.0}")
    } else {
        format!("{gb:.2}").trim_end_matches('0').to_string()
    }
}

/// `{port}-{prefix}[-{token}].preview.{domain}`: the gateway's host scheme. The prefix is the
/// workspace's first 8 chars when a 32-char preview token exists, else the project's.
pub fn preview_url(
    api: &url::Url,
    project_id: &str,
    workspace_id: &str,
    port: u16,
    token: Option<&str>,
) -> Option<String> {
    let domain = match api.host()? {
        url::Host::Domain(d) => d.strip_prefix("api.").unwrap_or(d).to_string(),
        // An IP has no subdomains; on loopback the gateway answers `*.localhost` instead.
        _ if crate::http::is_loopback_host(api) => "localhost".to_string(),
        _ => return None,
    };
    let token = token.filter(|t| t.len() == 32 && t.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    let sub = match token {
        Some(t) => format!("{port}-{}-{t}", short(workspace_id)),
        None => format!("{port}-{}", short(project_id)),
    };
    // Ids are UUIDs; anything else could end the host early ('/', '@', '?') and send the
    // link elsewhere.
    if !sub.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let origin_port = api.port().map(|p| format!(":{p}")).unwrap_or_default();
    Some(format!("{}://{sub}.preview.{domain}{origin_port}/", api.scheme()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_url_uses_workspace_prefix_with_a_real_token() {
        let api = url::Url::parse("https://api.runaether.dev").unwrap();
        let token = "abcdefghijklmnopqrstuvwxyz012345";
        assert_eq!(
            preview_url(&api, "a1b2c3d4-5678", "b2c3d4e5-6789", 5173, Some(token)).unwrap(),
            format!("https://5173-b2c3d4e5-{token}.preview.runaether.dev/")
        );
        assert_eq!(
            preview_url(&api, "a1b2c3d4-5678", "b2c3d4e5-6789", 5173, Some("ptk_abc123")).unwrap(),
            "https://5173-a1b2c3d4.preview.runaether.dev/"
        );
    }

    #[test]
    fn the_documented_example_workspace_maps() {
        let body = r#"{"id":"b2c3d4e5-6789-01ab-cdef-234567890abc","project_id":"a1b2c3d4-5678-90ab-cdef-1234567890ab",
          "status":"running","hardware":{"cpu_kind":"shared","cpus":2,"memory_mb":2048,"volume_size_gb":10,"gpu_kind":null},
          "keep_active":false,"machine_id":"d8901234abcd","private_ip":"10.0.0.2","git_ref":"main",
          "preview_token":"ptk_abc123","error_message":null,"created_at":"2025-01-15T10:30:00Z",
          "updated_at":"2025-01-15T11:00:00Z","some_new_field":{"x":1}}"#;
        let w: WireWorkspace = serde_json::from_str(body).unwrap();
        let hw = to_hardware(w.hardware.as_ref().unwrap());
        assert_eq!(hw.cpus, Some(2.0));
        assert_eq!(hw.memory_gb, Some(2.0));
        assert_eq!(hw.label.as_deref(), Some("2 shared CPU · 2 GB · 10 GB disk"));
        assert!(hw.gpu.is_none());
    }

    fn aether() -> Aether {
        Aether::new(crate::provider::ProviderContext {
            account: crate::model::Account {
                name: "a".into(),
                provider: ProviderId::Aether,
                base_url: None,
                options: BTreeMap::new(),
            },
            credentials: crate::secrets::Credentials::single("token", "tok"),
            secrets: std::sync::Arc::new(crate::secrets::MemoryStore::default()),
            http: crate::http::HttpSettings::default(),
        })
        .unwrap()
    }

    fn with_keep_active(value: serde_json::Value) -> Workspace {
        let w: WireWorkspace = serde_json::from_value(serde_json::json!({
            "id": "b2c3d4e5-6789-01ab-cdef-234567890abc", "project_id": "a1b2c3d4", "status": "running",
            "hardware": {"cpus": 2, "memory_mb": 2048}, "keep_active": value,
        }))
        .expect("a malformed keep_active never fails the workspace");
        aether().to_workspace(w, &HashMap::new())
    }

    #[test]
    fn idle_auto_stop_unless_kept_active() {
        assert_eq!(with_keep_active(serde_json::json!(false)).cost.idle_stop_minutes, Some(10));
        assert_eq!(with_keep_active(serde_json::json!(true)).cost.idle_stop_minutes, None);
        for unknown in [serde_json::json!(null), serde_json::json!("no"), serde_json::json!(0)] {
            let w = with_keep_active(unknown.clone());
            assert_eq!(w.cost.idle_stop_minutes, None, "{unknown}: not known, not guessed");
            assert_eq!(w.state, crate::model::WorkspaceState::Running);
        }
        let w = with_keep_active(serde_json::json!(false));
        assert_eq!((w.cost.rate, w.cost.stops_at), (None, None), "Aether reports no price and no countdown");
    }
}
