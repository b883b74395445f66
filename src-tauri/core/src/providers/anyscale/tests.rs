//! The contract's example bodies (`shared/providers/anyscale.md`), each parsed and mapped.

use std::sync::Arc;

use serde_json::json;

use super::client::to_value;
use super::mapping::{credits, to_hardware, tunnel_host};
use super::wire::*;
use super::*;
use crate::http::HttpSettings;
use crate::model::{Gpu, LinkKind};
use crate::secrets::{Credentials, MemoryStore};

fn provider(token: &str) -> Result<Anyscale> {
    Anyscale::new(ProviderContext {
        account: Account {
            name: "acme".into(),
            provider: ProviderId::Anyscale,
            base_url: Some("https://console.anyscale.com".into()),
            options: BTreeMap::new(),
        },
        credentials: Credentials::single("token", token),
        secrets: Arc::new(MemoryStore::default()),
        http: HttpSettings::default(),
    })
}

const WORKSPACE: &str = r#"{"id": "expwrk_abc123", "name": "my-workspace", "description": null,
 "project_id": "prj_abc123", "cloud_id": "cld_abc123",
 "compute_config_id": "cpt_abc123", "cluster_environment_build_id": "bld_abc123",
 "environment_id": null, "created_at": "2026-01-01T10:30:00+00:00",
 "creator_id": "usr_abc123", "creator_email": "someone@myorg.com",
 "organization_id": "org_abc123", "is_deleted": false,
 "cluster_id": "ses_abc123", "kuberay_cr_id": null,
 "state": "Running", "current_state": null,
 "latest_started_at": "2026-01-02T08:00:00+00:00",
 "idle_timeout_minutes": 120, "maximum_uptime_minutes": null, "priority": null,
 "template_url": null, "vscode_url": null, "ray_dashboard_url": null, "kuberay_details": null}"#;

const SESSION: &str = r#"{"result": {
  "id": "ses_abc123", "name": "workspace-cluster-my-workspace",
  "project_id": "prj_abc123", "cloud_id": "cld_abc123", "cluster_config": "",
  "build_id": "bld_abc123", "compute_template_id": "cpt_abc123", "idle_timeout": 120,
  "state": "Running", "pending_state": null, "status": "RUNNING",
  "creator_id": "usr_abc123", "created_at": "2026-01-01T10:30:00+00:00",
  "access_token": "", "tensorboard_available": false,
  "cluster_config_last_modified_at": "2026-01-01T10:30:00+00:00",
  "ssh_authorized_keys": [], "ssh_private_key": "",
  "cloud": {"id": "cld_abc123", "name": "my-cloud", "provider": "AWS"},
  "creator": {"id": "usr_abc123", "name": "Some", "username": "someone", "email": "someone@myorg.com"},
  "host_name": "…", "head_node_ip": "10.0.0.5",
  "webterminal_auth_url": "https://cluster.example/webterminal", "jupyter_notebook_url": "https://cluster.example/jupyter/lab",
  "ray_dashboard_url": "https://cluster.example/dashboard", "service_proxy_url": "…", "metrics_dashboard_url": "…",
  "idle_time_remaining_seconds": 5400, "latest_started_at": "2026-01-02T08:00:00+00:00"}}"#;

const INSTANCE_TYPES: &str = r#"{"results": [{"cloud_resource_id": "…", "instance_types": [{"name": "g5.12xlarge",
  "family": "g5", "group_key": "…", "cpu_count": 48, "memory_in_gib": 192.0, "gpu_type": "A10G", "gpu_count": 4,
  "cloud_type": "AWS", "support_type": "…", "anyscale_credits_per_hour": 0.0, "available_in_anyscale_hosted": false,
  "machine_pool_name": "", "billing_error_message": null}]}]}"#;

#[test]
fn token_sanity_check_matches_the_sdk() {
    for ok in ["sss_abc", "aph0_key", "a_"] {
        assert!(provider(ok).is_ok(), "{ok}");
    }
    for bad in ["abc", "ssss", "bearer_x", "SSS_abc"] {
        let err = provider(bad).err().expect(bad);
        assert_eq!(err.field(), Some("token"));
        assert!(!err.to_string().contains(bad), "{err}");
    }
}

#[test]
fn the_workspace_example_maps_with_console_and_ide_links() {
    let p = provider("sss_test").unwrap();
    let w: WireWorkspace = serde_json::from_str(WORKSPACE).unwrap();
    let ws = p.to_workspace(&w, None);
    assert_eq!((ws.id.as_str(), ws.name.as_str()), ("expwrk_abc123", "my-workspace"));
    assert_eq!(ws.state, WorkspaceState::Running);
    assert_eq!(ws.actions, vec![Action::Stop, Action::Delete]);
    assert_eq!(ws.created_at.map(|t| t.to_rfc3339()).as_deref(), Some("2026-01-01T10:30:00+00:00"));
    assert_eq!(ws.details["creator"], "someone@myorg.com");
    assert_eq!(ws.details["idle timeout"], "120 min");
    assert_eq!(ws.links[0].url, "https://console.anyscale.com/workspaces/expwrk_abc123");
    let vscode = ws.links.iter().find(|l| l.kind == LinkKind::Vscode).unwrap();
    let alias = crate::ssh::alias("acme", "my-workspace", &ws.id);
    assert_eq!(vscode.url, format!("vscode://vscode-remote/ssh-remote+{alias}/home/ray/default"));
    let cursor = ws.links.iter().find(|l| l.kind == LinkKind::Cursor).unwrap();
    assert_eq!(cursor.url, format!("cursor://vscode-remote/ssh-remote+{alias}/home/ray/default"));
}

#[test]
fn a_terminated_workspace_has_only_the_console_link() {
    let p = provider("sss_test").unwrap();
    let w: WireWorkspace = serde_json::from_str(&WORKSPACE.replace("\"Running\"", "\"Terminated\"")).unwrap();
    let ws = p.to_workspace(&w, None);
    assert_eq!(ws.state, WorkspaceState::Stopped);
    assert_eq!(ws.links.len(), 1);
    assert!(ws.actions.contains(&Action::Update));
}

#[test]
fn the_session_example_adds_cluster_links_and_idle_facts() {
    let p = provider("sss_test").unwrap();
    let w: WireWorkspace = serde_json::from_str(WORKSPACE).unwrap();
    let s: Envelope<DecoratedSession> = serde_json::from_str(SESSION).unwrap();
    let ws = p.to_workspace(&w, Some(&s.result));
    let labels: Vec<(&str, &str)> = ws
        .links
        .iter()
        .filter(|l| l.kind == LinkKind::Browser)
        .map(|l| (l.label.as_deref().unwrap_or(""), l.url.as_str()))
        .collect();
    assert_eq!(
        labels,
        vec![
            ("Anyscale console", "https://console.anyscale.com/workspaces/expwrk_abc123"),
            ("Jupyter", "https://cluster.example/jupyter/lab"),
            ("Ray dashboard", "https://cluster.example/dashboard"),
        ]
    );
    assert_eq!(ws.details["cloud"], "my-cloud");
    assert_eq!(ws.details["idle termination in"], "90 min");
}

#[test]
fn list_envelope_and_paging_metadata_parse() {
    let body = format!(r#"{{"results": [{WORKSPACE}], "metadata": {{"total": 1, "next_paging_token": null}}}}"#);
    let page: Page<WireWorkspace> = serde_json::from_str(&body).unwrap();
    assert_eq!(page.results.len(), 1);
    assert_eq!(page.next_token(), None);
    let more: Page<WireWorkspace> =
        serde_json::from_str(r#"{"results": [], "metadata": {"total": 3, "next_paging_token": "tok"}}"#).unwrap();
    assert_eq!(more.next_token(), Some("tok"));
}

#[test]
fn compute_config_and_catalog_make_hardware() {
    let types: Page<InstanceTypeGroup> = serde_json::from_str(INSTANCE_TYPES).unwrap();
    let catalog: Vec<InstanceType> = types.results.into_iter().flat_map(|g| g.instance_types).collect();
    let created = r#"{"result": {"id": "cpt_1", "name": "anon", "version": 1, "anonymous": true, "config": {"cloud_id": "cld_abc123",
      "head_node_type": {"name": "head-node", "instance_type": "m5.2xlarge", "resources": {"cpu": 0, "gpu": 0}},
      "worker_node_types": [{"name": "gpu", "instance_type": "g5.12xlarge", "min_workers": 0, "max_workers": 2,
        "use_spot": false, "fallback_to_ondemand": false,
        "resources": {"cpu": 48, "gpu": 4, "custom_resources": {"accelerator_type:A10G": 1}},
        "required_labels": {"ray.io/accelerator-type": "L4"}, "labels": {}, "flags": {}}],
      "auto_select_worker_config": false, "flags": {"allow-cross-zone-autoscaling": false}},
      "creator_id": "usr_abc123", "organization_id": "org_abc123", "created_at": "2026-01-01T10:30:00+00:00",
      "last_modified_at": "2026-01-01T10:30:00+00:00"}}"#;
    let t: Envelope<ComputeTemplate> = serde_json::from_str(created).unwrap();
    let hw = to_hardware(t.result.config.as_ref().unwrap(), &catalog);
    assert_eq!(hw.gpu, Some(Gpu { kind: "A10G".into(), count: 8 }));
    assert_eq!(hw.label.as_deref(), Some("head m5.2xlarge · workers 0–2 × g5.12xlarge · up to 8× A10G"));
    assert_eq!(hw.cpus, None, "m5.2xlarge is not in this catalog");
}

#[test]
fn small_envelopes_parse() {
    let me: Envelope<UserInfo> = serde_json::from_str(
        r#"{"result": {"id":"usr_abc123","email":"someone@myorg.com","name":"Some","username":"someone","organization_ids":["org_abc123"]}}"#,
    )
    .unwrap();
    assert_eq!(me.result.id, "usr_abc123");
    let b: Envelope<Build> = serde_json::from_str(r#"{"result": {"id": "bld_9", "status": "succeeded"}}"#).unwrap();
    assert_eq!(b.result.id, "bld_9");
}

#[test]
fn request_bodies_match_the_captured_ones() {
    assert_eq!(
        to_value(&StopSession::terminate()).unwrap(),
        json!({"terminate": true, "workers_only": false, "keep_min_workers": false, "delete": false, "take_snapshot": false})
    );
    let body = CreateWorkspace {
        name: "my-ws",
        project_id: "prj_abc123",
        cloud_id: "cld_abc123",
        compute_config_id: "cpt_abc123",
        cluster_environment_build_id: "bld_abc123",
        idle_timeout_minutes: 60,
        skip_start: true,
    };
    assert_eq!(
        to_value(&body).unwrap(),
        json!({"name": "my-ws", "project_id": "prj_abc123", "cloud_id": "cld_abc123",
               "compute_config_id": "cpt_abc123", "cluster_environment_build_id": "bld_abc123",
               "idle_timeout_minutes": 60, "skip_start": true})
    );
    let ops = [PatchOp { op: "replace", path: "/name", value: "my-ws-2" }];
    assert_eq!(to_value(&ops).unwrap(), json!([{"op": "replace", "path": "/name", "value": "my-ws-2"}]));
}

#[test]
fn ide_links_go_through_a_hangar_ssh_alias_to_the_project_directory() {
    let p = provider("sss_test").unwrap();
    let w: WireWorkspace = serde_json::from_str(WORKSPACE).unwrap();
    let s: Envelope<DecoratedSession> = serde_json::from_str(SESSION).unwrap();
    let ws = p.to_workspace(&w, Some(&s.result));
    let vscode = ws.links.iter().find(|l| l.kind == LinkKind::Vscode).unwrap();
    let alias = crate::ssh::alias("acme", "my-workspace", &ws.id);
    assert!(alias.starts_with("hangar-acme-my-workspace-"), "readable, then unique: {alias}");
    assert_eq!(vscode.url, format!("vscode://vscode-remote/ssh-remote+{alias}/home/ray/default"));
    assert_eq!(vscode.ssh_alias.as_deref(), Some(alias.as_str()));
    assert!(ws.links.iter().any(|l| l.kind == LinkKind::Cursor));
    assert_eq!(tunnel_host(&s.result), Some((true, "cluster.example".to_string())));
}

#[test]
fn a_cluster_without_a_tunnel_host_gets_no_ide_link() {
    let p = provider("sss_test").unwrap();
    let w: WireWorkspace = serde_json::from_str(WORKSPACE).unwrap();
    let mut s: Envelope<DecoratedSession> = serde_json::from_str(SESSION).unwrap();
    s.result.webterminal_auth_url = None;
    let ws = p.to_workspace(&w, Some(&s.result));
    assert!(ws.links.iter().all(|l| l.kind == LinkKind::Browser), "no dead IDE link: {:?}", ws.links);
}

#[test]
fn a_stopped_workspace_has_no_ide_link() {
    let p = provider("sss_test").unwrap();
    let w: WireWorkspace = serde_json::from_str(&WORKSPACE.replace("\"Running\"", "\"Terminated\"")).unwrap();
    assert!(p.to_workspace(&w, None).links.iter().all(|l| l.kind == LinkKind::Browser));
}

fn catalog_with(credits: &[(&str, serde_json::Value)]) -> Vec<InstanceType> {
    credits
        .iter()
        .map(|(name, c)| {
            serde_json::from_value(json!({"name": name, "cpu_count": 8, "memory_in_gib": 32.0,
                "gpu_type": null, "gpu_count": 0, "anyscale_credits_per_hour": c}))
            .expect("a malformed credit figure never fails the catalog")
        })
        .collect()
}

fn config(workers: serde_json::Value) -> ComputeConfig {
    serde_json::from_value(json!({"cloud_id": "cld_abc123",
        "head_node_type": {"name": "head", "instance_type": "m5.2xlarge"}, "worker_node_types": workers}))
    .unwrap()
}

#[test]
fn credits_add_the_head_and_each_worker_group_up_to_its_maximum() {
    let catalog = catalog_with(&[("m5.2xlarge", json!(0.5)), ("g5.12xlarge", json!(6.0))]);
    let head_only = credits(&config(json!([])), &catalog).unwrap();
    assert_eq!((head_only.floor, head_only.ceiling), (0.5, 0.5));
    let scaling = config(json!([{"name": "gpu", "instance_type": "g5.12xlarge", "min_workers": 1, "max_workers": 2}]));
    let c = credits(&scaling, &catalog).unwrap();
    assert_eq!((c.floor, c.ceiling), (6.5, 12.5));
}

#[test]
fn credits_are_unknown_unless_every_part_is_known() {
    let catalog = catalog_with(&[("m5.2xlarge", json!(0.5))]);
    let unknown_type =
        config(json!([{"name": "gpu", "instance_type": "g5.12xlarge", "min_workers": 0, "max_workers": 2}]));
    assert_eq!(credits(&unknown_type, &catalog), None, "a worker type missing from the catalog");
    let catalog = catalog_with(&[("m5.2xlarge", json!(0.5)), ("g5.12xlarge", json!(6.0))]);
    let unbounded = config(json!([{"name": "gpu", "instance_type": "g5.12xlarge", "min_workers": 0}]));
    assert_eq!(credits(&unbounded, &catalog), None, "no maximum: no ceiling");
    for bad in [json!("0.5"), json!(-1.0), json!("NaN"), json!(1e300), json!(null), json!({"v": 1})] {
        let catalog = catalog_with(&[("m5.2xlarge", bad.clone())]);
        assert_eq!(credits(&config(json!([])), &catalog), None, "{bad}");
    }
    // The contract's catalog bills customer-hosted types 0 credits: no rate, not a free one.
    let free = catalog_with(&[("m5.2xlarge", json!(0.0))]);
    assert_eq!(credits(&config(json!([])), &free), None);
}

fn priced_provider(state: &str) -> (Anyscale, WireWorkspace) {
    let p = provider("sss_test").unwrap();
    p.computes.lock().unwrap().insert(
        "cpt_abc123".into(),
        config(json!([{"name": "gpu", "instance_type": "g5.12xlarge", "min_workers": 0, "max_workers": 2}])),
    );
    p.catalogs
        .lock()
        .unwrap()
        .insert("cld_abc123".into(), catalog_with(&[("m5.2xlarge", json!(0.5)), ("g5.12xlarge", json!(6.0))]));
    let mut w: WireWorkspace = serde_json::from_str(WORKSPACE).unwrap();
    w.state = Some(state.into());
    (p, w)
}

#[test]
fn the_contract_example_carries_start_time_rate_and_idle_deadline() {
    let (p, w) = priced_provider("Running");
    let s: Envelope<DecoratedSession> = serde_json::from_str(SESSION).unwrap();
    let before = chrono::Utc::now();
    let ws = p.to_workspace(&w, Some(&s.result));
    let after = chrono::Utc::now();
    assert_eq!(ws.started_at.map(|t| t.to_rfc3339()).as_deref(), Some("2026-01-02T08:00:00+00:00"));
    assert_eq!(ws.cost.rate, Some(12.5));
    assert_eq!(ws.cost.currency.as_deref(), Some("credits"));
    assert_eq!(ws.cost.rate_source, crate::model::RateSource::Vendor);
    assert_eq!(ws.cost.idle_stop_minutes, Some(120));
    let stops = ws.cost.stops_at.expect("a running cluster's idle countdown is a deadline");
    let secs = chrono::Duration::seconds(5400);
    assert!(stops >= before + secs && stops <= after + secs, "{stops} is 90 min after the read");
    assert_eq!(ws.details["credits per hour"], "0.5 to 12.5 as workers scale");
    assert_eq!(ws.cost.spent, None, "Anyscale reports no spend");
}

#[test]
fn a_listed_row_has_the_idle_policy_but_no_countdown() {
    let (p, w) = priced_provider("Running");
    let ws = p.to_workspace(&w, None);
    assert_eq!((ws.cost.idle_stop_minutes, ws.cost.stops_at), (Some(120), None));
    assert_eq!(ws.cost.rate, Some(12.5));
}

#[test]
fn a_terminated_workspace_costs_nothing_and_has_no_deadline() {
    let (p, w) = priced_provider("Terminated");
    let s: Envelope<DecoratedSession> = serde_json::from_str(SESSION).unwrap();
    let ws = p.to_workspace(&w, Some(&s.result));
    assert_eq!((ws.cost.rate, ws.cost.currency.as_deref()), (Some(0.0), Some("credits")));
    assert_eq!(ws.cost.stops_at, None);
}

#[test]
fn malformed_idle_figures_are_dropped_not_fatal() {
    for (idle, remaining) in
        [(json!("120"), json!("5400")), (json!(-5), json!(-1)), (json!(1.5), json!(1e300)), (json!(null), json!({}))]
    {
        let mut row: serde_json::Value = serde_json::from_str(WORKSPACE).unwrap();
        row["idle_timeout_minutes"] = idle.clone();
        let w: WireWorkspace = serde_json::from_value(row).expect("the row still parses");
        let mut session: serde_json::Value = serde_json::from_str(SESSION).unwrap();
        session["result"]["idle_timeout"] = idle.clone();
        session["result"]["idle_time_remaining_seconds"] = remaining.clone();
        let s: Envelope<DecoratedSession> = serde_json::from_value(session).expect("the session still parses");
        let ws = provider("sss_test").unwrap().to_workspace(&w, Some(&s.result));
        assert_eq!((ws.cost.idle_stop_minutes, ws.cost.stops_at), (None, None), "{idle} / {remaining}");
        assert_eq!(ws.cost.rate, None, "nothing in the caches: no rate");
    }
}
