//! Mage's workspace objects as Hangar workspaces: details by cluster type, hardware from the
//! container config, and Mage's own rule for the browser link.

use std::collections::BTreeMap;

use serde_json::Value;

use super::wire::{self, CreateFields, WireWorkspace};
use super::{container, form, states, MagePro};
use crate::model::{Link, LinkKind, ProviderId, Workspace, WorkspaceState};
use crate::providers::figures;

/// ECS workspaces serve Mage on its default port (Mage's manage page appends it).
const ECS_PORT: u16 = 6789;

impl MagePro {
    pub(super) fn to_workspace(&self, w: WireWorkspace, cluster_type: &str) -> Workspace {
        let instance = w.instance.clone().unwrap_or_default();
        let raw = instance.status.clone().unwrap_or_default();
        let mut details = BTreeMap::new();
        let mut put = |key: &str, value: Option<String>| {
            if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
                details.insert(key.to_string(), v);
            }
        };
        put("cluster type", Some(cluster_label(cluster_type)));
        put("namespace", w.namespace.clone());
        put("storage", w.storage_request_size.as_ref().and_then(storage_label));
        put("storage access mode", w.storage_access_mode.clone());
        put("storage class", w.storage_class_name.clone());
        put("ingress", w.ingress_name.clone());
        put("service account", w.service_account_name.clone());
        put("image tag", w.container_config.as_deref().and_then(|c| container::image_tag(&container::parse(c))));
        put("instance type", instance.kind.clone());
        put("ECS cluster", w.cluster_name.clone());
        put("task definition", w.task_definition.clone());
        put("region", w.region.clone());
        let policy = w.lifecycle_config.as_ref().and_then(|l| l.termination_policy.as_ref());
        put(
            "auto-stop",
            policy.and_then(|p| match (p.enable_auto_termination, p.max_idle_seconds) {
                (Some(true), Some(s)) => Some(format!("after {s} s idle")),
                (Some(true), None) => Some("on".into()),
                (Some(false), _) => Some("off".into()),
                (None, _) => None,
            }),
        );
        if w.ingress_name.is_some() && w.url.is_none() && cluster_type == "k8s" {
            put("note", Some("not reachable through its ingress yet (Mage: \"Add to ingress\")".into()));
        }
        Workspace {
            account: self.account.name.clone(),
            provider: ProviderId::MagePro,
            id: w.name.clone(),
            name: w.name.clone(),
            state: states::normalize(&raw),
            hardware: container::to_hardware(w.container_config.as_deref()),
            created_at: None,
            started_at: None,
            cost: crate::model::Cost {
                idle_stop_minutes: policy.filter(|p| p.enable_auto_termination == Some(true)).and_then(|p| {
                    figures::idle_minutes_from_seconds(p.max_idle_seconds.and_then(|s| i64::try_from(s).ok()))
                }),
                ..Default::default()
            },
            links: links(&w, cluster_type),
            actions: states::actions(&raw, form::has_container(cluster_type)),
            details,
            error: (states::normalize(&raw) == WorkspaceState::Errored)
                .then(|| format!("Mage reports the workspace as {raw}")),
            raw_state: raw,
        }
    }
}

/// What was asked for, shown until the watcher reads the real workspace.
pub(super) fn asked_for(fields: CreateFields) -> WireWorkspace {
    WireWorkspace {
        name: fields.name,
        container_config: fields.container_config,
        ingress_name: fields.ingress_name,
        storage_access_mode: fields.storage_access_mode,
        storage_request_size: fields.storage_request_size.map(Value::from),
        lifecycle_config: fields.lifecycle_config,
        instance: Some(wire::Instance { status: Some("PENDING".into()), ..wire::Instance::default() }),
        ..WireWorkspace::default()
    }
}

pub(super) fn cluster_label(cluster_type: &str) -> String {
    match cluster_type {
        "k8s" => "Kubernetes".into(),
        "ecs" => "AWS ECS".into(),
        "cloud_run" => "Google Cloud Run".into(),
        "docker" => "Docker".into(),
        other => other.into(),
    }
}

/// `storage_request_size` is GiB, a string or a number.
fn storage_label(v: &Value) -> Option<String> {
    let n = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => match s.trim().trim_end_matches("Gi").parse::<f64>() {
            Ok(n) => n,
            Err(_) => return Some(s.clone()),
        },
        _ => return None,
    };
    Some(format!("{} GiB", container::fmt_number(n)))
}

/// Mage's own rule (§8): `url`, else `instance.ip`; `http://` when there is no scheme, and
/// Mage's port on ECS. Only while running.
fn links(w: &WireWorkspace, cluster_type: &str) -> Vec<Link> {
    let instance = w.instance.clone().unwrap_or_default();
    if states::normalize(instance.status.as_deref().unwrap_or("")) != WorkspaceState::Running {
        return vec![];
    }
    let nonempty = |s: &Option<String>| s.clone().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let Some(target) = nonempty(&w.url).or_else(|| nonempty(&instance.ip)) else {
        return vec![];
    };
    let text = if target.contains("://") {
        target
    } else if cluster_type == "ecs" {
        format!("http://{target}:{ECS_PORT}")
    } else {
        format!("http://{target}")
    };
    match url::Url::parse(&text) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {
            vec![Link { kind: LinkKind::Browser, url: u.to_string(), label: Some("Mage".into()), ssh_alias: None }]
        }
        _ => vec![],
    }
}
