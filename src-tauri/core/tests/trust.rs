//! A vendor server is untrusted input: redirects, path-walking ids, hung or malformed answers.
//! Each test speaks to small loopback servers that answer exactly what a hostile or broken
//! server would, and checks what reached them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hangar_core::http::HttpSettings;
use hangar_core::secrets::{Credentials, MemoryStore, SecretStore};
use hangar_core::storage::Storage;
use hangar_core::{Account, Action, Error, Hangar, ProviderId};

use common::{redirect, reply, Answer, Canned};

const KEY: &str = "hangar-test-secret-trust-key-0001";
const PASSWORD: &str = "hangar-test-secret-trust-password";

fn settings(timeout: Duration, retries: u32) -> HttpSettings {
    HttpSettings { connect_timeout: Duration::from_secs(2), timeout, retries }
}

async fn hangar_with(provider: ProviderId, base_url: &str, creds: Credentials, http: HttpSettings) -> Hangar {
    let h = Hangar::new(Storage::in_memory(), Arc::new(MemoryStore::default()), http);
    let account = Account { name: "acct".into(), provider, base_url: Some(base_url.into()), options: BTreeMap::new() };
    h.add_account(account, creds, false).await.unwrap();
    h
}

async fn strongly_on(server: &Canned, timeout: Duration, retries: u32) -> Hangar {
    hangar_with(ProviderId::Strongly, &server.base_url, Credentials::single("api_key", KEY), settings(timeout, retries))
        .await
}

fn mage_pro_login() -> Credentials {
    Credentials::from_map(BTreeMap::from([
        ("api_key".to_string(), KEY.to_string()),
        ("email".to_string(), "me@example.test".to_string()),
        ("password".to_string(), PASSWORD.to_string()),
    ]))
}

fn no_secret_in(e: &Error) {
    let shown = format!("{e} {e:?}");
    for secret in [KEY, PASSWORD] {
        assert!(!shown.contains(secret), "a secret leaked into: {shown}");
    }
}

#[tokio::test]
async fn a_redirect_to_another_origin_never_carries_the_strongly_key() {
    let elsewhere = Canned::start(|_| reply(200, r#"{"workspaces":[],"total":0}"#)).await;
    // Another port, and the same port under another host name: both are other origins.
    for target in [
        format!("{}/api/v1/workspaces", elsewhere.base_url),
        format!("http://localhost:{}/api/v1/workspaces", elsewhere.port),
    ] {
        let home = Canned::start(move |_| redirect(307, &target)).await;
        let h = strongly_on(&home, Duration::from_secs(5), 0).await;
        let err = h.list(None).await.unwrap().failures.pop().expect("the listing failed").1;
        assert!(matches!(err, Error::BadResponse { .. }), "{err:?}");
        assert!(err.to_string().contains("did not follow"), "{err}");
        no_secret_in(&err);
        assert!(!home.requests().is_empty(), "the home server was asked");
    }
    assert!(elsewhere.requests().is_empty(), "the other origin was called: {:?}", elsewhere.requests());
}

#[tokio::test]
async fn a_redirected_mage_pro_sign_in_sends_no_password_elsewhere() {
    let elsewhere = Canned::start(|_| reply(200, "{}")).await;
    let target = format!("{}/api/sessions", elsewhere.base_url);
    let home = Canned::start(move |line| match line.starts_with("GET /api/statuses") {
        true => reply(200, r#"{"statuses":[{"instance_type":"k8s"}]}"#),
        false => redirect(307, &target),
    })
    .await;
    let h =
        hangar_with(ProviderId::MagePro, &home.base_url, mage_pro_login(), settings(Duration::from_secs(5), 0)).await;
    let err = h.list(None).await.unwrap().failures.pop().expect("the listing failed").1;
    no_secret_in(&err);
    assert!(home.requests().iter().any(|r| r.contains(PASSWORD)), "the sign-in went home first: {:?}", home.requests());
    assert!(elsewhere.requests().is_empty(), "the other origin was called: {:?}", elsewhere.requests());
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_still_followed() {
    let home = Canned::start(|line| match line.contains("/moved/") {
        true => reply(200, r#"{"workspaces":[],"total":0}"#),
        false => redirect(307, "/moved/api/v1/workspaces"),
    })
    .await;
    let h = strongly_on(&home, Duration::from_secs(5), 0).await;
    let listing = h.list(None).await.unwrap();
    assert!(listing.failures.is_empty(), "{:?}", listing.failures);
    assert!(home.requests().iter().any(|r| r.contains("/moved/") && r.contains(KEY)));
}

#[tokio::test]
async fn a_hung_server_costs_one_timeout_not_one_per_retry() {
    let hung = Canned::always(Answer::Hang).await;
    let h = strongly_on(&hung, Duration::from_secs(1), 2).await;
    let err = h.list(None).await.unwrap().failures.pop().expect("the listing failed").1;
    assert!(matches!(err, Error::Unavailable(_)), "{err:?}");
    assert_eq!(err.exit_code(), 7);
    let lines: Vec<String> = hung.requests().iter().map(|r| r.lines().next().unwrap_or_default().to_string()).collect();
    let mut distinct = lines.clone();
    distinct.dedup();
    distinct.sort();
    distinct.dedup();
    assert_eq!(lines.len(), distinct.len(), "a timed-out request was sent again: {lines:?}");
}

#[tokio::test]
async fn ids_that_could_walk_the_path_are_refused_before_any_request() {
    let server = Canned::start(|_| reply(200, "{}")).await;
    let h = strongly_on(&server, Duration::from_secs(5), 0).await;
    for id in ["", ".", "..", "a/b", "../x", "a b", "tab\there", "new\nline", "esc\u{1b}[2J", "back\\slash"] {
        for action in [Action::Delete, Action::Stop, Action::Start] {
            let err = h.act("acct", id, action).await.unwrap_err();
            assert_eq!(err.field(), Some("id"), "{id:?}: {err}");
            assert_eq!(err.exit_code(), 2);
            assert!(!err.to_string().contains('\u{1b}'), "the id is shown escaped: {err}");
        }
        assert_eq!(h.get("acct", id).await.unwrap_err().field(), Some("id"));
    }
    assert!(server.requests().is_empty(), "a request went out: {:?}", server.requests());
}

#[tokio::test]
async fn a_token_in_a_malformed_answer_is_never_quoted() {
    const FRESH: &str = "eyJhbGciOiJIUzI1NiJ9fresh0token0from0a0cut0off0answer";
    let truncated = format!(r#"{{"session":{{"token":"{FRESH}","user":{{"id":1"#);
    let wrong_type = format!(r#"{{"session":{{"token":7,"user":"{FRESH}"}}}}"#);
    for body in [truncated, wrong_type] {
        let server = Canned::start(move |_| reply(200, &body)).await;
        let h =
            hangar_with(ProviderId::MagePro, &server.base_url, mage_pro_login(), settings(Duration::from_secs(5), 0))
                .await;
        let err = h.list(None).await.unwrap().failures.pop().expect("the listing failed").1;
        assert!(matches!(err, Error::BadResponse { .. }), "{err:?}");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(FRESH) && !shown.contains("fresh0token"), "the fresh token leaked: {shown}");
    }
}

#[tokio::test]
async fn an_error_page_that_echoes_a_token_is_masked() {
    const ECHOED: &str = "sk-live-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c";
    let server = Canned::start(|_| Answer::Reply {
        status: 500,
        headers: vec![("Content-Type".into(), "text/plain".into())],
        body: format!("internal error while checking key {ECHOED} for tenant 7"),
    })
    .await;
    let h = strongly_on(&server, Duration::from_secs(5), 0).await;
    let err = h.list(None).await.unwrap().failures.pop().expect("the listing failed").1;
    assert!(err.to_string().contains("internal error while checking key"), "the excerpt stays useful: {err}");
    assert!(!err.to_string().contains(ECHOED), "{err}");
}

/// Counts keyring reads: each read is one provider being built.
#[derive(Default)]
struct CountingStore {
    inner: MemoryStore,
    loads: AtomicUsize,
}

impl SecretStore for CountingStore {
    fn load(&self, account: &str) -> hangar_core::Result<Option<Credentials>> {
        self.loads.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(20));
        self.inner.load(account)
    }
    fn save(&self, account: &str, creds: &Credentials) -> hangar_core::Result<()> {
        self.inner.save(account, creds)
    }
    fn remove(&self, account: &str) -> hangar_core::Result<()> {
        self.inner.remove(account)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_calls_build_one_provider_per_account() {
    let server = Canned::start(|_| reply(200, r#"{"workspaces":[],"total":0}"#)).await;
    let store = Arc::new(CountingStore::default());
    let h = Hangar::new(Storage::in_memory(), store.clone(), settings(Duration::from_secs(5), 0));
    let account = Account {
        name: "acct".into(),
        provider: ProviderId::Strongly,
        base_url: Some(server.base_url.clone()),
        options: BTreeMap::new(),
    };
    h.add_account(account, Credentials::single("api_key", KEY), false).await.unwrap();
    let before = store.loads.load(Ordering::SeqCst);
    let calls = (0..8).map(|_| h.list(Some("acct")));
    for listing in futures::future::join_all(calls).await {
        assert!(listing.unwrap().failures.is_empty());
    }
    assert_eq!(store.loads.load(Ordering::SeqCst) - before, 1, "the provider was built more than once");
}
