//! Strongly.ai's workspace summaries as Hangar workspaces: details, hardware from Kubernetes
//! quantities, and the IDE link the server gives.

use std::collections::{BTreeMap, HashMap};

use super::wire::{CreateBody, WireWorkspace};
use super::{form, hardware, states, Strongly};
use crate::model::{Link, LinkKind, ProviderId, Workspace, WorkspaceState};
use crate::providers::timestamps::parse_time;

impl Strongly {
    pub(super) fn to_workspace(&self, w: WireWorkspace, projects: &HashMap<String, String>) -> Workspace {
        let mut details = BTreeMap::new();
        let mut put = |key: &str, value: Option<String>| {
            if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
                details.insert(key.to_string(), v);
            }
        };
        put("description", w.description.clone());
        put("environment type", w.environment_type.as_deref().map(|e| environment_label(e).unwrap_or(e).to_string()));
        put("image", w.image.clone());
        put("project", w.project_id.as_ref().map(|id| projects.get(id).unwrap_or(id).clone()));
        let owner = w.owner.as_ref().and_then(|o| match (&o.name, &o.email) {
            (Some(n), Some(e)) => Some(format!("{n} <{e}>")),
            (n, e) => n.clone().or_else(|| e.clone()).or_else(|| o.id.clone()),
        });
        put("owner", owner.or_else(|| w.owner_id.clone()));
        Workspace {
            account: self.account.name.clone(),
            provider: ProviderId::Strongly,
            name: w.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| w.id.clone()),
            state: states::normalize(&w.status),
            raw_state: w.status.clone(),
            hardware: hardware::to_hardware(w.resources.as_ref()),
            created_at: w.created_at.as_deref().and_then(parse_time),
            started_at: None,
            cost: crate::model::Cost::default(),
            links: links(&w),
            actions: states::actions(&w.status),
            details,
            error: None,
            id: w.id,
        }
    }
}

/// What was asked for, shown until the watcher reads the real workspace (create answers only
/// an id, and reading it back may fail).
pub(super) fn asked_for(id: String, body: CreateBody) -> WireWorkspace {
    WireWorkspace {
        id,
        name: Some(body.name),
        description: Some(body.description),
        status: "pending".into(),
        environment_type: Some(body.environment_type),
        image: body.image,
        resources: body.resources,
        project_id: body.project_id,
        ..WireWorkspace::default()
    }
}

/// The IDE is the `url` the server gives, and only while running; Hangar never builds it.
fn links(w: &WireWorkspace) -> Vec<Link> {
    if states::normalize(&w.status) != WorkspaceState::Running {
        return vec![];
    }
    let Some(url) = w.url.as_deref().and_then(|u| url::Url::parse(u).ok()) else {
        return vec![];
    };
    if !matches!(url.scheme(), "https" | "http") {
        return vec![];
    }
    let label = w.environment_type.as_deref().and_then(environment_label).unwrap_or("Workspace");
    vec![Link { kind: LinkKind::Browser, url: url.to_string(), label: Some(label.to_string()), ssh_alias: None }]
}

fn environment_label(value: &str) -> Option<&'static str> {
    form::ENVIRONMENT_TYPES.iter().find(|(v, _)| *v == value).map(|(_, label)| *label)
}
