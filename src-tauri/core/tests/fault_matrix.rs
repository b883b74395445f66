//! The fault matrix: every provider against every fault, over real loopback sockets.
//!
//! Each cell gets its own demo cloud of the provider under test (account "f") plus a healthy
//! cloud of another provider (account "ok") in the same `Hangar`, injects one fault, lists
//! everything, and checks: the typed error and its CLI exit code, that the healthy account
//! still lists, that no secret of the account reaches the error, and that nothing hangs or
//! panics. Faults the demo's switch cannot express (a body that trickles, a connection cut
//! mid-body) come from a small HTTP proxy in this file. The table is printed in full; the
//! test fails afterwards, naming every failing cell.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hangar_core::http::HttpSettings;
use hangar_core::providers::exalsius::auth::{ACCESS_TOKEN, REFRESH_TOKEN};
use hangar_core::secrets::{Credentials, MemoryStore};
use hangar_core::storage::Storage;
use hangar_core::{Account, Error, Hangar, Listing, ProviderId, WorkspaceState};
use hangar_demo::aether::AetherDemo;
use hangar_demo::anyscale::AnyscaleDemo;
use hangar_demo::exalsius::ExalsiusDemo;
use hangar_demo::mage_pro::MageProDemo;
use hangar_demo::strongly::StronglyDemo;
use hangar_demo::{DemoServer, Fault, Timing};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// The account under test and the healthy bystander.
const FAULTY: &str = "f";
const HEALTHY: &str = "ok";
/// `HttpSettings.timeout`: a server slower than this is unavailable.
const TIMEOUT: Duration = Duration::from_secs(1);
/// Two attempts of an idempotent call at the timeout, plus the backoff between them, plus slack
/// for a busy machine; well below `SERVER_DELAY`, so the client gave up by itself.
const GIVE_UP_WITHIN: Duration = Duration::from_millis(4500);
/// How long the "never answers" server waits before it would answer.
const SERVER_DELAY: Duration = Duration::from_secs(8);
/// No cell may take longer than this, whatever happens inside.
const CELL_LIMIT: Duration = Duration::from_secs(15);
/// Longer than the 3 s a read waits out by itself: it must reach the caller.
const LONG_RETRY_AFTER: u64 = 30;
const UNKNOWN_STATE: &str = "HIBERNATING";
const MANY: usize = 1000;

fn settings() -> HttpSettings {
    HttpSettings { connect_timeout: TIMEOUT, timeout: TIMEOUT, retries: 1 }
}

fn timing() -> Timing {
    Timing { provision: Duration::from_millis(400), transition: Duration::from_millis(300) }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Vendor {
    Aether,
    Anyscale,
    Exalsius,
    Strongly,
    MagePro,
}

const VENDORS: [Vendor; 5] = [Vendor::Aether, Vendor::Anyscale, Vendor::Exalsius, Vendor::Strongly, Vendor::MagePro];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    E500,
    E502Html,
    Refused,
    Timeout,
    SlowDrip,
    RateLimited,
    Malformed,
    Truncated,
    Unauthorized,
    UnknownState,
    ExtraField,
    MissingField,
    Many,
    PageLoop,
    CreateOnce,
}

const KINDS: [Kind; 15] = [
    Kind::E500,
    Kind::E502Html,
    Kind::Refused,
    Kind::Timeout,
    Kind::SlowDrip,
    Kind::RateLimited,
    Kind::Malformed,
    Kind::Truncated,
    Kind::Unauthorized,
    Kind::UnknownState,
    Kind::ExtraField,
    Kind::MissingField,
    Kind::Many,
    Kind::PageLoop,
    Kind::CreateOnce,
];

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::E500 => "500",
            Kind::E502Html => "502 html",
            Kind::Refused => "refused",
            Kind::Timeout => "timeout",
            Kind::SlowDrip => "slow drip",
            Kind::RateLimited => "429",
            Kind::Malformed => "malformed",
            Kind::Truncated => "truncated",
            Kind::Unauthorized => "401 mid",
            Kind::UnknownState => "unk state",
            Kind::ExtraField => "extra fld",
            Kind::MissingField => "missing",
            Kind::Many => "many",
            Kind::PageLoop => "page loop",
            Kind::CreateOnce => "create 1x",
        }
    }
}

impl Vendor {
    fn id(self) -> ProviderId {
        match self {
            Vendor::Aether => ProviderId::Aether,
            Vendor::Anyscale => ProviderId::Anyscale,
            Vendor::Exalsius => ProviderId::Exalsius,
            Vendor::Strongly => ProviderId::Strongly,
            Vendor::MagePro => ProviderId::MagePro,
        }
    }

    /// The healthy account beside the faulty one: always of another provider.
    fn bystander(self) -> Vendor {
        if self == Vendor::Aether {
            Vendor::Strongly
        } else {
            Vendor::Aether
        }
    }

    /// What the workspace listing's request path contains (and nothing else a listing calls).
    fn list_path(self) -> &'static str {
        match self {
            Vendor::Aether => "/workspaces",
            Vendor::Anyscale => "/api/v2/experimental_workspaces/",
            Vendor::Exalsius => "/workspaces",
            Vendor::Strongly => "/api/v1/workspaces",
            Vendor::MagePro => "/api/workspaces",
        }
    }

    /// What the base URL adds to the server's origin.
    fn base_suffix(self) -> &'static str {
        match self {
            Vendor::Strongly => "/api/v1",
            _ => "",
        }
    }

    fn paginated(self) -> bool {
        matches!(self, Vendor::Anyscale | Vendor::Strongly)
    }

    /// One well-formed workspace as the vendor's list sends it, in the given state.
    fn item(self, i: usize, state: &str) -> Value {
        match self {
            Vendor::Aether => json!({"id": format!("{i:08}-0000-4000-8000-000000000000"),
                "project_id": "a1b2c3d4-5678-90ab-cdef-1234567890ab", "status": state,
                "hardware": {"cpu_kind": "shared", "cpus": 2, "memory_mb": 2048, "volume_size_gb": 10, "gpu_kind": null},
                "keep_active": false, "created_at": "2025-01-15T10:30:00Z"}),
            Vendor::Anyscale => json!({"id": format!("expwrk_fault{i:06}"), "name": format!("fault-{i}"),
                "state": state, "created_at": "2025-01-15T10:30:00Z", "creator_email": "me@example.com"}),
            Vendor::Exalsius => json!({"id": format!("{i:08}-0000-4000-8000-000000000000"),
                "name": format!("fault-{i}"), "workspace_status": state,
                "resources": {"gpu_count": 0, "cpu_cores": 2, "memory_gb": 4, "storage_gb": 10}}),
            Vendor::Strongly => json!({"id": format!("ws_fault{i:06}"), "name": format!("Fault {i}"),
                "status": state, "environmentType": "jupyter",
                "resources": {"cpu": "2", "memory": "8Gi", "storage": "50Gi"}}),
            Vendor::MagePro => json!({"name": format!("fault-{i}"), "namespace": "default",
                "instance": {"name": format!("fault-{i}-0"), "status": state, "type": "StatefulSet"}}),
        }
    }

    fn running(self) -> &'static str {
        match self {
            Vendor::Aether | Vendor::Strongly => "running",
            Vendor::Anyscale => "Running",
            Vendor::Exalsius | Vendor::MagePro => "RUNNING",
        }
    }

    /// The list envelope around `items` (a last page).
    fn page(self, items: Vec<Value>) -> Value {
        let n = items.len();
        match self {
            Vendor::Aether => json!({"workspaces": items}),
            Vendor::Anyscale => json!({"results": items, "metadata": {"total": n, "next_paging_token": null}}),
            Vendor::Exalsius => json!({"workspaces": items, "total": n}),
            Vendor::Strongly => json!({"workspaces": items, "count": n, "limit": 100}),
            Vendor::MagePro => json!({"workspaces": items, "metadata": {}}),
        }
    }

    /// A list answer without a field the provider cannot do without: the workspace's id (its
    /// name on Mage) where a workspace has one it needs, else the list itself (exalsius reads
    /// every workspace field leniently by contract).
    fn missing_field(self, secret: &str) -> Value {
        let mut item = self.item(0, self.running());
        let obj = item.as_object_mut().unwrap();
        obj.insert("description".into(), json!(format!("made with {secret}")));
        match self {
            Vendor::Exalsius => json!({"total": 1, "items": [item]}),
            Vendor::MagePro => {
                obj.remove("name");
                self.page(vec![item])
            }
            _ => {
                obj.remove("id");
                self.page(vec![item])
            }
        }
    }

    fn missing_field_name(self) -> &'static str {
        match self {
            Vendor::Exalsius => "workspaces",
            Vendor::MagePro => "name",
            _ => "id",
        }
    }

    /// The vendor's own error body for a status, echoing `secret` as a careless server might.
    fn error_body(self, status: u16, message: &str, secret: &str) -> String {
        let text = format!("{message} (request by {secret})");
        match self {
            Vendor::Aether => json!({"error": text}),
            Vendor::Anyscale => json!({"error": {"detail": text}}),
            Vendor::Exalsius => json!({"detail": {"type": "https://api.exalsius.ai/errors/x", "title": message,
                "status": status, "detail": text, "instance": "/workspaces"}}),
            Vendor::Strongly => json!({"error": text, "code": "fault", "requestId": "req_fault"}),
            Vendor::MagePro => {
                let kind = if status == 401 { "expired_oauth_token" } else { "fault" };
                json!({"error": {"code": status, "message": text, "type": kind}, "status": status})
            }
        }
        .to_string()
    }

    /// A create that passes every local check, and the path its one POST goes to.
    fn create_input(self) -> (BTreeMap<String, String>, &'static str) {
        let set = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        match self {
            Vendor::Aether => (set(&[]), "/workspaces"),
            Vendor::Anyscale => (set(&[("start_now", "false")]), "/api/v2/experimental_workspaces/"),
            Vendor::Exalsius => (set(&[("gpu_count", "0"), ("var.notebookPassword", "pw-123")]), "/workspaces"),
            Vendor::Strongly => (set(&[("description", "made by the fault matrix")]), "/api/v1/workspaces"),
            Vendor::MagePro => (set(&[("preset", "small")]), "/api/workspaces"),
        }
    }
}

/// One vendor's running demo cloud.
enum Demo {
    Aether(AetherDemo),
    Anyscale(AnyscaleDemo),
    Exalsius(ExalsiusDemo, Credentials),
    Strongly(StronglyDemo),
    MagePro(MageProDemo),
}

impl Demo {
    async fn start(v: Vendor) -> Demo {
        match v {
            Vendor::Aether => Demo::Aether(hangar_demo::aether::start(timing()).await.unwrap()),
            Vendor::Anyscale => Demo::Anyscale(hangar_demo::anyscale::start(timing()).await.unwrap()),
            Vendor::Exalsius => {
                let demo = hangar_demo::exalsius::start(timing()).await.unwrap();
                let (access, refresh) = demo.issue_tokens();
                let mut creds = Credentials::single(ACCESS_TOKEN, access);
                creds.set(REFRESH_TOKEN, refresh);
                Demo::Exalsius(demo, creds)
            }
            Vendor::Strongly => Demo::Strongly(hangar_demo::strongly::start(timing()).await.unwrap()),
            Vendor::MagePro => Demo::MagePro(hangar_demo::mage_pro::start(timing()).await.unwrap()),
        }
    }

    fn server(&self) -> &DemoServer {
        match self {
            Demo::Aether(d) => &d.server,
            Demo::Anyscale(d) => &d.server,
            Demo::Exalsius(d, _) => &d.server,
            Demo::Strongly(d) => &d.server,
            Demo::MagePro(d) => &d.server,
        }
    }

    fn credentials(&self) -> Credentials {
        match self {
            Demo::Aether(d) => Credentials::single("token", d.token()),
            Demo::Anyscale(d) => Credentials::single("token", d.token()),
            Demo::Exalsius(_, c) => c.clone(),
            Demo::Strongly(d) => Credentials::single("api_key", d.api_key()),
            Demo::MagePro(d) => {
                let (email, password) = d.owner();
                let mut c = Credentials::single("api_key", d.api_key());
                c.set("email", email);
                c.set("password", password);
                c
            }
        }
    }

    /// Every secret of the account: none may appear in an error.
    fn secrets(&self) -> Vec<String> {
        let creds = self.credentials();
        creds.keys().filter(|k| *k != "email").filter_map(|k| creds.get(k)).map(str::to_string).collect()
    }

    /// Workspaces the demo starts with.
    fn initial(&self) -> usize {
        match self {
            Demo::MagePro(_) => 2,
            _ => 3,
        }
    }

    /// Adds `n` workspaces; false where the demo cannot.
    fn seed(&self, n: usize) -> bool {
        match self {
            Demo::Aether(d) => d.seed(n),
            Demo::Anyscale(d) => d.seed(n),
            Demo::Exalsius(d, _) => d.seed(n),
            Demo::Strongly(d) => d.seed(n),
            Demo::MagePro(_) => return false,
        }
        true
    }

    fn account(&self, v: Vendor, name: &str, origin: Option<&str>) -> Account {
        let origin = origin.unwrap_or(&self.server().base_url);
        let mut options = BTreeMap::new();
        if let Demo::Exalsius(d, _) = self {
            // Renewal talks to the sign-in service directly, whatever happens to the API.
            options.insert("auth_url".to_string(), d.auth_url());
        }
        Account { name: name.into(), provider: v.id(), base_url: Some(format!("{origin}{}", v.base_suffix())), options }
    }
}

/// What a raw fault does to the listing's answer.
#[derive(Clone)]
enum Raw {
    /// Headers at once, then one body byte every 200 ms.
    Drip(String),
    /// Headers promising the whole body, half of it, then the connection closes.
    Truncate(String),
}

/// An HTTP/1.1 proxy on 127.0.0.1: one request per connection, forwarded to the demo, except
/// requests whose path contains `on`, which get the raw fault instead.
struct Proxy {
    origin: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn proxy(upstream: &str, on: &'static str, raw: Raw) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let upstream = upstream.trim_start_matches("http://").to_string();
    let task = tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(proxy_one(sock, upstream.clone(), on, raw.clone()));
        }
    });
    Proxy { origin: format!("http://127.0.0.1:{port}"), task }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

async fn proxy_one(mut client: TcpStream, upstream: String, on: &str, raw: Raw) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        match client.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let lines: Vec<&str> = head.trim_end().split("\r\n").collect();
    let path = lines[0].split_whitespace().nth(1).unwrap_or("").to_string();
    let length: usize = lines
        .iter()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match client.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    if path.contains(on) {
        let (body, drip) = match &raw {
            Raw::Drip(b) => (b.clone(), true),
            Raw::Truncate(b) => (b.clone(), false),
        };
        let headers = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        if client.write_all(headers.as_bytes()).await.is_err() {
            return;
        }
        if drip {
            for b in body.bytes() {
                if client.write_all(&[b]).await.is_err() || client.flush().await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        } else {
            let _ = client.write_all(&body.as_bytes()[..body.len() / 2]).await;
            let _ = client.flush().await;
        }
        let _ = client.shutdown().await;
        return;
    }
    let mut forwarded: String = lines
        .iter()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    forwarded.push_str("connection: close\r\n\r\n");
    let Ok(mut up) = TcpStream::connect(&upstream).await else { return };
    if up.write_all(forwarded.as_bytes()).await.is_err() || up.write_all(&buf[head_end..]).await.is_err() {
        return;
    }
    let _ = tokio::io::copy(&mut up, &mut client).await;
    let _ = client.shutdown().await;
}

/// Where the faulty account points.
enum Origin {
    Demo,
    Proxy(Raw),
    /// A loopback port nothing listens on.
    Closed,
}

struct Env {
    vendor: Vendor,
    demo: Demo,
    _bystander: Demo,
    hangar: Hangar,
    secrets: Vec<String>,
    _proxy: Option<Proxy>,
    _closed: Option<TcpSocket>,
}

/// A loopback port that refuses connections: bound (so no other cell's server can take it
/// meanwhile) but never listening.
fn closed_port() -> (TcpSocket, String) {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = socket.local_addr().unwrap().port();
    (socket, format!("http://127.0.0.1:{port}"))
}

async fn env(v: Vendor, origin: Origin) -> Env {
    let (demo, bystander) = tokio::join!(Demo::start(v), Demo::start(v.bystander()));
    let hangar = Hangar::new(Storage::in_memory(), Arc::new(MemoryStore::default()), settings());
    let healthy = bystander.account(v.bystander(), HEALTHY, None);
    hangar.add_account(healthy, bystander.credentials(), true).await.expect("the healthy account is added");
    let (mut proxy_kept, mut closed_kept) = (None, None);
    let (base, verify) = match origin {
        Origin::Demo => (None, true),
        Origin::Proxy(raw) => {
            let p = proxy(&demo.server().base_url, v.list_path(), raw).await;
            let base = p.origin.clone();
            proxy_kept = Some(p);
            (Some(base), false)
        }
        Origin::Closed => {
            let (socket, base) = closed_port();
            closed_kept = Some(socket);
            (Some(base), false)
        }
    };
    let faulty = demo.account(v, FAULTY, base.as_deref());
    hangar.add_account(faulty, demo.credentials(), verify).await.expect("the faulty account is added");
    let secrets = demo.secrets();
    Env { vendor: v, demo, _bystander: bystander, hangar, secrets, _proxy: proxy_kept, _closed: closed_kept }
}

impl Env {
    /// Queues the fault for the listing once per attempt the HTTP layer may make, so a retried
    /// read (also one retried after a spurious client timeout on a busy machine) meets it again.
    /// Copies a non-retried answer leaves unused die with this cell's server.
    fn inject(&self, fault: Fault) {
        for _ in 0..=settings().retries {
            self.demo.server().inject(fault.clone().on(self.vendor.list_path()));
        }
    }

    /// Lists everything; the healthy account always comes through whole.
    async fn list(&self, faulty_fails: bool) -> Listing {
        let listing = self.hangar.list(None).await.expect("listing every account never fails as a whole");
        let healthy = listing.workspaces.iter().filter(|w| w.account == HEALTHY).count();
        assert_eq!(healthy, 3, "the healthy account still lists all its workspaces");
        let failed: Vec<&str> = listing.failures.iter().map(|(a, _)| a.as_str()).collect();
        let want: Vec<&str> = if faulty_fails { vec![FAULTY] } else { vec![] };
        let errors: Vec<String> = listing.failures.iter().map(|(_, e)| format!("{}: {e}", e.code())).collect();
        assert_eq!(failed, want, "exactly the faulty account fails: {errors:?}; requests {:?}", self.requests());
        listing
    }

    fn clean(&self, e: &Error) {
        let shown = format!("{e} {e:?} {:?}", e.payload());
        for s in &self.secrets {
            assert!(!shown.contains(s.as_str()), "a secret of the account leaked into: {shown}");
        }
    }

    /// Lists, expects the faulty account's error with its code and exit code, and no secret in it.
    async fn fails(&self, code: &str, exit: i32) -> Error {
        let listing = self.list(true).await;
        let err = listing.failures[0].1.clone();
        assert_eq!((err.code(), err.exit_code()), (code, exit), "{err}");
        self.clean(&err);
        err
    }

    fn faulty(listing: &Listing) -> Vec<&hangar_core::Workspace> {
        listing.workspaces.iter().filter(|w| w.account == FAULTY).collect()
    }

    fn requests(&self) -> Vec<String> {
        self.demo.server().requests()
    }

    fn secret(&self) -> &str {
        &self.secrets[0]
    }
}

enum Outcome {
    Pass,
    NotApplicable,
    Fail(String),
}

/// Runs one cell in its own task (a panic is a failed cell, not a failed run) with a hard limit.
async fn cell(v: Vendor, k: Kind) -> Outcome {
    if k == Kind::PageLoop && !v.paginated() {
        return Outcome::NotApplicable;
    }
    let task = tokio::spawn(run(v, k));
    let abort = task.abort_handle();
    match tokio::time::timeout(CELL_LIMIT, task).await {
        Ok(Ok(())) => Outcome::Pass,
        Ok(Err(e)) if e.is_panic() => {
            let p = e.into_panic();
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panicked".into());
            Outcome::Fail(msg)
        }
        Ok(Err(e)) => Outcome::Fail(format!("task failed: {e}")),
        Err(_) => {
            abort.abort();
            Outcome::Fail(format!("hung: no result within {} s", CELL_LIMIT.as_secs()))
        }
    }
}

async fn run(v: Vendor, k: Kind) {
    match k {
        Kind::E500 => {
            let e = env(v, Origin::Demo).await;
            e.inject(Fault::status(500, &v.error_body(500, "database down", e.secret())));
            let err = e.fails("unavailable", 7).await;
            assert!(err.to_string().contains("500"), "the status is named: {err}");
        }
        Kind::E502Html => {
            let e = env(v, Origin::Demo).await;
            e.inject(Fault::html(502));
            let err = e.fails("unavailable", 7).await;
            let text = err.to_string();
            assert!(text.contains("502") && !text.contains('<'), "502 named, no HTML shown: {text}");
        }
        Kind::Refused => {
            let e = env(v, Origin::Closed).await;
            let started = Instant::now();
            let err = e.fails("unavailable", 7).await;
            assert!(err.to_string().contains("connection refused"), "{err}");
            assert!(started.elapsed() < GIVE_UP_WITHIN, "gave up after {:?}", started.elapsed());
        }
        Kind::Timeout => {
            let e = env(v, Origin::Demo).await;
            let answer = v.page(vec![v.item(0, v.running())]).to_string();
            e.inject(Fault { delay: Some(SERVER_DELAY), ..Fault::status(200, &answer) });
            let started = Instant::now();
            let err = e.fails("unavailable", 7).await;
            assert!(err.to_string().contains("no answer within"), "{err}");
            assert!(started.elapsed() < GIVE_UP_WITHIN, "gave up at the timeout, not after {:?}", started.elapsed());
        }
        Kind::SlowDrip => {
            let body = v.page(vec![v.item(0, v.running())]).to_string();
            let e = env(v, Origin::Proxy(Raw::Drip(body))).await;
            let started = Instant::now();
            let err = e.fails("unavailable", 7).await;
            assert!(err.to_string().contains("did not finish its answer"), "{err}");
            assert!(started.elapsed() < GIVE_UP_WITHIN, "gave up after {:?}", started.elapsed());
        }
        Kind::RateLimited => {
            let e = env(v, Origin::Demo).await;
            let body = v.error_body(429, "Too many requests", e.secret());
            e.inject(Fault { retry_after: Some(LONG_RETRY_AFTER), ..Fault::status(429, &body) });
            let started = Instant::now();
            let err = e.fails("rate_limited", 6).await;
            assert!(
                matches!(err, Error::RateLimited { retry_after_secs: Some(s), .. } if s == LONG_RETRY_AFTER),
                "the server's Retry-After reaches the caller: {err:?}"
            );
            assert!(started.elapsed() < GIVE_UP_WITHIN, "a long Retry-After is not waited out");
        }
        Kind::Malformed => {
            let e = env(v, Origin::Demo).await;
            let body = format!(r#"{{"workspaces": [{{"id": "x", "note": "{}",, }}], "total": 1}}"#, e.secret());
            e.inject(Fault::status(200, &body));
            let err = e.fails("bad_response", 7).await;
            assert!(err.to_string().contains("malformed JSON"), "{err}");
        }
        Kind::Truncated => {
            let body = v.page((0..20).map(|i| v.item(i, v.running())).collect()).to_string();
            let e = env(v, Origin::Proxy(Raw::Truncate(body))).await;
            let err = e.fails("bad_response", 7).await;
            assert!(err.to_string().contains("truncated"), "{err}");
        }
        Kind::Unauthorized => unauthorized(v).await,
        Kind::UnknownState => {
            let e = env(v, Origin::Demo).await;
            e.inject(Fault::status(200, &v.page(vec![v.item(0, UNKNOWN_STATE)]).to_string()));
            let listing = e.list(false).await;
            let mine = Env::faulty(&listing);
            assert_eq!(mine.len(), 1, "requests {:?}", e.requests());
            assert_eq!((mine[0].state, mine[0].raw_state.as_str()), (WorkspaceState::Unknown, UNKNOWN_STATE));
        }
        Kind::ExtraField => {
            let e = env(v, Origin::Demo).await;
            let mut item = v.item(0, v.running());
            item["some_future_field"] = json!({"nested": [1, "two", null], "flag": true});
            let mut page = v.page(vec![item]);
            page["added_in_v9"] = json!({"cursor": null});
            e.inject(Fault::status(200, &page.to_string()));
            let listing = e.list(false).await;
            let mine = Env::faulty(&listing);
            assert_eq!(mine.len(), 1, "the workspace with an unknown field still lists");
            assert_eq!(mine[0].state, WorkspaceState::Running);
        }
        Kind::MissingField => {
            let e = env(v, Origin::Demo).await;
            e.inject(Fault::status(200, &v.missing_field(e.secret()).to_string()));
            let err = e.fails("bad_response", 7).await;
            let field = v.missing_field_name();
            assert!(err.to_string().contains(&format!("field `{field}`")), "names `{field}`: {err}");
        }
        Kind::Many => {
            let e = env(v, Origin::Demo).await;
            let want = if e.demo.seed(MANY) {
                e.demo.initial() + MANY
            } else {
                // No seeding in this demo: one answer with as many workspaces (Mage does not page).
                e.inject(Fault::status(200, &v.page((0..MANY).map(|i| v.item(i, v.running())).collect()).to_string()));
                MANY
            };
            let listing = e.list(false).await;
            let mine = Env::faulty(&listing);
            assert_eq!(mine.len(), want);
            let ids: BTreeSet<&str> = mine.iter().map(|w| w.id.as_str()).collect();
            assert_eq!(ids.len(), want, "no workspace twice");
        }
        Kind::PageLoop => page_loop(v).await,
        Kind::CreateOnce => create_once(v).await,
    }
}

/// A 401 once a session is under way: providers that can renew their sign-in (exalsius with
/// its refresh token, Mage Pro with email and password) renew once and succeed; the others
/// report it as unauthorized.
async fn unauthorized(v: Vendor) {
    let e = env(v, Origin::Demo).await;
    e.list(false).await;
    let before = e.requests().len();
    let refusal = Fault::status(401, &v.error_body(401, "Token expired", e.secret()));
    match v {
        Vendor::Exalsius | Vendor::MagePro => {
            // Once only: a second refusal would (rightly) end the renewed session too.
            e.demo.server().inject(refusal.on(v.list_path()));
            let listing = e.list(false).await;
            assert_eq!(Env::faulty(&listing).len(), e.demo.initial(), "the retried listing is whole");
            let renewal = if v == Vendor::Exalsius { "POST /oauth/token" } else { "POST /api/sessions" };
            let renewed = e.requests()[before..].iter().filter(|r| r.starts_with(renewal)).count();
            assert_eq!(renewed, 1, "renewed exactly once: {:?}", &e.requests()[before..]);
        }
        _ => {
            e.inject(refusal);
            let err = e.fails("unauthorized", 3).await;
            assert!(err.to_string().contains("401"), "{err}");
        }
    }
}

/// A server whose next page is always one it sent before: stopped, as a bad response. Each
/// `inject` queues a copy per attempt; two of them cover both pages and a retried one.
async fn page_loop(v: Vendor) {
    let e = env(v, Origin::Demo).await;
    match v {
        Vendor::Anyscale => {
            let page = json!({"results": [v.item(0, v.running())],
                "metadata": {"total": 500, "next_paging_token": "pt-loop"}});
            e.inject(Fault::status(200, &page.to_string()));
            e.inject(Fault::status(200, &page.to_string()));
        }
        Vendor::Strongly => {
            // A server that ignores `offset` sends the same full page again and again.
            let items: Vec<Value> = (0..100).map(|i| v.item(i, v.running())).collect();
            let page = json!({"workspaces": items, "limit": 100});
            e.inject(Fault::status(200, &page.to_string()));
            e.inject(Fault::status(200, &page.to_string()));
        }
        _ => unreachable!("only paginated providers have this cell"),
    }
    let before = e.requests().len();
    let err = e.fails("bad_response", 7).await;
    let pages = e.requests()[before..].iter().filter(|r| r.contains(v.list_path())).count();
    assert!(pages <= 4, "stopped at the repeat, not after {pages} pages");
    assert!(err.to_string().contains("again") || err.to_string().contains("before"), "{err}");
}

/// A create answered by a 502 is reported, never sent a second time.
async fn create_once(v: Vendor) {
    let e = env(v, Origin::Demo).await;
    let (mut input, path) = v.create_input();
    if v == Vendor::Aether {
        let form = e.hangar.create_form(FAULTY, &BTreeMap::new()).await.unwrap();
        input.insert("project".into(), form.field("project").unwrap().default.clone().unwrap());
    }
    let posts = |e: &Env| {
        e.requests().iter().filter(|r| r.starts_with("POST ") && r.split('?').next().unwrap().ends_with(path)).count()
    };
    let before = posts(&e);
    e.demo.server().inject(Fault::html(502).on(path));
    e.demo.server().inject(Fault::html(502).on(path));
    let err = e.hangar.create(FAULTY, "fault-once", &input).await.expect_err("the 502 is reported");
    assert_eq!((err.code(), err.exit_code()), ("unavailable", 7), "{err}");
    e.clean(&err);
    assert_eq!(posts(&e) - before, 1, "exactly one create was sent: {:?}", e.requests());
    e.list(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::print_stdout)] // the printed matrix is this test's report
async fn every_provider_against_every_fault() {
    let started = Instant::now();
    // Providers run side by side, each one's cells in turn.
    let rows = futures::future::join_all(VENDORS.iter().map(|v| async move {
        let mut row = vec![];
        for k in KINDS {
            row.push((k, cell(*v, k).await));
        }
        (*v, row)
    }))
    .await;

    let width = KINDS.iter().map(|k| k.label().len()).max().unwrap_or(8).max(4);
    let mut table = format!("\n{:<10}", "provider");
    for k in KINDS {
        table.push_str(&format!(" | {:<width$}", k.label()));
    }
    table.push('\n');
    table.push_str(&"-".repeat(10 + KINDS.len() * (width + 3)));
    table.push('\n');
    let mut failures = vec![];
    for (v, row) in &rows {
        table.push_str(&format!("{:<10}", v.id().as_str()));
        for (k, outcome) in row {
            let cell = match outcome {
                Outcome::Pass => "pass",
                Outcome::NotApplicable => "n/a",
                Outcome::Fail(why) => {
                    failures.push(format!("{} × {}: {why}", v.id(), k.label()));
                    "FAIL"
                }
            };
            table.push_str(&format!(" | {cell:<width$}"));
        }
        table.push('\n');
    }
    println!("{table}");
    println!("{} cells in {:.1} s", VENDORS.len() * KINDS.len(), started.elapsed().as_secs_f64());
    for f in &failures {
        println!("FAIL {f}");
    }
    assert!(failures.is_empty(), "{} failing cells:\n{}", failures.len(), failures.join("\n"));
}
