//! The Mage Pro provider against its demo cluster, over real sockets, through `Hangar`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hangar_core::http::HttpSettings;
use hangar_core::secrets::{Credentials, MemoryStore, SecretStore};
use hangar_core::storage::Storage;
use hangar_core::{Account, Action, Error, Hangar, LinkKind, ProviderId, WorkspaceState};
use hangar_demo::mage_pro::MageProDemo;
use hangar_demo::{Fault, Timing};

const ACCOUNT: &str = "mage";
const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);

fn timing() -> Timing {
    Timing { provision: Duration::from_millis(400), transition: Duration::from_millis(300) }
}

/// No retries, so one injected fault is the answer the provider sees.
fn settings() -> HttpSettings {
    HttpSettings { connect_timeout: Duration::from_secs(1), timeout: Duration::from_secs(1), retries: 0 }
}

async fn demo() -> MageProDemo {
    hangar_demo::mage_pro::start(timing()).await.expect("demo cluster starts")
}

fn hangar() -> (Hangar, Arc<MemoryStore>) {
    let secrets = Arc::new(MemoryStore::default());
    (Hangar::new(Storage::in_memory(), secrets.clone(), settings()), secrets)
}

fn account(base_url: &str) -> Account {
    Account {
        name: ACCOUNT.into(),
        provider: ProviderId::MagePro,
        base_url: Some(base_url.into()),
        options: BTreeMap::new(),
    }
}

fn creds(pairs: &[(&str, &str)]) -> Credentials {
    Credentials::from_map(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

fn owner_creds(demo: &MageProDemo) -> Credentials {
    let (email, password) = demo.owner();
    creds(&[("api_key", demo.api_key()), ("email", email), ("password", password)])
}

async fn connected(demo: &MageProDemo) -> (Hangar, Arc<MemoryStore>) {
    let (h, store) = hangar();
    h.add_account(account(&demo.base_url()), owner_creds(demo), true).await.expect("account added");
    (h, store)
}

fn input(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn sessions(demo: &MageProDemo) -> usize {
    demo.server.requests().iter().filter(|r| r.starts_with("POST /api/sessions")).count()
}

/// No secret of the demo (key, passwords, any token) in an error's text, Debug or payload.
fn no_secret(e: &Error, demo: &MageProDemo, tokens: &[&str]) {
    let shown = format!("{e} {e:?} {:?}", e.payload());
    for secret in [demo.api_key(), demo.owner().1, demo.viewer().1].iter().chain(tokens) {
        assert!(!shown.contains(secret), "a secret leaked into: {shown}");
    }
}

async fn refused_and_nothing_stored(demo: &MageProDemo, credentials: Credentials) -> Error {
    let (h, store) = hangar();
    let err = h.add_account(account(&demo.base_url()), credentials, true).await.unwrap_err();
    assert!(h.accounts().unwrap().is_empty(), "no account stored after: {err}");
    assert_eq!(store.load(ACCOUNT).unwrap(), None, "no secret stored after: {err}");
    err
}

#[tokio::test]
async fn a_wrong_api_key_is_refused_and_nothing_is_stored() {
    let demo = demo().await;
    let (email, password) = demo.owner();
    let wrong = "zkWlN0PkIKSN0C11CfUHUj84OT5XOJ6tDZ6bDRO2";
    let err =
        refused_and_nothing_stored(&demo, creds(&[("api_key", wrong), ("email", email), ("password", password)])).await;
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    let m = err.to_string();
    assert!(m.contains("refused the API key") && m.contains("invalid_api_key"), "{m}");
    assert!(!m.contains(wrong), "the rejected key is not echoed: {m}");
    no_secret(&err, &demo, &[]);
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_nothing_is_stored() {
    let demo = demo().await;
    let (email, _) = demo.owner();
    let err = refused_and_nothing_stored(
        &demo,
        creds(&[("api_key", demo.api_key()), ("email", email), ("password", "not-the-password")]),
    )
    .await;
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert!(err.to_string().contains("wrong email or password"), "{err}");
    assert!(!err.to_string().contains("not-the-password"), "{err}");
    no_secret(&err, &demo, &[]);
}

#[tokio::test]
async fn a_pasted_expired_token_is_refused_and_nothing_is_stored() {
    let demo = demo().await;
    let token = demo.issue_token(true);
    demo.expire_tokens();
    let err = refused_and_nothing_stored(&demo, creds(&[("api_key", demo.api_key()), ("oauth_token", &token)])).await;
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    let m = err.to_string();
    assert!(m.contains("expired") && m.contains("paste a new token"), "{m}");
    assert_eq!(sessions(&demo), 0, "without a password there is no sign-in to try");
    no_secret(&err, &demo, &[&token]);
}

#[tokio::test]
async fn a_garbage_token_is_named_as_invalid() {
    let demo = demo().await;
    let err = refused_and_nothing_stored(
        &demo,
        creds(&[("api_key", demo.api_key()), ("oauth_token", "0123456789abcdef0123456789abcdef")]),
    )
    .await;
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert!(err.to_string().contains("OAuth token as invalid"), "{err}");
    assert!(!err.to_string().contains("0123456789abcdef"), "{err}");
}

#[tokio::test]
async fn a_non_owner_is_refused_and_nothing_is_stored() {
    let demo = demo().await;
    let (email, password) = demo.viewer();
    let err = refused_and_nothing_stored(
        &demo,
        creds(&[("api_key", demo.api_key()), ("email", email), ("password", password)]),
    )
    .await;
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert!(err.to_string().contains("not an owner"), "{err}");
    no_secret(&err, &demo, &[]);
}

#[tokio::test]
async fn missing_credentials_name_their_field() {
    let demo = demo().await;
    let (h, _) = hangar();
    let err = h.add_account(account(&demo.base_url()), creds(&[("api_key", demo.api_key())]), true).await.unwrap_err();
    assert_eq!(err.field(), Some("email"), "{err}");
    let err = h
        .add_account(account(&demo.base_url()), creds(&[("email", "a@b.c"), ("password", "pw-1234")]), true)
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("api_key"), "{err}");
    assert!(demo.server.requests().is_empty(), "nothing sent: {:?}", demo.server.requests());
}

#[tokio::test]
async fn the_seeded_workspaces_list_with_hardware_links_and_actions() {
    let demo = demo().await;
    let (h, _) = connected(&demo).await;
    let list = h.list(Some(ACCOUNT)).await.unwrap();
    assert!(list.failures.is_empty(), "{:?}", list.failures);
    let names: Vec<&str> = list.workspaces.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, vec!["etl-pipelines", "analytics"]);
    let etl = &list.workspaces[0];
    assert_eq!((etl.id.as_str(), etl.state), ("etl-pipelines", WorkspaceState::Running));
    assert_eq!(etl.hardware.label.as_deref(), Some("0.5–1 CPU · 1–2 GB"));
    assert_eq!(etl.actions, vec![Action::Stop, Action::Update, Action::Delete]);
    assert_eq!(etl.details.get("cluster type").map(String::as_str), Some("Kubernetes"));
    assert_eq!(etl.details.get("ingress").map(String::as_str), Some("mage-ingress"));
    let link = h.link(ACCOUNT, "etl-pipelines", LinkKind::Browser).await.unwrap();
    assert_eq!(link.url, format!("{}/etl-pipelines", demo.base_url()), "the ingress url, as given");
    let page = reqwest::get(&link.url).await.unwrap();
    assert_eq!(page.status().as_u16(), 200, "the link leads somewhere");
    let analytics = &list.workspaces[1];
    assert_eq!(analytics.state, WorkspaceState::Stopped);
    assert_eq!(analytics.actions, vec![Action::Start, Action::Update, Action::Delete]);
    assert!(analytics.links.is_empty());
    assert!(
        demo.server.requests().iter().any(|r| r.starts_with("GET /api/workspaces?") && r.contains("cluster_type=k8s")),
        "{:?}",
        demo.server.requests()
    );
}

#[tokio::test]
async fn create_run_stop_update_resume_delete() {
    let demo = demo().await;
    let (h, _) = connected(&demo).await;
    let form = h.create_form(ACCOUNT, &BTreeMap::new()).await.unwrap();
    assert!(form.field("ingress_name").is_some(), "a k8s cluster (from /api/statuses) gets the k8s fields");
    let created = h
        .create(
            ACCOUNT,
            "team-notebooks",
            &input(&[
                ("preset", "medium"),
                ("storage_request_size", "10"),
                ("storage_access_mode", "ReadWriteOnce"),
                ("enable_auto_termination", "true"),
                ("max_idle_seconds", "900"),
            ]),
        )
        .await
        .unwrap();
    assert_eq!((created.id.as_str(), created.state), ("team-notebooks", WorkspaceState::Pending));
    assert!(created.links.is_empty(), "no link while pending");
    assert_eq!(created.hardware.label.as_deref(), Some("1 CPU · 2 GB"));
    assert_eq!(created.details.get("storage").map(String::as_str), Some("10 GiB"));
    assert_eq!(created.details.get("auto-stop").map(String::as_str), Some("after 900 s idle"));

    let running = h.wait(ACCOUNT, "team-notebooks", |s| s == WorkspaceState::Running, WAIT, POLL).await.unwrap();
    assert_eq!(running.links.first().map(|l| l.kind), Some(LinkKind::Browser));

    h.act(ACCOUNT, "team-notebooks", Action::Stop).await.unwrap();
    let put = demo.server.requests().into_iter().filter(|r| r.starts_with("PUT ")).count();
    assert_eq!(put, 1, "stop is one PUT; its (pre-action) answer is not taken as the new state");
    let stopped = h.wait(ACCOUNT, "team-notebooks", |s| s == WorkspaceState::Stopped, WAIT, POLL).await.unwrap();
    assert!(stopped.links.is_empty());
    assert_eq!(stopped.actions, vec![Action::Start, Action::Update, Action::Delete]);

    h.update(
        ACCOUNT,
        "team-notebooks",
        &input(&[("cpu_request", "2"), ("memory_request", "4Gi"), ("cpu_limit", "4"), ("memory_limit", "8Gi")]),
    )
    .await
    .unwrap();
    let config = demo.container_config("team-notebooks").unwrap();
    assert!(config.contains("cpu: \"4\"") && config.contains("memory: \"8Gi\""), "{config}");
    let updated = h.get(ACCOUNT, "team-notebooks").await.unwrap();
    assert_eq!(updated.hardware.label.as_deref(), Some("2–4 CPU · 4–8 GB"));
    assert!(demo.server.requests().iter().filter(|r| r.starts_with("PUT ")).count() == 2, "patch is one PUT");
    // The edit form starts from the current values: changing one keeps the others.
    h.update(ACCOUNT, "team-notebooks", &input(&[("memory_limit", "6Gi")])).await.unwrap();
    let updated = h.get(ACCOUNT, "team-notebooks").await.unwrap();
    assert_eq!(updated.hardware.label.as_deref(), Some("2–4 CPU · 4–6 GB"));

    h.act(ACCOUNT, "team-notebooks", Action::Start).await.unwrap();
    assert_eq!(h.get(ACCOUNT, "team-notebooks").await.unwrap().state, WorkspaceState::Pending, "resume takes a moment");
    h.wait(ACCOUNT, "team-notebooks", |s| s == WorkspaceState::Running, WAIT, POLL).await.unwrap();

    h.act(ACCOUNT, "team-notebooks", Action::Delete).await.unwrap();
    assert!(demo.server.requests().iter().any(|r| r.starts_with("DELETE /api/workspaces/team-notebooks?")));
    let err = h.get(ACCOUNT, "team-notebooks").await.unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert!(err.to_string().contains("Project team-notebooks was not found."), "{err}");
    let gone = h.wait(ACCOUNT, "team-notebooks", |s| s == WorkspaceState::Deleted, WAIT, POLL).await.unwrap();
    assert_eq!(gone.state, WorkspaceState::Deleted);
}

#[tokio::test]
async fn bad_create_and_update_input_is_refused_before_any_write() {
    let demo = demo().await;
    let (h, _) = connected(&demo).await;
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 6] = [
        ("Team_Notebooks", &[], "name"),
        ("-x", &[], "name"),
        ("ok", &[("preset", "custom"), ("cpu_request", "1")], "memory_request"),
        ("ok", &[("memory_limit", "4GB")], "memory_limit"),
        ("ok", &[("cpu_request", "2"), ("cpu_limit", "1")], "cpu_limit"),
        ("ok", &[("storage_access_mode", "ReadWriteSometimes")], "storage_access_mode"),
    ];
    for (name, values, field) in cases {
        let err = h.create(ACCOUNT, name, &input(values)).await.unwrap_err();
        assert_eq!(err.field(), Some(field), "{name} {values:?}: {err}");
    }
    let err = h.update(ACCOUNT, "analytics", &input(&[("memory_request", "2")])).await.unwrap_err();
    assert_eq!(err.field(), Some("memory_request"), "{err}");
    let writes: Vec<String> = demo.server.requests().into_iter().filter(|r| !r.starts_with("GET ")).collect();
    assert!(
        writes.iter().all(|r| r.starts_with("POST /api/sessions")),
        "nothing but reads and sign-in may be sent for invalid input: {writes:?}"
    );
}

#[tokio::test]
async fn a_duplicate_name_is_a_conflict_with_mages_words() {
    let demo = demo().await;
    let (h, _) = connected(&demo).await;
    let err = h.create(ACCOUNT, "analytics", &input(&[])).await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert!(err.to_string().contains("Project with name analytics already exists"), "{err}");
}

#[tokio::test]
async fn an_expired_token_signs_in_once_retries_and_is_kept() {
    let demo = demo().await;
    let (h, store) = connected(&demo).await;
    assert_eq!(store.load(ACCOUNT).unwrap().and_then(|c| c.get("oauth_token").map(str::to_string)), None);
    h.list(Some(ACCOUNT)).await.unwrap();
    let first = store.load(ACCOUNT).unwrap().and_then(|c| c.get("oauth_token").map(str::to_string));
    let first = first.expect("the signed-in token is kept with the account's credentials");
    assert_eq!(first.split('.').count(), 3, "the JWT as Mage sent it");

    demo.expire_tokens();
    let (before, signins) = (demo.server.requests().len(), sessions(&demo));
    let list = h.list(Some(ACCOUNT)).await.unwrap();
    assert!(list.failures.is_empty(), "{:?}", list.failures);
    assert_eq!(list.workspaces.len(), 2);
    assert_eq!(sessions(&demo), signins + 1, "exactly one new sign-in");
    let after: Vec<String> =
        demo.server.requests()[before..].iter().map(|r| r.split('?').next().unwrap().to_string()).collect();
    assert_eq!(
        after,
        vec!["GET /api/workspaces", "POST /api/sessions", "GET /api/workspaces"],
        "refused, signed in, retried"
    );
    let kept = store.load(ACCOUNT).unwrap().unwrap();
    let second = kept.get("oauth_token").unwrap();
    assert_ne!(second, first, "the new token replaced the old one in the store");
    assert_eq!(kept.get("email"), Some(demo.owner().0), "the other credentials are kept");

    // A token the server keeps refusing: one sign-in, one retry, then the error.
    for _ in 0..2 {
        demo.server.inject(
            Fault::status(
                401,
                r#"{"error":{"code":401,"message":"Token expired.","type":"expired_oauth_token"},"status":401}"#,
            )
            .on("/api/workspaces"),
        );
    }
    let signins = sessions(&demo);
    let err = h.get(ACCOUNT, "analytics").await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert_eq!(sessions(&demo), signins + 1, "no sign-in loop");
    no_secret(&err, &demo, &[&first, second]);
}

#[tokio::test]
async fn a_restart_uses_the_kept_token_without_signing_in() {
    let demo = demo().await;
    let store = Arc::new(MemoryStore::default());
    let h = Hangar::new(Storage::in_memory(), store.clone(), settings());
    h.add_account(account(&demo.base_url()), owner_creds(&demo), true).await.unwrap();
    h.list(Some(ACCOUNT)).await.unwrap();
    let signins = sessions(&demo);
    // Another Hangar over the same keyring stands for the next start of the app.
    let again = Hangar::new(Storage::in_memory(), store.clone(), settings());
    let kept = store.load(ACCOUNT).unwrap().unwrap();
    let token_only = creds(&[("api_key", demo.api_key()), ("oauth_token", kept.get("oauth_token").unwrap())]);
    store.remove(ACCOUNT).unwrap();
    again.add_account(account(&demo.base_url()), token_only, false).await.unwrap();
    let list = again.list(Some(ACCOUNT)).await.unwrap();
    assert!(list.failures.is_empty(), "{:?}", list.failures);
    assert_eq!(sessions(&demo), signins, "the kept token is used as it is");
}

#[tokio::test]
async fn a_pasted_token_works_for_single_sign_on_users() {
    let demo = demo().await;
    let (h, _) = hangar();
    let token = demo.issue_token(true);
    h.add_account(account(&demo.base_url()), creds(&[("api_key", demo.api_key()), ("oauth_token", &token)]), true)
        .await
        .unwrap();
    let list = h.list(Some(ACCOUNT)).await.unwrap();
    assert_eq!((list.workspaces.len(), list.failures.len()), (2, 0));
    h.act(ACCOUNT, "analytics", Action::Start).await.unwrap();
    assert_eq!(sessions(&demo), 0);
}

#[tokio::test]
async fn a_viewer_may_look_but_only_owners_may_change() {
    let demo = demo().await;
    let (h, _) = hangar();
    let token = demo.issue_token(false);
    // A pasted token does not say whose it is, so the account is added; the server decides.
    h.add_account(account(&demo.base_url()), creds(&[("api_key", demo.api_key()), ("oauth_token", &token)]), true)
        .await
        .unwrap();
    assert_eq!(h.list(Some(ACCOUNT)).await.unwrap().workspaces.len(), 2);
    let err = h.update(ACCOUNT, "analytics", &input(&[("cpu_request", "1")])).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert!(err.to_string().contains("only owners can update"), "{err}");
    assert!(err.to_string().contains("403"), "the real status is asked for and shown: {err}");
    let err = h.create(ACCOUNT, "mine", &input(&[])).await.unwrap_err();
    assert!(err.to_string().contains("only owners can create"), "{err}");
    let err = h.act(ACCOUNT, "analytics", Action::Delete).await.unwrap_err();
    assert!(err.to_string().contains("only owners can delete"), "{err}");
    let err = h.act(ACCOUNT, "etl-pipelines", Action::Stop).await.unwrap_err();
    assert!(err.to_string().contains("only owners can stop"), "{err}");
    no_secret(&err, &demo, &[&token]);
    assert_eq!(h.get(ACCOUNT, "etl-pipelines").await.unwrap().state, WorkspaceState::Running, "nothing changed");
}

#[tokio::test]
async fn every_request_asks_for_real_http_error_codes() {
    let demo = demo().await;
    let (h, _) = connected(&demo).await;
    h.list(None).await.unwrap();
    h.create(ACCOUNT, "codes", &input(&[("preset", "small")])).await.unwrap();
    h.act(ACCOUNT, "analytics", Action::Start).await.unwrap();
    h.act(ACCOUNT, "codes", Action::Stop).await.unwrap();
    h.update(ACCOUNT, "analytics", &input(&[("cpu_limit", "2")])).await.unwrap();
    h.act(ACCOUNT, "codes", Action::Delete).await.unwrap();
    let _ = h.get(ACCOUNT, "nope").await.unwrap_err();
    let sent = demo.server.requests();
    assert!(sent.len() >= 9, "{sent:?}");
    for r in &sent {
        assert!(r.contains("?_http_error_codes=true") || r.contains("&_http_error_codes=true"), "{r}");
    }
}

#[tokio::test]
async fn an_error_with_http_200_is_never_success_or_an_empty_list() {
    let demo = demo().await;
    let (h, _) = connected(&demo).await;
    h.list(Some(ACCOUNT)).await.unwrap();
    let cases = [
        (
            r#"{"error":{"code":500,"errors":["Traceback (most recent call last):","FileNotFoundError: projects"],"exception":"[Errno 2] No such file or directory: 'projects'","message":"Traceback (most recent call last):\n  File \"views.py\"\nFileNotFoundError: projects"},"url_parameters":{}}"#,
            "unavailable",
            "No such file or directory",
        ),
        (
            r#"{"error":{"code":404,"message":"Project x was not found.","type":"record_not_found"},"status":200}"#,
            "not_found",
            "was not found",
        ),
        (
            r#"{"error":{"code":403,"message":"Private access for list only, invalid scope.","type":"unauthorized_access"},"status":200}"#,
            "unauthorized",
            "Private access",
        ),
        (
            r#"{"error":{"code":400,"message":"This project is ineligible for workspace management.","type":"api_resource_error"},"status":200}"#,
            "invalid_input",
            "ineligible",
        ),
        (r#"{"error":"boom","workspaces":[]}"#, "bad_response", "boom"),
        (r#"{"metadata":{}}"#, "bad_response", "does not match"),
    ];
    for (body, code, shown) in cases {
        demo.server.inject(Fault::status(200, body).on("/api/workspaces"));
        let list = h.list(Some(ACCOUNT)).await.unwrap();
        assert!(list.workspaces.is_empty(), "{body}");
        let (_, err) = list.failures.first().unwrap_or_else(|| panic!("{body} must be a failure, not an empty list"));
        assert_eq!(err.code(), code, "{body}: {err}");
        assert!(err.to_string().contains(shown), "{body}: {err}");
        assert!(!err.to_string().contains("Traceback"), "{err}");
    }
    demo.server.inject(
        Fault::status(200, r#"{"error":{"code":400,"message":"Boom","type":"api_resource_error"},"status":200}"#)
            .on("/api/workspaces"),
    );
    let err = h.create(ACCOUNT, "never", &input(&[])).await.unwrap_err();
    assert_eq!(err.code(), "invalid_input", "{err}");
    demo.server.inject(Fault::status(200, r#"{"error":{"code":404,"message":"Project analytics was not found.","type":"record_not_found"},"status":200}"#).on("/api/workspaces/analytics"));
    let err = h.act(ACCOUNT, "analytics", Action::Start).await.unwrap_err();
    assert_eq!(err.code(), "not_found", "{err}");
    assert_eq!(h.get(ACCOUNT, "analytics").await.unwrap().state, WorkspaceState::Stopped, "the start never happened");
}

#[tokio::test]
async fn the_common_faults_map_to_unavailable() {
    let demo = demo().await;
    let (h, _) = connected(&demo).await;
    h.list(Some(ACCOUNT)).await.unwrap();
    demo.server.inject(Fault::status(500, r#"{"message":"internal"}"#).on("/api/workspaces"));
    let err = h.get(ACCOUNT, "analytics").await.unwrap_err();
    assert_eq!(err.code(), "unavailable", "{err}");
    assert!(err.to_string().contains("500"), "{err}");

    demo.server.inject(Fault::html(502).on("/api/workspaces"));
    let err = h.get(ACCOUNT, "analytics").await.unwrap_err();
    assert_eq!(err.code(), "unavailable", "{err}");
    assert!(err.to_string().contains("502") && !err.to_string().contains("<!DOCTYPE"), "{err}");

    demo.server.inject(Fault { delay: Some(Duration::from_secs(3)), ..Fault::default() }.on("/api/workspaces"));
    let started = Instant::now();
    let err = h.get(ACCOUNT, "analytics").await.unwrap_err();
    assert!(matches!(err, Error::Unavailable(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(2500), "gave up after {:?}", started.elapsed());
    no_secret(&err, &demo, &[]);

    demo.server.inject(Fault::html(502).on("/api/workspaces"));
    let err = h.act(ACCOUNT, "analytics", Action::Start).await.unwrap_err();
    assert_eq!(err.code(), "unavailable");
    let puts = demo.server.requests().iter().filter(|r| r.starts_with("PUT ")).count();
    assert_eq!(puts, 1, "a failed action is reported, not resent");
}

#[tokio::test]
async fn an_unknown_status_shows_as_unknown_with_its_raw_text() {
    let demo = demo().await;
    let (h, _) = connected(&demo).await;
    demo.set_status("analytics", "HIBERNATING");
    let w = h.get(ACCOUNT, "analytics").await.unwrap();
    assert_eq!((w.state, w.raw_state.as_str()), (WorkspaceState::Unknown, "HIBERNATING"));
    assert_eq!(w.actions, vec![Action::Delete], "delete always, nothing else");
    demo.set_status("analytics", "FAILED");
    let w = h.get(ACCOUNT, "analytics").await.unwrap();
    assert_eq!(w.state, WorkspaceState::Errored);
}

#[tokio::test]
async fn the_manage_page_url_reaches_the_api_too() {
    let demo = demo().await;
    for (i, url) in [format!("{}/manage", demo.base_url()), format!("{}/api/", demo.base_url())].iter().enumerate() {
        let (h, _) = hangar();
        let mut a = account(url);
        a.name = format!("m{i}");
        h.add_account(a, owner_creds(&demo), true).await.unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(h.list(None).await.unwrap().workspaces.len(), 2, "{url}");
    }
    assert!(demo.server.requests().iter().all(|r| r.contains(" /api/")), "{:?}", demo.server.requests());
}
