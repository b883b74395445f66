//! A vendor server is untrusted input: redirects, path-walking ids, hung or malformed answers.
//! Each test speaks to small loopback servers that answer exactly what a hostile or broken
//! server would, and checks what reached them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hangar_core::http::HttpSettings;
use hangar_core::secrets::{Credentials, MemoryStore, SecretStore};
use hangar_core::storage::Storage;
use hangar_core::{Account, Action, Error, Hangar, ProviderId};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const KEY: &str = "hangar-test-secret-trust-key-0001";
const PASSWORD: &str = "hangar-test-secret-trust-password";

/// What a canned server answers: a status line's code, headers, a body; or nothing at all.
#[derive(Clone)]
enum Answer {
    Reply { status: u16, headers: Vec<(String, String)>, body: String },
    Hang,
}

fn reply(status: u16, body: &str) -> Answer {
    Answer::Reply { status, headers: vec![("Content-Type".into(), "application/json".into())], body: body.into() }
}

fn redirect(status: u16, location: &str) -> Answer {
    Answer::Reply { status, headers: vec![("Location".into(), location.into())], body: String::new() }
}

type Route = Arc<dyn Fn(&str) -> Answer + Send + Sync>;

/// A loopback HTTP/1.1 server that records every request whole (head and body) and answers
/// what `route` says for its request line.
struct Canned {
    base_url: String,
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Canned {
    async fn start(route: impl Fn(&str) -> Answer + Send + Sync + 'static) -> Canned {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let route: Route = Arc::new(route);
        let s = seen.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, route.clone(), s.clone()));
            }
        });
        Canned { base_url: format!("http://127.0.0.1:{port}"), port, seen }
    }

    fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

async fn serve(mut stream: TcpStream, route: Route, seen: Arc<Mutex<Vec<String>>>) {
    loop {
        let mut data = Vec::new();
        let mut buf = [0u8; 4096];
        let head_end = loop {
            if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => data.extend_from_slice(&buf[..n]),
            }
        };
        let head = String::from_utf8_lossy(&data[..head_end]).to_string();
        let length = head
            .lines()
            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0);
        while data.len() < head_end + length {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => data.extend_from_slice(&buf[..n]),
            }
        }
        let request = String::from_utf8_lossy(&data).to_string();
        seen.lock().unwrap().push(request);
        let line = head.lines().next().unwrap_or_default().to_string();
        match route(&line) {
            Answer::Hang => {
                tokio::time::sleep(Duration::from_secs(120)).await;
                return;
            }
            Answer::Reply { status, headers, body } => {
                let mut out = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
                for (k, v) in headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                out.push_str(&body);
                if stream.write_all(out.as_bytes()).await.is_err() {
                    return;
                }
            }
        }
    }
}

fn settings(timeout: Duration, retries: u32) -> HttpSettings {
    HttpSettings { connect_timeout: Duration::from_secs(2), timeout, retries }
}

async fn hangar_with(provider: ProviderId, base_url: &str, creds: Credentials, http: HttpSettings) -> Hangar {
    let h = Hangar::new(Storage::in_memory(), Arc::new(MemoryStore::default()), http);
    let account = Account { name: "acct".into(), provider, base_url: Some(base_url.into()), options: BTreeMap::new() };
    h.add_account(account, creds, false).await.unwrap();
    h
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
        let h = hangar_with(
            ProviderId::Strongly,
            &home.base_url,
            Credentials::single("api_key", KEY),
            settings(Duration::from_secs(5), 0),
        )
        .await;
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
    let creds = Credentials::from_map(BTreeMap::from([
        ("api_key".to_string(), KEY.to_string()),
        ("email".to_string(), "me@example.test".to_string()),
        ("password".to_string(), PASSWORD.to_string()),
    ]));
    let h = hangar_with(ProviderId::MagePro, &home.base_url, creds, settings(Duration::from_secs(5), 0)).await;
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
    let h = hangar_with(
        ProviderId::Strongly,
        &home.base_url,
        Credentials::single("api_key", KEY),
        settings(Duration::from_secs(5), 0),
    )
    .await;
    let listing = h.list(None).await.unwrap();
    assert!(listing.failures.is_empty(), "{:?}", listing.failures);
    assert!(home.requests().iter().any(|r| r.contains("/moved/") && r.contains(KEY)));
}

#[tokio::test]
async fn a_hung_server_costs_one_timeout_not_one_per_retry() {
    let hung = Canned::start(|_| Answer::Hang).await;
    let h = hangar_with(
        ProviderId::Strongly,
        &hung.base_url,
        Credentials::single("api_key", KEY),
        settings(Duration::from_secs(1), 2),
    )
    .await;
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
    let h = hangar_with(
        ProviderId::Strongly,
        &server.base_url,
        Credentials::single("api_key", KEY),
        settings(Duration::from_secs(5), 0),
    )
    .await;
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
        let creds = Credentials::from_map(BTreeMap::from([
            ("api_key".to_string(), KEY.to_string()),
            ("email".to_string(), "me@example.test".to_string()),
            ("password".to_string(), PASSWORD.to_string()),
        ]));
        let h = hangar_with(ProviderId::MagePro, &server.base_url, creds, settings(Duration::from_secs(5), 0)).await;
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
    let h = hangar_with(
        ProviderId::Strongly,
        &server.base_url,
        Credentials::single("api_key", KEY),
        settings(Duration::from_secs(5), 0),
    )
    .await;
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
