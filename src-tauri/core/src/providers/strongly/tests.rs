//! Replays every example body of the contract (`shared/providers/strongly.md`) and of its
//! seed (the vendor's Workspaces API page) through the wire types and the mapping.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use serde_json::{json, Value};

use super::client::next_offset;
use super::errors::vendor_error;
use super::wire::{ActionAnswer, CreateBody, Created, ProjectList, UpdateBody, WireWorkspace, WorkspacePage};
use super::*;
use crate::http::HttpSettings;
use crate::model::{Action, Gpu, Link, LinkKind, WorkspaceState};
use crate::secrets::{Credentials, MemoryStore};

const KEY: &str = "sk-prod-a1b2c3d4e5f6";

/// The Workspace Object, verbatim from the seed (§3 of the contract is the same).
const WORKSPACE: &str = r#"{
"id": "ws_ghi789",
"name": "Training Environment",
"description": "GPU-enabled workspace for model training",
"status": "running",
"environmentType": "jupyter",
"image": "strongly/jupyter-gpu:latest",
"resources": {
"cpu": "4",
"memory": "16Gi",
"gpu": "1",
"gpuType": "nvidia-a10g",
"storage": "50Gi"
},
"organizationId": "org_xyz",
"owner": {
"id": "user_456",
"name": "Jane Smith",
"email": "jane@example.com"
},
"ownerId": "user_456",
"url": "https://ws-ghi789.workspaces.strongly.ai",
"projectId": "proj_abc123",
"volumeIds": ["vol_def001", "vol_def002"],
"createdAt": "2025-01-16T11:00:00Z",
"updatedAt": "2025-02-01T08:00:00Z"
}"#;

/// `GET /api/v1/workspaces` 200, verbatim from the seed.
const LIST: &str = r#"{
"count": 8,
"limit": 20,
"offset": 0,
"workspaces": [
{
"id": "ws_ghi789",
"name": "Training Environment",
"description": "GPU-enabled workspace for model training",
"status": "running",
"environmentType": "jupyter",
"image": "strongly/jupyter-gpu:latest",
"organizationId": "org_xyz",
"ownerId": "user_456",
"url": "https://ws-ghi789.workspaces.strongly.ai",
"projectId": "proj_abc123",
"createdAt": "2025-01-16T11:00:00Z",
"updatedAt": "2025-02-01T08:00:00Z"
}
]
}"#;

/// `POST /api/v1/workspaces` request body, verbatim from the seed.
const CREATE_REQUEST: &str = r#"{
"name": "Training Environment",
"description": "GPU-enabled workspace for model training",
"environmentType": "jupyter",
"image": "strongly/jupyter-gpu:latest",
"resources": {
"cpu": "4",
"memory": "16Gi",
"gpu": "1",
"gpuType": "nvidia-a10g",
"storage": "50Gi"
},
"projectId": "proj_abc123"
}"#;

/// `PUT /api/v1/workspaces/:id` request body, verbatim from the seed.
const UPDATE_REQUEST: &str = r#"{
"name": "Updated Training Environment",
"description": "Updated description",
"resources": {
"cpu": "8",
"memory": "32Gi",
"gpu": "2"
}
}"#;

fn provider(base_url: &str) -> Result<Strongly> {
    Strongly::new(ProviderContext {
        account: Account {
            name: "acme".into(),
            provider: ProviderId::Strongly,
            base_url: Some(base_url.into()),
            options: BTreeMap::new(),
        },
        credentials: Credentials::single("api_key", KEY),
        secrets: Arc::new(MemoryStore::default()),
        http: HttpSettings::default(),
    })
}

fn map(body: &str) -> Workspace {
    let w: WireWorkspace = serde_json::from_str(body).expect("the documented workspace deserializes");
    let projects = HashMap::from([("proj_abc123".to_string(), "Fraud models".to_string())]);
    provider("https://mycompany.strongly.ai").expect("provider").to_workspace(w, &projects)
}

#[test]
fn base_url_is_normalized_to_the_api_root() {
    let table = [
        ("https://mycompany.strongly.ai", "https://mycompany.strongly.ai/api/v1"),
        ("https://mycompany.strongly.ai/", "https://mycompany.strongly.ai/api/v1"),
        ("https://mycompany.strongly.ai/api/v1", "https://mycompany.strongly.ai/api/v1"),
        ("https://mycompany.strongly.ai/api/v1/", "https://mycompany.strongly.ai/api/v1"),
        ("https://mycompany.strongly.ai/API/V1", "https://mycompany.strongly.ai/api/v1"),
        ("http://127.0.0.1:8123/strongly", "http://127.0.0.1:8123/strongly/api/v1"),
        ("http://127.0.0.1:8123/strongly/", "http://127.0.0.1:8123/strongly/api/v1"),
        ("http://127.0.0.1:8123/strongly/api/v1", "http://127.0.0.1:8123/strongly/api/v1"),
        (" https://strongly.corp.example:8443/tools//api/v1// ", "https://strongly.corp.example:8443/tools/api/v1"),
    ];
    for (given, want) in table {
        assert_eq!(normalize_base_url(given).as_deref(), Ok(want), "{given}");
    }
    for bad in ["http://strongly.corp.example", "mycompany.strongly.ai", "https://mycompany.strongly.ai/?x=1"] {
        assert_eq!(normalize_base_url(bad).unwrap_err().field(), Some("base_url"), "{bad}");
    }
}

#[test]
fn requests_go_below_the_normalized_root() {
    let p = provider("https://mycompany.strongly.ai/").unwrap();
    assert_eq!(
        p.client.rest().http().endpoint(&["workspaces", "ws_ghi789", "start"]).as_str(),
        "https://mycompany.strongly.ai/api/v1/workspaces/ws_ghi789/start"
    );
}

#[test]
fn the_documented_workspace_object_maps() {
    let w = map(WORKSPACE);
    assert_eq!((w.id.as_str(), w.name.as_str()), ("ws_ghi789", "Training Environment"));
    assert_eq!((w.state, w.raw_state.as_str()), (WorkspaceState::Running, "running"));
    assert_eq!(w.hardware.label.as_deref(), Some("4 CPU · 16 GB · 1× nvidia-a10g · 50 GB disk"));
    assert_eq!((w.hardware.cpus, w.hardware.memory_gb), (Some(4.0), Some(16.0)));
    assert_eq!(w.hardware.gpu, Some(Gpu { kind: "nvidia-a10g".into(), count: 1 }));
    assert_eq!(
        w.links,
        vec![Link {
            kind: LinkKind::Browser,
            url: "https://ws-ghi789.workspaces.strongly.ai/".into(),
            label: Some("Jupyter".into()),
            ssh_alias: None
        }]
    );
    assert_eq!(w.actions, vec![Action::Stop], "a running workspace must be stopped before delete");
    assert_eq!(w.created_at.map(|t| t.to_rfc3339()), Some("2025-01-16T11:00:00+00:00".into()));
    let d = |k: &str| w.details.get(k).map(String::as_str);
    assert_eq!(d("environment type"), Some("Jupyter"));
    assert_eq!(d("image"), Some("strongly/jupyter-gpu:latest"));
    assert_eq!(d("project"), Some("Fraud models"));
    assert_eq!(d("owner"), Some("Jane Smith <jane@example.com>"));
    assert_eq!(d("description"), Some("GPU-enabled workspace for model training"));
    assert!(!format!("{w:?}").contains(KEY));
}

#[test]
fn the_documented_list_page_maps_summaries() {
    let page: WorkspacePage = serde_json::from_str(LIST).unwrap();
    assert_eq!((page.count, page.limit, page.workspaces.len()), (Some(8), Some(20), 1));
    let summary = page.workspaces.into_iter().next().unwrap();
    assert!(summary.resources.is_none() && summary.owner.is_none() && summary.volume_ids.is_none());
    let p = provider("https://mycompany.strongly.ai").unwrap();
    let w = p.to_workspace(summary, &HashMap::new());
    assert_eq!(w.state, WorkspaceState::Running);
    assert_eq!(w.hardware.label, None, "a summary has no resources");
    assert_eq!(w.details.get("owner").map(String::as_str), Some("user_456"), "ownerId stands in for owner");
    assert_eq!(w.details.get("project").map(String::as_str), Some("proj_abc123"), "id when the name is unknown");
    assert_eq!(w.links.len(), 1);
}

#[test]
fn the_browser_link_exists_only_while_running() {
    for status in ["pending", "stopped", "failed", "terminated", "hibernating"] {
        let w = map(&WORKSPACE.replace(r#""status": "running""#, &format!(r#""status": "{status}""#)));
        assert!(w.links.is_empty(), "{status} must have no link");
    }
    let w = map(&WORKSPACE.replace(r#""url": "https://ws-ghi789.workspaces.strongly.ai","#, ""));
    assert!(w.links.is_empty(), "no url, no link: Hangar never builds one");
}

#[test]
fn unknown_status_and_new_fields_are_tolerated() {
    let body = WORKSPACE.replace(r#""status": "running""#, r#""status": "hibernating", "gpuQuota": {"x": 1}"#);
    let w = map(&body);
    assert_eq!((w.state, w.raw_state.as_str()), (WorkspaceState::Unknown, "hibernating"));
    assert!(w.actions.is_empty());
}

#[test]
fn the_documented_create_body_is_what_the_form_sends() {
    let documented: Value = serde_json::from_str(CREATE_REQUEST).unwrap();
    let parsed: CreateBody = serde_json::from_str(CREATE_REQUEST).unwrap();
    assert_eq!(serde_json::to_value(&parsed).unwrap(), documented, "round trip");

    let form = form::create_form(Some(vec![wire::WireProject { id: "proj_abc123".into(), name: None }]));
    let input: BTreeMap<String, String> = [
        ("description", "GPU-enabled workspace for model training"),
        ("environmentType", "jupyter"),
        ("image", "strongly/jupyter-gpu:latest"),
        ("preset", "gpu"),
        ("gpuType", "nvidia-a10g"),
        ("projectId", "proj_abc123"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let body = form::create_body("Training Environment", &form.validate(&input).unwrap()).unwrap();
    assert_eq!(serde_json::to_value(&body).unwrap(), documented);
}

#[test]
fn the_documented_answers_deserialize() {
    let created: Created = serde_json::from_str(r#"{"workspaceId": "ws_ghi789"}"#).unwrap();
    assert_eq!(created.workspace_id, "ws_ghi789");

    let answers = [
        (r#"{"message": "Workspace starting", "workspaceId": "ws_ghi789", "status": "pending"}"#, Some("pending")),
        (r#"{"message": "Workspace stopping", "workspaceId": "ws_ghi789", "status": "stopped"}"#, Some("stopped")),
        (r#"{"message": "Workspace restarting", "workspaceId": "ws_ghi789", "status": "pending"}"#, Some("pending")),
        (r#"{"message": "Workspace sync initiated", "workspaceId": "ws_ghi789"}"#, None),
    ];
    for (body, status) in answers {
        let a: ActionAnswer = serde_json::from_str(body).unwrap();
        assert_eq!((a.workspace_id.as_deref(), a.status.as_deref()), (Some("ws_ghi789"), status), "{body}");
        assert!(a.message.is_some_and(|m| m.starts_with("Workspace ")));
    }

    let update: UpdateBody = serde_json::from_str(UPDATE_REQUEST).unwrap();
    assert_eq!(serde_json::to_value(&update).unwrap(), serde_json::from_str::<Value>(UPDATE_REQUEST).unwrap());
    let r = update.resources.unwrap();
    assert_eq!(hardware::to_hardware(Some(&r)).label.as_deref(), Some("8 CPU · 32 GB · 2× GPU"));
}

#[test]
fn every_guessed_projects_shape_is_read() {
    let shapes = [
        json!({"projects": [{"id": "proj_abc123", "name": "Fraud models"}], "count": 1}),
        json!({"data": [{"id": "proj_abc123", "name": "Fraud models", "extra": true}], "meta": {"requestId": "req_1"}}),
        json!([{"id": "proj_abc123", "name": "Fraud models"}]),
        json!([{"id": "proj-abc123"}]),
    ];
    for shape in shapes {
        let list: ProjectList = serde_json::from_value(shape.clone()).unwrap();
        let projects = list.into_vec();
        assert_eq!(projects.len(), 1, "{shape}");
        assert!(projects[0].id.starts_with("proj"), "{shape}");
    }
}

#[test]
fn documented_and_guessed_error_bodies_give_message_and_field() {
    let table: [(&str, Option<&str>, Option<&str>); 8] = [
        // The old PyPI client's tests (contract §9).
        (r#"{"error": "Email already exists"}"#, Some("Email already exists"), None),
        (
            r#"{"error":"topic-match","message":"Message matches a blocked topic","details":[{"topic":"x"}]}"#,
            Some("topic-match — Message matches a blocked topic"),
            None,
        ),
        // The shape the contract asks the fake to send.
        (
            r#"{"error":"description is required","code":"validation_error","requestId":"req_7f3a"}"#,
            Some("description is required (validation_error; request req_7f3a)"),
            Some("description"),
        ),
        (
            r#"{"error":{"message":"Invalid value","code":"validation_error","field":"resources.gpuType"},"meta":{"requestId":"req_9"}}"#,
            Some("Invalid value (validation_error; request req_9)"),
            Some("gpuType"),
        ),
        (r#"{"message":"Bad quantity","details":[{"path":"resources.memory"}]}"#, Some("Bad quantity"), Some("memory")),
        (
            r#"{"error":"Invalid environmentType 'emacs'","request_id":"req_2"}"#,
            Some("Invalid environmentType 'emacs' (request req_2)"),
            Some("environmentType"),
        ),
        ("<html><body>Bad Gateway</body></html>", None, None),
        ("", None, None),
    ];
    for (body, message, field) in table {
        let (m, f) = vendor_error(body);
        assert_eq!((m.as_deref(), f.as_deref()), (message, field), "{body}");
    }
}

#[test]
fn pagination_stops_at_count_short_page_or_empty_page() {
    assert_eq!(next_offset(0, 100, Some(100), Some(250)), Some(100));
    assert_eq!(next_offset(200, 50, Some(100), Some(250)), None, "short page");
    assert_eq!(next_offset(100, 100, Some(100), Some(200)), None, "count reached");
    assert_eq!(next_offset(0, 20, Some(20), Some(8)), None, "count is the total, not the page size");
    assert_eq!(next_offset(0, 20, Some(20), None), Some(20), "a server capping limit at 20 still pages");
    assert_eq!(next_offset(0, 0, Some(100), Some(500)), None, "an empty page ends it");
    assert_eq!(next_offset(0, 100, None, None), Some(100));
    assert_eq!(next_offset(0, 40, Some(100), None), None, "a short page ends it without a count");
    assert_eq!(next_offset(0, 100, Some(500), Some(1000)), Some(100), "an echoed limit above 100 is capped");
}

#[test]
fn the_key_is_a_sensitive_header_and_is_never_shown() {
    let p = provider("https://mycompany.strongly.ai").unwrap();
    let req = p.client.rest().request(reqwest::Method::GET, &["workspaces"]).build().unwrap();
    let sent = req.headers().get("x-api-key").unwrap();
    assert_eq!(sent.to_str().unwrap(), KEY);
    assert!(sent.is_sensitive());
    assert!(!format!("{req:?}").contains(KEY), "Debug of a request must not show the key");
    assert!(!req.url().as_str().contains(KEY));
}

#[test]
fn provider_info_asks_for_an_instance_and_a_key() {
    let i = Kind.info();
    assert_eq!(
        (i.id, i.display_name.as_str(), i.default_base_url, i.base_url_required),
        (ProviderId::Strongly, "Strongly.ai", None, true)
    );
    assert_eq!(
        i.credential_fields.iter().map(|f| (f.key.as_str(), f.secret)).collect::<Vec<_>>(),
        vec![("api_key", true)]
    );
    assert!(i.has_names);
}
