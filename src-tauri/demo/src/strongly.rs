//! Strongly.ai demo cloud, per `shared/providers/strongly.md`: an "instance" serving its API
//! under `/api/v1`, scoped `X-API-Key` keys (a full key and a read-only one), offset pages of
//! summaries, create → pending → running, stop that takes a moment while still running,
//! delete and resize only while stopped, `{"error","code","requestId"}` bodies. The IDE `url`
//! of each workspace is a small page on the same origin.

use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::time::Instant;

use crate::server::{DemoServer, Faults, Timing};
use crate::{random_token, DemoCloud};

const ENVIRONMENT_TYPES: [&str; 4] = ["jupyter", "vscode", "rstudio", "custom"];
const GPU_TYPES: [&str; 4] = ["nvidia-a10g", "nvidia-t4", "nvidia-l4", "nvidia-a100"];
const OWNER: (&str, &str, &str) = ("user_456", "Jane Smith", "jane@example.com");

#[derive(Debug, Clone)]
struct Ws {
    id: String,
    name: String,
    description: String,
    status: String,
    /// Where the status goes by itself, and when.
    next: Option<(String, Instant)>,
    environment_type: String,
    image: String,
    resources: Value,
    project_id: Option<String>,
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
            }
        }
    }

    /// What a list returns: no `resources`, `owner` or `volumeIds`.
    fn summary(&self, origin: &str) -> Value {
        json!({
            "id": self.id, "name": self.name, "description": self.description, "status": self.status,
            "environmentType": self.environment_type, "image": self.image,
            "organizationId": "org_demo", "ownerId": OWNER.0,
            "url": format!("{origin}/ide/{}/", self.id),
            "projectId": self.project_id, "createdAt": self.created_at, "updatedAt": self.updated_at,
        })
    }

    fn full(&self, origin: &str) -> Value {
        let mut v = self.summary(origin);
        v["resources"] = self.resources.clone();
        v["owner"] = json!({"id": OWNER.0, "name": OWNER.1, "email": OWNER.2});
        v["volumeIds"] = json!([format!("vol_{}", &self.id[3..])]);
        v
    }
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn default_image(environment_type: &str) -> String {
    match environment_type {
        "vscode" => "strongly/code-server:latest",
        "rstudio" => "strongly/rstudio:latest",
        "custom" => "strongly/base:latest",
        _ => "strongly/jupyter:latest",
    }
    .into()
}

struct Cloud {
    key: String,
    read_only_key: String,
    timing: Timing,
    origin: OnceLock<String>,
    projects: Vec<(String, String)>,
    workspaces: Mutex<Vec<Ws>>,
}

impl Cloud {
    fn origin(&self) -> &str {
        self.origin.get().map_or("", String::as_str)
    }
}

type Shared = Arc<Cloud>;

pub struct StronglyDemo {
    pub server: DemoServer,
    cloud: Shared,
}

impl StronglyDemo {
    /// A key with every scope.
    pub fn api_key(&self) -> &str {
        &self.cloud.key
    }

    /// A key with `workspaces:read` and `projects:read` only.
    pub fn read_only_key(&self) -> &str {
        &self.cloud.read_only_key
    }

    /// The instance's API root, as a user would paste it.
    pub fn base_url(&self) -> String {
        format!("{}/api/v1", self.server.base_url)
    }

    pub fn cloud(&self) -> DemoCloud {
        DemoCloud {
            provider: "strongly",
            account: "demo-strongly".into(),
            base_url: self.base_url(),
            credentials: Value::String(self.cloud.key.clone()),
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

    /// Adds `n` extra workspaces (for paging and load tests).
    pub fn seed(&self, n: usize) {
        if let Ok(mut list) = self.cloud.workspaces.lock() {
            for i in 0..n {
                let status = if i % 4 == 0 { "running" } else { "stopped" };
                let project = self.cloud.projects[i % self.cloud.projects.len()].0.clone();
                let resources = json!({"cpu": "2", "memory": "8Gi", "storage": "50Gi"});
                let mut w = make_ws(&format!("Notebook {i:03}"), "Seeded for load", "jupyter", status, resources);
                w.project_id = Some(project);
                list.push(w);
            }
        }
    }
}

fn make_ws(name: &str, description: &str, environment_type: &str, status: &str, resources: Value) -> Ws {
    let created = now();
    Ws {
        id: random_token("ws_", 10),
        name: name.into(),
        description: description.into(),
        status: status.into(),
        next: None,
        environment_type: environment_type.into(),
        image: default_image(environment_type),
        resources,
        project_id: None,
        created_at: created.clone(),
        updated_at: created,
    }
}

pub async fn start(timing: Timing) -> std::io::Result<StronglyDemo> {
    let projects = vec![
        (random_token("proj_", 8), "Fraud Detection".to_string()),
        (random_token("proj_", 8), "Customer Analytics".to_string()),
    ];
    let mut training = make_ws(
        "Training Environment",
        "GPU-enabled workspace for model training",
        "jupyter",
        "running",
        json!({"cpu": "4", "memory": "16Gi", "gpu": "1", "gpuType": "nvidia-a10g", "storage": "50Gi"}),
    );
    training.image = "strongly/jupyter-gpu:latest".into();
    training.project_id = Some(projects[0].0.clone());
    let mut api = make_ws(
        "Scoring API Dev",
        "VS Code workspace for the scoring service",
        "vscode",
        "stopped",
        json!({"cpu": "2", "memory": "8Gi", "storage": "50Gi"}),
    );
    api.project_id = Some(projects[0].0.clone());
    let mut churn = make_ws(
        "Churn Analysis",
        "RStudio workspace for the quarterly churn report",
        "rstudio",
        "failed",
        json!({"cpu": "500m", "memory": "512Mi", "storage": "10Gi"}),
    );
    churn.project_id = Some(projects[1].0.clone());
    let mut seeded = vec![training, api, churn];
    for (w, days) in seeded.iter_mut().zip([1i64, 6, 15]) {
        w.created_at = (Utc::now() - chrono::Duration::days(days)).to_rfc3339_opts(SecondsFormat::Secs, true);
    }
    let cloud = Arc::new(Cloud {
        key: random_token("sk-demo-", 24),
        read_only_key: random_token("sk-demo-ro-", 24),
        timing,
        origin: OnceLock::new(),
        projects,
        workspaces: Mutex::new(seeded),
    });
    let api = Router::new()
        .route("/auth/whoami", get(whoami))
        .route("/projects", get(projects_list))
        .route("/workspaces", get(list).post(create))
        .route("/workspaces/{id}", get(get_one).put(update).delete(delete))
        .route("/workspaces/{id}/start", post(start_ws))
        .route("/workspaces/{id}/stop", post(stop_ws))
        .route("/workspaces/{id}/restart", post(restart_ws))
        .route("/workspaces/{id}/status", get(runtime_status))
        .route("/workspaces/{id}/metrics", get(metrics))
        .route("/workspaces/{id}/logs", get(logs))
        .route("/workspaces/{id}/sync", post(sync));
    let app = Router::new()
        .nest("/api/v1", api)
        .route("/ide/{id}/", get(ide))
        .fallback(|| async { err(StatusCode::NOT_FOUND, "not_found", "Route not found") })
        .with_state(cloud.clone());
    let server = DemoServer::serve(app, Faults::default()).await?;
    let _ = cloud.origin.set(server.base_url.clone());
    Ok(StronglyDemo { server, cloud })
}

fn err(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"error": message, "code": code, "requestId": random_token("req_", 12)}))).into_response()
}

#[derive(PartialEq)]
enum Scope {
    Read,
    Write,
}

/// The answer for a request whose key is missing, unknown or short of the scope.
fn refused(c: &Cloud, headers: &HeaderMap, needs: Scope) -> Option<Response> {
    let key = headers.get("x-api-key").and_then(|v| v.to_str().ok()).unwrap_or("");
    if !key.is_empty() && key == c.key {
        None
    } else if !key.is_empty() && key == c.read_only_key {
        (needs == Scope::Write).then(|| {
            let m = "API key lacks the required scope: workspaces:write";
            err(StatusCode::FORBIDDEN, "insufficient_scope", m)
        })
    } else {
        Some(err(StatusCode::UNAUTHORIZED, "invalid_api_key", "Invalid or missing API key"))
    }
}

async fn whoami(State(c): State<Shared>, h: HeaderMap) -> Response {
    if let Some(r) = refused(&c, &h, Scope::Read) {
        return r;
    }
    let read_only = h.get("x-api-key").and_then(|v| v.to_str().ok()) == Some(c.read_only_key.as_str());
    let scopes: &[&str] = if read_only {
        &["workspaces:read", "projects:read"]
    } else {
        &["workspaces:read", "workspaces:write", "projects:read", "volumes:read"]
    };
    Json(json!({
        "data": {
            "id": OWNER.0, "email": OWNER.2, "name": OWNER.1, "roles": ["developer"],
            "organization": {"id": "org_demo", "name": "Demo Corp"},
            "apiKey": {"keyPrefix": if read_only { "sk-demo-ro-" } else { "sk-demo-" }, "scopes": scopes},
        },
        "meta": {"requestId": random_token("req_", 12)},
    }))
    .into_response()
}

async fn projects_list(State(c): State<Shared>, h: HeaderMap) -> Response {
    if let Some(r) = refused(&c, &h, Scope::Read) {
        return r;
    }
    let projects: Vec<Value> = c.projects.iter().map(|(id, name)| json!({"id": id, "name": name})).collect();
    Json(json!({"count": projects.len(), "limit": 20, "offset": 0, "projects": projects})).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    search: Option<String>,
    status: Option<String>,
    project_id: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

async fn list(State(c): State<Shared>, h: HeaderMap, Query(q): Query<ListQuery>) -> Response {
    if let Some(r) = refused(&c, &h, Scope::Read) {
        return r;
    }
    let Ok(mut all) = c.workspaces.lock() else {
        return err(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "internal error");
    };
    let search = q.search.map(|s| s.to_lowercase());
    let matching: Vec<Value> = all
        .iter_mut()
        .map(|w| {
            w.advance();
            &*w
        })
        .filter(|w| q.status.as_ref().is_none_or(|s| &w.status == s))
        .filter(|w| q.project_id.as_ref().is_none_or(|p| w.project_id.as_ref() == Some(p)))
        .filter(|w| {
            search
                .as_ref()
                .is_none_or(|s| w.name.to_lowercase().contains(s) || w.description.to_lowercase().contains(s))
        })
        .map(|w| w.summary(c.origin()))
        .collect();
    let limit = q.limit.unwrap_or(20).clamp(1, 100);
    let offset = q.offset.unwrap_or(0);
    let page: Vec<Value> = matching.iter().skip(offset).take(limit).cloned().collect();
    Json(json!({"count": matching.len(), "limit": limit, "offset": offset, "workspaces": page})).into_response()
}

fn with_ws<T>(c: &Cloud, id: &str, f: impl FnOnce(&mut Ws) -> T) -> Option<T> {
    let mut list = c.workspaces.lock().ok()?;
    let w = list.iter_mut().find(|w| w.id == id)?;
    w.advance();
    Some(f(w))
}

fn not_found() -> Response {
    err(StatusCode::NOT_FOUND, "not_found", "Workspace not found")
}

async fn get_one(State(c): State<Shared>, h: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = refused(&c, &h, Scope::Read) {
        return r;
    }
    match with_ws(&c, &id, |w| w.full(c.origin())) {
        Some(v) => Json(v).into_response(),
        None => not_found(),
    }
}

fn validation(message: String) -> Response {
    err(StatusCode::BAD_REQUEST, "validation_error", &message)
}

/// The resource rules a real cluster would apply: quantities present where needed, GPUs with a
/// known type.
fn check_resources(r: &Value) -> Result<(), String> {
    if !r.is_object() {
        return Err("resources must be an object".into());
    }
    for key in ["cpu", "memory", "gpu", "gpuType", "storage"] {
        if r.get(key).is_some_and(|v| !v.is_string()) {
            return Err(format!("resources.{key} must be a string"));
        }
    }
    let gpus: u32 = match r["gpu"].as_str() {
        None => 0,
        Some(g) => match g.parse() {
            Ok(n) => n,
            Err(_) => return Err(format!("resources.gpu '{g}' is not a whole number")),
        },
    };
    if gpus > 0 {
        match r["gpuType"].as_str() {
            None => return Err("resources.gpuType is required when gpu is set".into()),
            Some(t) if !GPU_TYPES.contains(&t) => {
                return Err(format!("Unknown gpuType '{t}'; this cluster offers {}", GPU_TYPES.join(", ")))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

async fn create(State(c): State<Shared>, h: HeaderMap, body: Option<Json<Value>>) -> Response {
    if let Some(r) = refused(&c, &h, Scope::Write) {
        return r;
    }
    let body = body.map(|b| b.0).unwrap_or(json!({}));
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    for key in ["name", "description", "environmentType"] {
        if text(key).is_none() {
            return validation(format!("{key} is required"));
        }
    }
    let environment_type = text("environmentType").unwrap_or_default();
    if !ENVIRONMENT_TYPES.contains(&environment_type) {
        return validation(format!("environmentType must be one of {}", ENVIRONMENT_TYPES.join(", ")));
    }
    let resources = body.get("resources").cloned().unwrap_or(json!({"cpu": "2", "memory": "8Gi", "storage": "50Gi"}));
    if let Err(m) = check_resources(&resources) {
        return validation(m);
    }
    let project_id = text("projectId").map(str::to_string);
    if let Some(p) = &project_id {
        if !c.projects.iter().any(|(id, _)| id == p) {
            return err(StatusCode::NOT_FOUND, "not_found", &format!("Project {p} not found"));
        }
    }
    let mut w = make_ws(
        text("name").unwrap_or_default(),
        text("description").unwrap_or_default(),
        environment_type,
        "pending",
        resources,
    );
    if let Some(image) = text("image") {
        w.image = image.into();
    }
    w.project_id = project_id;
    w.next = Some(("running".into(), Instant::now() + c.timing.provision));
    let id = w.id.clone();
    if let Ok(mut list) = c.workspaces.lock() {
        list.push(w);
    }
    (StatusCode::CREATED, Json(json!({"workspaceId": id}))).into_response()
}

async fn update(State(c): State<Shared>, h: HeaderMap, Path(id): Path<String>, body: Option<Json<Value>>) -> Response {
    if let Some(r) = refused(&c, &h, Scope::Write) {
        return r;
    }
    let body = body.map(|b| b.0).unwrap_or(json!({}));
    if let Some(r) = body.get("resources") {
        if let Err(m) = check_resources(r) {
            return validation(m);
        }
    }
    let origin = c.origin().to_string();
    let r = with_ws(&c, &id, |w| {
        if body.get("resources").is_some() && w.status != "stopped" {
            return Err(format!("Resources can only be updated while the workspace is stopped (it is {})", w.status));
        }
        for (key, slot) in [("name", &mut w.name), ("description", &mut w.description), ("image", &mut w.image)] {
            if let Some(v) = body.get(key).and_then(Value::as_str) {
                *slot = v.into();
            }
        }
        if let (Some(new), Some(current)) =
            (body.get("resources").and_then(Value::as_object), w.resources.as_object_mut())
        {
            for (k, v) in new {
                current.insert(k.clone(), v.clone());
            }
            if current.get("gpu").and_then(Value::as_str) == Some("0") {
                current.remove("gpu");
                current.remove("gpuType");
            }
        }
        w.updated_at = now();
        Ok(w.full(&origin))
    });
    match r {
        None => not_found(),
        Some(Err(m)) => err(StatusCode::CONFLICT, "invalid_state", &m),
        Some(Ok(v)) => Json(v).into_response(),
    }
}

/// Moves a workspace from one of `from` to `via` now and to `to` after `after`.
fn transition(c: &Cloud, id: &str, from: &[&str], via: &str, to: &str, message: &str, answer: &str) -> Response {
    let after = c.timing.transition;
    let r = with_ws(c, id, |w| {
        if w.status == via && w.next.as_ref().is_some_and(|(next, _)| next == to) {
            return Ok(()); // asked twice: already on its way
        }
        if !from.contains(&w.status.as_str()) {
            return Err(format!("Workspace is {}; {message} is not possible now", w.status));
        }
        w.status = via.into();
        w.updated_at = now();
        w.next = Some((to.into(), Instant::now() + after));
        Ok(())
    });
    match r {
        None => not_found(),
        Some(Err(m)) => err(StatusCode::CONFLICT, "invalid_state", &m),
        Some(Ok(())) => Json(json!({"message": format!("Workspace {message}"), "workspaceId": id, "status": answer}))
            .into_response(),
    }
}

async fn start_ws(State(c): State<Shared>, h: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = refused(&c, &h, Scope::Write) {
        return r;
    }
    transition(&c, &id, &["stopped", "failed"], "pending", "running", "starting", "pending")
}

/// The pod keeps running for a moment after stop is accepted, although the answer already
/// says "stopped" (as the documented example does).
async fn stop_ws(State(c): State<Shared>, h: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = refused(&c, &h, Scope::Write) {
        return r;
    }
    transition(&c, &id, &["running"], "running", "stopped", "stopping", "stopped")
}

async fn restart_ws(State(c): State<Shared>, h: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = refused(&c, &h, Scope::Write) {
        return r;
    }
    transition(&c, &id, &["running"], "pending", "running", "restarting", "pending")
}

async fn delete(State(c): State<Shared>, h: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = refused(&c, &h, Scope::Write) {
        return r;
    }
    let Ok(mut list) = c.workspaces.lock() else {
        return err(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "internal error");
    };
    let Some(i) = list.iter().position(|w| w.id == id) else {
        return not_found();
    };
    list[i].advance();
    if !["stopped", "failed"].contains(&list[i].status.as_str()) {
        let m = format!("Workspace is {}; stop it before deleting", list[i].status);
        return err(StatusCode::CONFLICT, "invalid_state", &m);
    }
    list.remove(i);
    StatusCode::NO_CONTENT.into_response()
}

async fn runtime_status(State(c): State<Shared>, h: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = refused(&c, &h, Scope::Read) {
        return r;
    }
    let Some((status, since)) = with_ws(&c, &id, |w| (w.status.clone(), w.updated_at.clone())) else {
        return not_found();
    };
    let (phase, ready, message) = match status.as_str() {
        "running" => ("Running", true, "Workspace is running and ready"),
        "pending" => ("Pending", false, "Workspace is starting"),
        "failed" => ("Failed", false, "Workspace failed; see the build, deploy and pod logs"),
        "stopped" | "terminated" => ("Succeeded", false, "Workspace is not running"),
        _ => ("Unknown", false, "Workspace state is unknown"),
    };
    let truth = |b: bool| if b { "True" } else { "False" };
    Json(json!({
        "phase": phase, "ready": ready, "message": message,
        "conditions": [
            {"type": "PodScheduled", "status": truth(phase != "Succeeded"), "lastTransitionTime": since},
            {"type": "Ready", "status": truth(ready), "lastTransitionTime": since},
        ],
    }))
    .into_response()
}

async fn metrics(State(c): State<Shared>, h: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = refused(&c, &h, Scope::Read) {
        return r;
    }
    match with_ws(&c, &id, |w| w.status == "running") {
        None => not_found(),
        Some(false) => err(StatusCode::CONFLICT, "invalid_state", "Metrics exist only for running workspaces"),
        Some(true) => {
            Json(json!({"cpuUsage": "1.2", "memoryUsage": "6.4Gi", "gpuUsage": "42%", "diskUsage": "12.5Gi"}))
                .into_response()
        }
    }
}

#[derive(Deserialize)]
struct LogQuery {
    r#type: Option<String>,
}

async fn logs(State(c): State<Shared>, h: HeaderMap, Path(id): Path<String>, Query(q): Query<LogQuery>) -> Response {
    if let Some(r) = refused(&c, &h, Scope::Read) {
        return r;
    }
    let log_type = q.r#type.unwrap_or_else(|| "pod".into());
    if !["build", "deploy", "pod"].contains(&log_type.as_str()) {
        return validation("type must be one of build, deploy, pod".into());
    }
    match with_ws(&c, &id, |w| (w.updated_at.clone(), w.environment_type.clone())) {
        None => not_found(),
        Some((at, env)) => Json(json!({
            "workspaceId": id, "logType": log_type,
            "logs": format!("{at} Starting {env} server...\n{at} {env} server is running\n"),
        }))
        .into_response(),
    }
}

async fn sync(State(c): State<Shared>, h: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = refused(&c, &h, Scope::Write) {
        return r;
    }
    match with_ws(&c, &id, |_| ()) {
        None => not_found(),
        Some(()) => Json(json!({"message": "Workspace sync initiated", "workspaceId": id})).into_response(),
    }
}

/// Where a workspace's `url` leads: the IDE, once running (the real one sits behind SSO).
async fn ide(State(c): State<Shared>, Path(id): Path<String>) -> Response {
    match with_ws(&c, &id, |w| (w.name.clone(), w.environment_type.clone(), w.status.clone())) {
        Some((name, env, status)) if status == "running" => Html(format!(
            "<!doctype html><title>{name}</title><h1>Strongly.ai demo: {env}</h1><p>Workspace <code>{id}</code> is running.</p>"
        ))
        .into_response(),
        Some(_) => (StatusCode::SERVICE_UNAVAILABLE, Html("<h1>Workspace is not running</h1>")).into_response(),
        None => (StatusCode::NOT_FOUND, Html("<h1>No such workspace</h1>")).into_response(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn keys(v: &Value) -> BTreeSet<String> {
        v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
    }

    /// The demo's objects carry exactly the keys of the contract's examples.
    #[test]
    fn objects_have_the_documented_keys() {
        let mut w = make_ws(
            "n",
            "d",
            "jupyter",
            "running",
            json!({"cpu": "4", "memory": "16Gi", "gpu": "1", "gpuType": "nvidia-a10g", "storage": "50Gi"}),
        );
        w.project_id = Some("proj_abc123".into());
        let documented_full = json!({"id":"","name":"","description":"","status":"","environmentType":"","image":"",
            "resources":{},"organizationId":"","owner":{},"ownerId":"","url":"","projectId":"","volumeIds":[],
            "createdAt":"","updatedAt":""});
        assert_eq!(keys(&w.full("http://127.0.0.1:1")), keys(&documented_full));
        let summary = w.summary("http://127.0.0.1:1");
        for absent in ["resources", "owner", "volumeIds"] {
            assert!(summary.get(absent).is_none(), "a summary has no {absent}");
        }
        assert_eq!(
            keys(&w.full("x")["resources"]),
            keys(&json!({"cpu":"","memory":"","gpu":"","gpuType":"","storage":""}))
        );
    }

    #[test]
    fn resources_need_strings_and_gpus_need_a_type() {
        let bad = check_resources(&json!({"cpu": "4", "gpu": "1"}));
        assert!(bad.is_err(), "GPUs without a type are refused");
        assert!(check_resources(&json!({"cpu": "4", "gpu": "1", "gpuType": "nvidia-a10g"})).is_ok());
        assert!(check_resources(&json!({"gpu": 1})).is_err(), "quantities are strings");
    }
}
