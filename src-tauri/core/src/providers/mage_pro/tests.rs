//! Replays every example body of the contract (`shared/providers/mage-pro.md`) and of its seed
//! (docs.mage.ai "Update Workspace") through the wire types, the error mapping and the
//! workspace mapping.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use serde_json::{json, Value};

use super::client::decode;
use super::errors::{envelope_error, Refused};
use super::wire::{Created, SessionRequest, Statuses, WireWorkspace, WorkspaceList, WorkspaceOne};
use super::wire::{LifecycleConfig, SessionAnswer, Status};
use super::*;
use crate::http::HttpSettings;
use crate::model::{Action, Gpu, Link, LinkKind, WorkspaceState};
use crate::secrets::{Credentials, MemoryStore};

const KEY: &str = "zkWlN0PkIKSN0C11CfUHUj84OT5XOJ6tDZ6bDRO2";
const PASSWORD: &str = "testpass123";

/// §5, verbatim: the real OSS response for a K8s workspace created with an ingress name.
const WORKSPACE: &str = r#"{
  "name": "alpha",
  "project_uuid": "e9946d22d65a487b91af44e721379513",
  "lifecycle_config": {
    "termination_policy": {"enable_auto_termination": true, "max_idle_seconds": 1800},
    "pre_start_script_path": null,
    "post_start": null
  },
  "namespace": "default",
  "container_config": "resources:\n  limits:\n    cpu: 1\n",
  "ingress_name": "my-ingress",
  "pvc_retention_policy": null,
  "service_account_name": "mageai",
  "storage_access_mode": null,
  "storage_class_name": null,
  "storage_request_size": "5",
  "url": "https://mage.example.test/alpha",
  "access": null,
  "instance": {"name": "alpha", "type": "NodePort", "status": "RUNNING", "ip": "127.0.0.1:7000"}
}"#;

fn provider_with(creds: Credentials, options: &[(&str, &str)]) -> Result<MagePro> {
    MagePro::new(ProviderContext {
        account: Account {
            name: "cluster".into(),
            provider: ProviderId::MagePro,
            base_url: Some("https://cluster.mage.ai/c0ffee".into()),
            options: options.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        },
        credentials: creds,
        secrets: Arc::new(MemoryStore::default()),
        http: HttpSettings::default(),
    })
}

fn creds(pairs: &[(&str, &str)]) -> Credentials {
    Credentials::from_map(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

fn provider() -> MagePro {
    provider_with(creds(&[("api_key", KEY), ("email", "owner@example.com"), ("password", PASSWORD)]), &[]).unwrap()
}

fn map(body: &str, cluster_type: &str) -> Workspace {
    let w: WireWorkspace = serde_json::from_str(body).expect("the documented workspace deserializes");
    provider().to_workspace(w, cluster_type)
}

#[test]
fn base_url_is_normalized_to_the_api_root() {
    let table = [
        ("https://cluster.mage.ai/c0ffee", "https://cluster.mage.ai/c0ffee/api"),
        ("https://cluster.mage.ai/c0ffee/", "https://cluster.mage.ai/c0ffee/api"),
        ("https://cluster.mage.ai/c0ffee/manage", "https://cluster.mage.ai/c0ffee/api"),
        ("https://cluster.mage.ai/c0ffee/manage/", "https://cluster.mage.ai/c0ffee/api"),
        ("https://cluster.mage.ai/c0ffee/api", "https://cluster.mage.ai/c0ffee/api"),
        ("https://cluster.mage.ai/c0ffee/api/", "https://cluster.mage.ai/c0ffee/api"),
        ("https://mage.corp.example", "https://mage.corp.example/api"),
        ("https://mage.corp.example/API", "https://mage.corp.example/api"),
        ("http://127.0.0.1:6789", "http://127.0.0.1:6789/api"),
    ];
    for (given, want) in table {
        assert_eq!(normalize_base_url(given).as_deref(), Ok(want), "{given}");
    }
    for bad in ["http://mage.corp.example", "mage.corp.example", "https://mage.corp.example/?x=1"] {
        assert_eq!(normalize_base_url(bad).unwrap_err().field(), Some("base_url"), "{bad}");
    }
    let p = provider();
    assert_eq!(
        p.client.http().endpoint(&["workspaces", "alpha"]).as_str(),
        "https://cluster.mage.ai/c0ffee/api/workspaces/alpha"
    );
}

#[test]
fn credentials_need_a_password_login_or_a_token() {
    let err = provider_with(creds(&[("api_key", KEY)]), &[]).err().unwrap();
    assert_eq!(err.field(), Some("email"), "{err}");
    assert!(err.to_string().contains("oauth_token"), "{err}");
    let err = provider_with(creds(&[("api_key", KEY), ("email", "me@example.com")]), &[]).err().unwrap();
    assert_eq!(err.field(), Some("password"));
    let err = provider_with(creds(&[("api_key", KEY), ("password", PASSWORD)]), &[]).err().unwrap();
    assert_eq!(err.field(), Some("email"));
    let err = provider_with(creds(&[("email", "me@example.com"), ("password", PASSWORD)]), &[]).err().unwrap();
    assert!(matches!(err, Error::Unauthorized(_)), "the api key is required: {err:?}");
    assert!(provider_with(creds(&[("api_key", KEY), ("oauth_token", "a.b.c")]), &[]).is_ok());
    assert!(!format!("{err} {err:?}").contains(PASSWORD));
}

#[test]
fn the_documented_workspace_object_maps() {
    let w = map(WORKSPACE, "k8s");
    assert_eq!((w.id.as_str(), w.name.as_str()), ("alpha", "alpha"), "workspaces are addressed by name");
    assert_eq!((w.state, w.raw_state.as_str()), (WorkspaceState::Running, "RUNNING"));
    assert_eq!(w.hardware.label.as_deref(), Some("1 CPU"));
    assert_eq!((w.hardware.cpus, w.hardware.memory_gb, w.hardware.gpu.clone()), (Some(1.0), None, None));
    assert_eq!(
        w.links,
        vec![Link {
            kind: LinkKind::Browser,
            url: "https://mage.example.test/alpha".into(),
            label: Some("Mage".into()),
            ssh_alias: None
        }]
    );
    assert_eq!(w.actions, vec![Action::Stop, Action::Update, Action::Delete]);
    let d = |k: &str| w.details.get(k).map(String::as_str);
    assert_eq!(d("cluster type"), Some("Kubernetes"));
    assert_eq!(d("namespace"), Some("default"));
    assert_eq!(d("storage"), Some("5 GiB"));
    assert_eq!(d("ingress"), Some("my-ingress"));
    assert_eq!(d("auto-stop"), Some("after 1800 s idle"));
    assert_eq!(d("service account"), Some("mageai"));
    assert_eq!(d("instance type"), Some("NodePort"));
    assert_eq!(d("note"), None, "the ingress serves it");
    assert_eq!(w.error, None);
}

#[test]
fn the_browser_link_follows_mages_rule() {
    let no_url = WORKSPACE.replace(r#""url": "https://mage.example.test/alpha","#, "");
    let w = map(&no_url, "k8s");
    assert_eq!(w.links.first().map(|l| l.url.as_str()), Some("http://127.0.0.1:7000/"), "ip with http:// prefixed");
    assert!(w.details.get("note").is_some_and(|n| n.contains("Add to ingress")), "ingress name without url");
    let ecs = no_url.replace("127.0.0.1:7000", "10.0.3.7");
    assert_eq!(map(&ecs, "ecs").links.first().map(|l| l.url.as_str()), Some("http://10.0.3.7:6789/"));
    let nothing = no_url.replace(r#""ip": "127.0.0.1:7000""#, r#""ip": null"#);
    assert!(map(&nothing, "k8s").links.is_empty(), "neither url nor ip: no link");
    for status in ["PENDING", "STOPPED", "FAILED", "UNAVAILABLE", "PROVISIONING", "HIBERNATING"] {
        let w = map(&WORKSPACE.replace(r#""status": "RUNNING""#, &format!(r#""status": "{status}""#)), "k8s");
        assert!(w.links.is_empty(), "{status} must have no link");
    }
    let bad = WORKSPACE.replace("https://mage.example.test/alpha", "javascript:alert(1)");
    assert!(map(&bad, "k8s").links.is_empty(), "only http(s) links");
}

#[test]
fn every_field_but_name_may_be_null_or_absent() {
    let w = map(r#"{"name": "bare"}"#, "k8s");
    assert_eq!((w.state, w.raw_state.as_str()), (WorkspaceState::Unknown, ""));
    assert_eq!(w.actions, vec![Action::Delete]);
    assert!(w.links.is_empty() && w.hardware.label.is_none());
    let nulls = r#"{"name":"n","project_uuid":null,"lifecycle_config":null,"namespace":null,"container_config":null,
        "ingress_name":null,"pvc_retention_policy":null,"service_account_name":null,"storage_access_mode":null,
        "storage_class_name":null,"storage_request_size":null,"access":null,
        "instance":{"name":null,"type":null,"status":null,"ip":null}}"#;
    assert_eq!(map(nulls, "k8s").state, WorkspaceState::Unknown);
    // ECS config and instance (§5), post_start set (§5), storage as a number.
    let ecs = r#"{"name":"e","cluster_name":"mage-cluster","task_definition":"mage-td:3","container_name":"mage",
        "storage_request_size": 20,
        "lifecycle_config":{"termination_policy":{"enable_auto_termination":false},"pre_start_script_path":"/s.sh",
          "post_start":{"command":["echo","hi"],"hook_path":"/h.sh"}},
        "instance":{"name":"e","type":"FARGATE","status":"DEACTIVATING","ip":"10.0.0.9","task_arn":"arn:aws:ecs:t/1"}}"#;
    let w = map(ecs, "ecs");
    assert_eq!(w.state, WorkspaceState::Stopping);
    assert_eq!(w.actions, vec![Action::Delete], "no patch on ECS, nothing while deactivating");
    let d = |k: &str| w.details.get(k).cloned();
    assert_eq!(
        (d("ECS cluster"), d("task definition"), d("storage"), d("auto-stop")),
        (Some("mage-cluster".into()), Some("mage-td:3".into()), Some("20 GiB".into()), Some("off".into()))
    );
    let stopped_ecs = ecs.replace("DEACTIVATING", "STOPPED");
    assert_eq!(map(&stopped_ecs, "ecs").actions, vec![Action::Start, Action::Delete]);
}

#[test]
fn the_gpu_example_of_section_7_becomes_hardware() {
    let body = json!({"name": "gpu", "container_config":
        "resources:\n  requests:\n    cpu: \"1\"\n    memory: 2Gi\n  limits:\n    cpu: \"2\"\n    memory: 4Gi\n    nvidia.com/gpu: 1\nenv: []\n",
        "instance": {"status": "STOPPED"}});
    let w = map(&body.to_string(), "k8s");
    assert_eq!(w.hardware.label.as_deref(), Some("1–2 CPU · 2–4 GB · 1× NVIDIA GPU"));
    assert_eq!(w.hardware.gpu, Some(Gpu { kind: "NVIDIA GPU".into(), count: 1 }));
    let tagged =
        json!({"name": "t", "container_config": "image_tag: 2026.06.16\nenv:\n  - name: ENV\n    value: test"});
    assert_eq!(map(&tagged.to_string(), "k8s").details.get("image tag").map(String::as_str), Some("2026.06.16"));
}

#[test]
fn the_documented_envelopes_decode() {
    let list: WorkspaceList =
        serde_json::from_str(&format!(r#"{{"workspaces":[{WORKSPACE}],"metadata":{{}}}}"#)).unwrap();
    assert_eq!(list.workspaces.len(), 1);
    let one: WorkspaceOne = serde_json::from_str(&format!(r#"{{"workspace":{WORKSPACE},"metadata":null}}"#)).unwrap();
    assert_eq!(one.workspace.name, "alpha");
    let created: Created = serde_json::from_str(r#"{"workspace":{"success":true},"metadata":null}"#).unwrap();
    assert_eq!(created.workspace["success"], json!(true));
    let empty: WorkspaceList = serde_json::from_str(r#"{"workspaces":[],"metadata":{}}"#).unwrap();
    assert!(empty.workspaces.is_empty());
    for not_a_list in [r#"{"metadata":{}}"#, r#"{"workspaces":null}"#, r#"{"workspace":{"name":"a"}}"#] {
        assert!(decode::<WorkspaceList>(serde_json::from_str(not_a_list).unwrap(), "GET").is_err(), "{not_a_list}");
    }
    let statuses: Statuses = serde_json::from_str(
        r#"{"statuses":[{"instance_type":"k8s","project_type":"main","require_user_authentication":true,"scheduler_status":"running"}],"metadata":{}}"#,
    )
    .unwrap();
    let s: &Status = &statuses.statuses[0];
    assert_eq!(
        (s.instance_type.as_deref(), s.project_type.as_deref(), s.require_user_authentication),
        (Some("k8s"), Some("main"), Some(true))
    );
}

#[test]
fn the_session_bodies_match_the_contract() {
    let body = serde_json::to_value(SessionRequest {
        session: wire::Login { email: Some("me@example.com"), username: None, password: "…" },
    })
    .unwrap();
    assert_eq!(body, json!({"session":{"email":"me@example.com","password":"…"}}));
    let body = serde_json::to_value(SessionRequest {
        session: wire::Login { email: None, username: Some("admin"), password: "x" },
    })
    .unwrap();
    assert_eq!(body, json!({"session":{"username":"admin","password":"x"}}));
    let answer: SessionAnswer = serde_json::from_str(
        r#"{"session":{"token":"h.e30.s","expires":"2026-12-22 14:57:51.351000","user":{"id":1,"username":"admin","owner":true,"roles_display":"Owner","avatar":null}},"metadata":null}"#,
    )
    .unwrap();
    assert_eq!(answer.session.token, "h.e30.s");
    assert_eq!(answer.session.user.and_then(|u| u.owner), Some(true));
}

#[test]
fn the_request_bodies_of_contract_and_seed_are_what_is_sent() {
    let wrapped = |f: ActionFields| serde_json::to_value(Wrapped { workspace: f }).unwrap();
    for action in ["stop", "resume", "add_to_ingress"] {
        assert_eq!(wrapped(ActionFields::named(action)), json!({"workspace": {"action": action}}));
    }
    assert_eq!(
        wrapped(ActionFields { task_arn: Some("arn:t".into()), ..ActionFields::named("stop") }),
        json!({"workspace": {"action": "stop", "task_arn": "arn:t"}})
    );
    // The seed's patch request body, verbatim.
    let seed: Value = serde_json::from_str(
        r#"{
    "workspace": {
      "action": "patch",
      "container_config": "env:\n  - name: ENV\n    value: test",
      "lifecycle_config": {
        "termination_policy": {
          "enable_auto_termination": true,
          "max_idle_seconds": 1800
        },
        "pre_start_script_path": "/path/to/script.sh"
      },
      "update_workspace_settings": true
    }
  }"#,
    )
    .unwrap();
    let lifecycle: LifecycleConfig = serde_json::from_value(seed["workspace"]["lifecycle_config"].clone()).unwrap();
    let ours = ActionFields {
        container_config: Some("env:\n  - name: ENV\n    value: test".into()),
        lifecycle_config: Some(lifecycle),
        update_workspace_settings: Some(true),
        ..ActionFields::named("patch")
    };
    assert_eq!(wrapped(ours), seed);
    // The seed's last example: image_tag inside container_config.
    let tagged = "image_tag: 2026.06.16\nenv:\n  - name: ENV\n    value: test";
    let doc = container::parse(tagged);
    assert_eq!(container::image_tag(&doc).as_deref(), Some("2026.06.16"));
    // The contract's create example.
    let create = wire::CreateFields { name: "alpha".into(), cluster_type: "k8s".into(), ..Default::default() };
    assert_eq!(
        serde_json::to_value(Wrapped { workspace: create }).unwrap(),
        json!({"workspace":{"name":"alpha","cluster_type":"k8s"}})
    );
    // The contract's lifecycle with post_start round-trips.
    let full = json!({"termination_policy":{"enable_auto_termination":true,"max_idle_seconds":1800},
        "pre_start_script_path":"/p.sh","post_start":{"command":["echo","started"],"hook_path":"/h.sh"}});
    let l: LifecycleConfig = serde_json::from_value(full.clone()).unwrap();
    assert_eq!(serde_json::to_value(l).unwrap(), full);
}

fn refusal(op: Op, status: u16, body: &str, has_login: bool) -> Refused {
    let parsed: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("{body} is JSON"));
    envelope_error(op, status, &parsed, "Mage Pro (GET /api/workspaces)", has_login)
        .unwrap_or_else(|| panic!("{body} must be an error"))
}

/// Every error body of §2–§4, with the HTTP 200 Mage sends by default, and with real codes.
#[test]
fn every_documented_error_envelope_maps_to_its_meaning() {
    let env = |code: u16, kind: &str, message: &str| {
        json!({"error": {"code": code, "message": message, "type": kind}, "status": 200}).to_string()
    };
    let cases: Vec<(Op, String, &str, bool, &str)> = vec![
        (Op::List, env(401, "invalid_api_key", "Invalid API key."), "unauthorized", false, "refused the API key"),
        (Op::List, env(401, "invalid_oauth_token", "Invalid OAuth token."), "unauthorized", true, "invalid"),
        (Op::List, env(401, "expired_oauth_token", "Token expired."), "unauthorized", true, "has expired"),
        (
            Op::List,
            env(403, "unauthorized_access", "Private access for list only, invalid scope."),
            "unauthorized",
            false,
            "Private access for list only",
        ),
        (
            Op::Create,
            env(403, "unauthorized_access", "Unauthorized access."),
            "unauthorized",
            false,
            "only owners can create",
        ),
        (
            Op::Update,
            env(403, "unauthorized_access", "Unauthorized access."),
            "unauthorized",
            false,
            "only owners can update",
        ),
        (
            Op::Delete,
            env(403, "unauthorized_access", "Unauthorized access."),
            "unauthorized",
            false,
            "only owners can delete",
        ),
        (
            Op::Stop,
            env(403, "unauthorized_access", "Unauthorized access."),
            "unauthorized",
            false,
            "only owners can stop",
        ),
        (
            Op::Get,
            env(404, "record_not_found", "Project beta was not found."),
            "not_found",
            false,
            "Project beta was not found.",
        ),
        (
            Op::SignIn,
            env(404, "record_not_found", "Email/username and/or password invalid."),
            "unauthorized",
            false,
            "wrong email or password",
        ),
        (Op::Update, env(400, "api_resource_error", "'action'"), "invalid_input", false, "'action'"),
        (
            Op::Create,
            env(400, "api_resource_error", "Project with name alpha already exists"),
            "conflict",
            false,
            "already exists",
        ),
        (Op::Create, env(400, "record_invalid", "Invalid record."), "invalid_input", false, "Invalid record."),
        (
            Op::List,
            env(400, "api_resource_error", "This project is ineligible for workspace management."),
            "invalid_input",
            false,
            "workspace manager",
        ),
    ];
    for (op, body, code, token_refused, shown) in cases {
        for http in [200, body_code(&body)] {
            let r = refusal(op, http, &body, true);
            assert_eq!(r.error.code(), code, "{op:?} HTTP {http} {body}: {}", r.error);
            assert_eq!(r.token_refused, token_refused, "{body}");
            assert!(r.error.to_string().contains(shown), "{op:?} {body}: '{shown}' missing from {}", r.error);
        }
    }
    let r = refusal(Op::Create, 200, &env(400, "api_resource_error", "Please enter a valid workspace name."), true);
    assert_eq!(r.error.field(), Some("name"));
    let r = refusal(
        Op::List,
        200,
        &env(400, "api_resource_error", "This project is ineligible for workspace management."),
        true,
    );
    assert_eq!(r.error.field(), Some("base_url"));
    // Expired and invalid tokens say what to do, differently with and without a password.
    let pasted = refusal(Op::List, 401, &env(401, "expired_oauth_token", "Token expired."), false);
    assert!(pasted.error.to_string().contains("paste a new token"), "{}", pasted.error);
    let signed = refusal(Op::List, 401, &env(401, "expired_oauth_token", "Token expired."), true);
    assert!(signed.error.to_string().contains("email and password"), "{}", signed.error);
    // The wrong key, the wrong token and the expired token each have their own words.
    let key = refusal(Op::List, 401, &env(401, "invalid_api_key", "Invalid API key."), true).error.to_string();
    let bad = refusal(Op::List, 401, &env(401, "invalid_oauth_token", "Invalid OAuth token."), true).error.to_string();
    assert!(key.contains("API key") && !key.contains("OAuth token"), "{key}");
    assert!(bad.contains("OAuth token as invalid") && !bad.contains("expired"), "{bad}");
}

fn body_code(body: &str) -> u16 {
    let v: Value = serde_json::from_str(body).unwrap();
    v["error"]["code"].as_u64().unwrap() as u16
}

#[test]
fn an_internal_error_is_short_and_never_a_traceback() {
    let traceback = "Traceback (most recent call last):\n  File \"/usr/lib/python3.10/site-packages/mage_ai/api/views.py\", line 91, in execute\n    result = await resource.process()\nFileNotFoundError: [Errno 2] No such file or directory: '/home/src/mainproj/projects'";
    let body = json!({
        "error": {"code": 500, "errors": traceback.lines().collect::<Vec<_>>(), "exception": "[Errno 2] No such file or directory: '/home/src/mainproj/projects'", "message": traceback},
        "url_parameters": {"pk": null, "resource": "workspaces"},
    })
    .to_string();
    let r = refusal(Op::List, 200, &body, true);
    assert_eq!(r.error.code(), "unavailable");
    let m = r.error.to_string();
    assert!(m.contains("No such file or directory"), "{m}");
    assert!(!m.contains("Traceback") && !m.contains("views.py"), "no traceback: {m}");
    assert!(m.len() < 300, "{m}");
    let no_exception = json!({"error": {"code": 500, "message": traceback}}).to_string();
    let m = refusal(Op::List, 200, &no_exception, true).error.to_string();
    assert!(m.contains("FileNotFoundError") && !m.contains("Traceback"), "the traceback's last line: {m}");
}

#[test]
fn any_error_key_is_an_error_and_only_then() {
    let r = refusal(Op::List, 200, r#"{"error":"something broke","workspaces":[]}"#, true);
    assert_eq!(r.error.code(), "bad_response", "an unknown error shape is still an error");
    assert!(r.error.to_string().contains("something broke"));
    let r = refusal(Op::List, 200, r#"{"error":{},"workspaces":[]}"#, true);
    assert!(!matches!(r.error, Error::NotFound(_)), "{:?}", r.error);
    for fine in
        [json!({"workspaces":[],"metadata":{}}), json!({"error":null,"workspaces":[]}), json!("<html>"), json!(null)]
    {
        assert!(envelope_error(Op::List, 200, &fine, "x", true).is_none(), "{fine}");
    }
    let r = refusal(Op::List, 200, r#"{"error":{"code":"429","message":"Slow down"}}"#, true);
    assert_eq!(r.error.code(), "rate_limited");
}

#[test]
fn the_cluster_type_option_overrides_statuses() {
    let p = provider_with(
        creds(&[("api_key", KEY), ("email", "owner@example.com"), ("password", PASSWORD)]),
        &[("cluster_type", "ECS")],
    )
    .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    assert_eq!(rt.block_on(p.client.cluster_type()).unwrap(), "ecs", "no call made: the host is not reachable");
}

#[test]
fn a_pasted_token_that_expired_is_named_before_any_call() {
    let expired_payload = "eyJleHBpcmVzIjogMTcwMDAwMDAwMCwgInRva2VuIjogImFiYyJ9"; // {"expires": 1700000000, "token": "abc"}
    let p = provider_with(creds(&[("api_key", KEY), ("oauth_token", &format!("h.{expired_payload}.s"))]), &[]).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let err = rt.block_on(p.client.usable_token()).unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert!(err.to_string().contains("pasted") && err.to_string().contains("paste a new token"), "{err}");
}

fn with_policy(policy: serde_json::Value) -> Workspace {
    let mut body: serde_json::Value = serde_json::from_str(WORKSPACE).unwrap();
    body["lifecycle_config"]["termination_policy"] = policy;
    let w: WireWorkspace = serde_json::from_value(body).expect("a malformed policy never fails the workspace");
    provider().to_workspace(w, "k8s")
}

#[test]
fn the_termination_policy_is_the_idle_stop() {
    let w = map(WORKSPACE, "k8s");
    assert_eq!(w.cost.idle_stop_minutes, Some(30), "the contract's 1800 s");
    assert_eq!((w.cost.rate, w.cost.stops_at, w.started_at), (None, None, None), "Mage reports no price or clock");
    let off = with_policy(json!({"enable_auto_termination": false, "max_idle_seconds": 1800}));
    assert_eq!(off.cost.idle_stop_minutes, None, "auto-termination off");
    for bad in [json!("1800"), json!(-1800), json!(0), json!(1e300), json!(18.5), json!(null)] {
        let w = with_policy(json!({"enable_auto_termination": true, "max_idle_seconds": bad.clone()}));
        assert_eq!(w.cost.idle_stop_minutes, None, "{bad}");
        assert_eq!(w.name, "alpha");
    }
    let odd = with_policy(json!({"enable_auto_termination": "yes", "max_idle_seconds": 1800}));
    assert_eq!(odd.cost.idle_stop_minutes, None, "a switch that is not a boolean is not on");
}
