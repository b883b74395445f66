//! The contract's example bodies (`shared/providers/exalsius.md`, the OpenAPI bundle), mapped.

use std::sync::Arc;

use super::errors::problem;
use super::mapping::*;
use super::ssh::ssh_endpoint;
use super::wire::*;
use super::*;
use crate::http::HttpSettings;
use crate::model::{Gpu, Link, LinkKind, WorkspaceState};
use crate::secrets::MemoryStore;

fn provider(options: &[(&str, &str)]) -> Result<Exalsius> {
    Exalsius::new(ProviderContext {
        account: Account {
            name: "acme".into(),
            provider: ProviderId::Exalsius,
            base_url: None,
            options: options.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        },
        credentials: Credentials::single(ACCESS_TOKEN, "eyJ.test.token"),
        secrets: Arc::new(MemoryStore::default()),
        http: HttpSettings::default(),
    })
}

/// The contract's §4.2 example, shared with the wire tests.
use super::wire::tests::WORKSPACE;

fn workspace(json: &str) -> WireWorkspace {
    serde_json::from_str::<WorkspaceResponse>(json).unwrap().workspace
}

#[test]
fn info_matches_the_contract() {
    let i = Kind.info();
    assert_eq!(i.default_base_url.as_deref(), Some("https://api.exalsius.ai"));
    let keys: Vec<(&str, bool, bool)> =
        i.credential_fields.iter().map(|f| (f.key.as_str(), f.secret, f.required)).collect();
    assert_eq!(keys, vec![("access_token", true, true), ("refresh_token", true, false)]);
    assert!(i.has_names);
}

#[test]
fn the_contract_workspace_maps_with_its_jupyter_link() {
    let p = provider(&[]).unwrap();
    let ws = p.to_workspace(&workspace(WORKSPACE));
    assert_eq!((ws.id.as_str(), ws.name.as_str()), ("5b0f3c1e-2a47-4d8e-9c61-7f2e4a9b1d03", "jupyter-brave-otter"));
    assert_eq!((ws.state, ws.raw_state.as_str()), (WorkspaceState::Running, "RUNNING"));
    assert_eq!(ws.hardware.gpu, Some(Gpu { kind: "L40".into(), count: 1 }));
    assert_eq!((ws.hardware.cpus, ws.hardware.memory_gb), (Some(13.0), Some(54.0)));
    assert_eq!(ws.hardware.label.as_deref(), Some("1× L40 (48 GB) · 13 CPU · 54 GB RAM · 170 GB disk"));
    assert_eq!(ws.created_at.map(|t| t.to_rfc3339()).as_deref(), Some("2026-04-28T09:14:03+00:00"));
    assert_eq!(
        ws.links,
        vec![Link {
            kind: LinkKind::Browser,
            url: "http://203.0.113.10:31888/".into(),
            label: Some("Jupyter Notebook UI".into()),
            ssh_alias: None
        }]
    );
    assert_eq!(ws.details["owner"], "ada@example.com");
    assert_eq!(ws.details["template"], "jupyter-notebook-template");
    assert!(!format!("{ws:?}").contains("s3cret!"), "template variables are never shown");
}

#[test]
fn a_stopped_or_unknown_workspace_has_no_links() {
    let p = provider(&[]).unwrap();
    let ws = p.to_workspace(&workspace(&WORKSPACE.replace("\"RUNNING\"", "\"STOPPED\"")));
    assert_eq!(ws.state, WorkspaceState::Stopped);
    assert!(ws.links.is_empty());
    let ws = p.to_workspace(&workspace(&WORKSPACE.replace("\"RUNNING\"", "\"HIBERNATING\"")));
    assert_eq!((ws.state, ws.raw_state.as_str()), (WorkspaceState::Unknown, "HIBERNATING"));
    let ws = p.to_workspace(&workspace(&WORKSPACE.replace("\"RUNNING\"", "\"FAILED\"")));
    assert!(ws.error.is_some());
    let naive = p.to_workspace(&workspace(&WORKSPACE.replace("09:14:03Z", "09:14:03")));
    assert!(naive.created_at.is_some(), "naive date-times are accepted (contract §10)");
}

#[test]
fn ssh_access_gives_ssh_vscode_and_cursor_links_with_the_configured_user() {
    let access: Vec<AccessInfo> = serde_json::from_value(serde_json::json!([
        {"access_type": "NODE_PORT", "access_protocol": "TCP", "port_name": "ssh", "port_number": 30022,
         "external_ips": ["203.0.113.10"]},
        {"access_type": "NODE_PORT", "access_protocol": "TCP", "port_name": "open-webui", "port_number": 30080,
         "external_ips": ["203.0.113.10"], "access_description": "Open WebUI"},
        {"access_type": "NODE_PORT", "access_protocol": "TCP", "port_name": "llm-inference", "port_number": 30081,
         "external_ips": ["203.0.113.10"]},
        {"access_type": "NODE_PORT", "access_protocol": "HTTP", "port_name": "http", "port_number": 30090, "external_ips": []},
        {"access_type": "NODE_PORT", "access_protocol": "SSH", "port_name": "x", "port_number": 22, "external_ips": ["h/../evil"]}]))
    .unwrap();
    let (links, details) = links(&access, "dev", "hangar-acct-ws");
    let urls: Vec<(LinkKind, &str)> = links.iter().map(|l| (l.kind, l.url.as_str())).collect();
    assert_eq!(
        urls,
        vec![
            (LinkKind::Ssh, "ssh://dev@203.0.113.10:30022"),
            (LinkKind::Vscode, "vscode://vscode-remote/ssh-remote+hangar-acct-ws/workspace"),
            (LinkKind::Cursor, "cursor://vscode-remote/ssh-remote+hangar-acct-ws/workspace"),
            (LinkKind::Browser, "http://203.0.113.10:30080/"),
        ]
    );
    for l in &links {
        crate::platform::check_openable(&l.url).unwrap();
    }
    assert!(details.contains(&("inference API".into(), "http://203.0.113.10:30081".into())), "{details:?}");
    assert!(details.contains(&("port http".into(), "pending".into())), "{details:?}");
    assert_eq!(ssh_endpoint(&access), Some(("203.0.113.10".to_string(), 30022)), "the alias's host and port");
    assert_eq!(ssh_endpoint(&access[1..]), None, "a bad address is no endpoint");
    let root = provider(&[("ssh_user", "root")]).unwrap();
    assert_eq!(root.ssh_user, "root");
    assert_eq!(provider(&[("ssh_user", "a b")]).err().unwrap().field(), Some("ssh_user"));
}

#[test]
fn problem_bodies_map_to_messages_and_fields() {
    let nested = r#"{"detail": {"type": "https://api.exalsius.ai/errors/not-found", "title": "Workspace Not Found",
                     "status": 404, "detail": "The workspace with ID 123 was not found.", "instance": "/workspace/123"}}"#;
    assert_eq!(problem(nested), (Some("Workspace Not Found: The workspace with ID 123 was not found.".into()), None));
    let flat =
        r#"{"type": "about:blank", "title": "Conflict", "status": 409, "detail": "The workspace already exists."}"#;
    assert_eq!(problem(flat).0.as_deref(), Some("Conflict: The workspace already exists."));
    assert_eq!(problem(r#"{"detail": "Not authenticated"}"#).0.as_deref(), Some("Not authenticated"));
    let fastapi = r#"{"detail": [{"loc": ["body", "resources", "gpu_count"], "msg": "Input should be a valid integer",
                      "type": "int_type", "input": "s3cret"}]}"#;
    let (msg, field) = problem(fastapi);
    assert_eq!(field.as_deref(), Some("gpu_count"));
    assert_eq!(msg.as_deref(), Some("invalid request (resources.gpu_count: Input should be a valid integer)"));
    let named = r#"{"detail": {"type": "t", "title": "Bad Request", "status": 400, "instance": "/workspaces",
                   "detail": "resources.cpu_cores: 99 requested, at most 30 free on one node"}}"#;
    assert_eq!(problem(named).1.as_deref(), Some("cpu_cores"));
    let var = r#"{"detail": {"type": "t", "title": "Bad Request", "status": 400, "instance": "/workspaces",
                 "detail": "template.variables.notebookPassword must not be empty"}}"#;
    assert_eq!(problem(var).1.as_deref(), Some("var.notebookPassword"));
    assert_eq!(problem("<html>502</html>"), (None, None));
}

#[test]
fn two_workspaces_with_one_name_get_their_own_ssh_alias() {
    let p = provider(&[]).unwrap();
    let ssh = WORKSPACE.replace(
        r#""access_protocol": "HTTP""#,
        r#""access_protocol": "TCP", "port_name": "ssh", "port_number": 30022, "x": "HTTP""#,
    );
    let ssh = ssh.replacen(r#""port_name": "http","#, "", 1).replacen(r#""port_number": 31888,"#, "", 1);
    let first = p.to_workspace(&workspace(&ssh));
    let twin = p.to_workspace(&workspace(&ssh.replace("5b0f3c1e-2a47-4d8e-9c61-7f2e4a9b1d03", "other-id")));
    let alias = |w: &Workspace| w.links.iter().find_map(|l| l.ssh_alias.clone()).expect("an IDE link");
    assert_eq!(first.name, twin.name);
    assert_ne!(alias(&first), alias(&twin));
    assert_eq!(alias(&first), crate::ssh::alias("acme", &first.name, &first.id), "the alias Hangar::open writes");
}

/// The contract's §6.1 cluster, hosting the §4.2 workspace (or others too).
fn cluster(deployments: serde_json::Value, per_hour: serde_json::Value, so_far: serde_json::Value) -> WireCluster {
    let mut c = serde_json::json!({"id": "3f0c9a4e-8d2b-4c1e-9f6a-2b7d5e8c1a90", "name": "lab-cluster",
       "cluster_status": "READY", "cluster_type": "REMOTE", "created_at": "2026-04-20T08:00:00Z",
       "owner_username": "ada@example.com", "k8s_version": "1.30",
       "workspace_deployments": deployments, "costs_per_hour": per_hour, "current_costs": so_far});
    if per_hour.is_null() {
        c.as_object_mut().unwrap().remove("costs_per_hour");
    }
    serde_json::from_value(c).expect("a malformed cost never fails the cluster")
}

fn sole() -> serde_json::Value {
    serde_json::json!([{"workspace_id": "5b0f3c1e-2a47-4d8e-9c61-7f2e4a9b1d03", "workspace_name": "jupyter-brave-otter",
        "workspace_template": "jupyter-notebook-template", "owner": "ada"}])
}

fn with_cluster(c: WireCluster, status: &str) -> Workspace {
    with_cluster_so_far(c, status).0
}

/// The workspace as listed, and its cluster's costs so far as a closer look shows them.
fn with_cluster_so_far(c: WireCluster, status: &str) -> (Workspace, Option<String>) {
    let p = provider(&[]).unwrap();
    p.cluster_costs.lock().unwrap().by_id.insert(c.id.clone().unwrap(), lookups::ClusterCost::of(&c));
    let mut w = workspace(WORKSPACE);
    w.workspace_status = Some(status.into());
    (p.to_workspace(&w), p.cluster_costs_so_far(&w))
}

#[test]
fn a_workspace_alone_on_its_cluster_carries_the_clusters_costs() {
    let (ws, so_far) = with_cluster_so_far(cluster(sole(), serde_json::json!(1.2), serde_json::json!(30.5)), "RUNNING");
    assert_eq!((ws.cost.rate, ws.cost.currency.as_deref()), (Some(1.2), Some("USD")));
    assert_eq!(ws.cost.rate_source, crate::model::RateSource::Vendor);
    assert_eq!(ws.cost.spent, None, "the cluster's costs since it was made are not the workspace's since its start");
    assert_eq!(so_far.as_deref(), Some("30.5 USD"), "shown when one workspace is looked at closely");
    assert!(!ws.details.contains_key("cluster costs so far"), "not in a listing: it grows at every re-read");
    let stopped = with_cluster(cluster(sole(), serde_json::json!(1.2), serde_json::json!(30.5)), "STOPPED");
    assert_eq!(stopped.cost.rate, Some(0.0), "a stopped workspace costs nothing per hour");
    let failed = with_cluster(cluster(sole(), serde_json::json!(1.2), serde_json::json!(30.5)), "FAILED");
    assert_eq!((failed.cost.rate, failed.cost.currency), (None, None));
}

#[test]
fn a_shared_cluster_is_not_split_into_made_up_shares() {
    let two = serde_json::json!([{"workspace_id": "5b0f3c1e-2a47-4d8e-9c61-7f2e4a9b1d03"}, {"workspace_id": "other"}]);
    let ws = with_cluster(cluster(two, serde_json::json!(1.2), serde_json::json!(30.5)), "RUNNING");
    assert_eq!((ws.cost.rate, ws.cost.spent), (None, None));
    assert_eq!(ws.details["cluster cost"], "1.2 USD/h, shared by 2 workspaces");
    let someone_else = serde_json::json!([{"workspace_id": "other"}]);
    let ws = with_cluster(cluster(someone_else, serde_json::json!(1.2), serde_json::json!(3.0)), "RUNNING");
    assert_eq!(ws.cost.rate, None, "the cluster lists another workspace");
    let unlisted =
        with_cluster(cluster(serde_json::Value::Null, serde_json::json!(1.2), serde_json::json!(3.0)), "RUNNING");
    assert_eq!(unlisted.cost.rate, None, "who shares the cluster is unknown");
}

#[test]
fn absent_or_malformed_cluster_costs_are_unknown_and_the_workspace_still_maps() {
    let null = serde_json::Value::Null;
    for (per_hour, so_far) in [
        (null.clone(), null.clone()),
        (serde_json::json!("1.2"), serde_json::json!("30.5")),
        (serde_json::json!(-1.2), serde_json::json!(-30.5)),
        (serde_json::json!(1e300), serde_json::json!(1e300)),
        (serde_json::json!({"usd": 1}), serde_json::json!([1])),
    ] {
        let ws = with_cluster(cluster(sole(), per_hour.clone(), so_far.clone()), "RUNNING");
        assert_eq!(
            (ws.cost.rate, ws.cost.currency.clone(), ws.cost.spent),
            (None, None, None),
            "{per_hour} / {so_far}"
        );
        assert_eq!(ws.name, "jupyter-brave-otter");
    }
    let p = provider(&[]).unwrap();
    let ws = p.to_workspace(&workspace(WORKSPACE));
    assert_eq!(ws.cost, crate::model::Cost::default(), "no cluster read: nothing known");
}

#[test]
fn an_auto_delete_time_is_the_workspaces_deadline_present_absent_or_malformed() {
    let p = provider(&[]).unwrap();
    let with = |at: &str| {
        let json = WORKSPACE.replace("\"created_at\"", &format!("\"to_be_deleted_at\": {at}, \"created_at\""));
        p.to_workspace(&workspace(&json))
    };
    let soon = (chrono::Utc::now() + chrono::Duration::days(6)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let ws = with(&format!("\"{soon}\""));
    assert_eq!(ws.cost.stops_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)), Some(soon.clone()));
    assert_eq!(ws.details["auto-delete at"], soon);
    assert_eq!(p.to_workspace(&workspace(WORKSPACE)).cost.stops_at, None);
    for bad in
        ["\"next tuesday\"", "null", "\"\"", "1767225600", "{}", "\"9999-12-31T00:00:00Z\"", "\"1970-01-01T00:00:00Z\""]
    {
        let ws = with(bad);
        assert_eq!((ws.cost.stops_at, ws.state), (None, WorkspaceState::Running), "{bad}");
    }
}
