//! exalsius workspaces as Hangar workspaces: details, hardware, and the links and port
//! details from `access_information` (contract §7).

use std::collections::BTreeMap;

use super::wire::{AccessInfo, NodeHardware, WireWorkspace};
use super::{states, Exalsius};
use crate::error::{Error, Result};
use crate::model::{Cost, Gpu, Hardware, Link, LinkKind, ProviderId, RateSource, Workspace, WorkspaceState};
use crate::providers::figures;
use crate::providers::timestamps::parse_time;
use crate::ssh;

/// The API prices nodes in USD (`price_per_hour`); a cluster's costs are its nodes'.
const USD: &str = "USD";

/// Where the VS Code dev container mounts the workspace volume.
const REMOTE_DIR: &str = "/workspace";

impl Exalsius {
    /// A workspace from the vendor's object; without an id or a name it could not be addressed.
    /// What the workspace's own cluster has cost since it was made (`current_costs`), for one
    /// workspace looked at closely. Not the workspace's `spent` (since its last start: that comes
    /// from the running time Hangar keeps), and not in listings, where a figure growing at every
    /// cluster re-read would make every poll a change.
    pub(super) fn cluster_costs_so_far(&self, w: &WireWorkspace) -> Option<String> {
        let id = w.id.as_deref().filter(|i| !i.is_empty());
        let own = self.cluster_cost(w.cluster_id.as_deref()).filter(|c| c.hosts_only(id))?;
        own.so_far.map(|so_far| format!("{so_far} {USD}"))
    }

    pub(super) fn decode(&self, w: &WireWorkspace) -> Result<Workspace> {
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
        if blank(&w.id) && blank(&w.name) {
            return Err(Error::BadResponse { message: "exalsius answered a workspace without an id or a name".into() });
        }
        Ok(self.to_workspace(w))
    }

    pub(super) fn to_workspace(&self, w: &WireWorkspace) -> Workspace {
        let raw = w.status().to_string();
        let state = states::normalize(&raw);
        let mut details = BTreeMap::new();
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
                details.insert(k.to_string(), v);
            }
        };
        let cluster = w
            .cluster_id
            .as_ref()
            .map(|id| self.cluster_names.lock().ok().and_then(|m| m.get(id).cloned()).unwrap_or_else(|| id.clone()));
        put("cluster", cluster);
        put("template", w.template.as_ref().map(|t| t.name.clone()));
        put("description", w.description.clone());
        put("owner", w.owner_username.clone().or_else(|| w.owner.clone()));
        put("organization", w.owner_org_name.clone());
        put("auto-delete at", w.to_be_deleted_at.clone());
        put("storage", w.resources.as_ref().and_then(|r| r.storage_gb).map(|s| format!("{s} GB")));
        let (links, access) = if state == WorkspaceState::Running {
            let id = w.id.as_deref().filter(|i| !i.is_empty()).or(w.name.as_deref()).unwrap_or_default();
            let alias = ssh::alias(&self.account.name, w.name.as_deref().or(w.id.as_deref()).unwrap_or_default(), id);
            links(w.access_information.as_deref().unwrap_or_default(), &self.ssh_user, &alias)
        } else {
            (vec![], vec![])
        };
        for (k, v) in access {
            put(&k, Some(v));
        }
        let id = w.id.clone().filter(|i| !i.is_empty());
        let cluster_cost = self.cluster_cost(w.cluster_id.as_deref());
        let own = cluster_cost.as_ref().filter(|c| c.hosts_only(id.as_deref()));
        if let Some(c) = cluster_cost.as_ref().filter(|_| own.is_none()) {
            let sharing = c.hosts.as_ref().map_or(String::new(), |h| format!(", shared by {} workspaces", h.len()));
            put("cluster cost", c.per_hour.map(|r| format!("{r} {USD}/h{sharing}")));
        }
        let mut cost = Cost::priced(state, own.and_then(|c| c.per_hour), USD, RateSource::Vendor);
        // Auto-delete ends the workspace, running or not: the one deadline exalsius reports.
        cost.stops_at = figures::deadline_at(chrono::Utc::now(), w.to_be_deleted_at.as_deref().and_then(parse_time));
        Workspace {
            account: self.account.name.clone(),
            provider: ProviderId::Exalsius,
            name: w.name.clone().filter(|n| !n.trim().is_empty()).or_else(|| id.clone()).unwrap_or_default(),
            state,
            raw_state: if raw.is_empty() { "UNKNOWN".into() } else { raw.clone() },
            hardware: to_hardware(w.resources.as_ref()),
            created_at: w.created_at.as_deref().and_then(parse_time),
            started_at: None,
            cost,
            links,
            // Without an id there is nothing to address the workspace by.
            actions: if id.is_some() { states::actions(&raw) } else { vec![] },
            details,
            error: (state == WorkspaceState::Errored).then(|| "exalsius reports the workspace as FAILED".to_string()),
            id: id.unwrap_or_else(|| w.name.clone().unwrap_or_default()),
        }
    }
}

pub(super) fn to_hardware(r: Option<&NodeHardware>) -> Hardware {
    let Some(r) = r else { return Hardware::default() };
    // A negative amount is no amount at all.
    let amount = |v: Option<f64>| v.filter(|v| v.is_finite() && *v >= 0.0);
    let (cpus, memory_gb, storage_gb) = (amount(r.cpu_cores), amount(r.memory_gb), amount(r.storage_gb));
    let count = r.gpu_count.filter(|c| *c >= 1.0).map(|c| c as u32);
    let gpu = count.map(|count| Gpu {
        kind: r.gpu_type.clone().filter(|t| !t.trim().is_empty()).unwrap_or_else(|| "GPU".into()),
        count,
    });
    let mut parts: Vec<String> = vec![];
    if let Some(g) = &gpu {
        match amount(r.gpu_memory) {
            Some(m) => parts.push(format!("{}× {} ({m} GB)", g.count, g.kind)),
            None => parts.push(format!("{}× {}", g.count, g.kind)),
        }
    }
    if let Some(c) = cpus {
        parts.push(format!("{c} CPU"));
    }
    if let Some(m) = memory_gb {
        parts.push(format!("{m} GB RAM"));
    }
    if let Some(s) = storage_gb {
        parts.push(format!("{s} GB disk"));
    }
    Hardware { label: (!parts.is_empty()).then(|| parts.join(" · ")), cpus, memory_gb, gpu }
}

/// Links from `access_information` (contract §7), and details for ports that are not pages.
/// Entries without an external IP are not reachable yet.
pub(super) fn is_ssh(a: &AccessInfo) -> bool {
    let name = a.port_name.as_deref().unwrap_or("").to_ascii_lowercase();
    let protocol = a.access_protocol.as_deref().unwrap_or("").to_ascii_uppercase();
    protocol == "SSH" || (protocol == "TCP" && name == "ssh")
}

/// IDE links go through a Hangar-managed SSH alias (`ssh_alias`): VS Code and Cursor take a
/// host, not a port, in their remote authority.
pub(super) fn links(access: &[AccessInfo], ssh_user: &str, alias: &str) -> (Vec<Link>, Vec<(String, String)>) {
    let mut links = vec![];
    let mut details = vec![];
    for a in access {
        let name = a.port_name.as_deref().unwrap_or("").to_ascii_lowercase();
        let protocol = a.access_protocol.as_deref().unwrap_or("").to_ascii_uppercase();
        let label = a.access_description.clone().filter(|d| !d.trim().is_empty());
        let (Some(ip), Some(port)) = (
            a.external_ips.as_ref().and_then(|ips| ips.first()).filter(|ip| valid_host(ip)),
            a.port_number.and_then(|p| u16::try_from(p).ok()),
        ) else {
            details.push((format!("port {}", if name.is_empty() { "?" } else { &name }), "pending".into()));
            continue;
        };
        let host = if ip.contains(':') { format!("[{ip}]") } else { ip.clone() };
        let is_web = matches!(protocol.as_str(), "HTTP" | "HTTPS")
            || (protocol == "TCP" && matches!(name.as_str(), "http" | "open-webui"));
        let is_ssh = is_ssh(a);
        if is_web {
            let scheme = if protocol == "HTTPS" { "https" } else { "http" };
            links.push(Link {
                kind: LinkKind::Browser,
                url: format!("{scheme}://{host}:{port}/"),
                label: label.or_else(|| Some(if name.is_empty() { "Web".into() } else { name.clone() })),
                ssh_alias: None,
            });
        } else if is_ssh {
            links.push(Link {
                kind: LinkKind::Ssh,
                url: format!("ssh://{ssh_user}@{host}:{port}"),
                label: Some(if port == 22 {
                    format!("ssh {ssh_user}@{host}")
                } else {
                    format!("ssh -p {port} {ssh_user}@{host}")
                }),
                ssh_alias: None,
            });
            for (kind, scheme) in [(LinkKind::Vscode, "vscode"), (LinkKind::Cursor, "cursor")] {
                links.push(Link {
                    kind,
                    url: format!("{scheme}://vscode-remote/ssh-remote+{alias}{REMOTE_DIR}"),
                    label: Some(format!("SSH host {alias}")),
                    ssh_alias: Some(alias.to_string()),
                });
            }
        } else {
            let what = if name == "llm-inference" { "inference API".to_string() } else { format!("port {name}") };
            let scheme = if name == "llm-inference" { "http://" } else { "" };
            details.push((what, format!("{scheme}{host}:{port}")));
        }
    }
    (links, details)
}

/// An IP or host name, nothing that could smuggle a path or user into a link, and one a URL
/// can hold (an all-digit name is read as an IPv4 address, which may not fit).
pub(super) fn valid_host(h: &str) -> bool {
    let plain = !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    let bracketed = if h.contains(':') { format!("[{h}]") } else { h.to_string() };
    plain && url::Host::parse(&bracketed).is_ok()
}

/// What was asked for, shown until the watcher reads the real workspace.
pub(super) fn asked_for(id: String, name: &str, plan: super::form::Plan) -> WireWorkspace {
    WireWorkspace {
        id: Some(id),
        name: Some(name.to_string()),
        cluster_id: Some(plan.cluster_id),
        workspace_status: Some("PENDING".into()),
        template: None,
        owner: None,
        owner_username: None,
        owner_org_name: None,
        description: plan.description,
        access_information: None,
        resources: Some(NodeHardware {
            gpu_count: Some(f64::from(plan.resources.gpu_count)),
            gpu_vendor: plan.resources.gpu_vendor.clone(),
            gpu_type: plan.resources.gpu_type.clone(),
            gpu_memory: None,
            cpu_cores: Some(f64::from(plan.resources.cpu_cores)),
            memory_gb: Some(f64::from(plan.resources.memory_gb)),
            storage_gb: Some(f64::from(plan.resources.storage_gb)),
        }),
        created_at: None,
        to_be_deleted_at: None,
    }
}
