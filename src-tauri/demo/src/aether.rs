//! Aether demo cloud, per `shared/providers/aether.md`: Bearer auth, `{"error": ...}` bodies,
//! workspaces that go creating → running, running → stopping → stopped, stopped → starting →
//! running, hardware validated by the Fly.io size table, previews served on `*.preview.*` hosts.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::time::Instant;

use crate::server::{DemoServer, Faults, Timing};
use crate::{random_token, uuid_like, DemoCloud};

#[derive(Debug, Clone)]
struct Ws {
    id: String,
    project_id: String,
    status: String,
    /// Where a transitional status goes, and when.
    next: Option<(String, Instant)>,
    hardware: Value,
    keep_active: bool,
    machine_id: Option<String>,
    preview_token: String,
    created_at: String,
    updated_at: String,
}

impl Ws {
    fn advance(&mut self) {
        if let Some((to, at)) = &self.next {
            if Instant::now() >= *at {
                self.status = to.clone();
                self.next = None;
                self.updated_at = now();
                if self.status == "running" && self.machine_id.is_none() {
                    self.machine_id = Some(machine_id());
                }
            }
        }
    }

    fn json(&self) -> Value {
        json!({
            "id": self.id, "project_id": self.project_id, "status": self.status,
            "hardware": self.hardware, "keep_active": self.keep_active,
            "machine_id": self.machine_id,
            "private_ip": self.machine_id.as_ref().map(|_| "fdaa:0:1:a7b:1f5:0:0:2"),
            "git_ref": if self.machine_id.is_some() { Some("main") } else { None },
            "preview_token": self.preview_token, "error_message": if self.status == "error" { Some("machine failed to boot") } else { None },
            "created_at": self.created_at, "updated_at": self.updated_at,
        })
    }
}

/// Fly-style machine id: 14 hex characters.
fn machine_id() -> String {
    uuid_like().replace('-', "")[..14].to_string()
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

struct Cloud {
    token: String,
    timing: Timing,
    projects: Vec<(String, String)>,
    workspaces: Mutex<Vec<Ws>>,
}

type Shared = Arc<Cloud>;

pub struct AetherDemo {
    pub server: DemoServer,
    cloud: Shared,
}

impl AetherDemo {
    pub fn token(&self) -> &str {
        &self.cloud.token
    }

    pub fn cloud(&self) -> DemoCloud {
        DemoCloud {
            provider: "aether",
            account: "demo-aether".into(),
            base_url: self.server.base_url.clone(),
            credentials: Value::String(self.cloud.token.clone()),
            options: Default::default(),
        }
    }

    /// Forces a workspace's status, as if the vendor changed it on its own.
    pub fn set_status(&self, id: &str, status: &str) {
        if let Ok(mut list) = self.cloud.workspaces.lock() {
            if let Some(w) = list.iter_mut().find(|w| w.id == id) {
                w.status = status.into();
                w.next = None;
            }
        }
    }

    /// Adds `n` extra workspaces (for load tests).
    pub fn seed(&self, n: usize) {
        if let Ok(mut list) = self.cloud.workspaces.lock() {
            for i in 0..n {
                let status = if i % 3 == 0 { "running" } else { "stopped" };
                list.push(make_ws(
                    &self.cloud.projects[i % 2].0,
                    status,
                    json!({"cpu_kind":"shared","cpus":1,"memory_mb":1024,"volume_size_gb":5,"gpu_kind":null}),
                ));
            }
        }
    }
}

fn make_ws(project_id: &str, status: &str, hardware: Value) -> Ws {
    let created = now();
    Ws {
        id: uuid_like(),
        project_id: project_id.into(),
        status: status.into(),
        next: None,
        hardware,
        keep_active: false,
        machine_id: (status == "running").then(machine_id),
        preview_token: random_token("", 32),
        created_at: created.clone(),
        updated_at: created,
    }
}

pub async fn start(timing: Timing) -> std::io::Result<AetherDemo> {
    start_with_token(timing, random_token("aether_demo_", 24)).await
}

pub async fn start_with_token(timing: Timing, token: String) -> std::io::Result<AetherDemo> {
    let projects = vec![(uuid_like(), "web-app".to_string()), (uuid_like(), "ml-research".to_string())];
    let mut seeded = vec![
        make_ws(
            &projects[0].0,
            "running",
            json!({"cpu_kind":"shared","cpus":2,"memory_mb":2048,"volume_size_gb":10,"gpu_kind":null}),
        ),
        make_ws(
            &projects[1].0,
            "running",
            json!({"cpu_kind":"performance","cpus":8,"memory_mb":32768,"volume_size_gb":100,"gpu_kind":"a100-40gb"}),
        ),
        make_ws(
            &projects[0].0,
            "stopped",
            json!({"cpu_kind":"performance","cpus":4,"memory_mb":8192,"volume_size_gb":20,"gpu_kind":null}),
        ),
    ];
    // The GPU training box is kept active; the others stop after 10 idle minutes.
    seeded[1].keep_active = true;
    // Make the demo's cards show different ages.
    for (w, days) in seeded.iter_mut().zip([0i64, 2, 9]) {
        w.created_at = (Utc::now() - chrono::Duration::days(days) - chrono::Duration::hours(3))
            .to_rfc3339_opts(SecondsFormat::Secs, true);
    }
    let cloud = Arc::new(Cloud { token, timing, projects, workspaces: Mutex::new(seeded) });
    let app = Router::new()
        .route("/profile", get(profile))
        .route("/projects", get(projects_list))
        .route("/user/settings", get(settings))
        .route("/workspaces", get(list_all))
        .route("/projects/{pid}/workspaces", get(list_project).post(create))
        .route("/workspaces/{id}", get(get_one).delete(delete))
        .route("/workspaces/{id}/start", post(start_ws))
        .route("/workspaces/{id}/stop", post(stop_ws))
        .fallback(preview)
        .with_state(cloud.clone());
    let server = DemoServer::serve(app, Faults::default()).await?;
    Ok(AetherDemo { server, cloud })
}

fn err(status: StatusCode, msg: &str) -> Response {
    (status, Json(json!({ "error": msg }))).into_response()
}

fn authorized(c: &Cloud, headers: &HeaderMap) -> Result<(), Response> {
    let ok = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| t == c.token);
    if ok {
        Ok(())
    } else {
        Err(err(StatusCode::UNAUTHORIZED, "Unauthorized"))
    }
}

async fn profile(State(c): State<Shared>, h: HeaderMap) -> Response {
    if let Err(r) = authorized(&c, &h) {
        return r;
    }
    Json(json!({"id": "0c1e9d54-demo-user", "email": "demo@hangar.invalid"})).into_response()
}

async fn projects_list(State(c): State<Shared>, h: HeaderMap) -> Response {
    if let Err(r) = authorized(&c, &h) {
        return r;
    }
    let projects: Vec<Value> = c
        .projects
        .iter()
        .map(|(id, name)| json!({"id": id, "name": name, "repo_url": null, "default_branch": "main", "task_defaults": {}}))
        .collect();
    Json(json!({ "projects": projects })).into_response()
}

async fn settings(State(c): State<Shared>, h: HeaderMap) -> Response {
    if let Err(r) = authorized(&c, &h) {
        return r;
    }
    Json(json!({"default_hardware": {"cpu_kind":"shared","cpus":2,"memory_mb":2048,"volume_size_gb":10,"gpu_kind":null}, "default_idle_timeout_minutes": 10})).into_response()
}

#[derive(Deserialize)]
struct Page {
    limit: Option<usize>,
    offset: Option<usize>,
}

fn listing(c: &Cloud, project: Option<&str>, page: &Page) -> Value {
    let mut list = c.workspaces.lock().map(|l| l.clone()).unwrap_or_default();
    let mut out = vec![];
    for w in list.iter_mut().filter(|w| project.is_none_or(|p| w.project_id == p)) {
        w.advance();
        out.push(w.json());
    }
    if let Ok(mut real) = c.workspaces.lock() {
        for w in real.iter_mut() {
            w.advance();
        }
    }
    let offset = page.offset.unwrap_or(0).min(out.len());
    let end = page.limit.map_or(out.len(), |l| (offset + l).min(out.len()));
    json!({ "workspaces": out[offset..end] })
}

async fn list_all(
    State(c): State<Shared>,
    h: HeaderMap,
    axum::extract::Query(page): axum::extract::Query<Page>,
) -> Response {
    if let Err(r) = authorized(&c, &h) {
        return r;
    }
    Json(listing(&c, None, &page)).into_response()
}

async fn list_project(
    State(c): State<Shared>,
    h: HeaderMap,
    Path(pid): Path<String>,
    axum::extract::Query(page): axum::extract::Query<Page>,
) -> Response {
    if let Err(r) = authorized(&c, &h) {
        return r;
    }
    if !c.projects.iter().any(|(id, _)| *id == pid) {
        return err(StatusCode::NOT_FOUND, "Project not found");
    }
    Json(listing(&c, Some(&pid), &page)).into_response()
}

fn with_ws<T>(c: &Cloud, id: &str, f: impl FnOnce(&mut Ws) -> T) -> Option<T> {
    let mut list = c.workspaces.lock().ok()?;
    let w = list.iter_mut().find(|w| w.id == id)?;
    w.advance();
    Some(f(w))
}

async fn get_one(State(c): State<Shared>, h: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(r) = authorized(&c, &h) {
        return r;
    }
    match with_ws(&c, &id, |w| w.json()) {
        Some(v) => Json(v).into_response(),
        None => err(StatusCode::NOT_FOUND, "Workspace not found"),
    }
}

fn memory_options(kind: &str, cpus: u64) -> &'static [u64] {
    match (kind, cpus) {
        ("shared", 1) => &[256, 512, 1024, 2048],
        ("shared", 2) => &[512, 1024, 2048, 4096],
        ("shared", 4) => &[1024, 2048, 4096, 8192],
        ("shared", 8) => &[2048, 4096, 8192, 16384],
        ("performance", 1) => &[2048, 4096, 8192],
        ("performance", 2) => &[4096, 8192, 16384],
        ("performance", 4) => &[8192, 16384, 32768],
        ("performance", 8) => &[16384, 32768],
        ("performance", 16) => &[32768],
        _ => &[],
    }
}

fn validation(field: &str, message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": "Validation failed", "errors": [{"field": field, "message": message}]})),
    )
        .into_response()
}

async fn create(State(c): State<Shared>, h: HeaderMap, Path(pid): Path<String>, body: Option<Json<Value>>) -> Response {
    if let Err(r) = authorized(&c, &h) {
        return r;
    }
    if !c.projects.iter().any(|(id, _)| *id == pid) {
        return err(StatusCode::NOT_FOUND, "Project not found");
    }
    let body = body.map(|b| b.0).unwrap_or(json!({}));
    let default_hw = json!({"cpu_kind":"shared","cpus":2,"memory_mb":2048,"volume_size_gb":10,"gpu_kind":null});
    let hw = body.get("hardware").cloned().filter(|v| v.is_object()).unwrap_or(default_hw);
    let kind = hw["cpu_kind"].as_str().unwrap_or("shared").to_string();
    let cpus = hw["cpus"].as_u64().unwrap_or(2);
    let mem = hw["memory_mb"].as_u64().unwrap_or(2048);
    let vol = hw["volume_size_gb"].as_u64().unwrap_or(10);
    let gpu = hw["gpu_kind"].as_str();
    if kind != "shared" && kind != "performance" {
        return validation("cpu_kind", format!("invalid cpu_kind {kind}; valid options: [shared performance]"));
    }
    if let Some(g) = gpu {
        if !["a10", "l40s", "a100-40gb", "a100-80gb"].contains(&g) {
            return validation("gpu_kind", format!("invalid gpu_kind {g}"));
        }
    } else if !memory_options(&kind, cpus).contains(&mem) {
        if memory_options(&kind, cpus).is_empty() {
            return validation("cpus", format!("invalid cpus {cpus} for {kind} CPU"));
        }
        return validation(
            "memory_mb",
            format!(
                "invalid memory for {kind} CPU with {cpus} cores; valid options: {:?}",
                memory_options(&kind, cpus)
            ),
        );
    }
    if !(1..=500).contains(&vol) {
        return validation("volume_size_gb", "volume size must be between 1 and 500 GB".into());
    }
    let mut w = make_ws(&pid, "creating", hw);
    w.keep_active = body.get("keep_active").and_then(Value::as_bool).unwrap_or(false);
    w.next = Some(("running".into(), Instant::now() + c.timing.provision));
    let out = w.json();
    if let Ok(mut list) = c.workspaces.lock() {
        list.push(w);
    }
    (StatusCode::CREATED, Json(out)).into_response()
}

fn transition(c: &Cloud, id: &str, from: &[&str], via: &str, to: &str, verb: &str) -> Response {
    let delay = c.timing.transition;
    let r = with_ws(c, id, |w| {
        if !from.contains(&w.status.as_str()) {
            return Err(format!("Workspace is not in a {verb}able state"));
        }
        w.status = via.into();
        w.updated_at = now();
        w.next = Some((to.into(), Instant::now() + delay));
        Ok(())
    });
    match r {
        None => err(StatusCode::NOT_FOUND, "Workspace not found"),
        Some(Err(m)) => err(StatusCode::BAD_REQUEST, &m),
        Some(Ok(())) => Json(json!({ "status": via })).into_response(),
    }
}

async fn start_ws(State(c): State<Shared>, h: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(r) = authorized(&c, &h) {
        return r;
    }
    transition(&c, &id, &["stopped", "error"], "starting", "running", "start")
}

async fn stop_ws(State(c): State<Shared>, h: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(r) = authorized(&c, &h) {
        return r;
    }
    transition(&c, &id, &["running", "stop_failed"], "stopping", "stopped", "stopp")
}

async fn delete(State(c): State<Shared>, h: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(r) = authorized(&c, &h) {
        return r;
    }
    let Ok(mut list) = c.workspaces.lock() else {
        return err(StatusCode::INTERNAL_SERVER_ERROR, "internal error");
    };
    let before = list.len();
    list.retain(|w| w.id != id);
    if list.len() == before {
        return err(StatusCode::NOT_FOUND, "Workspace not found");
    }
    StatusCode::NO_CONTENT.into_response()
}

/// The preview gateway: `{port}-{prefix}[-{token}].preview.<domain>` hosts get a page.
async fn preview(h: HeaderMap) -> Response {
    let host = h.get("host").and_then(|v| v.to_str().ok()).unwrap_or("");
    match host.split_once(".preview.") {
        Some((sub, _)) => {
            let port = sub.split('-').next().unwrap_or("?");
            Html(format!("<!doctype html><title>Aether preview</title><h1>Aether demo preview</h1><p>Port {port} of workspace <code>{sub}</code>.</p>")).into_response()
        }
        None => err(StatusCode::NOT_FOUND, "Not found"),
    }
}
