//! Anyscale demo cloud, per `shared/providers/anyscale.md`: the console API (`/api/v2`) and
//! the public API (`/ext/v0`) on one host, `{"result": …}` / `{"results": […], "metadata":
//! {…}}` envelopes with every field the 0.26.112 SDK requires, `{"error": {"detail": …}}`
//! errors, the SDK's `cli_token` cookie or a Bearer header, paging tokens, and workspaces
//! whose cluster goes Terminated → StartingUp → Running → Terminating → Terminated.

use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{SecondsFormat, Utc};
use serde_json::{json, Value};
use tokio::time::Instant;

use crate::server::{DemoServer, Faults, Timing};
use crate::{random_token, DemoCloud};

const USER_ID: &str = "usr_demo0hangar";
const USER_EMAIL: &str = "demo@hangar.invalid";
const ORG_ID: &str = "org_demo0hangar";
const AWS_CLOUD: &str = "cld_demoaws0001";
const GCP_CLOUD: &str = "cld_demogcp0002";
const DEFAULT_BUILD: &str = "bld_default2590";
const DEFAULT_ENV: &str = "apt_default2590";
const DEFAULT_IMAGE: &str = "anyscale/ray:2.59.0-py311";
const MAX_PAGE: usize = 50;

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn ago(days: i64, hours: i64) -> String {
    (Utc::now() - chrono::Duration::days(days) - chrono::Duration::hours(hours))
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

#[derive(Debug, Clone)]
struct Ws {
    id: String,
    name: String,
    project_id: String,
    cloud_id: String,
    compute_config_id: String,
    build_id: String,
    cluster_id: String,
    created_at: String,
    latest_started_at: Option<String>,
    idle_timeout: u32,
    /// One state for the workspace row and its cluster, so the two always agree.
    state: String,
    /// Where a transitional state goes, and when.
    next: Option<(String, Instant)>,
    priority: Option<i64>,
    requirements: Option<String>,
    env_vars: Vec<String>,
}

impl Ws {
    fn advance(&mut self) {
        if let Some((to, at)) = &self.next {
            if Instant::now() >= *at {
                self.state = to.clone();
                self.next = None;
                if self.state == "Running" {
                    self.latest_started_at = Some(now());
                }
            }
        }
    }

    fn running(&self) -> bool {
        self.state == "Running"
    }

    /// The idle countdown: someone was active at the last whole idle period since the start,
    /// so the countdown runs down and starts over instead of stopping the demo's workspaces.
    fn idle_remaining(&self) -> i64 {
        let window = i64::from(self.idle_timeout.max(1)) * 60;
        let since_start = self
            .latest_started_at
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map_or(0, |t| (Utc::now() - t.with_timezone(&Utc)).num_seconds().max(0));
        window - since_start % window
    }

    fn json(&self) -> Value {
        json!({
            "id": self.id, "name": self.name, "description": null,
            "project_id": self.project_id, "cloud_id": self.cloud_id,
            "compute_config_id": self.compute_config_id, "cluster_environment_build_id": self.build_id,
            "environment_id": null, "created_at": self.created_at,
            "creator_id": USER_ID, "creator_email": USER_EMAIL, "creator_deleted_at": null,
            "organization_id": ORG_ID, "is_deleted": false,
            "cluster_id": self.cluster_id, "kuberay_cr_id": null,
            "state": self.state, "current_state": null,
            "latest_started_at": self.latest_started_at,
            "idle_timeout_minutes": self.idle_timeout, "maximum_uptime_minutes": null, "priority": self.priority,
            "template_url": null, "vscode_url": null, "ray_dashboard_url": null, "kuberay_details": null,
            "base_snapshot": null, "snapshot_state": null, "snapshot_error_at": null,
            "restart_on_env_var_change": false, "is_imported": false, "head_container_image": null,
        })
    }

    fn session(&self, base: &str) -> Value {
        let cluster_url = |path: &str| self.running().then(|| format!("{base}/clusters/{}/{path}", self.cluster_id));
        let status = match self.state.as_str() {
            "StartingUp" | "AwaitingStartup" | "AwaitingFileMounts" => "STARTING",
            "Running" => "RUNNING",
            "Updating" => "RESTARTING",
            "Terminating" | "Stopping" => "TERMINATING",
            _ => "TERMINATED",
        };
        json!({
            "id": self.cluster_id, "name": format!("workspace-cluster-{}", self.name),
            "project_id": self.project_id, "cloud_id": self.cloud_id, "cluster_config": "",
            "build_id": self.build_id, "compute_template_id": self.compute_config_id, "idle_timeout": self.idle_timeout,
            "state": self.state, "pending_state": self.next.as_ref().map(|(to, _)| to.clone()), "status": status,
            "creator_id": USER_ID, "created_at": self.created_at,
            "access_token": "", "tensorboard_available": false,
            "cluster_config_last_modified_at": self.created_at,
            "ssh_authorized_keys": [], "ssh_private_key": "",
            "cloud": {"id": self.cloud_id, "name": cloud_name(&self.cloud_id), "provider": cloud_provider(&self.cloud_id)},
            "creator": {"id": USER_ID, "name": "Demo User", "username": "demo", "email": USER_EMAIL},
            "host_name": self.running().then(|| format!("{}.demo-cluster.invalid", self.cluster_id)),
            "head_node_ip": self.running().then_some("10.0.0.5"),
            "webterminal_auth_url": cluster_url("webterminal/auth"),
            "jupyter_notebook_url": cluster_url("jupyter/lab"),
            "ray_dashboard_url": cluster_url("dashboard/"),
            "service_proxy_url": cluster_url("proxy/"),
            "metrics_dashboard_url": cluster_url("metrics/"),
            "idle_time_remaining_seconds": self.running().then(|| self.idle_remaining()),
            "latest_started_at": self.latest_started_at,
        })
    }
}

fn cloud_name(id: &str) -> &'static str {
    if id == GCP_CLOUD {
        "demo-gcp"
    } else {
        "demo-aws"
    }
}

fn cloud_provider(id: &str) -> &'static str {
    if id == GCP_CLOUD {
        "GCP"
    } else {
        "AWS"
    }
}

fn cloud_json(id: &str) -> Value {
    let (region, is_default) = if id == GCP_CLOUD { ("us-central1", false) } else { ("us-west-2", true) };
    json!({
        "id": id, "name": cloud_name(id), "provider": cloud_provider(id), "region": region,
        "credentials": "", "type": "PUBLIC", "creator_id": USER_ID, "created_at": ago(200, 0),
        "is_default": is_default, "customer_aggregated_logs_config_id": "", "compute_stack": "VM",
        "state": "ACTIVE", "status": "ready", "is_k8s": false, "is_aioa": false,
        "availability_zones": [], "is_bring_your_own_resource": false, "is_private_cloud": false,
        "auto_add_user": true,
    })
}

fn instance_types(cloud_id: &str) -> Value {
    let t = |name: &str, family: &str, cpu: u32, mem: f64, gpu: Option<(&str, u32)>| {
        let credits = credits_per_hour(name);
        json!({
            "name": name, "family": family, "group_key": family, "cpu_count": cpu, "memory_in_gib": mem,
            "gpu_type": gpu.map(|g| g.0), "gpu_count": gpu.map_or(0, |g| g.1), "cloud_type": cloud_provider(cloud_id),
            "support_type": "SUPPORTED", "anyscale_credits_per_hour": credits, "available_in_anyscale_hosted": true,
            "machine_pool_name": "", "billing_error_message": null,
        })
    };
    let types = if cloud_id == GCP_CLOUD {
        vec![
            t("n2-standard-8", "n2", 8, 32.0, None),
            t("g2-standard-8", "g2", 8, 32.0, Some(("L4", 1))),
            t("a2-highgpu-1g", "a2", 12, 85.0, Some(("A100-40G", 1))),
        ]
    } else {
        vec![
            t("m5.2xlarge", "m5", 8, 32.0, None),
            t("m5.8xlarge", "m5", 32, 128.0, None),
            t("g5.xlarge", "g5", 4, 16.0, Some(("A10G", 1))),
            t("g5.12xlarge", "g5", 48, 192.0, Some(("A10G", 4))),
            t("p4d.24xlarge", "p4d", 96, 1152.0, Some(("A100", 8))),
        ]
    };
    json!({"results": [{"cloud_resource_id": format!("cldrsrc_{cloud_id}"), "instance_types": types}], "metadata": {"total": 1, "next_paging_token": null}})
}

/// Anyscale-hosted credits per node-hour, near the clouds' on-demand prices.
fn credits_per_hour(instance_type: &str) -> f64 {
    match instance_type {
        "m5.2xlarge" | "n2-standard-8" => 0.48,
        "m5.8xlarge" => 1.92,
        "g5.xlarge" => 1.21,
        "g2-standard-8" => 1.03,
        "g5.12xlarge" => 6.86,
        "a2-highgpu-1g" => 4.41,
        "p4d.24xlarge" => 39.33,
        _ => 0.0,
    }
}

#[derive(Debug, Clone)]
struct ComputeTemplate {
    id: String,
    name: String,
    anonymous: bool,
    cloud_id: String,
    head: String,
    workers: Vec<Value>,
    created_at: String,
}

impl ComputeTemplate {
    fn config(&self) -> Value {
        json!({
            "cloud_id": self.cloud_id,
            "cloud": {"id": self.cloud_id, "name": cloud_name(&self.cloud_id), "provider": cloud_provider(&self.cloud_id)},
            "head_node_type": {"name": "head-node", "instance_type": self.head, "resources": {"cpu": 0, "gpu": 0}},
            "worker_node_types": self.workers,
            "auto_select_worker_config": self.workers.is_empty() && !self.anonymous,
            "flags": {"allow-cross-zone-autoscaling": false},
        })
    }

    fn json(&self) -> Value {
        json!({
            "id": self.id, "name": self.name, "version": 1, "anonymous": self.anonymous, "archived_at": null,
            "config": self.config(), "creator_id": USER_ID, "organization_id": ORG_ID,
            "created_at": self.created_at, "last_modified_at": self.created_at,
            "creator": {"id": USER_ID, "name": "Demo User", "username": "demo", "email": USER_EMAIL},
            "project_id": null, "cloud_id": self.cloud_id,
        })
    }
}

#[derive(Debug, Clone)]
struct Project {
    id: String,
    name: &'static str,
    cloud_id: &'static str,
    is_default: bool,
}

impl Project {
    fn json(&self) -> Value {
        json!({
            "id": self.id, "name": self.name, "description": "", "created_at": ago(200, 0),
            "is_owner": true, "is_read_only": false, "directory_name": self.name, "is_default": self.is_default,
            "parent_cloud_id": self.cloud_id, "cluster_config": "", "organization_id": ORG_ID, "creator_id": USER_ID,
        })
    }
}

#[derive(Debug, Clone)]
struct Build {
    id: String,
    image: String,
    ray_version: String,
    revision: u32,
}

impl Build {
    fn json(&self) -> Value {
        json!({
            "id": self.id, "cluster_environment_id": DEFAULT_ENV, "revision": self.revision,
            "creator_id": USER_ID, "status": "succeeded", "created_at": ago(30, 0), "last_modified_at": ago(30, 0),
            "is_byod": self.id != DEFAULT_BUILD, "docker_image_name": self.image, "ray_version": self.ray_version,
            "config_json": null, "containerfile": null, "containerfile_path": null, "registry_login_secret": null,
            "error_message": null, "deleted_at": null, "cloud_id": null, "digest": null,
        })
    }
}

struct Data {
    workspaces: Vec<Ws>,
    computes: Vec<ComputeTemplate>,
    builds: Vec<Build>,
}

struct Cloud {
    token: String,
    timing: Timing,
    base_url: OnceLock<String>,
    projects: Vec<Project>,
    data: Mutex<Data>,
    ssh: Mutex<Ssh>,
}

/// The clusters' SSH side: the key every head node accepts, the short-lived tunnel tokens
/// minted so far, and the SSH server the tunnel leads to (none: the tunnel says so).
struct Ssh {
    private_key: String,
    backend: Option<std::net::SocketAddr>,
    tokens: Vec<(String, String, Instant)>,
}

/// The SDK caches a cluster access token for at most this long; the demo honours no older one.
const TUNNEL_TOKEN_TTL: std::time::Duration = std::time::Duration::from_secs(300);

impl Cloud {
    fn base(&self) -> &str {
        self.base_url.get().map(String::as_str).unwrap_or("")
    }

    fn with<T>(&self, f: impl FnOnce(&mut Data) -> T) -> Option<T> {
        let mut d = self.data.lock().ok()?;
        for w in d.workspaces.iter_mut() {
            w.advance();
        }
        Some(f(&mut d))
    }
}

type Shared = Arc<Cloud>;

pub struct AnyscaleDemo {
    pub server: DemoServer,
    cloud: Shared,
}

impl AnyscaleDemo {
    pub fn token(&self) -> &str {
        &self.cloud.token
    }

    pub fn cloud(&self) -> DemoCloud {
        DemoCloud {
            provider: "anyscale",
            account: "demo-anyscale".into(),
            base_url: self.server.base_url.clone(),
            credentials: Value::String(self.cloud.token.clone()),
            options: Default::default(),
        }
    }

    /// Makes every running cluster's SSH tunnel lead to `backend` (an SSH server on loopback),
    /// reached with `private_key`, which the clusters' `ssh_key` endpoint then hands out.
    pub fn set_ssh_server(&self, backend: std::net::SocketAddr, private_key: &str) {
        if let Ok(mut ssh) = self.cloud.ssh.lock() {
            ssh.backend = Some(backend);
            ssh.private_key = private_key.into();
        }
    }

    /// Forces a workspace's (and its cluster's) SessionState, as if Anyscale changed it.
    pub fn set_state(&self, id: &str, state: &str) {
        self.cloud.with(|d| {
            if let Some(w) = d.workspaces.iter_mut().find(|w| w.id == id) {
                w.state = state.into();
                w.next = None;
            }
        });
    }

    /// Adds `n` extra workspaces (for paging and load tests).
    pub fn seed(&self, n: usize) {
        let p = self.cloud.projects[0].clone();
        self.cloud.with(|d| {
            for i in 0..n {
                let state = if i % 3 == 0 { "Running" } else { "Terminated" };
                let compute = if i % 2 == 0 { "cpt_defaultaws01" } else { "cpt_gpua10gaws1" };
                d.workspaces.push(make_ws(&format!("seeded-{i:04}"), &p, compute, state));
            }
        });
    }
}

fn make_ws(name: &str, project: &Project, compute: &str, state: &str) -> Ws {
    let created = now();
    Ws {
        id: random_token("expwrk_", 20),
        name: name.into(),
        project_id: project.id.clone(),
        cloud_id: project.cloud_id.into(),
        compute_config_id: compute.into(),
        build_id: DEFAULT_BUILD.into(),
        cluster_id: random_token("ses_", 20),
        created_at: created.clone(),
        latest_started_at: (state == "Running").then_some(created),
        idle_timeout: 120,
        state: state.into(),
        next: None,
        priority: None,
        requirements: None,
        env_vars: vec![],
    }
}

pub async fn start(timing: Timing) -> std::io::Result<AnyscaleDemo> {
    start_with_token(timing, random_token("sss_demo", 28)).await
}

pub async fn start_with_token(timing: Timing, token: String) -> std::io::Result<AnyscaleDemo> {
    let projects = vec![
        Project { id: "prj_defaultaws01".into(), name: "default", cloud_id: AWS_CLOUD, is_default: true },
        Project { id: "prj_mlresearch01".into(), name: "ml-research", cloud_id: AWS_CLOUD, is_default: false },
        Project { id: "prj_defaultgcp01".into(), name: "default", cloud_id: GCP_CLOUD, is_default: true },
    ];
    let gpu_workers = vec![json!({"name": "gpu", "instance_type": "g5.12xlarge", "min_workers": 0, "max_workers": 2,
        "use_spot": false, "fallback_to_ondemand": false})];
    let computes = vec![
        ComputeTemplate {
            id: "cpt_defaultaws01".into(),
            name: "default-compute".into(),
            anonymous: false,
            cloud_id: AWS_CLOUD.into(),
            head: "m5.2xlarge".into(),
            workers: vec![],
            created_at: ago(100, 0),
        },
        ComputeTemplate {
            id: "cpt_gpua10gaws1".into(),
            name: "gpu-a10g".into(),
            anonymous: false,
            cloud_id: AWS_CLOUD.into(),
            head: "m5.2xlarge".into(),
            workers: gpu_workers,
            created_at: ago(40, 0),
        },
        ComputeTemplate {
            id: "cpt_defaultgcp01".into(),
            name: "default-compute".into(),
            anonymous: false,
            cloud_id: GCP_CLOUD.into(),
            head: "n2-standard-8".into(),
            workers: vec![],
            created_at: ago(100, 0),
        },
    ];
    let builds = vec![Build {
        id: DEFAULT_BUILD.into(),
        image: DEFAULT_IMAGE.into(),
        ray_version: "2.59.0".into(),
        revision: 1,
    }];
    let mut seeded = vec![
        make_ws("llm-finetune", &projects[1], "cpt_gpua10gaws1", "Running"),
        make_ws("data-prep", &projects[0], "cpt_defaultaws01", "Running"),
        make_ws("eval-notebooks", &projects[0], "cpt_defaultaws01", "Terminated"),
    ];
    for (w, days) in seeded.iter_mut().zip([1i64, 4, 12]) {
        w.created_at = ago(days, 3);
    }
    // Running for a while (so spend has accrued), with an idle timeout each.
    for (w, (hours, idle)) in seeded.iter_mut().zip([(2, 60), (5, 120)]) {
        w.latest_started_at = Some(ago(0, hours));
        w.idle_timeout = idle;
    }
    let cloud = Arc::new(Cloud {
        token,
        timing,
        base_url: OnceLock::new(),
        projects,
        data: Mutex::new(Data { workspaces: seeded, computes, builds }),
        ssh: Mutex::new(Ssh { private_key: DEMO_KEY.into(), backend: None, tokens: vec![] }),
    });
    let api = Router::new()
        .route("/api/v2/userinfo/", get(userinfo))
        .route("/api/v2/cli_usage/", post(|| async { Json(json!({})) }))
        .route("/api/v2/clouds/", get(clouds_list))
        .route("/api/v2/clouds/find_by_name", post(cloud_by_name))
        .route("/api/v2/clouds/{id}", get(cloud_one))
        .route("/api/v2/clouds/{id}/additional_instance_types", get(cloud_types))
        .route("/ext/v0/clouds/default", get(cloud_default))
        .route("/ext/v0/clouds/{id}", get(cloud_one))
        .route("/api/v2/projects/", get(projects_list))
        .route("/api/v2/projects/{id}", get(project_one))
        .route("/ext/v0/projects/default_project", get(project_default))
        .route("/ext/v0/projects/search", post(project_search))
        .route("/api/v2/compute_templates/", post(compute_create))
        .route("/api/v2/compute_templates/search", post(compute_search))
        .route("/api/v2/compute_templates/{id}", get(compute_one))
        .route("/ext/v0/cluster_computes/default", get(compute_default))
        .route("/ext/v0/cluster_computes/search", post(compute_search))
        .route("/ext/v0/cluster_computes/{id}", get(compute_one))
        .route("/ext/v0/cluster_environment_builds/default", get(build_default))
        .route("/ext/v0/cluster_environment_builds/{id}", get(build_one))
        .route("/ext/v0/cluster_environments/{id}", get(environment_one))
        .route("/api/v2/builds/get_or_create_build_from_image_uri", post(build_from_image))
        .route("/api/v2/experimental_workspaces/", get(workspaces_list).post(workspace_create))
        .route(
            "/api/v2/experimental_workspaces/{id}",
            get(workspace_one).patch(workspace_patch).delete(workspace_delete),
        )
        .route(
            "/api/v2/experimental_workspaces/{id}/proxied_dataplane_artifacts",
            get(artifacts_get).put(artifacts_put),
        )
        .route("/api/v2/decorated_sessions/{id}", get(session_one))
        .route("/api/v2/sessions/{id}/start", post(session_start))
        .route("/api/v2/sessions/{id}/stop", post(session_stop))
        .route("/api/v2/sessions/{id}/cluster_config_with_session_idle_timeout", put(session_idle))
        .route("/api/v2/sessions/{id}/head_ip", get(session_head_ip))
        .route("/api/v2/sessions/{id}/ssh_key", get(session_ssh_key))
        .route("/api/v2/authentication/{id}/cluster_access_token", get(cluster_access_token))
        .route_layer(axum::middleware::from_fn_with_state(cloud.clone(), authorize));
    // The cluster side: its own short-lived token, not the organization's.
    let app = api.route("/sshws", get(ssh_websocket)).fallback(console_page).with_state(cloud.clone());
    let server = DemoServer::serve(app, Faults::default()).await?;
    let _ = cloud.base_url.set(server.base_url.clone());
    Ok(AnyscaleDemo { server, cloud })
}

fn err(status: StatusCode, detail: &str) -> Response {
    (status, Json(json!({"error": {"detail": detail}}))).into_response()
}

/// A 422 the way the console API sends one: the text in `message`, field errors in `detail`.
fn invalid(loc: &[&str], msg: &str) -> Response {
    let body =
        json!({"error": {"message": "Invalid request", "detail": [{"loc": loc, "msg": msg, "type": "value_error"}]}});
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

fn result(v: Value) -> Response {
    Json(json!({ "result": v })).into_response()
}

fn gone() -> Response {
    err(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
}

/// The SDK sends `Cookie: cli_token=…`; Terraform and Hangar send `Authorization: Bearer …`.
async fn authorize(State(c): State<Shared>, req: Request, next: Next) -> Response {
    let h = req.headers();
    let bearer = h
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| t == c.token);
    let cookie = h.get_all("cookie").iter().filter_map(|v| v.to_str().ok()).any(|v| {
        v.split(';').filter_map(|kv| kv.trim().split_once('=')).any(|(k, t)| k == "cli_token" && t == c.token)
    });
    if bearer || cookie {
        next.run(req).await
    } else {
        err(StatusCode::UNAUTHORIZED, "Unauthorized: the CLI token or API key is invalid or has expired.")
    }
}

type Params = Query<Vec<(String, String)>>;

fn param<'a>(q: &'a [(String, String)], key: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// One page of `items` after the opaque `paging_token` (`pt-<offset>`), with the next token.
fn paged(items: Vec<Value>, q: &[(String, String)], max: usize) -> Response {
    let count = match param(q, "count").map(str::parse::<usize>) {
        None => 20.min(max),
        Some(Ok(n)) if n <= max => n,
        _ => return invalid(&["query", "count"], &format!("ensure this value is less than or equal to {max}")),
    };
    let offset = match param(q, "paging_token").filter(|t| !t.is_empty()) {
        None => 0,
        Some(t) => match t.strip_prefix("pt-").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => n.min(items.len()),
            None => return err(StatusCode::BAD_REQUEST, "Invalid paging token"),
        },
    };
    let end = (offset + count.max(1)).min(items.len());
    let next = (end < items.len()).then(|| format!("pt-{end}"));
    let total = items.len();
    Json(json!({"results": items[offset..end], "metadata": {"total": total, "next_paging_token": next}}))
        .into_response()
}

async fn userinfo() -> Response {
    result(json!({
        "id": USER_ID, "email": USER_EMAIL, "name": "Demo", "lastname": "User", "username": "demo", "verified": true,
        "organization_permission_level": "owner", "organization_ids": [ORG_ID],
        "organizations": [{"id": ORG_ID, "name": "Hangar Demo", "public_identifier": "hangar-demo",
            "is_general_platform_enabled": true, "is_private_endpoints_enabled": false, "is_usage_blocked": false}],
        "has_setup_cloud": true, "ld_hash": "", "ld_hash_fields": [], "pylon_hash": "",
    }))
}

async fn clouds_list(q: Params) -> Response {
    paged(vec![cloud_json(AWS_CLOUD), cloud_json(GCP_CLOUD)], &q, 1000)
}

fn known_cloud(id: &str) -> bool {
    id == AWS_CLOUD || id == GCP_CLOUD
}

async fn cloud_one(Path(id): Path<String>) -> Response {
    if known_cloud(&id) {
        result(cloud_json(&id))
    } else {
        err(StatusCode::NOT_FOUND, &format!("Cloud {id} not found"))
    }
}

async fn cloud_default() -> Response {
    result(cloud_json(AWS_CLOUD))
}

async fn cloud_by_name(body: Option<Json<Value>>) -> Response {
    let name = body.as_ref().and_then(|b| b["name"].as_str()).unwrap_or("");
    match [AWS_CLOUD, GCP_CLOUD].into_iter().find(|id| cloud_name(id) == name) {
        Some(id) => result(cloud_json(id)),
        None => err(StatusCode::NOT_FOUND, &format!("Cloud with name '{name}' not found")),
    }
}

async fn cloud_types(Path(id): Path<String>) -> Response {
    if known_cloud(&id) {
        Json(instance_types(&id)).into_response()
    } else {
        err(StatusCode::NOT_FOUND, &format!("Cloud {id} not found"))
    }
}

async fn projects_list(State(c): State<Shared>, q: Params) -> Response {
    let cloud = param(&q, "parent_cloud_id");
    let list = c.projects.iter().filter(|p| cloud.is_none_or(|id| p.cloud_id == id)).map(Project::json).collect();
    paged(list, &q, MAX_PAGE)
}

async fn project_one(State(c): State<Shared>, Path(id): Path<String>) -> Response {
    match c.projects.iter().find(|p| p.id == id) {
        Some(p) => result(p.json()),
        None => err(StatusCode::NOT_FOUND, &format!("Project {id} not found")),
    }
}

async fn project_default(State(c): State<Shared>, q: Params) -> Response {
    let cloud = param(&q, "parent_cloud_id").unwrap_or(AWS_CLOUD);
    match c.projects.iter().find(|p| p.cloud_id == cloud && p.is_default) {
        Some(p) => result(p.json()),
        None => err(StatusCode::NOT_FOUND, &format!("Cloud {cloud} has no default project")),
    }
}

async fn project_search(State(c): State<Shared>, body: Option<Json<Value>>) -> Response {
    let b = body.map(|b| b.0).unwrap_or_default();
    let name = b["name"]["equals"].as_str();
    let cloud = b["parent_cloud_id"]["equals"].as_str();
    let list: Vec<Value> = c
        .projects
        .iter()
        .filter(|p| name.is_none_or(|n| p.name == n) && cloud.is_none_or(|id| p.cloud_id == id))
        .map(Project::json)
        .collect();
    let total = list.len();
    Json(json!({"results": list, "metadata": {"total": total, "next_paging_token": null}})).into_response()
}

async fn compute_one(State(c): State<Shared>, Path(id): Path<String>) -> Response {
    match c.with(|d| d.computes.iter().find(|t| t.id == id).map(ComputeTemplate::json)).flatten() {
        Some(v) => result(v),
        None => err(StatusCode::NOT_FOUND, &format!("Compute config {id} not found")),
    }
}

async fn compute_default(State(c): State<Shared>, q: Params) -> Response {
    let cloud = param(&q, "cloud_id").unwrap_or(AWS_CLOUD).to_string();
    let found = c.with(|d| {
        d.computes.iter().find(|t| t.cloud_id == cloud && t.name == "default-compute").map(ComputeTemplate::json)
    });
    match found.flatten() {
        Some(v) => result(v),
        None => err(StatusCode::NOT_FOUND, &format!("Cloud {cloud} not found")),
    }
}

/// Both searches: `/ext/v0/cluster_computes/search` (paging in the body) and
/// `/api/v2/compute_templates/search`.
async fn compute_search(State(c): State<Shared>, body: Option<Json<Value>>) -> Response {
    let b = body.map(|b| b.0).unwrap_or_default();
    let cloud = b["cloud_id"].as_str().map(str::to_string);
    let name = b["name"]["equals"].as_str().map(str::to_string);
    let anonymous = b["include_anonymous"].as_bool().unwrap_or(false);
    let list = c
        .with(|d| {
            d.computes
                .iter()
                .filter(|t| cloud.as_ref().is_none_or(|id| &t.cloud_id == id))
                .filter(|t| name.as_ref().is_none_or(|n| &t.name == n))
                .filter(|t| anonymous || !t.anonymous)
                .map(ComputeTemplate::json)
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let total = list.len();
    Json(json!({"results": list, "metadata": {"total": total, "next_paging_token": null}})).into_response()
}

async fn compute_create(State(c): State<Shared>, body: Option<Json<Value>>) -> Response {
    let b = body.map(|b| b.0).unwrap_or_default();
    let config = &b["config"];
    let Some(cloud) = config["cloud_id"].as_str().filter(|id| known_cloud(id)) else {
        return invalid(&["body", "config", "cloud_id"], "unknown or missing cloud");
    };
    let types = instance_types(cloud);
    let known =
        |t: &str| types["results"][0]["instance_types"].as_array().is_some_and(|l| l.iter().any(|k| k["name"] == t));
    let Some(head) = config["head_node_type"]["instance_type"].as_str() else {
        return invalid(&["body", "config", "head_node_type", "instance_type"], "field required");
    };
    if !known(head) {
        return err(
            StatusCode::BAD_REQUEST,
            &format!("Instance type '{head}' is not available in cloud {}", cloud_name(cloud)),
        );
    }
    let workers = config["worker_node_types"].as_array().cloned().unwrap_or_default();
    for w in &workers {
        let t = w["instance_type"].as_str().unwrap_or("");
        if !known(t) {
            return err(
                StatusCode::BAD_REQUEST,
                &format!("Instance type '{t}' is not available in cloud {}", cloud_name(cloud)),
            );
        }
        if w["max_workers"].as_u64().unwrap_or(0) > 100 {
            return invalid(
                &["body", "config", "worker_node_types", "max_workers"],
                "ensure this value is less than or equal to 100",
            );
        }
    }
    let anonymous = b["anonymous"].as_bool().unwrap_or(false);
    let id = random_token("cpt_", 16);
    let t = ComputeTemplate {
        name: b["name"].as_str().map(str::to_string).unwrap_or_else(|| format!("anonymous-{}", &id[4..12])),
        id,
        anonymous,
        cloud_id: cloud.into(),
        head: head.into(),
        workers,
        created_at: now(),
    };
    let out = t.json();
    c.with(|d| d.computes.push(t));
    (StatusCode::CREATED, Json(json!({ "result": out }))).into_response()
}

async fn build_default(State(c): State<Shared>) -> Response {
    match c.with(|d| d.builds.iter().find(|b| b.id == DEFAULT_BUILD).map(Build::json)).flatten() {
        Some(v) => result(v),
        None => gone(),
    }
}

async fn build_one(State(c): State<Shared>, Path(id): Path<String>) -> Response {
    match c.with(|d| d.builds.iter().find(|b| b.id == id).map(Build::json)).flatten() {
        Some(v) => result(v),
        None => err(StatusCode::NOT_FOUND, &format!("Build {id} not found")),
    }
}

async fn environment_one(Path(id): Path<String>) -> Response {
    result(json!({
        "id": id, "name": "default_cluster_env_2.59.0_py311", "organization_id": ORG_ID, "creator_id": USER_ID,
        "created_at": ago(30, 0), "last_modified_at": ago(30, 0), "project_id": null, "deleted_at": null,
        "is_default": id == DEFAULT_ENV, "anonymous": false,
    }))
}

async fn build_from_image(State(c): State<Shared>, body: Option<Json<Value>>) -> Response {
    let b = body.map(|b| b.0).unwrap_or_default();
    let Some(uri) = b["image_uri"].as_str().filter(|u| !u.is_empty() && !u.contains(char::is_whitespace)) else {
        return invalid(&["body", "image_uri"], "not a valid image URI");
    };
    let ray = b["ray_version"].as_str().unwrap_or("2.59.0").to_string();
    let found = c.with(|d| {
        if let Some(existing) = d.builds.iter().find(|k| k.image == uri && k.ray_version == ray) {
            return existing.json();
        }
        let build = Build { id: random_token("bld_", 16), image: uri.into(), ray_version: ray, revision: 1 };
        let out = build.json();
        d.builds.push(build);
        out
    });
    found.map(result).unwrap_or_else(gone)
}

async fn workspaces_list(State(c): State<Shared>, q: Params) -> Response {
    let states: Vec<&str> = q.iter().filter(|(k, _)| k == "state_filter").map(|(_, v)| v.as_str()).collect();
    let list = c
        .with(|d| {
            d.workspaces
                .iter()
                .filter(|w| param(&q, "name").is_none_or(|n| w.name == n))
                .filter(|w| param(&q, "name_contains").is_none_or(|n| w.name.contains(n)))
                .filter(|w| param(&q, "project_id").is_none_or(|p| w.project_id == p))
                .filter(|w| param(&q, "cloud_id").is_none_or(|p| w.cloud_id == p))
                .filter(|_| param(&q, "creator_id").is_none_or(|p| p == USER_ID))
                .filter(|w| states.is_empty() || states.contains(&w.state.as_str()))
                .map(Ws::json)
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    paged(list, &q, MAX_PAGE)
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

async fn workspace_create(State(c): State<Shared>, body: Option<Json<Value>>) -> Response {
    let b = body.map(|b| b.0).unwrap_or_default();
    for f in ["name", "project_id", "cloud_id", "compute_config_id", "cluster_environment_build_id"] {
        if !b[f].is_string() {
            return invalid(&["body", f], "field required");
        }
    }
    let s = |f: &str| b[f].as_str().unwrap_or_default().to_string();
    let name = s("name");
    if !valid_name(&name) {
        return err(
            StatusCode::BAD_REQUEST,
            &format!("Invalid workspace name '{name}': only letters, digits, '.', '_' and '-' are allowed"),
        );
    }
    let Some(project) = c.projects.iter().find(|p| p.id == s("project_id")).cloned() else {
        return err(StatusCode::NOT_FOUND, &format!("Project {} not found", s("project_id")));
    };
    if project.cloud_id != s("cloud_id") {
        return err(
            StatusCode::BAD_REQUEST,
            &format!("Project {} does not belong to cloud {}", project.id, s("cloud_id")),
        );
    }
    let idle = match b.get("idle_timeout_minutes").filter(|v| !v.is_null()) {
        None => 120,
        Some(v) => match v.as_u64().filter(|m| (5..=1440).contains(m)) {
            Some(m) => m as u32,
            None => return invalid(&["body", "idle_timeout_minutes"], "must be between 5 and 1440"),
        },
    };
    let skip_start = b["skip_start"].as_bool().unwrap_or(false);
    let provision = c.timing.provision;
    let r = c.with(|d| {
        if !d.computes.iter().any(|t| t.id == s("compute_config_id") && t.cloud_id == project.cloud_id) {
            return err(
                StatusCode::NOT_FOUND,
                &format!("Compute config {} not found in this cloud", s("compute_config_id")),
            );
        }
        if !d.builds.iter().any(|k| k.id == s("cluster_environment_build_id")) {
            return err(StatusCode::NOT_FOUND, &format!("Build {} not found", s("cluster_environment_build_id")));
        }
        if d.workspaces.iter().any(|w| w.name == name && w.project_id == project.id) {
            return err(
                StatusCode::CONFLICT,
                &format!("Workspace with name '{name}' already exists in project '{}'", project.name),
            );
        }
        let mut w =
            make_ws(&name, &project, &s("compute_config_id"), if skip_start { "Terminated" } else { "StartingUp" });
        w.build_id = s("cluster_environment_build_id");
        w.idle_timeout = idle;
        w.priority = b["priority"].as_i64();
        if !skip_start {
            w.next = Some(("Running".into(), Instant::now() + provision));
        }
        let out = w.json();
        d.workspaces.push(w);
        (StatusCode::CREATED, Json(json!({ "result": out }))).into_response()
    });
    r.unwrap_or_else(gone)
}

fn not_found_ws(id: &str) -> Response {
    err(StatusCode::NOT_FOUND, &format!("Workspace {id} not found"))
}

async fn workspace_one(State(c): State<Shared>, Path(id): Path<String>) -> Response {
    match c.with(|d| d.workspaces.iter().find(|w| w.id == id).map(Ws::json)).flatten() {
        Some(v) => result(v),
        None => not_found_ws(&id),
    }
}

/// JSON-Patch; the console changes `/name` and `/priority` this way.
async fn workspace_patch(State(c): State<Shared>, Path(id): Path<String>, body: Option<Json<Value>>) -> Response {
    let ops = body.and_then(|b| b.0.as_array().cloned()).unwrap_or_default();
    let r = c.with(|d| {
        let Some(i) = d.workspaces.iter().position(|w| w.id == id) else {
            return not_found_ws(&id);
        };
        for op in &ops {
            match (op["op"].as_str(), op["path"].as_str()) {
                (Some("replace"), Some("/name")) => {
                    let name = op["value"].as_str().unwrap_or("");
                    if !valid_name(name) {
                        return err(StatusCode::BAD_REQUEST, &format!("Invalid workspace name '{name}'"));
                    }
                    let project = d.workspaces[i].project_id.clone();
                    if d.workspaces.iter().any(|w| w.name == name && w.project_id == project && w.id != id) {
                        return err(StatusCode::CONFLICT, &format!("Workspace with name '{name}' already exists"));
                    }
                    d.workspaces[i].name = name.into();
                }
                (Some("replace"), Some("/priority")) => d.workspaces[i].priority = op["value"].as_i64(),
                _ => return invalid(&["body"], "only replace of /name and /priority is supported"),
            }
        }
        result(d.workspaces[i].json())
    });
    r.unwrap_or_else(gone)
}

async fn workspace_delete(State(c): State<Shared>, Path(id): Path<String>) -> Response {
    let removed = c.with(|d| {
        let before = d.workspaces.len();
        d.workspaces.retain(|w| w.id != id);
        d.workspaces.len() < before
    });
    match removed {
        Some(true) => StatusCode::NO_CONTENT.into_response(),
        Some(false) => not_found_ws(&id),
        None => gone(),
    }
}

async fn artifacts_get(State(c): State<Shared>, Path(id): Path<String>) -> Response {
    let found = c.with(|d| {
        d.workspaces.iter().find(|w| w.id == id).map(|w| {
            json!({"requirements": w.requirements, "environment_variables": w.env_vars,
                   "skip_packages_tracking": null, "dockerfile": null})
        })
    });
    match found.flatten() {
        Some(v) => Json(json!({"result": v, "metadata": {"secrets_masked": false}})).into_response(),
        None => not_found_ws(&id),
    }
}

async fn artifacts_put(State(c): State<Shared>, Path(id): Path<String>, body: Option<Json<Value>>) -> Response {
    let b = body.map(|b| b.0).unwrap_or_default();
    let done = c.with(|d| {
        let w = d.workspaces.iter_mut().find(|w| w.id == id)?;
        if let Some(r) = b["requirements"].as_str() {
            w.requirements = Some(r.into());
        }
        if let Some(list) = b["environment_variables"].as_array() {
            w.env_vars = list.iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
        }
        Some(())
    });
    match done.flatten() {
        Some(()) => Json(json!({})).into_response(),
        None => not_found_ws(&id),
    }
}

fn with_cluster<T>(c: &Cloud, cluster: &str, f: impl FnOnce(&mut Ws) -> T) -> Option<T> {
    c.with(|d| d.workspaces.iter_mut().find(|w| w.cluster_id == cluster).map(f)).flatten()
}

fn no_cluster(id: &str) -> Response {
    err(StatusCode::NOT_FOUND, &format!("Cluster {id} not found"))
}

async fn session_one(State(c): State<Shared>, Path(id): Path<String>) -> Response {
    let base = c.base().to_string();
    match with_cluster(&c, &id, |w| w.session(&base)) {
        Some(v) => result(v),
        None => no_cluster(&id),
    }
}

async fn session_start(State(c): State<Shared>, Path(id): Path<String>) -> Response {
    let provision = c.timing.provision;
    let r = with_cluster(&c, &id, |w| {
        if !matches!(w.state.as_str(), "Terminated" | "Stopped" | "StartupErrored") {
            return Err(format!("Cluster {} is {}; only a terminated cluster can be started", w.cluster_id, w.state));
        }
        w.state = "StartingUp".into();
        w.next = Some(("Running".into(), Instant::now() + provision));
        Ok(())
    });
    match r {
        None => no_cluster(&id),
        Some(Err(m)) => err(StatusCode::CONFLICT, &m),
        Some(Ok(())) => Json(json!({})).into_response(),
    }
}

async fn session_stop(State(c): State<Shared>, Path(id): Path<String>, body: Option<Json<Value>>) -> Response {
    let b = body.map(|b| b.0).unwrap_or_default();
    for f in ["terminate", "workers_only", "keep_min_workers"] {
        if !b[f].is_boolean() {
            return invalid(&["body", f], "field required");
        }
    }
    let delay = c.timing.transition;
    let r = with_cluster(&c, &id, |w| {
        if matches!(w.state.as_str(), "Terminated" | "Stopped" | "Terminating" | "Stopping") {
            return Err(format!("Cluster {} is already {}", w.cluster_id, w.state));
        }
        w.state = "Terminating".into();
        w.next = Some(("Terminated".into(), Instant::now() + delay));
        Ok(())
    });
    match r {
        None => no_cluster(&id),
        Some(Err(m)) => err(StatusCode::CONFLICT, &m),
        Some(Ok(())) => Json(json!({})).into_response(),
    }
}

async fn session_idle(State(c): State<Shared>, Path(id): Path<String>, q: Params) -> Response {
    let idle = match param(&q, "idle_timeout").map(str::parse::<u32>) {
        None => None,
        Some(Ok(m)) if (5..=1440).contains(&m) => Some(m),
        _ => return invalid(&["query", "idle_timeout"], "must be between 5 and 1440"),
    };
    let compute = param(&q, "compute_template_id").map(str::to_string);
    let build = param(&q, "build_id").map(str::to_string);
    match with_cluster(&c, &id, |w| {
        if let Some(m) = idle {
            w.idle_timeout = m;
        }
        if let Some(t) = compute {
            w.compute_config_id = t;
        }
        if let Some(b) = build {
            w.build_id = b;
        }
    }) {
        Some(()) => Json(json!({})).into_response(),
        None => no_cluster(&id),
    }
}

async fn session_head_ip(State(c): State<Shared>, Path(id): Path<String>) -> Response {
    match with_cluster(&c, &id, |w| w.running()) {
        Some(true) => result(json!({"head_ip": "10.0.0.5"})),
        Some(false) => err(StatusCode::CONFLICT, &format!("Cluster {id} is not running")),
        None => no_cluster(&id),
    }
}

/// What a browser sees at the console's workspace page and at a running cluster's URLs.
async fn console_page(State(c): State<Shared>, h: HeaderMap, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let accepts_html = h.get("accept").and_then(|v| v.to_str().ok()).is_none_or(|a| !a.contains("application/json"));
    let page = |title: &str, body: String| {
        Html(format!("<!doctype html><title>{title}</title><h1>{title}</h1>{body}<p><small>Hangar's Anyscale demo cloud</small></p>"))
            .into_response()
    };
    if let Some(id) = path.strip_prefix("/workspaces/") {
        let found = c.with(|d| d.workspaces.iter().find(|w| w.id == id).map(|w| (w.name.clone(), w.state.clone())));
        if let Some(Some((name, state))) = found {
            if accepts_html {
                return page(&format!("Workspace {name}"), format!("<p>State: <b>{state}</b></p>"));
            }
        }
    } else if let Some(rest) = path.strip_prefix("/clusters/") {
        let (cluster, what) = rest.split_once('/').unwrap_or((rest, ""));
        if with_cluster(&c, cluster, |w| w.running()) == Some(true) {
            let view = match what.split('/').next() {
                Some("jupyter") => "JupyterLab",
                Some("dashboard") => "Ray dashboard",
                Some("metrics") => "Metrics",
                _ => "Cluster",
            };
            return page(&format!("{view} of cluster {cluster}"), String::new());
        }
    }
    err(StatusCode::NOT_FOUND, "Not Found")
}

/// Not a usable key: the demo clusters run no SSH server unless a test gives them one.
const DEMO_KEY: &str =
    "-----BEGIN OPENSSH PRIVATE KEY-----\nhangar-demo-cluster-key-not-a-real-key\n-----END OPENSSH PRIVATE KEY-----";

async fn session_ssh_key(State(c): State<Shared>, Path(id): Path<String>) -> Response {
    match with_cluster(&c, &id, |w| w.running()) {
        Some(true) => {
            let key = c.ssh.lock().map(|s| s.private_key.clone()).unwrap_or_default();
            result(json!({"key_name": format!("anyscale-{id}"), "private_key": key}))
        }
        Some(false) => err(StatusCode::CONFLICT, &format!("Cluster {id} is not running")),
        None => no_cluster(&id),
    }
}

/// A bare JSON string, as the real endpoint answers.
async fn cluster_access_token(State(c): State<Shared>, Path(id): Path<String>) -> Response {
    match with_cluster(&c, &id, |w| w.running()) {
        Some(true) => {
            let token = random_token("cat_", 32);
            if let Ok(mut ssh) = c.ssh.lock() {
                ssh.tokens.retain(|(_, _, at)| at.elapsed() < TUNNEL_TOKEN_TTL);
                ssh.tokens.push((token.clone(), id, Instant::now()));
            }
            Json(Value::String(token)).into_response()
        }
        Some(false) => err(StatusCode::CONFLICT, &format!("Cluster {id} is not running")),
        None => no_cluster(&id),
    }
}

/// `wss://<cluster host>/sshws`: bytes both ways between the WebSocket and the cluster's SSH
/// server, for a fresh cluster access token of a cluster that is still running.
async fn ssh_websocket(
    State(c): State<Shared>,
    h: HeaderMap,
    upgrade: axum::extract::ws::WebSocketUpgrade,
) -> Response {
    let bearer = h.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let (cluster, backend) = {
        let Ok(ssh) = c.ssh.lock() else { return err(StatusCode::INTERNAL_SERVER_ERROR, "lock") };
        let cluster = ssh
            .tokens
            .iter()
            .find(|(t, _, at)| Some(t.as_str()) == bearer && at.elapsed() < TUNNEL_TOKEN_TTL)
            .map(|(_, cluster, _)| cluster.clone());
        (cluster, ssh.backend)
    };
    let Some(cluster) = cluster else {
        return err(StatusCode::UNAUTHORIZED, "Unauthorized: the cluster access token is invalid or has expired.");
    };
    if with_cluster(&c, &cluster, |w| w.running()) != Some(true) {
        return err(StatusCode::NOT_FOUND, &format!("Cluster {cluster} is not running"));
    }
    let Some(backend) = backend else {
        return err(StatusCode::SERVICE_UNAVAILABLE, "this demo cluster runs no SSH server");
    };
    upgrade.on_upgrade(move |socket| bridge(socket, backend)).into_response()
}

async fn bridge(socket: axum::extract::ws::WebSocket, backend: std::net::SocketAddr) {
    use axum::extract::ws::Message;
    use futures::{SinkExt, StreamExt};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(tcp) = tokio::net::TcpStream::connect(backend).await else { return };
    let (mut tcp_in, mut tcp_out) = tcp.into_split();
    let (mut ws_out, mut ws_in) = socket.split();
    let to_ssh = async {
        while let Some(Ok(message)) = ws_in.next().await {
            match message {
                Message::Binary(bytes) if tcp_out.write_all(&bytes).await.is_err() => break,
                Message::Close(_) => break,
                _ => {}
            }
        }
        let _ = tcp_out.shutdown().await;
    };
    let from_ssh = async {
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            match tcp_in.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if ws_out.send(Message::Binary(buf[..n].to_vec().into())).await.is_err() {
                        break;
                    }
                }
            }
        }
        let _ = ws_out.send(Message::Close(None)).await;
    };
    tokio::join!(to_ssh, from_ssh);
}
