//! The Strongly.ai provider against its demo cloud, over real sockets, through `Hangar`.

#![allow(clippy::unwrap_used)] // a failing unwrap in a test names its line

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hangar_core::http::HttpSettings;
use hangar_core::secrets::{Credentials, MemoryStore, SecretStore};
use hangar_core::storage::Storage;
use hangar_core::{Account, Action, Error, Hangar, LinkKind, ProviderId, WorkspaceState};
use hangar_demo::strongly::StronglyDemo;
use hangar_demo::{Fault, Timing};

const ACCOUNT: &str = "acme";
const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);

fn timing() -> Timing {
    Timing { provision: Duration::from_millis(400), transition: Duration::from_millis(300) }
}

/// No retries, so one injected fault is the answer the provider sees.
fn settings() -> HttpSettings {
    HttpSettings { connect_timeout: Duration::from_secs(1), timeout: Duration::from_secs(1), retries: 0 }
}

fn hangar() -> (Hangar, Arc<MemoryStore>) {
    let secrets = Arc::new(MemoryStore::default());
    (Hangar::new(Storage::in_memory(), secrets.clone(), settings()), secrets)
}

fn account(base_url: &str) -> Account {
    Account {
        name: ACCOUNT.into(),
        provider: ProviderId::Strongly,
        base_url: Some(base_url.into()),
        options: BTreeMap::new(),
    }
}

fn key(k: &str) -> Credentials {
    Credentials::single("api_key", k)
}

async fn connected(demo: &StronglyDemo, api_key: &str) -> Hangar {
    let (h, _) = hangar();
    h.add_account(account(&demo.server.base_url), key(api_key), true).await.expect("account added");
    h
}

fn input(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn no_secret(e: &Error, demo: &StronglyDemo) {
    let shown = format!("{e} {e:?} {:?}", e.payload());
    assert!(!shown.contains(demo.api_key()), "the API key leaked into: {shown}");
    assert!(!shown.contains(demo.read_only_key()), "the read-only key leaked into: {shown}");
}

async fn id_named(h: &Hangar, name: &str) -> String {
    let list = h.list(Some(ACCOUNT)).await.expect("list");
    assert!(list.failures.is_empty(), "{:?}", list.failures);
    list.workspaces
        .into_iter()
        .find(|w| w.name == name)
        .map(|w| w.id)
        .unwrap_or_else(|| panic!("no workspace '{name}'"))
}

#[tokio::test]
async fn a_bad_key_is_unauthorized_and_nothing_is_stored() {
    let demo = hangar_demo::strongly::start(timing()).await.unwrap();
    let (h, secrets) = hangar();
    let bad = "sk-prod-not-a-real-key-0000";
    let err = h.add_account(account(&demo.server.base_url), key(bad), true).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert!(err.to_string().contains("Invalid or missing API key"), "the vendor's message is shown: {err}");
    assert!(!err.to_string().contains(bad), "the rejected key must not be echoed: {err}");
    assert!(h.accounts().unwrap().is_empty(), "no account stored");
    assert_eq!(secrets.load(ACCOUNT).unwrap(), None, "no secret stored");
    let sent = demo.server.requests();
    assert_eq!(sent, vec!["GET /api/v1/auth/whoami".to_string()], "whoami is the identity probe");
}

#[tokio::test]
async fn every_form_of_the_instance_url_reaches_the_api() {
    let demo = hangar_demo::strongly::start(timing()).await.unwrap();
    let origin = demo.server.base_url.clone();
    for (i, url) in
        [origin.clone(), format!("{origin}/"), demo.base_url(), format!("{origin}/api/v1/")].iter().enumerate()
    {
        let (h, _) = hangar();
        let mut a = account(url);
        a.name = format!("acme-{i}");
        h.add_account(a, key(demo.api_key()), true).await.unwrap_or_else(|e| panic!("{url}: {e}"));
        let list = h.list(None).await.unwrap();
        assert_eq!((list.workspaces.len(), list.failures.len()), (3, 0), "{url}");
    }
    assert!(demo.server.requests().iter().all(|r| r.contains(" /api/v1/")), "{:?}", demo.server.requests());
}

#[tokio::test]
async fn a_key_without_workspaces_read_is_named_as_such() {
    let demo = hangar_demo::strongly::start(timing()).await.unwrap();
    let (h, _) = hangar();
    demo.server.inject(
        Fault::status(403, r#"{"error":"API key lacks the required scope: workspaces:read","code":"insufficient_scope","requestId":"req_scope1"}"#)
            .on("/api/v1/workspaces"),
    );
    let err = h.add_account(account(&demo.server.base_url), key(demo.api_key()), true).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    let m = err.to_string();
    assert!(m.contains("lacks the workspaces:read scope") && m.contains("req_scope1"), "{m}");
    assert!(h.accounts().unwrap().is_empty());
}

#[tokio::test]
async fn the_read_only_key_lists_but_cannot_act() {
    let demo = hangar_demo::strongly::start(timing()).await.unwrap();
    let h = connected(&demo, demo.read_only_key()).await;
    let id = id_named(&h, "Scoring API Dev").await;
    let err = h.act(ACCOUNT, &id, Action::Start).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert!(err.to_string().contains("workspaces:write") && err.to_string().contains("insufficient_scope"), "{err}");
    no_secret(&err, &demo);
}

#[tokio::test]
async fn seeded_workspaces_map_with_hardware_links_and_details() {
    let demo = hangar_demo::strongly::start(timing()).await.unwrap();
    let h = connected(&demo, demo.api_key()).await;
    let id = id_named(&h, "Training Environment").await;
    let w = h.get(ACCOUNT, &id).await.unwrap();
    assert_eq!(w.state, WorkspaceState::Running);
    assert_eq!(w.hardware.label.as_deref(), Some("4 CPU · 16 GB · 1× nvidia-a10g · 50 GB disk"));
    assert_eq!(w.details.get("project").map(String::as_str), Some("Fraud Detection"));
    assert_eq!(w.details.get("owner").map(String::as_str), Some("Jane Smith <jane@example.com>"));
    let link = h.link(ACCOUNT, &id, LinkKind::Browser).await.unwrap();
    assert_eq!(link.url, format!("{}/ide/{id}/", demo.server.base_url), "the server's url, as given");

    let stopped = h.get(ACCOUNT, &id_named(&h, "Scoring API Dev").await).await.unwrap();
    assert_eq!(stopped.state, WorkspaceState::Stopped);
    assert!(stopped.links.is_empty(), "the demo sends a url for stopped workspaces too; it must not become a link");
    assert_eq!(stopped.actions, vec![Action::Start, Action::Update, Action::Delete]);
    let failed = h.get(ACCOUNT, &id_named(&h, "Churn Analysis").await).await.unwrap();
    assert_eq!((failed.state, failed.raw_state.as_str()), (WorkspaceState::Errored, "failed"));
    assert_eq!(failed.hardware.label.as_deref(), Some("0.5 CPU · 0.5 GB · 10 GB disk"));
}

#[tokio::test]
async fn list_follows_offset_pages_until_count() {
    let demo = hangar_demo::strongly::start(timing()).await.unwrap();
    demo.seed(250);
    let h = connected(&demo, demo.api_key()).await;
    let before = demo.server.requests().len();
    let list = h.list(Some(ACCOUNT)).await.unwrap();
    assert_eq!(list.workspaces.len(), 253, "3 seeded + 250");
    let ids: std::collections::BTreeSet<&str> = list.workspaces.iter().map(|w| w.id.as_str()).collect();
    assert_eq!(ids.len(), 253, "no workspace twice");
    let pages: Vec<String> =
        demo.server.requests()[before..].iter().filter(|r| r.starts_with("GET /api/v1/workspaces?")).cloned().collect();
    assert_eq!(
        pages,
        vec![
            "GET /api/v1/workspaces?limit=100&offset=0",
            "GET /api/v1/workspaces?limit=100&offset=100",
            "GET /api/v1/workspaces?limit=100&offset=200",
        ]
    );
}

#[tokio::test]
async fn create_validation_names_the_field_before_any_request() {
    let demo = hangar_demo::strongly::start(timing()).await.unwrap();
    let h = connected(&demo, demo.api_key()).await;
    let cases: [(&[(&str, &str)], &str); 7] = [
        (&[("environmentType", "jupyter")], "description"),
        (&[("description", "d"), ("environmentType", "emacs")], "environmentType"),
        (&[("description", "d"), ("preset", "gpu")], "gpuType"),
        (&[("description", "d"), ("gpu", "2")], "gpuType"),
        (&[("description", "d"), ("preset", "custom"), ("memory", "8Gi")], "cpu"),
        (&[("description", "d"), ("preset", "custom"), ("cpu", "2"), ("memory", "16GB")], "memory"),
        (&[("description", "d"), ("gpu", "40"), ("gpuType", "nvidia-a10g")], "gpu"),
    ];
    for (values, field) in cases {
        let err = h.create(ACCOUNT, "Bad one", &input(values)).await.unwrap_err();
        assert_eq!(err.field(), Some(field), "{values:?}: {err}");
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    }
    let err = h.create(ACCOUNT, "  ", &input(&[("description", "d")])).await.unwrap_err();
    assert_eq!(err.field(), Some("name"));
    let posts: Vec<String> = demo.server.requests().into_iter().filter(|r| !r.starts_with("GET ")).collect();
    assert!(posts.is_empty(), "nothing but reads may be sent for an invalid form: {posts:?}");
}

#[tokio::test]
async fn the_create_form_offers_projects_or_goes_without() {
    let demo = hangar_demo::strongly::start(timing()).await.unwrap();
    let h = connected(&demo, demo.api_key()).await;
    let form = h.create_form(ACCOUNT, &BTreeMap::new()).await.unwrap();
    let projects = form.field("projectId").and_then(|f| f.choices.clone()).expect("a project field");
    let names: Vec<&str> = projects.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(names, vec!["Fraud Detection", "Customer Analytics"]);
    assert!(form.field("description").is_some_and(|f| f.required));

    demo.server
        .inject(Fault::status(403, r#"{"error":"missing projects:read","code":"insufficient_scope"}"#).on("/projects"));
    let form = h.create_form(ACCOUNT, &BTreeMap::new()).await.unwrap();
    assert!(form.field("projectId").is_none(), "no projects:read → no project field, not an error");
}

#[tokio::test]
async fn a_server_side_validation_error_is_shown_verbatim_with_its_field() {
    let demo = hangar_demo::strongly::start(timing()).await.unwrap();
    let h = connected(&demo, demo.api_key()).await;
    let err = h
        .create(ACCOUNT, "GPU box", &input(&[("description", "d"), ("preset", "gpu"), ("gpuType", "nvidia-h900")]))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("gpuType"), "{err}");
    assert!(err.to_string().contains("Unknown gpuType 'nvidia-h900'"), "{err}");
    assert!(err.to_string().contains("validation_error"), "{err}");
}

#[tokio::test]
async fn create_run_stop_resize_start_delete() {
    let demo = hangar_demo::strongly::start(timing()).await.unwrap();
    let h = connected(&demo, demo.api_key()).await;
    let form = h.create_form(ACCOUNT, &BTreeMap::new()).await.unwrap();
    let project = form.field("projectId").and_then(|f| f.choices.as_ref()).map(|c| c[1].value.clone()).unwrap();
    let created = h
        .create(
            ACCOUNT,
            "Forecasting",
            &input(&[
                ("description", "Demand forecasting notebooks"),
                ("environmentType", "jupyter"),
                ("preset", "gpu"),
                ("gpuType", "nvidia-a10g"),
                ("projectId", &project),
            ]),
        )
        .await
        .unwrap();
    let id = created.id.clone();
    assert!(id.starts_with("ws_"), "{id}");
    assert_eq!((created.state, created.name.as_str()), (WorkspaceState::Pending, "Forecasting"));
    assert_eq!(created.details.get("project").map(String::as_str), Some("Customer Analytics"));
    assert!(created.links.is_empty(), "no link while pending");
    assert!(demo.server.requests().contains(&"POST /api/v1/workspaces".to_string()));

    let running = h.wait(ACCOUNT, &id, |s| s == WorkspaceState::Running, WAIT, POLL).await.unwrap();
    assert_eq!(running.hardware.label.as_deref(), Some("4 CPU · 16 GB · 1× nvidia-a10g · 50 GB disk"));
    assert_eq!(running.links.first().map(|l| l.kind), Some(LinkKind::Browser));

    let err = h.act(ACCOUNT, &id, Action::Delete).await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "delete while running: {err:?}");
    assert!(err.to_string().contains("stop it first"), "{err}");
    let err = h.update(ACCOUNT, &id, &input(&[("cpu", "8"), ("memory", "32Gi")])).await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "resize while running: {err:?}");
    assert!(err.to_string().contains("only while a workspace is stopped"), "{err}");

    h.act(ACCOUNT, &id, Action::Stop).await.unwrap();
    let right_after = h.get(ACCOUNT, &id).await.unwrap();
    assert_eq!(right_after.state, WorkspaceState::Running, "the pod keeps running a moment after stop");
    let stopped = h.wait(ACCOUNT, &id, |s| s == WorkspaceState::Stopped, WAIT, POLL).await.unwrap();
    assert!(stopped.links.is_empty());

    h.update(ACCOUNT, &id, &input(&[("cpu", "8"), ("memory", "32Gi"), ("gpu", "0")])).await.unwrap();
    let resized = h.get(ACCOUNT, &id).await.unwrap();
    assert_eq!(resized.hardware.label.as_deref(), Some("8 CPU · 32 GB · 50 GB disk"));
    assert_eq!(resized.hardware.gpu, None);

    h.act(ACCOUNT, &id, Action::Start).await.unwrap();
    assert_eq!(h.get(ACCOUNT, &id).await.unwrap().state, WorkspaceState::Pending);
    h.wait(ACCOUNT, &id, |s| s == WorkspaceState::Running, WAIT, POLL).await.unwrap();
    let err = h.act(ACCOUNT, &id, Action::Start).await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "start while running: {err:?}");

    h.act(ACCOUNT, &id, Action::Stop).await.unwrap();
    h.wait(ACCOUNT, &id, |s| s == WorkspaceState::Stopped, WAIT, POLL).await.unwrap();
    h.act(ACCOUNT, &id, Action::Delete).await.unwrap();
    assert!(demo.server.requests().contains(&format!("DELETE /api/v1/workspaces/{id}")));
    let err = h.get(ACCOUNT, &id).await.unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    let gone = h.wait(ACCOUNT, &id, |s| s == WorkspaceState::Deleted, WAIT, POLL).await.unwrap();
    assert_eq!(gone.state, WorkspaceState::Deleted);
}

#[tokio::test]
async fn every_documented_error_status_maps_to_its_meaning() {
    let demo = hangar_demo::strongly::start(timing()).await.unwrap();
    let h = connected(&demo, demo.api_key()).await;
    let id = id_named(&h, "Scoring API Dev").await;
    let body = |msg: &str, code: &str| format!(r#"{{"error":"{msg}","code":"{code}","requestId":"req_{code}"}}"#);
    let cases: Vec<(Fault, &str, &str)> = vec![
        (
            Fault::status(400, &body("description must not be blank", "validation_error")),
            "invalid_input",
            "description must not be blank",
        ),
        (Fault::status(401, &body("API key expired", "invalid_api_key")), "unauthorized", "API key expired"),
        (
            Fault::status(403, &body("API key lacks workspaces:read", "insufficient_scope")),
            "unauthorized",
            "lacks workspaces:read",
        ),
        (Fault::status(404, &body("Workspace not found", "not_found")), "not_found", "Workspace not found"),
        (Fault::status(409, &body("Workspace is busy", "invalid_state")), "conflict", "Workspace is busy"),
        (
            Fault::status(422, &body("Unprocessable resources", "unprocessable")),
            "invalid_input",
            "Unprocessable resources",
        ),
        (
            Fault { retry_after: Some(7), ..Fault::status(429, &body("Too many requests", "rate_limited")) },
            "rate_limited",
            "Too many requests",
        ),
        (Fault::status(500, &body("Internal error", "internal_error")), "unavailable", "Internal error"),
        (Fault::html(502), "unavailable", "Bad Gateway"),
        (Fault::status(503, &body("Maintenance window", "unavailable")), "unavailable", "Maintenance window"),
        (
            Fault::status(
                401,
                &format!(r#"{{"error":"Invalid API key {}","code":"invalid_api_key"}}"#, demo.api_key()),
            ),
            "unauthorized",
            "Invalid API key <redacted>",
        ),
    ];
    for (fault, code, shown) in cases {
        let status = fault.status;
        demo.server.inject(fault.on(&format!("/api/v1/workspaces/{id}")));
        let err = h.get(ACCOUNT, &id).await.unwrap_err();
        assert_eq!(err.code(), code, "{status}: {err}");
        assert!(err.to_string().contains(shown), "{status}: vendor message missing from: {err}");
        assert!(err.to_string().contains(&status.to_string()), "{status}: status missing from: {err}");
        assert!(!err.to_string().contains("<!DOCTYPE"), "{status}: HTML must not reach the user: {err}");
        no_secret(&err, &demo);
        if status == 429 {
            assert!(matches!(err, Error::RateLimited { retry_after_secs: Some(7), .. }), "{err:?}");
        }
        if status == 400 {
            assert_eq!(err.field(), Some("description"), "a 400 naming a field sets it");
        }
        if matches!(status, 404 | 409 | 500) {
            assert!(err.to_string().contains("request req_"), "{status}: request id kept: {err}");
        }
    }
    assert!(h.get(ACCOUNT, &id).await.is_ok(), "faults are one-shot");
}

#[tokio::test]
async fn an_unknown_status_shows_as_unknown_with_its_raw_text() {
    let demo = hangar_demo::strongly::start(timing()).await.unwrap();
    let h = connected(&demo, demo.api_key()).await;
    let id = id_named(&h, "Scoring API Dev").await;
    demo.set_status(&id, "hibernating");
    let w = h.get(ACCOUNT, &id).await.unwrap();
    assert_eq!((w.state, w.raw_state.as_str()), (WorkspaceState::Unknown, "hibernating"));
    let listed = h.list(Some(ACCOUNT)).await.unwrap();
    let w = listed.workspaces.iter().find(|w| w.id == id).unwrap();
    assert_eq!((w.state, w.raw_state.as_str()), (WorkspaceState::Unknown, "hibernating"));
    assert!(w.links.is_empty() && w.actions.is_empty());
}

#[tokio::test]
async fn a_hanging_server_is_unavailable_after_the_timeout() {
    let demo = hangar_demo::strongly::start(timing()).await.unwrap();
    let h = connected(&demo, demo.api_key()).await;
    let id = id_named(&h, "Scoring API Dev").await;
    demo.server.inject(Fault { delay: Some(Duration::from_secs(3)), ..Fault::default() }.on("/api/v1/workspaces/"));
    let started = Instant::now();
    let err = h.get(ACCOUNT, &id).await.unwrap_err();
    assert!(matches!(err, Error::Unavailable(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(2500), "gave up after {:?}", started.elapsed());
    no_secret(&err, &demo);
}
