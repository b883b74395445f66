//! Aether through the core over real sockets: the demo cloud on 127.0.0.1, the real HTTP
//! layer, an in-memory secret store (the keyring has its own tests in hangarctl's suite).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use hangar_core::http::HttpSettings;
use hangar_core::secrets::{Credentials, MemoryStore};
use hangar_core::storage::Storage;
use hangar_core::{Account, Action, Error, Hangar, LinkKind, ProviderId, WorkspaceState};
use hangar_demo::aether::{self, AetherDemo};
use hangar_demo::{Fault, Timing};

const TOKEN: &str = "hangar-test-secret-aether-core-1";

fn settings() -> HttpSettings {
    HttpSettings { connect_timeout: Duration::from_secs(2), timeout: Duration::from_millis(1500), retries: 1 }
}

async fn setup() -> (AetherDemo, Hangar) {
    let demo = aether::start_with_token(Timing::quick(), TOKEN.into()).await.expect("demo cloud starts");
    let hangar = Hangar::new(Storage::in_memory(), Arc::new(MemoryStore::default()), settings());
    let account = Account {
        name: "a".into(),
        provider: ProviderId::Aether,
        base_url: Some(demo.server.base_url.clone()),
        options: BTreeMap::new(),
    };
    hangar.add_account(account, Credentials::single("token", TOKEN), true).await.expect("account added");
    (demo, hangar)
}

fn set(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

const FAST: Duration = Duration::from_millis(100);
const LIMIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn create_runs_stops_starts_and_deletes() {
    let (_demo, h) = setup().await;
    let w = h.create("a", "train", &set(&[("cpus", "4"), ("memory_mb", "8192"), ("gpu_kind", "none")])).await.unwrap();
    assert_eq!(w.state, WorkspaceState::Pending, "a new Aether workspace starts as creating");
    assert_eq!(w.raw_state, "creating");
    assert!(w.name.starts_with("train ("), "local label shown first, vendor label beside it: {}", w.name);

    let running = h.wait("a", &w.id, |s| s == WorkspaceState::Running, LIMIT, FAST).await.unwrap();
    assert_eq!(running.hardware.cpus, Some(4.0));
    assert_eq!(running.hardware.memory_gb, Some(8.0));
    let link = h.link("a", &w.id, LinkKind::Browser).await.unwrap();
    assert!(link.url.contains(".preview.localhost:"), "{}", link.url);

    h.act("a", &w.id, Action::Stop).await.unwrap();
    let stopping = h.get("a", &w.id).await.unwrap();
    assert_eq!(stopping.state, WorkspaceState::Stopping);
    assert!(stopping.actions.is_empty(), "nothing to do while stopping");
    h.wait("a", &w.id, |s| s == WorkspaceState::Stopped, LIMIT, FAST).await.unwrap();
    assert!(
        matches!(h.link("a", &w.id, LinkKind::Browser).await, Err(Error::Conflict(_))),
        "no dead link when stopped"
    );

    h.act("a", &w.id, Action::Start).await.unwrap();
    h.wait("a", &w.id, |s| s == WorkspaceState::Running, LIMIT, FAST).await.unwrap();
    h.act("a", &w.id, Action::Delete).await.unwrap();
    assert!(matches!(h.get("a", &w.id).await, Err(Error::NotFound(_))));
    let listed = h.list(None).await.unwrap();
    assert!(listed.workspaces.iter().all(|x| x.id != w.id));
}

#[tokio::test]
async fn starting_a_running_workspace_is_a_conflict() {
    let (_demo, h) = setup().await;
    let running =
        h.list(None).await.unwrap().workspaces.into_iter().find(|w| w.state == WorkspaceState::Running).unwrap();
    let err = h.act("a", &running.id, Action::Start).await.unwrap_err();
    assert_eq!(err.exit_code(), 5, "{err}");
    assert!(err.to_string().contains("not in a startable state"), "vendor text reaches the user: {err}");
}

#[tokio::test]
async fn invalid_hardware_is_refused_before_any_call() {
    let (demo, h) = setup().await;
    let before = demo.server.requests().iter().filter(|r| r.starts_with("POST")).count();
    for (input, field) in [
        (set(&[("cpus", "2"), ("memory_mb", "256")]), "memory_mb"),
        (set(&[("cpus", "16"), ("memory_mb", "32768")]), "cpus"),
        (set(&[("volume_size_gb", "9999")]), "volume_size_gb"),
        (set(&[("gpu_kind", "h100")]), "gpu_kind"),
        (set(&[("gpus", "9999")]), "gpus"),
    ] {
        let err = h.create("a", "x", &input).await.unwrap_err();
        assert_eq!(err.field(), Some(field), "{input:?} → {err}");
    }
    assert!(matches!(h.create("a", "  ", &set(&[])).await, Err(Error::InvalidInput { .. })), "empty name");
    let after = demo.server.requests().iter().filter(|r| r.starts_with("POST")).count();
    assert_eq!(before, after, "no create call was sent");
}

#[tokio::test]
async fn a_wrong_token_is_refused_and_nothing_is_stored() {
    let demo = aether::start_with_token(Timing::quick(), TOKEN.into()).await.unwrap();
    let store = Arc::new(MemoryStore::default());
    let h = Hangar::new(Storage::in_memory(), store.clone(), settings());
    let account = Account {
        name: "b".into(),
        provider: ProviderId::Aether,
        base_url: Some(demo.server.base_url.clone()),
        options: BTreeMap::new(),
    };
    let err = h.add_account(account, Credentials::single("token", "hangar-test-secret-wrong"), true).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert!(!err.to_string().contains("hangar-test-secret"), "no secret in the message: {err}");
    assert!(h.accounts().unwrap().is_empty());
    use hangar_core::secrets::SecretStore;
    assert!(store.load("b").unwrap().is_none());
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused() {
    let h = Hangar::new(Storage::in_memory(), Arc::new(MemoryStore::default()), settings());
    let account = Account {
        name: "c".into(),
        provider: ProviderId::Aether,
        base_url: Some("http://example.com".into()),
        options: BTreeMap::new(),
    };
    let err = h.add_account(account, Credentials::single("token", TOKEN), false).await.unwrap_err();
    assert_eq!(err.field(), Some("base_url"), "{err}");
}

/// Each bad answer maps to its meaning, with the vendor's words where it gave some.
#[tokio::test]
async fn bad_answers_become_specific_errors() {
    let (demo, h) = setup().await;
    let cases: Vec<(Fault, &str, i32, &str)> = vec![
        (Fault::status(401, r#"{"error":"Unauthorized"}"#), "unauthorized", 3, "Unauthorized"),
        (
            Fault::status(403, r#"{"error":"Forbidden for this project"}"#),
            "unauthorized",
            3,
            "Forbidden for this project",
        ),
        (Fault::status(404, r#"{"error":"Workspace not found"}"#), "not_found", 4, "Workspace not found"),
        (
            Fault { retry_after: Some(7), ..Fault::status(429, r#"{"error":"Too many requests"}"#) },
            "rate_limited",
            6,
            "retry in 7 s",
        ),
        (Fault::status(500, r#"{"error":"database down"}"#), "unavailable", 7, "database down"),
        (Fault::html(502), "unavailable", 7, "502"),
        (Fault::status(200, "<html><body>login</body></html>"), "bad_response", 7, "HTML page instead of JSON"),
        (Fault::status(200, r#"{"workspaces":[{"id":"#), "bad_response", 7, "truncated"),
        (Fault::status(200, r#"{"items":[]}"#), "bad_response", 7, "does not match"),
    ];
    for (fault, code, exit, text) in cases {
        // The retry for idempotent calls would consume a second fault; queue one per attempt.
        demo.server.inject(fault.clone().on("/workspaces"));
        demo.server.inject(fault.on("/workspaces"));
        let listing = h.list(None).await.unwrap();
        let (_, err) = listing.failures.first().unwrap_or_else(|| panic!("{code}: the failure is reported"));
        assert_eq!(err.code(), code, "{err}");
        assert_eq!(err.exit_code(), exit);
        assert!(err.to_string().contains(text), "{code}: '{text}' in '{err}'");
        assert!(!err.to_string().contains(TOKEN));
        demo.server.requests();
        // Drain a fault the retry did not use (non-retried statuses).
        let _ = h.list(None).await;
    }
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let (demo, h) = setup().await;
    for _ in 0..2 {
        demo.server
            .inject(Fault { delay: Some(Duration::from_secs(5)), status: 200, ..Fault::default() }.on("/workspaces"));
    }
    let started = std::time::Instant::now();
    let listing = h.list(None).await.unwrap();
    let (_, err) = &listing.failures[0];
    assert!(matches!(err, Error::Unavailable(_)), "{err:?}");
    assert!(err.to_string().contains("no answer within"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5), "gave up at the timeout, not at the server's pace");
}

#[tokio::test]
async fn a_create_is_never_sent_twice() {
    let (demo, h) = setup().await;
    demo.server.inject(Fault::html(502).on("/workspaces"));
    let projects = h.create_form("a", &BTreeMap::new()).await.unwrap();
    let project = projects.field("project").unwrap().default.clone().unwrap();
    let err = h.create("a", "once", &set(&[("project", &project)])).await.unwrap_err();
    assert_eq!(err.code(), "unavailable");
    let posts = demo.server.requests().iter().filter(|r| r.starts_with("POST") && r.contains("/workspaces")).count();
    assert_eq!(posts, 1, "a failed create is reported, not retried");
}

#[tokio::test]
async fn an_unknown_status_is_shown_as_unknown_with_its_raw_text() {
    let (demo, h) = setup().await;
    let w = h.list(None).await.unwrap().workspaces.remove(0);
    demo.set_status(&w.id, "hibernating");
    let again = h.get("a", &w.id).await.unwrap();
    assert_eq!(again.state, WorkspaceState::Unknown);
    assert_eq!(again.raw_state, "hibernating");
}

#[tokio::test]
async fn a_short_retry_after_is_waited_out_for_a_read() {
    let (demo, h) = setup().await;
    demo.server
        .inject(Fault { retry_after: Some(1), ..Fault::status(429, r#"{"error":"slow down"}"#) }.on("/workspaces"));
    let started = std::time::Instant::now();
    let listing = h.list(None).await.unwrap();
    assert!(listing.failures.is_empty(), "{:?}", listing.failures);
    assert_eq!(listing.workspaces.len(), 3);
    assert!(started.elapsed() >= Duration::from_secs(1), "the server's Retry-After was honoured");
}
