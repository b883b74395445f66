//! exalsius demo cloud, per `shared/providers/exalsius.md` and the API 1.46.0 OpenAPI bundle:
//! workspaces, clusters with per-node free capacity, workspace templates, problem+json errors
//! (`{"detail": {type, title, status, detail, instance}}`), FastAPI-style 422s, every route at
//! the root and under `/v1`. The same host plays Auth0: `/authorize` (PKCE, loopback redirect),
//! `/oauth/token` (authorization_code, refresh_token with rotation, device_code),
//! `/oauth/device/code`, `/oauth/revoke`, and `/activate` where a device code is confirmed.
//! Access tokens are JWT-shaped and short-lived; only tokens issued here are accepted.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{SecondsFormat, Utc};
use serde_json::{json, Map, Value};
use tokio::time::{Duration, Instant};

use crate::server::{DemoServer, Faults, Timing};
use crate::{random_token, uuid_like, DemoCloud};

/// The official CLI's Auth0 client; the stand-in knows no other.
pub const CLIENT_ID: &str = "kSbRc9MOnuMKMVLzhZYBo3xkTtk2KK7B";
pub const AUDIENCE: &str = "https://api.exalsius.ai";
pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const REDIRECT_PORTS: [u16; 4] = [8999, 9000, 9001, 9002];
const OWNER: &str = "auth0|65f0c2d1e4b0a1demo";
const OWNER_NAME: &str = "demo@hangar.invalid";
const ORG_ID: &str = "org_demo0hangar";
const ORG_NAME: &str = "Hangar Demo";
/// Tokens issued by the token endpoint live this long unless a test changes it.
const ACCESS_TTL_SECS: i64 = 600;
/// The demo account's pre-issued token lives a day, so demo mode never needs a browser.
const DEMO_ACCOUNT_TTL_SECS: i64 = 24 * 3600;
const DEVICE_CODE_TTL: Duration = Duration::from_secs(900);
const AUTH_CODE_TTL: Duration = Duration::from_secs(600);
const STOPPABLE: [&str; 3] = ["jupyter-notebook-template", "marimo-workspace-template", "vscode-devcontainer-template"];
/// Removed from the list once its DELETED phase is over.
const GONE: &str = "GONE";

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn ago(days: i64) -> String {
    (Utc::now() - chrono::Duration::days(days)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[derive(Debug, Clone)]
struct NodeCap {
    id: String,
    name: &'static str,
    gpu: Option<(&'static str, &'static str, u32)>,
    gpus: u32,
    cpu: u32,
    memory: u32,
    storage: u32,
}

#[derive(Debug, Clone)]
struct Cluster {
    id: &'static str,
    name: &'static str,
    status: &'static str,
    kind: &'static str,
    created_at: String,
    nodes: Vec<NodeCap>,
    /// What its nodes cost per hour, in USD.
    costs_per_hour: f64,
}

impl Cluster {
    /// Its costs so far: the hourly rate since it was created.
    fn current_costs(&self) -> f64 {
        let hours = chrono::DateTime::parse_from_rfc3339(&self.created_at)
            .map(|t| (Utc::now() - t.with_timezone(&Utc)).num_seconds() as f64 / 3600.0)
            .unwrap_or(0.0);
        (self.costs_per_hour * hours.max(0.0) * 100.0).round() / 100.0
    }
}

fn node(
    name: &'static str,
    gpu: Option<(&'static str, &'static str, u32)>,
    gpus: u32,
    cpu: u32,
    memory: u32,
    storage: u32,
) -> NodeCap {
    NodeCap { id: uuid_like(), name, gpu, gpus, cpu, memory, storage }
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Size {
    gpus: u32,
    cpu: u32,
    memory: u32,
    storage: u32,
}

impl Size {
    fn of(n: &NodeCap) -> Size {
        Size { gpus: n.gpus, cpu: n.cpu, memory: n.memory, storage: n.storage }
    }

    fn minus(self, o: Size) -> Size {
        Size {
            gpus: self.gpus.saturating_sub(o.gpus),
            cpu: self.cpu.saturating_sub(o.cpu),
            memory: self.memory.saturating_sub(o.memory),
            storage: self.storage.saturating_sub(o.storage),
        }
    }

    fn plus(self, o: Size) -> Size {
        Size {
            gpus: self.gpus + o.gpus,
            cpu: self.cpu + o.cpu,
            memory: self.memory + o.memory,
            storage: self.storage + o.storage,
        }
    }
}

#[derive(Debug, Clone)]
struct Ws {
    id: String,
    name: String,
    cluster_id: String,
    node_id: String,
    status: String,
    next: Option<(String, Instant)>,
    template: String,
    variables: Map<String, Value>,
    size: Size,
    gpu: Option<(String, String, u32)>,
    description: Option<String>,
    created_at: String,
    to_be_deleted_at: Option<String>,
    node_port: u16,
}

impl Ws {
    fn advance(&mut self) {
        if let Some((to, at)) = &self.next {
            if Instant::now() >= *at {
                self.status = to.clone();
                self.next = None;
            }
        }
    }

    /// Stopped workspaces keep their volume but give the node's compute back.
    fn holds(&self) -> Size {
        match self.status.as_str() {
            "PENDING" | "RUNNING" => self.size,
            "STOPPED" | "FAILED" | "DELETED" => Size { storage: self.size.storage, ..Size::default() },
            _ => Size::default(),
        }
    }

    fn access(&self, http_port: u16) -> Vec<Value> {
        if self.status != "RUNNING" {
            return vec![];
        }
        let entry = |protocol: &str, name: &str, port: u16, what: &str| {
            json!({"access_type": "NODE_PORT", "access_protocol": protocol, "access_description": what,
                   "port_name": name, "port_number": port, "external_ips": ["127.0.0.1"]})
        };
        // Web UIs point at this server's own page, so a demo link opens something.
        match self.template.as_str() {
            "jupyter-notebook-template" => vec![entry("HTTP", "http", http_port, "Jupyter Notebook UI")],
            "marimo-workspace-template" => vec![entry("HTTP", "http", http_port, "Marimo Notebook UI")],
            "vscode-devcontainer-template" => {
                vec![entry("TCP", "ssh", self.node_port, "SSH access to the dev container")]
            }
            "llm-d-model-template-0-1-1" => vec![
                entry("TCP", "llm-inference", self.node_port, "OpenAI-compatible inference API"),
                entry("TCP", "open-webui", http_port, "Open WebUI"),
            ],
            _ => vec![],
        }
    }

    fn json(&self, templates: &[Value], http_port: u16) -> Value {
        let description = templates
            .iter()
            .find(|t| t["name"] == self.template.as_str())
            .and_then(|t| t["description"].as_str())
            .unwrap_or("");
        let mut resources = json!({"gpu_count": self.size.gpus, "cpu_cores": self.size.cpu,
                                   "memory_gb": self.size.memory, "storage_gb": self.size.storage});
        if let Some((kind, vendor, memory)) = &self.gpu {
            resources["gpu_type"] = json!(kind);
            resources["gpu_vendor"] = json!(vendor);
            resources["gpu_memory"] = json!(memory);
        }
        let mut w = json!({
            "id": self.id, "name": self.name, "cluster_id": self.cluster_id,
            "workspace_status": self.status,
            "template": {"name": self.template, "description": description, "variables": self.variables},
            "owner": OWNER, "owner_username": OWNER_NAME, "owner_org_id": ORG_ID, "owner_org_name": ORG_NAME,
            "owner_teams": ["ml-team"],
            "access_information": self.access(http_port),
            "resources": resources,
            "created_at": self.created_at,
        });
        if let Some(d) = &self.description {
            w["description"] = json!(d);
        }
        if let Some(t) = &self.to_be_deleted_at {
            w["to_be_deleted_at"] = json!(t);
        }
        w
    }
}

struct AuthCode {
    challenge: String,
    redirect_uri: String,
    created: Instant,
}

struct Device {
    device_code: String,
    user_code: String,
    approved: bool,
    denied: bool,
    expires: Instant,
    last_poll: Instant,
}

struct Auth {
    /// Access token → expiry (unix seconds).
    access: HashMap<String, i64>,
    refresh: HashSet<String>,
    codes: HashMap<String, AuthCode>,
    devices: Vec<Device>,
    access_ttl: i64,
    device_interval: u64,
}

struct Data {
    workspaces: Vec<Ws>,
    last_create: Option<Value>,
}

struct Cloud {
    timing: Timing,
    base_url: OnceLock<String>,
    clusters: Vec<Cluster>,
    templates: Vec<Value>,
    data: Mutex<Data>,
    auth: Mutex<Auth>,
}

impl Cloud {
    fn base(&self) -> &str {
        self.base_url.get().map(String::as_str).unwrap_or("")
    }

    fn http_port(&self) -> u16 {
        self.base().rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or(80)
    }

    fn with<T>(&self, f: impl FnOnce(&mut Data) -> T) -> Option<T> {
        let mut d = self.data.lock().ok()?;
        for w in d.workspaces.iter_mut() {
            w.advance();
        }
        d.workspaces.retain(|w| w.status != GONE);
        Some(f(&mut d))
    }

    fn auth<T>(&self, f: impl FnOnce(&mut Auth) -> T) -> Option<T> {
        self.auth.lock().ok().map(|mut a| f(&mut a))
    }

    fn cluster(&self, id: &str) -> Option<&Cluster> {
        self.clusters.iter().find(|c| c.id == id)
    }

    fn ws_json(&self, w: &Ws) -> Value {
        w.json(&self.templates, self.http_port())
    }

    /// Issues an access token (JWT-shaped) and a refresh token.
    fn issue(&self, ttl: Option<i64>) -> Value {
        let iat = Utc::now().timestamp();
        let (access, id_token, refresh, ttl) = self
            .auth(|a| {
                let ttl = ttl.unwrap_or(a.access_ttl);
                let base = self.base();
                let access = jwt(
                    &json!({"iss": format!("{base}/"), "sub": OWNER, "aud": [AUDIENCE, format!("{base}/userinfo")],
                    "iat": iat, "exp": iat + ttl, "azp": CLIENT_ID, "scope": "openid profile email offline_access",
                    "jti": random_token("", 16)}),
                );
                let id_token = jwt(&json!({"iss": format!("{base}/"), "sub": OWNER, "aud": CLIENT_ID, "iat": iat,
                    "exp": iat + 36000, "email": OWNER_NAME, "nickname": "demo",
                    "https://api.exalsius.ai/org_name": ORG_NAME}));
                let refresh = random_token("v1.demo-refresh.", 40);
                a.access.insert(access.clone(), iat + ttl);
                a.refresh.insert(refresh.clone());
                (access, id_token, refresh, ttl)
            })
            .unwrap_or_default();
        json!({"access_token": access, "id_token": id_token, "refresh_token": refresh, "token_type": "Bearer",
               "expires_in": ttl, "scope": "openid audience profile email offline_access userview nodeagent"})
    }
}

type Shared = Arc<Cloud>;

pub struct ExalsiusDemo {
    pub server: DemoServer,
    cloud: Shared,
    credentials: Value,
}

impl ExalsiusDemo {
    pub fn cloud(&self) -> DemoCloud {
        DemoCloud {
            provider: "exalsius",
            account: "demo-exalsius".into(),
            base_url: self.server.base_url.clone(),
            credentials: self.credentials.clone(),
            // The sign-in stand-in answers on the same host, so tokens renew in demo mode too.
            options: std::collections::BTreeMap::from([("auth_url".to_string(), self.server.base_url.clone())]),
        }
    }

    /// The identity stand-in's issuer URL (an account's `auth_url` option): this same host.
    pub fn auth_url(&self) -> String {
        self.server.base_url.clone()
    }

    /// The pre-issued demo account's `{"access_token", "refresh_token"}`.
    pub fn credentials(&self) -> Value {
        self.credentials.clone()
    }

    /// Issues a fresh token pair, as a sign-in would: `(access_token, refresh_token)`.
    pub fn issue_tokens(&self) -> (String, String) {
        let t = self.cloud.issue(None);
        (t["access_token"].as_str().unwrap_or("").into(), t["refresh_token"].as_str().unwrap_or("").into())
    }

    /// Every access token issued so far stops working, as if they had all expired.
    pub fn expire_access_tokens(&self) {
        self.cloud.auth(|a| a.access.values_mut().for_each(|exp| *exp = 0));
    }

    /// Every refresh token stops working (revoked, or rotated away by another client).
    pub fn revoke_refresh_tokens(&self) {
        self.cloud.auth(|a| a.refresh.clear());
    }

    pub fn set_access_ttl(&self, secs: i64) {
        self.cloud.auth(|a| a.access_ttl = secs);
    }

    /// The `interval` the device flow asks clients to poll at (5 s by default).
    pub fn set_device_interval(&self, secs: u64) {
        self.cloud.auth(|a| a.device_interval = secs);
    }

    /// Confirms (or denies) a device code, as the user would on the verification page.
    pub fn confirm_device(&self, user_code: &str, approve: bool) -> bool {
        self.cloud
            .auth(|a| match a.devices.iter_mut().find(|d| d.user_code == user_code) {
                Some(d) => {
                    d.approved = approve;
                    d.denied = !approve;
                    true
                }
                None => false,
            })
            .unwrap_or(false)
    }

    /// Whether a refresh token is still valid.
    pub fn refresh_token_valid(&self, token: &str) -> bool {
        self.cloud.auth(|a| a.refresh.contains(token)).unwrap_or(false)
    }

    /// The last `POST /workspaces` body, as received.
    pub fn last_create_body(&self) -> Option<Value> {
        self.cloud.with(|d| d.last_create.clone()).flatten()
    }

    pub fn cluster_id(&self, name: &str) -> Option<String> {
        self.cloud.clusters.iter().find(|c| c.name == name).map(|c| c.id.to_string())
    }

    /// Forces a workspace's `workspace_status`, as if exalsius changed it.
    pub fn set_status(&self, id: &str, status: &str) {
        self.cloud.with(|d| {
            if let Some(w) = d.workspaces.iter_mut().find(|w| w.id == id) {
                w.status = status.into();
                w.next = None;
            }
        });
    }

    /// Points a workspace's node port (its SSH access, for the dev-container template) at
    /// `port` on loopback: an SSH server a test runs "behind" the cloud.
    pub fn set_node_port(&self, id: &str, port: u16) {
        self.cloud.with(|d| {
            if let Some(w) = d.workspaces.iter_mut().find(|w| w.id == id) {
                w.node_port = port;
            }
        });
    }

    /// Adds `n` small CPU workspaces (for listing and load tests).
    pub fn seed(&self, n: usize) {
        let Some(cpu) = self.cloud.clusters.iter().find(|c| c.kind == "DOCKER") else { return };
        let (cluster, node) = (cpu.id.to_string(), cpu.nodes[0].id.clone());
        self.cloud.with(|d| {
            for i in 0..n {
                let status = ["RUNNING", "STOPPED", "PENDING", "FAILED"][i % 4];
                let mut w = make_ws(&format!("seeded-{i:04}"), &cluster, &node, "marimo-workspace-template", status);
                w.size = Size { gpus: 0, cpu: 0, memory: 0, storage: 0 };
                d.workspaces.push(w);
            }
        });
    }
}

fn make_ws(name: &str, cluster: &str, node: &str, template: &str, status: &str) -> Ws {
    Ws {
        id: uuid_like(),
        name: name.into(),
        cluster_id: cluster.into(),
        node_id: node.into(),
        status: status.into(),
        next: None,
        template: template.into(),
        variables: Map::new(),
        size: Size { gpus: 0, cpu: 2, memory: 8, storage: 50 },
        gpu: None,
        description: None,
        created_at: now(),
        to_be_deleted_at: None,
        node_port: node_port(),
    }
}

fn node_port() -> u16 {
    use rand::Rng;
    rand::rng().random_range(30000..=32767)
}

fn global() -> Value {
    json!({"deploymentName": "", "deploymentNamespace": "default"})
}

fn templates() -> Vec<Value> {
    vec![
        json!({"name": "jupyter-notebook-template", "description": "Jupyter Notebook server with GPU support",
               "variables": {"deploymentImage": "ghcr.io/exalsius/jupyter-notebook:latest-nvidia", "notebookPassword": "",
                             "deploymentNumReplicas": 1, "global": global()}}),
        json!({"name": "marimo-workspace-template", "description": "Marimo reactive Python notebook",
               "variables": {"deploymentImage": "ghcr.io/exalsius/marimo:latest", "tokenPassword": "",
                             "deploymentNumReplicas": 1, "global": global()}}),
        json!({"name": "vscode-devcontainer-template", "description": "VS Code dev container reachable over SSH",
               "variables": {"deploymentImage": "", "sshPassword": "", "sshPublicKey": "", "shmSizeGb": 8,
                             "deploymentNumReplicas": 1, "global": global()}}),
        json!({"name": "diloco-training-template", "description": "Distributed low-communication training job",
               "variables": {"diloco": {"model": "gpt2", "outerSteps": 100}, "elastic": {"minNodes": 1, "maxNodes": 2},
                             "gpu": {"nvidia": {"enabled": true}, "amd": {"enabled": false}},
                             "deploymentNumReplicas": 1, "global": global()}}),
        json!({"name": "llm-d-model-template-0-1-1", "description": "LLM inference with llm-d and Open WebUI",
               "variables": {"huggingfaceToken": "", "inferenceApiKey": "",
                             "ms": {"modelArtifacts": {"uri": "hf://Qwen/Qwen3-0.6B", "name": "Qwen/Qwen3-0.6B"}},
                             "deploymentNumReplicas": 1, "global": global()}}),
    ]
}

pub async fn start(timing: Timing) -> std::io::Result<ExalsiusDemo> {
    let clusters = vec![
        Cluster {
            id: "3f0c9a4e-8d2b-4c1e-9f6a-2b7d5e8c1a90",
            name: "lab-cluster",
            status: "READY",
            kind: "REMOTE",
            created_at: ago(40),
            nodes: vec![
                node("gpu-node-1", Some(("L40", "NVIDIA", 48)), 2, 32, 128, 500),
                node("gpu-node-2", Some(("A100", "NVIDIA", 80)), 4, 64, 512, 2000),
            ],
            costs_per_hour: 11.84,
        },
        Cluster {
            id: "8e2d7c41-5a3b-4f19-b6e0-9c1d2a7f4e53",
            name: "amd-cloud",
            status: "READY",
            kind: "CLOUD",
            created_at: ago(12),
            nodes: vec![node("mi300-node-1", Some(("MI300X", "AMD", 192)), 8, 96, 1024, 4000)],
            costs_per_hour: 27.6,
        },
        Cluster {
            id: "c5a1e9d2-7b64-4e38-a0f1-3d8b6c2e9a71",
            name: "cpu-sandbox",
            status: "READY",
            kind: "DOCKER",
            created_at: ago(90),
            nodes: vec![node("cpu-node-1", None, 0, 16, 64, 200)],
            costs_per_hour: 0.46,
        },
        Cluster {
            id: "0b7f3e28-9c15-4d6a-8e42-f1a9c3d5b7e6",
            name: "edge-cluster",
            status: "DEPLOYING",
            kind: "REMOTE",
            created_at: ago(0),
            nodes: vec![node("edge-1", Some(("RTX4090", "NVIDIA", 24)), 1, 16, 64, 500)],
            costs_per_hour: 0.69,
        },
    ];
    let (lab, cpu) = (&clusters[0], &clusters[2]);
    let mut jupyter = make_ws("jupyter-brave-otter", lab.id, &lab.nodes[0].id, "jupyter-notebook-template", "RUNNING");
    jupyter.size = Size { gpus: 1, cpu: 15, memory: 60, storage: 200 };
    jupyter.gpu = Some(("L40".into(), "NVIDIA".into(), 48));
    jupyter.variables = json!({"deploymentImage": "ghcr.io/exalsius/jupyter-notebook:latest-nvidia",
        "notebookPassword": "demo-notebook", "deploymentNumReplicas": 1, "global": global()})
    .as_object()
    .cloned()
    .unwrap_or_default();
    jupyter.description = Some("Workspace with 1 GPUs".into());
    jupyter.created_at = ago(3);
    let mut vscode = make_ws("vscode-calm-heron", lab.id, &lab.nodes[1].id, "vscode-devcontainer-template", "STOPPED");
    vscode.size = Size { gpus: 1, cpu: 16, memory: 128, storage: 500 };
    vscode.gpu = Some(("A100".into(), "NVIDIA".into(), 80));
    vscode.created_at = ago(9);
    let mut marimo = make_ws("marimo-quick-fox", cpu.id, &cpu.nodes[0].id, "marimo-workspace-template", "RUNNING");
    marimo.created_at = ago(1);
    marimo.to_be_deleted_at = Some((Utc::now() + chrono::Duration::days(6)).to_rfc3339_opts(SecondsFormat::Secs, true));

    let cloud = Arc::new(Cloud {
        timing,
        base_url: OnceLock::new(),
        clusters,
        templates: templates(),
        data: Mutex::new(Data { workspaces: vec![jupyter, vscode, marimo], last_create: None }),
        auth: Mutex::new(Auth {
            access: HashMap::new(),
            refresh: HashSet::new(),
            codes: HashMap::new(),
            devices: vec![],
            access_ttl: ACCESS_TTL_SECS,
            device_interval: 5,
        }),
    });
    let api: Router<Shared> = Router::new()
        .route("/workspaces", get(workspaces_list).post(workspace_create))
        .route("/workspace/{id}", get(workspace_one).delete(workspace_delete))
        .route("/workspace/{id}/start", post(workspace_start))
        .route("/workspace/{id}/stop", post(workspace_stop))
        .route("/workspace/{id}/logs", get(workspace_logs))
        .route("/clusters", get(clusters_list))
        .route("/cluster/{id}", get(cluster_one))
        .route("/cluster/{id}/resources", get(cluster_resources))
        .route("/management/workspace-templates", get(templates_list))
        .route_layer(axum::middleware::from_fn_with_state(cloud.clone(), require_token));
    let identity: Router<Shared> = Router::new()
        .route("/authorize", get(authorize))
        .route("/oauth/token", post(token))
        .route("/oauth/device/code", post(device_code))
        .route("/oauth/revoke", post(revoke))
        .route("/activate", get(activate))
        .route("/", get(node_port_page));
    let app = Router::new()
        .merge(api.clone())
        .nest("/v1", api)
        .merge(identity)
        .fallback(|req: Request| async move {
            let path = req.uri().path().to_string();
            problem(StatusCode::NOT_FOUND, "not-found", "Not Found", "No such endpoint.", &path)
        })
        .with_state(cloud.clone());
    let server = DemoServer::serve(app, Faults::default()).await?;
    let _ = cloud.base_url.set(server.base_url.clone());
    let issued = cloud.issue(Some(DEMO_ACCOUNT_TTL_SECS));
    let credentials = json!({"access_token": issued["access_token"], "refresh_token": issued["refresh_token"]});
    Ok(ExalsiusDemo { server, cloud, credentials })
}

/// RFC 7807 wrapped in `detail`, the declared error shape (contract §9).
fn problem(status: StatusCode, kind: &str, title: &str, detail: &str, instance: &str) -> Response {
    let body = json!({"detail": {"type": format!("https://api.exalsius.ai/errors/{kind}"), "title": title,
                                 "status": status.as_u16(), "detail": detail, "instance": instance}});
    (status, [(header::CONTENT_TYPE, "application/problem+json")], body.to_string()).into_response()
}

/// A request the framework rejects before the handler: FastAPI's 422 list.
fn unprocessable(loc: &[&str], msg: &str, kind: &str) -> Response {
    let body = json!({"detail": [{"type": kind, "loc": loc, "msg": msg}]});
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

fn broken() -> Response {
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server-error",
        "Internal Server Error",
        "An internal server error occurred while processing the request.",
        "/",
    )
}

fn with_total(v: Value, total: usize) -> Response {
    ([("x-total-count", total.to_string())], Json(v)).into_response()
}

fn not_found_ws(id: &str) -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "not-found",
        "Workspace Not Found",
        &format!("The workspace with ID {id} was not found."),
        &format!("/workspace/{id}"),
    )
}

async fn require_token(State(c): State<Shared>, req: Request, next: Next) -> Response {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let now = Utc::now().timestamp();
    let valid = bearer.is_some_and(|t| c.auth(|a| a.access.get(&t).is_some_and(|exp| *exp > now)).unwrap_or(false));
    if valid {
        return next.run(req).await;
    }
    let body = json!({"detail": "Invalid or expired access token"});
    (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], Json(body)).into_response()
}

type Params = Query<Vec<(String, String)>>;

fn param<'a>(q: &'a [(String, String)], key: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

async fn workspaces_list(State(c): State<Shared>, q: Params) -> Response {
    let cluster = param(&q, "cluster_id").map(str::to_string);
    let list = c.with(|d| {
        d.workspaces
            .iter()
            .filter(|w| cluster.as_ref().is_none_or(|id| &w.cluster_id == id))
            .map(|w| c.ws_json(w))
            .collect::<Vec<_>>()
    });
    match list {
        Some(l) => {
            let n = l.len();
            with_total(json!({"workspaces": l, "total": n}), n)
        }
        None => broken(),
    }
}

async fn workspace_one(State(c): State<Shared>, Path(id): Path<String>) -> Response {
    match c.with(|d| d.workspaces.iter().find(|w| w.id == id).map(|w| c.ws_json(w))).flatten() {
        Some(w) => Json(json!({ "workspace": w })).into_response(),
        None => not_found_ws(&id),
    }
}

/// Free capacity of one node, given everything placed on it (minus `except`).
fn free(node: &NodeCap, workspaces: &[Ws], except: Option<&str>) -> Size {
    let used = workspaces
        .iter()
        .filter(|w| w.node_id == node.id && Some(w.id.as_str()) != except)
        .fold(Size::default(), |acc, w| acc.plus(w.holds()));
    Size::of(node).minus(used)
}

fn used(node: &NodeCap, workspaces: &[Ws]) -> Size {
    workspaces.iter().filter(|w| w.node_id == node.id).fold(Size::default(), |acc, w| acc.plus(w.holds()))
}

/// One dimension of a node's free capacity.
type Measure = fn(&Size) -> u32;

/// The node a request fits on, or the first of its fields that no node can give, with the most free.
fn place<'a>(
    cluster: &'a Cluster,
    workspaces: &[Ws],
    want: Size,
    gpu_type: Option<&str>,
) -> Result<&'a NodeCap, String> {
    let mut fit: Vec<(&NodeCap, Size)> = cluster
        .nodes
        .iter()
        .filter(|n| gpu_type.is_none() || want.gpus == 0 || n.gpu.map(|g| g.0) == gpu_type)
        .map(|n| (n, free(n, workspaces, None)))
        .collect();
    let steps: [(&str, u32, Measure); 4] = [
        ("gpu_count", want.gpus, |s| s.gpus),
        ("cpu_cores", want.cpu, |s| s.cpu),
        ("memory_gb", want.memory, |s| s.memory),
        ("storage_gb", want.storage, |s| s.storage),
    ];
    for (field, asked, get) in steps {
        let next: Vec<(&NodeCap, Size)> = fit.iter().copied().filter(|(_, s)| get(s) >= asked).collect();
        if next.is_empty() {
            let most = fit.iter().map(|(_, s)| get(s)).max().unwrap_or(0);
            return Err(format!(
                "resources.{field}: {asked} requested, but at most {most} are free on one node of cluster '{}'",
                cluster.name
            ));
        }
        fit = next;
    }
    fit.first().map(|(n, _)| *n).ok_or_else(|| format!("cluster '{}' has no node", cluster.name))
}

/// `WorkspaceCreateRequest`, checked as strictly as the generated server models would.
async fn workspace_create(State(c): State<Shared>, body: Bytes) -> Response {
    let Ok(b) = serde_json::from_slice::<Value>(&body) else {
        return unprocessable(&["body"], "JSON decode error", "json_invalid");
    };
    c.with(|d| d.last_create = Some(b.clone()));
    let Some(obj) = b.as_object() else {
        return unprocessable(&["body"], "Input should be a valid dictionary", "model_attributes_type");
    };
    let string = |v: Option<&Value>, loc: &[&str], required: bool| -> Result<Option<String>, Response> {
        match v {
            None | Some(Value::Null) if required => Err(unprocessable(loc, "Field required", "missing")),
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(unprocessable(loc, "Input should be a valid string", "string_type")),
        }
    };
    macro_rules! take {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(r) => return r,
            }
        };
    }
    let name = take!(string(obj.get("name"), &["body", "name"], true)).unwrap_or_default();
    let cluster_id = take!(string(obj.get("cluster_id"), &["body", "cluster_id"], true)).unwrap_or_default();
    let description = take!(string(obj.get("description"), &["body", "description"], false));
    let to_be_deleted_at = take!(string(obj.get("to_be_deleted_at"), &["body", "to_be_deleted_at"], false));
    take!(string(obj.get("namespace"), &["body", "namespace"], false));
    let Some(template) = obj.get("template").and_then(Value::as_object) else {
        return unprocessable(&["body", "template"], "Field required", "missing");
    };
    let template_name = take!(string(template.get("name"), &["body", "template", "name"], true)).unwrap_or_default();
    let Some(variables) = template.get("variables").and_then(Value::as_object).cloned() else {
        return unprocessable(&["body", "template", "variables"], "Input should be a valid dictionary", "dict_type");
    };
    let Some(resources) = obj.get("resources").and_then(Value::as_object) else {
        return unprocessable(&["body", "resources"], "Field required", "missing");
    };
    let mut ints = HashMap::new();
    for key in ["gpu_count", "gpu_memory", "cpu_cores", "memory_gb", "storage_gb"] {
        match resources.get(key) {
            None | Some(Value::Null) => {}
            Some(v) => match v.as_u64().filter(|_| !v.is_f64()).and_then(|n| u32::try_from(n).ok()) {
                Some(n) => {
                    ints.insert(key, n);
                }
                None => {
                    return unprocessable(&["body", "resources", key], "Input should be a valid integer", "int_type")
                }
            },
        }
    }
    let gpu_type = take!(string(resources.get("gpu_type"), &["body", "resources", "gpu_type"], false));
    take!(string(resources.get("gpu_vendor"), &["body", "resources", "gpu_vendor"], false));
    if name.trim().is_empty() {
        return problem(StatusCode::BAD_REQUEST, "bad-request", "Bad Request", "name must not be empty", "/workspaces");
    }
    let Some(cluster) = c.cluster(&cluster_id) else {
        return problem(
            StatusCode::NOT_FOUND,
            "not-found",
            "Cluster Not Found",
            &format!("The cluster with ID {cluster_id} was not found."),
            &format!("/cluster/{cluster_id}"),
        );
    };
    if cluster.status != "READY" {
        return problem(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Bad Request",
            &format!("The cluster with ID {cluster_id} is not READY ({}).", cluster.status),
            "/workspaces",
        );
    }
    if !c.templates.iter().any(|t| t["name"] == template_name.as_str()) {
        return problem(
            StatusCode::NOT_FOUND,
            "not-found",
            "Workspace Template Not Found",
            &format!("The workspace template with ID {template_name} was not found."),
            &format!("/management/workspace-templates/{template_name}"),
        );
    }
    let set = |k: &str| variables.get(k).and_then(Value::as_str).is_some_and(|s| !s.trim().is_empty());
    let missing = match template_name.as_str() {
        "jupyter-notebook-template" if !set("notebookPassword") => Some("notebookPassword must not be empty"),
        "marimo-workspace-template" if !set("tokenPassword") => Some("tokenPassword must not be empty"),
        "vscode-devcontainer-template" if !set("sshPassword") && !set("sshPublicKey") => {
            Some("sshPassword or sshPublicKey must be set")
        }
        _ => None,
    };
    if let Some(m) = missing {
        return problem(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Bad Request",
            &format!("template.variables.{m}"),
            "/workspaces",
        );
    }
    let want = Size {
        gpus: ints.get("gpu_count").copied().unwrap_or(0),
        cpu: ints.get("cpu_cores").copied().unwrap_or(1),
        memory: ints.get("memory_gb").copied().unwrap_or(1),
        storage: ints.get("storage_gb").copied().unwrap_or(10),
    };
    let provision = c.timing.provision;
    let answer = c.with(|d| {
        if d.workspaces.iter().any(|w| w.name == name) {
            return Err(problem(
                StatusCode::CONFLICT,
                "conflict",
                "Conflict",
                &format!("The workspace with name '{name}' already exists."),
                "/workspaces",
            ));
        }
        let node = place(cluster, &d.workspaces, want, gpu_type.as_deref())
            .map_err(|m| problem(StatusCode::BAD_REQUEST, "bad-request", "Bad Request", &m, "/workspaces"))?;
        let mut w = make_ws(&name, cluster.id, &node.id, &template_name, "PENDING");
        w.variables = variables.clone();
        w.size = want;
        w.gpu = node.gpu.filter(|_| want.gpus > 0).map(|(t, v, m)| (t.to_string(), v.to_string(), m));
        w.description = description.clone();
        w.to_be_deleted_at = to_be_deleted_at.clone();
        w.next = Some(("RUNNING".into(), Instant::now() + provision));
        let id = w.id.clone();
        d.workspaces.push(w);
        Ok(id)
    });
    match answer {
        Some(Ok(id)) => (StatusCode::CREATED, Json(json!({ "workspace_id": id }))).into_response(),
        Some(Err(r)) => r,
        None => broken(),
    }
}

async fn workspace_delete(State(c): State<Shared>, Path(id): Path<String>) -> Response {
    let delay = c.timing.transition;
    let r = c.with(|d| {
        let w = d.workspaces.iter_mut().find(|w| w.id == id)?;
        if w.status == "DELETED" {
            return Some(Err(()));
        }
        w.status = "DELETED".into();
        w.next = Some((GONE.into(), Instant::now() + delay));
        Some(Ok(()))
    });
    match r.flatten() {
        Some(Ok(())) => Json(json!({ "workspace_id": id })).into_response(),
        Some(Err(())) => problem(
            StatusCode::CONFLICT,
            "conflict",
            "Conflict",
            &format!("The workspace with ID {id} is already being deleted."),
            &format!("/workspace/{id}"),
        ),
        None => not_found_ws(&id),
    }
}

async fn workspace_start(State(c): State<Shared>, Path(id): Path<String>) -> Response {
    let delay = c.timing.transition;
    let instance = format!("/workspace/{id}/start");
    let r = c.with(|d| {
        let i = d.workspaces.iter().position(|w| w.id == id)?;
        let w = d.workspaces[i].clone();
        if w.status != "STOPPED" {
            return Some(Err(format!("The workspace with ID {id} is {} and cannot be started.", w.status)));
        }
        let node = c.cluster(&w.cluster_id).and_then(|cl| cl.nodes.iter().find(|n| n.id == w.node_id));
        if let Some(n) = node {
            let room = free(n, &d.workspaces, Some(&w.id));
            if room.gpus < w.size.gpus || room.cpu < w.size.cpu || room.memory < w.size.memory {
                return Some(Err(format!("Node {} has no room to start the workspace with ID {id} now.", n.name)));
            }
        }
        let w = &mut d.workspaces[i];
        w.status = "PENDING".into();
        w.node_port = node_port();
        w.next = Some(("RUNNING".into(), Instant::now() + delay));
        Some(Ok(()))
    });
    match r.flatten() {
        Some(Ok(())) => Json(json!({ "workspace_id": id })).into_response(),
        Some(Err(m)) => problem(StatusCode::CONFLICT, "conflict", "Conflict", &m, &instance),
        None => not_found_ws(&id),
    }
}

async fn workspace_stop(State(c): State<Shared>, Path(id): Path<String>) -> Response {
    let instance = format!("/workspace/{id}/stop");
    let r = c.with(|d| {
        let w = d.workspaces.iter_mut().find(|w| w.id == id)?;
        if !STOPPABLE.contains(&w.template.as_str()) {
            return Some(Err((
                StatusCode::BAD_REQUEST,
                format!("Workspaces of template {} cannot be stopped.", w.template),
            )));
        }
        if w.status != "RUNNING" {
            return Some(Err((
                StatusCode::CONFLICT,
                format!("The workspace with ID {id} is {} and cannot be stopped.", w.status),
            )));
        }
        w.status = "STOPPED".into();
        Some(Ok(()))
    });
    match r.flatten() {
        Some(Ok(())) => Json(json!({ "workspace_id": id })).into_response(),
        Some(Err((status, m))) => {
            let (kind, title) =
                if status == StatusCode::CONFLICT { ("conflict", "Conflict") } else { ("bad-request", "Bad Request") };
            problem(status, kind, title, &m, &instance)
        }
        None => not_found_ws(&id),
    }
}

/// NDJSON, one `WorkspaceLogPayload` per line.
async fn workspace_logs(State(c): State<Shared>, Path(id): Path<String>) -> Response {
    let Some(Some(name)) = c.with(|d| d.workspaces.iter().find(|w| w.id == id).map(|w| w.name.clone())) else {
        return not_found_ws(&id);
    };
    let lines: Vec<String> = ["Pulling image", "Container started", "Server listening"]
        .iter()
        .map(|m| {
            json!({"pod_name": format!("{name}-0"), "pod_namespace": "default", "timestamp": now(), "log_message": m})
                .to_string()
        })
        .collect();
    ([(header::CONTENT_TYPE, "application/x-ndjson")], lines.join("\n") + "\n").into_response()
}

fn cluster_json(cl: &Cluster, workspaces: &[Ws]) -> Value {
    let deployments: Vec<Value> = workspaces
        .iter()
        .filter(|w| w.cluster_id == cl.id)
        .map(|w| json!({"workspace_id": w.id, "workspace_name": w.name, "workspace_template": w.template, "owner": OWNER}))
        .collect();
    json!({
        "id": cl.id, "name": cl.name, "namespace": cl.name, "cluster_status": cl.status, "cluster_type": cl.kind,
        "created_at": cl.created_at, "updated_at": cl.created_at,
        "owner": OWNER, "owner_username": OWNER_NAME, "owner_org_id": ORG_ID, "owner_org_name": ORG_NAME,
        "owner_teams": ["ml-team"], "vpn_cluster": false, "telemetry_enabled": false, "k8s_version": "1.30.4",
        "control_plane_node_ids": [cl.nodes[0].id], "worker_node_ids": cl.nodes.iter().map(|n| n.id.clone()).collect::<Vec<_>>(),
        "workspace_deployments": deployments, "costs_per_hour": cl.costs_per_hour, "current_costs": cl.current_costs(),
    })
}

async fn clusters_list(State(c): State<Shared>, q: Params) -> Response {
    let status = param(&q, "cluster_status").map(str::to_string);
    if let Some(s) = &status {
        if !["PENDING", "DEPLOYING", "READY", "DELETING", "FAILED"].contains(&s.as_str()) {
            return unprocessable(
                &["query", "cluster_status"],
                "Input should be 'PENDING', 'DEPLOYING', 'READY', 'DELETING' or 'FAILED'",
                "enum",
            );
        }
    }
    let list = c.with(|d| {
        c.clusters
            .iter()
            .filter(|cl| status.as_deref().is_none_or(|s| cl.status == s))
            .map(|cl| cluster_json(cl, &d.workspaces))
            .collect::<Vec<_>>()
    });
    match list {
        Some(l) => {
            let n = l.len();
            Json(json!({"clusters": l, "total": n})).into_response()
        }
        None => broken(),
    }
}

fn no_cluster(id: &str) -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "not-found",
        "Cluster Not Found",
        &format!("The cluster with ID {id} was not found."),
        &format!("/cluster/{id}"),
    )
}

async fn cluster_one(State(c): State<Shared>, Path(id): Path<String>) -> Response {
    let Some(cl) = c.cluster(&id) else { return no_cluster(&id) };
    match c.with(|d| cluster_json(cl, &d.workspaces)) {
        Some(v) => Json(json!({ "cluster": v })).into_response(),
        None => broken(),
    }
}

fn hardware(n: &NodeCap, s: Size) -> Value {
    let mut v = json!({"gpu_count": s.gpus, "cpu_cores": s.cpu, "memory_gb": s.memory, "storage_gb": s.storage});
    if let Some((kind, vendor, memory)) = n.gpu {
        v["gpu_type"] = json!(kind);
        v["gpu_vendor"] = json!(vendor);
        v["gpu_memory"] = json!(memory);
    }
    v
}

async fn cluster_resources(State(c): State<Shared>, Path(id): Path<String>) -> Response {
    let Some(cl) = c.cluster(&id) else { return no_cluster(&id) };
    let nodes = c.with(|d| {
        cl.nodes
            .iter()
            .map(|n| {
                json!({"node_id": n.id, "node_name": n.name,
                       "available": hardware(n, free(n, &d.workspaces, None)),
                       "occupied": hardware(n, used(n, &d.workspaces))})
            })
            .collect::<Vec<_>>()
    });
    match nodes {
        Some(l) => {
            let n = l.len();
            Json(json!({"resources": l, "total": n})).into_response()
        }
        None => broken(),
    }
}

async fn templates_list(State(c): State<Shared>) -> Response {
    with_total(json!({"workspace_templates": c.templates, "total": c.templates.len()}), c.templates.len())
}

/// What a workspace's web NodePort shows in the demo.
async fn node_port_page() -> Response {
    Html("<!doctype html><title>exalsius workspace</title><h1>Workspace UI</h1><p><small>Hangar's exalsius demo cloud: a workspace's NodePort would answer here.</small></p>").into_response()
}

// ---- The Auth0 stand-in ----

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, Json(json!({"error": error, "error_description": description}))).into_response()
}

fn page(status: StatusCode, text: &str) -> Response {
    (
        status,
        Html(format!("<!doctype html><title>exalsius sign-in (demo)</title><h1>exalsius sign-in</h1><p>{text}</p>")),
    )
        .into_response()
}

fn allowed_redirect(uri: &str) -> bool {
    REDIRECT_PORTS
        .iter()
        .any(|p| uri == format!("http://127.0.0.1:{p}/callback") || uri == format!("http://localhost:{p}/callback"))
}

/// Auto-consents (there is no user to ask) and redirects to the loopback callback with a code.
async fn authorize(State(c): State<Shared>, q: Params) -> Response {
    let p = |k: &str| param(&q, k).unwrap_or("").to_string();
    if p("client_id") != CLIENT_ID {
        return page(StatusCode::BAD_REQUEST, "Unknown client.");
    }
    let redirect = p("redirect_uri");
    if !allowed_redirect(&redirect) {
        return page(
            StatusCode::BAD_REQUEST,
            "Callback URL mismatch: this redirect_uri is not allowed for the client.",
        );
    }
    let state = p("state");
    let fail = |error: &str| {
        let location =
            format!("{redirect}?error={error}&error_description=invalid%20request&state={}", pct_encode(&state));
        (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
    };
    let challenge = p("code_challenge");
    if p("response_type") != "code" || p("code_challenge_method") != "S256" || challenge.len() != 43 {
        return fail("invalid_request");
    }
    if p("audience") != AUDIENCE {
        return fail("access_denied");
    }
    let code = random_token("", 32);
    c.auth(|a| {
        a.codes.insert(code.clone(), AuthCode { challenge, redirect_uri: redirect.clone(), created: Instant::now() })
    });
    let location = format!("{redirect}?code={code}&state={}", pct_encode(&state));
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

async fn token(State(c): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let form_encoded = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_encoded {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "the token endpoint takes a form-encoded body");
    }
    let f = form_decode(&String::from_utf8_lossy(&body));
    let p = |k: &str| f.get(k).cloned().unwrap_or_default();
    if p("client_id") != CLIENT_ID {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Unknown client.");
    }
    let invalid_grant = |d: &str| oauth_error(StatusCode::FORBIDDEN, "invalid_grant", d);
    match p("grant_type").as_str() {
        "authorization_code" => {
            let Some(code) = c.auth(|a| a.codes.remove(&p("code"))).flatten() else {
                return invalid_grant("Invalid authorization code");
            };
            if code.created.elapsed() > AUTH_CODE_TTL || code.redirect_uri != p("redirect_uri") {
                return invalid_grant("Invalid authorization code or redirect_uri");
            }
            if b64url(&sha256(p("code_verifier").as_bytes())) != code.challenge {
                return invalid_grant("Failed to verify code verifier");
            }
            Json(c.issue(None)).into_response()
        }
        "refresh_token" => {
            // Rotation: the used refresh token dies with this answer.
            if c.auth(|a| a.refresh.remove(&p("refresh_token"))) != Some(true) {
                return invalid_grant("Unknown or invalid refresh token.");
            }
            Json(c.issue(None)).into_response()
        }
        DEVICE_GRANT => {
            let code = p("device_code");
            let answer = c.auth(|a| {
                let i = a.devices.iter().position(|d| d.device_code == code)?;
                let interval = Duration::from_secs(a.device_interval);
                let d = &mut a.devices[i];
                let too_soon = d.last_poll.elapsed() + Duration::from_millis(200) < interval;
                d.last_poll = Instant::now();
                Some(if Instant::now() > d.expires {
                    Err(("expired_token", "The device code has expired."))
                } else if d.denied {
                    Err(("access_denied", "The user denied the sign-in."))
                } else if too_soon {
                    Err(("slow_down", "You are polling faster than the specified interval."))
                } else if d.approved {
                    a.devices.remove(i);
                    Ok(())
                } else {
                    Err(("authorization_pending", "User has yet to authorize device code."))
                })
            });
            match answer.flatten() {
                None => invalid_grant("Invalid device code."),
                Some(Ok(())) => Json(c.issue(None)).into_response(),
                Some(Err((error, d))) => oauth_error(StatusCode::FORBIDDEN, error, d),
            }
        }
        _ => oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "Unsupported grant type."),
    }
}

async fn device_code(State(c): State<Shared>, body: Bytes) -> Response {
    let f = form_decode(&String::from_utf8_lossy(&body));
    if f.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Unknown client.");
    }
    let letters = random_token("", 8).to_uppercase().replace(|ch: char| ch.is_ascii_digit(), "K");
    let user_code = format!("{}-{}", &letters[..4], &letters[4..]);
    let device_code = random_token("", 40);
    let interval = c
        .auth(|a| {
            a.devices.push(Device {
                device_code: device_code.clone(),
                user_code: user_code.clone(),
                approved: false,
                denied: false,
                expires: Instant::now() + DEVICE_CODE_TTL,
                last_poll: Instant::now(),
            });
            a.device_interval
        })
        .unwrap_or(5);
    let verify = format!("{}/activate", c.base());
    Json(json!({"device_code": device_code, "user_code": user_code, "verification_uri": verify,
                "verification_uri_complete": format!("{verify}?user_code={user_code}"),
                "expires_in": DEVICE_CODE_TTL.as_secs(), "interval": interval}))
    .into_response()
}

/// The verification page: visiting it with `user_code` confirms the device (`deny=1` refuses).
async fn activate(State(c): State<Shared>, q: Params) -> Response {
    let code = param(&q, "user_code").unwrap_or("").to_string();
    let approve = param(&q, "deny").is_none();
    let found = c
        .auth(|a| match a.devices.iter_mut().find(|d| d.user_code == code) {
            Some(d) => {
                d.approved = approve;
                d.denied = !approve;
                true
            }
            None => false,
        })
        .unwrap_or(false);
    match (found, approve) {
        (false, _) => page(StatusCode::NOT_FOUND, "Unknown or expired code."),
        (true, true) => page(StatusCode::OK, "Device confirmed. You can return to your terminal."),
        (true, false) => page(StatusCode::OK, "Sign-in denied."),
    }
}

async fn revoke(State(c): State<Shared>, body: Bytes) -> Response {
    let f = form_decode(&String::from_utf8_lossy(&body));
    if f.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Unknown client.");
    }
    let token = f.get("token").cloned().unwrap_or_default();
    c.auth(|a| {
        a.refresh.remove(&token);
        a.access.remove(&token);
    });
    StatusCode::OK.into_response()
}

fn jwt(claims: &Value) -> String {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": "hangar-demo"});
    let signature = random_token("", 43);
    format!(
        "{}.{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes()),
        b64url(signature.as_bytes())
    )
}

fn b64url(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// SHA-256, for checking PKCE challenges (RFC 7636, S256).
fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

fn form_decode(s: &str) -> HashMap<String, String> {
    s.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (pct_decode(k), pct_decode(v))
        })
        .collect()
}

fn pct_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn pct_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn sha256_matches_the_fips_vectors_and_rfc7636() {
        assert_eq!(hex(&sha256(b"abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(hex(&sha256(b"")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        let long = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        assert_eq!(hex(&sha256(long)), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        assert_eq!(
            b64url(&sha256(b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn forms_decode_and_encode() {
        let f =
            form_decode("a=1&redirect_uri=http%3A%2F%2F127.0.0.1%3A8999%2Fcallback&scope=openid+email&bad=%zz&end=%4");
        assert_eq!(f["redirect_uri"], "http://127.0.0.1:8999/callback");
        assert_eq!(f["scope"], "openid email");
        assert_eq!(f["bad"], "%zz");
        assert_eq!(f["end"], "%4");
        assert_eq!(pct_encode("a b/c"), "a%20b%2Fc");
        assert_eq!(b64url(b"hello"), "aGVsbG8");
    }
}
