//! Anyscale's workspace rows (and their clusters, when read) as Hangar workspaces: details,
//! hardware from the compute config and catalog, and the console, web and IDE links.

use std::collections::BTreeMap;

use super::wire::{ComputeConfig, DecoratedSession, InstanceType, WireWorkspace};
use super::{form, states, Anyscale};
use crate::error::{Error, Result};
use crate::model::{Cost, Gpu, Hardware, Link, LinkKind, ProviderId, RateSource, Workspace, WorkspaceState};
use crate::providers::figures;
use crate::providers::timestamps::parse_time;
use crate::ssh;

/// Anyscale bills in its own credits, not in a currency.
const CREDITS: &str = "credits";

/// Where a workspace's project lives on the head node (`~/<project dir>`, typically `default`).
const REMOTE_DIR: &str = "/home/ray/default";

impl Anyscale {
    /// A workspace from the vendor's row (and its cluster, when read).
    pub(super) fn decode(&self, w: &WireWorkspace, session: Option<&DecoratedSession>) -> Result<Workspace> {
        if w.id.trim().is_empty() {
            return Err(Error::BadResponse { message: "Anyscale answered a workspace without its id".into() });
        }
        Ok(self.to_workspace(w, session))
    }

    pub(super) fn to_workspace(&self, w: &WireWorkspace, session: Option<&DecoratedSession>) -> Workspace {
        // The row's state, as the SDK's list/get show it; the demo and the backend keep the
        // cluster's in step.
        let raw = w.state().to_string();
        let compute_id = session.and_then(|s| s.compute_template_id.as_deref()).or(w.compute_config_id.as_deref());
        let mut details = BTreeMap::new();
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
                details.insert(k.to_string(), v);
            }
        };
        put("project", self.name_of(w.project_id.as_deref()));
        put(
            "cloud",
            session.and_then(|s| s.cloud.as_ref()?.name.clone()).or_else(|| self.name_of(w.cloud_id.as_deref())),
        );
        put("creator", w.creator_email.clone().or_else(|| session.and_then(|s| s.creator.as_ref()?.email.clone())));
        let idle = session.and_then(|s| s.idle_timeout).or(w.idle_timeout_minutes);
        put("idle timeout", idle.map(|m| format!("{m} min")));
        put("cluster", w.cluster_id.clone());
        put("compute config", compute_id.map(str::to_string));
        put("last started", w.latest_started_at.clone());
        if w.is_kuberay() {
            put("stack", Some("KubeRay".into()));
        }
        let credits = self.credits_of(compute_id, w.cloud_id.as_deref());
        if let Some(c) = credits.filter(|c| c.floor != c.ceiling) {
            put("credits per hour", Some(format!("{} to {} as workers scale", c.floor, c.ceiling)));
        }
        if let Some(secs) = session.and_then(|s| s.idle_time_remaining_seconds).filter(|_| raw == "Running") {
            let secs = secs.max(0);
            put("idle termination in", Some(format!("{} min", secs / 60 + i64::from(secs % 60 != 0))));
        }
        let state = states::normalize(&raw);
        let mut cost = Cost::priced(state, credits.map(|c| c.ceiling), CREDITS, RateSource::Vendor);
        cost.idle_stop_minutes = figures::idle_minutes(idle.map(i64::from));
        if raw == "Running" {
            let remaining = session.and_then(|s| s.idle_time_remaining_seconds);
            cost.stops_at = figures::deadline(chrono::Utc::now(), remaining);
        }
        Workspace {
            account: self.account.name.clone(),
            provider: ProviderId::Anyscale,
            id: w.id.clone(),
            name: if w.name.trim().is_empty() { w.id.clone() } else { w.name.clone() },
            state,
            raw_state: raw.clone(),
            hardware: self.hardware_of(compute_id, w.cloud_id.as_deref()),
            created_at: w.created_at.as_deref().and_then(parse_time),
            started_at: w.latest_started_at.as_deref().and_then(parse_time),
            cost,
            links: self.links(w, session),
            actions: states::actions(&raw),
            details,
            error: (state == WorkspaceState::Errored).then(|| format!("the workspace's cluster is in state {raw}")),
        }
    }

    fn links(&self, w: &WireWorkspace, session: Option<&DecoratedSession>) -> Vec<Link> {
        let browser = |url: &str, label: &str| Link {
            kind: LinkKind::Browser,
            url: url.into(),
            label: Some(label.into()),
            ssh_alias: None,
        };
        let mut links = vec![browser(self.client.console_url(&["workspaces", &w.id]).as_str(), "Anyscale console")];
        if w.state() != "Running" {
            return links;
        }
        let from_api = [
            (session.and_then(|s| s.jupyter_notebook_url.as_deref()), "Jupyter"),
            (session.and_then(|s| s.ray_dashboard_url.as_deref()).or(w.ray_dashboard_url.as_deref()), "Ray dashboard"),
            (w.vscode_url.as_deref(), "VS Code (browser)"),
        ];
        for (url, label) in from_api {
            if let Some(u) = url.filter(|u| is_web_url(u)) {
                links.push(browser(u, label));
            }
        }
        // The IDE goes through an SSH alias whose ProxyCommand is the cluster's HTTPS tunnel;
        // a VM cluster that reports no tunnel host gets no IDE link rather than a dead one.
        if session.is_some_and(|s| tunnel_host(s).is_none()) && !w.is_kuberay() {
            return links;
        }
        let alias = ssh::alias(&self.account.name, &w.name, &w.id);
        for (kind, scheme) in [(LinkKind::Vscode, "vscode"), (LinkKind::Cursor, "cursor")] {
            links.push(Link {
                kind,
                url: format!("{scheme}://vscode-remote/ssh-remote+{alias}{REMOTE_DIR}"),
                label: Some(format!("SSH host {alias}")),
                ssh_alias: Some(alias.clone()),
            });
        }
        links
    }
}

fn is_web_url(u: &str) -> bool {
    u.starts_with("https://") || u.starts_with("http://")
}

/// The cluster's tunnel endpoint: the host (and port) of its web terminal URL, per the SDK.
pub(super) fn tunnel_host(s: &DecoratedSession) -> Option<(bool, String)> {
    let url = url::Url::parse(s.webterminal_auth_url.as_deref()?).ok()?;
    let host = url.host_str()?.to_string();
    let secure = url.scheme() == "https";
    Some((secure, url.port().map_or(host.clone(), |p| format!("{host}:{p}"))))
}

/// CPU and memory are the head node's (where the IDE runs); the GPU count is what the
/// workers can scale up to, or the head's own when it has GPUs.
pub(super) fn to_hardware(config: &ComputeConfig, catalog: &[InstanceType]) -> Hardware {
    let facts = |t: Option<&str>| t.and_then(|t| catalog.iter().find(|k| k.name == t));
    let head = config.head_node_type.as_ref();
    let head_facts = facts(head.and_then(|h| h.instance_type.as_deref()));
    let workers = config.worker_node_types.clone().unwrap_or_default();
    let gpu_of = |t: &InstanceType| match (&t.gpu_type, t.gpu_count) {
        (Some(kind), Some(n)) if n > 0 && !kind.trim().is_empty() => Some((kind.clone(), n)),
        _ => None,
    };
    let worker_gpu = workers.iter().find_map(|w| {
        let (kind, n) = gpu_of(facts(w.instance_type.as_deref())?)?;
        Some(Gpu { kind, count: n.saturating_mul(w.max_workers.unwrap_or(0)) }).filter(|g| g.count > 0)
    });
    // A count below zero is no count at all.
    let amount = |v: Option<f64>| v.filter(|v| v.is_finite() && *v >= 0.0);
    let gpu = head_facts.and_then(gpu_of).map(|(kind, count)| Gpu { kind, count }).or(worker_gpu);
    let mut label = form::node_summary(head, &workers);
    if let Some(g) = &gpu {
        label.push_str(&format!(" · up to {}× {}", g.count, g.kind));
    }
    Hardware {
        label: Some(label),
        cpus: amount(head_facts.and_then(|f| f.cpu_count)),
        memory_gb: amount(head_facts.and_then(|f| f.memory_in_gib)),
        gpu,
    }
}

/// Credits per hour of a compute config: the head node's plus each worker group's, from as few
/// workers as it keeps to as many as it may scale to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Credits {
    pub floor: f64,
    pub ceiling: f64,
}

/// Known only when every node type is in the catalog with a credit figure and every worker
/// group says how far it scales; a total of 0 means the cloud is not billed in credits (a
/// customer-hosted cloud), which is no rate rather than a free one. The rate shown is the
/// ceiling: Hangar cannot see how many workers run, and a warning should not understate.
pub(super) fn credits(config: &ComputeConfig, catalog: &[InstanceType]) -> Option<Credits> {
    let per_node = |t: Option<&str>| {
        let t = t?;
        figures::rate(catalog.iter().find(|k| k.name == t)?.anyscale_credits_per_hour)
    };
    let head = per_node(config.head_node_type.as_ref()?.instance_type.as_deref())?;
    let (mut floor, mut ceiling) = (head, head);
    for w in config.worker_node_types.as_deref().unwrap_or_default() {
        let each = per_node(w.instance_type.as_deref())?;
        let most = w.max_workers?;
        let least = w.min_workers.unwrap_or(0).min(most);
        floor += each * f64::from(least);
        ceiling += each * f64::from(most);
    }
    let ceiling = figures::rate(Some(ceiling)).filter(|c| *c > 0.0)?;
    Some(Credits { floor: round(floor), ceiling: round(ceiling) })
}

/// Sums of binary fractions pick up noise (0.1 + 0.2); credits are quoted to a few places.
fn round(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}
