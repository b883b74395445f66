//! Mage Pro demo cluster, per `shared/providers/mage-pro.md`: the workspace manager's API
//! under `/api`, an API key (`X-API-KEY`, or `api_key` in the query or a POST body) plus a
//! user token from `POST /api/sessions` (a JWT whose payload carries the raw token, sent as
//! `OAUTH-TOKEN`, `Authorization: Bearer` or the `oauth_token` cookie). Errors are envelopes
//! with HTTP 200 unless the request says `_http_error_codes=true` (the three token/key
//! refusals are real 401s). One owner and one viewer; only owners may create, update or
//! delete. Workspaces go PENDING → RUNNING, stop → STOPPED after a moment, and PUT/DELETE
//! answer the state from before the action.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::time::Instant;

use crate::server::{DemoServer, Faults, Timing};
use crate::{random_token, DemoCloud};

/// Mage's default `MAGE_ACCESS_TOKEN_EXPIRY_TIME`: 30 days.
const TOKEN_LIFETIME_SECS: i64 = 2_592_000;

#[derive(Debug, Clone)]
struct User {
    id: u32,
    username: &'static str,
    email: &'static str,
    password: String,
    owner: bool,
}

#[derive(Debug, Clone)]
struct Issued {
    user: usize,
    jwt: String,
    expires: i64,
    /// Forced by `expire_tokens`, whatever the JWT says.
    expired: bool,
}

#[derive(Debug, Clone)]
struct Ws {
    name: String,
    project_uuid: String,
    container_config: Option<String>,
    lifecycle_config: Value,
    ingress_name: Option<String>,
    in_ingress: bool,
    storage_access_mode: Option<String>,
    storage_request_size: Option<Value>,
    status: String,
    /// Where the status goes by itself, and when.
    next: Option<(String, Instant)>,
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

    /// The object of contract §5; `url` only when the ingress serves the workspace.
    fn json(&self, origin: &str) -> Value {
        let host = origin.trim_start_matches("http://");
        let mut v = json!({
            "name": self.name,
            "project_uuid": self.project_uuid,
            "lifecycle_config": self.lifecycle_config,
            "namespace": "default",
            "container_config": self.container_config,
            "ingress_name": self.ingress_name,
            "pvc_retention_policy": null,
            "service_account_name": "mageai",
            "storage_access_mode": self.storage_access_mode,
            "storage_class_name": null,
            "storage_request_size": self.storage_request_size,
            "access": null,
            "instance": {"name": self.name, "type": "NodePort", "status": self.status, "ip": host},
        });
        if self.in_ingress {
            v["url"] = json!(format!("{origin}/{}", self.name));
        }
        v
    }
}

fn lifecycle(enable: bool, idle: u64) -> Value {
    json!({
        "termination_policy": {"enable_auto_termination": enable, "max_idle_seconds": idle},
        "pre_start_script_path": null,
        "post_start": null,
    })
}

fn make_ws(name: &str, status: &str, container_config: Option<&str>, ingress: Option<&str>) -> Ws {
    Ws {
        name: name.into(),
        project_uuid: random_token("", 32),
        container_config: container_config.map(str::to_string),
        lifecycle_config: lifecycle(true, 1800),
        ingress_name: ingress.map(str::to_string),
        in_ingress: ingress.is_some(),
        storage_access_mode: Some("ReadWriteOnce".into()),
        storage_request_size: Some(json!("5")),
        status: status.into(),
        next: None,
    }
}

struct Cloud {
    api_key: String,
    timing: Timing,
    origin: OnceLock<String>,
    users: Vec<User>,
    tokens: Mutex<HashMap<String, Issued>>,
    /// Newest first, as Mage lists them.
    workspaces: Mutex<Vec<Ws>>,
}

impl Cloud {
    fn origin(&self) -> &str {
        self.origin.get().map_or("", String::as_str)
    }

    fn issue(&self, user: usize) -> (String, i64) {
        let raw = random_token("", 32);
        let expires = chrono::Utc::now().timestamp() + TOKEN_LIFETIME_SECS;
        let jwt = jwt(&raw, expires);
        if let Ok(mut t) = self.tokens.lock() {
            t.insert(raw, Issued { user, jwt: jwt.clone(), expires, expired: false });
        }
        (jwt, expires)
    }
}

/// An HS256-shaped JWT with Mage's payload; the signature is random (no client checks it).
fn jwt(raw: &str, expires: i64) -> String {
    let header = base64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = base64url(json!({"expires": expires, "token": raw}).to_string().as_bytes());
    format!("{header}.{payload}.{}", random_token("", 43))
}

fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

type Shared = Arc<Cloud>;

pub struct MageProDemo {
    pub server: DemoServer,
    cloud: Shared,
}

impl MageProDemo {
    pub fn api_key(&self) -> &str {
        &self.cloud.api_key
    }

    /// The owner's email and password.
    pub fn owner(&self) -> (&str, &str) {
        (self.cloud.users[0].email, &self.cloud.users[0].password)
    }

    /// A viewer: may list and read, not create, update or delete.
    pub fn viewer(&self) -> (&str, &str) {
        (self.cloud.users[1].email, &self.cloud.users[1].password)
    }

    /// The cluster URL, as a user would paste it (Hangar appends `/api`).
    pub fn base_url(&self) -> String {
        self.server.base_url.clone()
    }

    pub fn cloud(&self) -> DemoCloud {
        let (email, password) = self.owner();
        DemoCloud {
            provider: "mage-pro",
            account: "demo-mage-pro".into(),
            base_url: self.base_url(),
            credentials: json!({"api_key": self.api_key(), "email": email, "password": password}),
            options: Default::default(),
        }
    }

    /// A session token (the JWT, as a user would paste the `oauth_token` cookie).
    pub fn issue_token(&self, owner: bool) -> String {
        self.cloud.issue(if owner { 0 } else { 1 }).0
    }

    /// Every token issued so far now answers `expired_oauth_token`, although its JWT says
    /// otherwise (as when the server's expiry setting is shorter than the client thinks).
    pub fn expire_tokens(&self) {
        if let Ok(mut t) = self.cloud.tokens.lock() {
            for issued in t.values_mut() {
                issued.expired = true;
            }
        }
    }

    /// Forces a workspace's `instance.status`, as if the cluster changed it on its own.
    pub fn set_status(&self, name: &str, status: &str) {
        if let Ok(mut list) = self.cloud.workspaces.lock() {
            if let Some(w) = list.iter_mut().find(|w| w.name == name) {
                w.status = status.into();
                w.next = None;
            }
        }
    }

    /// The container_config a workspace has now.
    pub fn container_config(&self, name: &str) -> Option<String> {
        let list = self.cloud.workspaces.lock().ok()?;
        list.iter().find(|w| w.name == name).and_then(|w| w.container_config.clone())
    }
}

pub async fn start(timing: Timing) -> std::io::Result<MageProDemo> {
    let users = vec![
        User { id: 1, username: "owner", email: "owner@example.com", password: random_token("pw-", 16), owner: true },
        User {
            id: 2,
            username: "viewer",
            email: "viewer@example.com",
            password: random_token("pw-", 16),
            owner: false,
        },
    ];
    let seeded = vec![
        make_ws(
            "etl-pipelines",
            "RUNNING",
            Some(
                "resources:\n  requests:\n    cpu: 500m\n    memory: 1Gi\n  limits:\n    cpu: \"1\"\n    memory: 2Gi\n",
            ),
            Some("mage-ingress"),
        ),
        make_ws("analytics", "STOPPED", Some("resources:\n  limits:\n    cpu: 1\n"), None),
    ];
    let cloud = Arc::new(Cloud {
        // Mage's OSS key is a 40-character client id.
        api_key: random_token("", 40),
        timing,
        origin: OnceLock::new(),
        users,
        tokens: Mutex::default(),
        workspaces: Mutex::new(seeded),
    });
    let api = Router::new()
        .route("/statuses", get(statuses))
        .route("/sessions", axum::routing::post(sessions))
        .route("/workspaces", get(list).post(create))
        .route("/workspaces/{name}", get(get_one).put(update).delete(delete));
    let app = Router::new()
        .nest("/api", api)
        .route("/{name}", get(workspace_page))
        .fallback(|| async { (StatusCode::NOT_FOUND, Html("<h1>404: This page could not be found.</h1>")) })
        .with_state(cloud.clone());
    let server = DemoServer::serve(app, Faults::default()).await?;
    let _ = cloud.origin.set(server.base_url.clone());
    Ok(MageProDemo { server, cloud })
}

type Params = HashMap<String, String>;

fn wants_codes(q: &Params) -> bool {
    q.get("_http_error_codes").is_some_and(|v| v == "true" || v == "1")
}

/// Mage's error envelope: HTTP 200 unless `_http_error_codes` asks for the real status.
fn error(q: &Params, code: u16, kind: &str, message: &str) -> Response {
    let http = if wants_codes(q) { code } else { 200 };
    let status = StatusCode::from_u16(http).unwrap_or(StatusCode::OK);
    (status, Json(json!({"error": {"code": code, "message": message, "type": kind}, "status": http}))).into_response()
}

/// Key and token refusals are real 401s either way (their `status` field still says 200).
fn refused(q: &Params, kind: &str, message: &str) -> Response {
    let status = if wants_codes(q) { 401 } else { 200 };
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": {"code": 401, "message": message, "type": kind}, "status": status})),
    )
        .into_response()
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

fn check_key(c: &Cloud, h: &HeaderMap, q: &Params, body: Option<&Value>) -> Result<(), Response> {
    let key = header(h, "x-api-key")
        .or(q.get("api_key").map(String::as_str))
        .or(body.and_then(|b| b.get("api_key")).and_then(Value::as_str));
    if key == Some(c.api_key.as_str()) {
        Ok(())
    } else {
        Err(refused(q, "invalid_api_key", "Invalid API key."))
    }
}

/// The signed-in user of a request, or the answer Mage gives instead.
fn authenticate(c: &Cloud, h: &HeaderMap, q: &Params) -> Result<User, Response> {
    check_key(c, h, q, None)?;
    let tokens = c.tokens.lock().map_err(|_| error(q, 500, "", "lock"))?;
    let cookie_jwt = header(h, "cookie").and_then(|cookies| {
        cookies.split(';').find_map(|kv| kv.trim().strip_prefix("oauth_token=").map(str::to_string))
    });
    let raw = header(h, "oauth-token")
        .map(str::to_string)
        .or_else(|| header(h, "authorization").and_then(|a| a.strip_prefix("Bearer ")).map(|t| t.trim().to_string()))
        .or_else(|| cookie_jwt.and_then(|jwt| tokens.iter().find(|(_, i)| i.jwt == jwt).map(|(raw, _)| raw.clone())));
    let Some(raw) = raw else {
        return Err(error(q, 403, "unauthorized_access", "Private access for list only, invalid scope."));
    };
    match tokens.get(&raw) {
        None => Err(refused(q, "invalid_oauth_token", "Invalid OAuth token.")),
        Some(i) if i.expired || i.expires <= chrono::Utc::now().timestamp() => {
            Err(refused(q, "expired_oauth_token", "Token expired."))
        }
        Some(i) => Ok(c.users[i.user].clone()),
    }
}

fn owner_only(q: &Params, user: &User) -> Result<(), Response> {
    if user.owner {
        Ok(())
    } else {
        Err(error(q, 403, "unauthorized_access", "Unauthorized access."))
    }
}

async fn statuses() -> Response {
    Json(json!({
        "statuses": [{
            "instance_type": "k8s",
            "project_type": "main",
            "require_user_authentication": true,
            "is_instance_manager": false,
            "repo_path": "/home/src/mainproj",
            "scheduler_status": "running",
        }],
        "metadata": {},
    }))
    .into_response()
}

async fn sessions(
    State(c): State<Shared>,
    h: HeaderMap,
    Query(q): Query<Params>,
    body: Option<Json<Value>>,
) -> Response {
    let body = body.map(|b| b.0).unwrap_or(json!({}));
    if let Err(r) = check_key(&c, &h, &q, Some(&body)) {
        return r;
    }
    let session = &body["session"];
    let login = session.get("email").or(session.get("username")).and_then(Value::as_str).unwrap_or("");
    let password = session.get("password").and_then(Value::as_str).unwrap_or("");
    let found = c.users.iter().position(|u| (u.email == login || u.username == login) && u.password == password);
    let Some(i) = found else {
        return error(&q, 404, "record_not_found", "Email/username and/or password invalid.");
    };
    let (token, expires) = c.issue(i);
    let when = chrono::DateTime::from_timestamp(expires, 0).unwrap_or_default().format("%Y-%m-%d %H:%M:%S%.6f");
    let u = &c.users[i];
    Json(json!({
        "session": {
            "token": token,
            "expires": when.to_string(),
            "user": {
                "id": u.id, "username": u.username, "email": u.email, "owner": u.owner,
                "roles_display": if u.owner { "Owner" } else { "Viewer" },
            },
        },
        "metadata": null,
    }))
    .into_response()
}

fn not_found(q: &Params, name: &str) -> Response {
    error(q, 404, "record_not_found", &format!("Project {name} was not found."))
}

async fn list(State(c): State<Shared>, h: HeaderMap, Query(q): Query<Params>) -> Response {
    if let Err(r) = authenticate(&c, &h, &q) {
        return r;
    }
    let Ok(mut all) = c.workspaces.lock() else {
        return error(&q, 500, "", "lock");
    };
    let items: Vec<Value> = all
        .iter_mut()
        .map(|w| {
            w.advance();
            w.json(c.origin())
        })
        .collect();
    Json(json!({"workspaces": items, "metadata": {}})).into_response()
}

fn with_ws<T>(c: &Cloud, name: &str, f: impl FnOnce(&mut Ws) -> T) -> Option<T> {
    let mut list = c.workspaces.lock().ok()?;
    let w = list.iter_mut().find(|w| w.name == name)?;
    w.advance();
    Some(f(w))
}

async fn get_one(State(c): State<Shared>, h: HeaderMap, Query(q): Query<Params>, Path(name): Path<String>) -> Response {
    if let Err(r) = authenticate(&c, &h, &q) {
        return r;
    }
    match with_ws(&c, &name, |w| w.json(c.origin())) {
        Some(v) => Json(json!({"workspace": v, "metadata": null})).into_response(),
        None => not_found(&q, &name),
    }
}

/// What the Kubernetes API answers for a name it cannot use (DNS-1123).
fn k8s_name_error(name: &str) -> Option<String> {
    let ok = name.len() <= 63
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    (!ok).then(|| {
        format!(
            "(422) Reason: Unprocessable Entity: StatefulSet.apps \"{name}\" is invalid: metadata.name: Invalid value: \
             \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'"
        )
    })
}

async fn create(State(c): State<Shared>, h: HeaderMap, Query(q): Query<Params>, body: Option<Json<Value>>) -> Response {
    let user = match authenticate(&c, &h, &q) {
        Ok(u) => u,
        Err(r) => return r,
    };
    if let Err(r) = owner_only(&q, &user) {
        return r;
    }
    let body = body.map(|b| b.0).unwrap_or(json!({}));
    let payload = &body["workspace"];
    let name = payload.get("name").and_then(Value::as_str).map(str::trim).unwrap_or("");
    if name.is_empty() {
        return error(&q, 400, "api_resource_error", "Please enter a valid workspace name.");
    }
    let text = |key: &str| payload.get(key).and_then(Value::as_str).map(str::to_string).filter(|s| !s.is_empty());
    if payload.get("container_config").is_some_and(|v| !v.is_string() && !v.is_null()) {
        return error(&q, 400, "api_resource_error", "container_config must be a YAML string");
    }
    let Ok(mut list) = c.workspaces.lock() else {
        return error(&q, 500, "", "lock");
    };
    if list.iter().any(|w| w.name == name) {
        return error(&q, 400, "api_resource_error", &format!("Project with name {name} already exists"));
    }
    if let Some(why) = k8s_name_error(name) {
        return error(&q, 400, "api_resource_error", &why);
    }
    let mut w = make_ws(name, "PENDING", None, None);
    w.container_config = text("container_config");
    w.ingress_name = text("ingress_name");
    w.in_ingress = w.ingress_name.is_some();
    w.storage_access_mode = text("storage_access_mode");
    w.storage_request_size = payload.get("storage_request_size").filter(|v| !v.is_null()).cloned();
    let policy = &payload["lifecycle_config"]["termination_policy"];
    w.lifecycle_config = lifecycle(
        policy["enable_auto_termination"].as_bool().unwrap_or(false),
        policy["max_idle_seconds"].as_u64().unwrap_or(0),
    );
    w.next = Some(("RUNNING".into(), Instant::now() + c.timing.provision));
    list.insert(0, w);
    Json(json!({"workspace": {"success": true}, "metadata": null})).into_response()
}

async fn update(
    State(c): State<Shared>,
    h: HeaderMap,
    Query(q): Query<Params>,
    Path(name): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    let user = match authenticate(&c, &h, &q) {
        Ok(u) => u,
        Err(r) => return r,
    };
    if let Err(r) = owner_only(&q, &user) {
        return r;
    }
    let body = body.map(|b| b.0).unwrap_or(json!({}));
    let payload = body["workspace"].clone();
    let after = c.timing.transition;
    let origin = c.origin().to_string();
    let snapshot = with_ws(&c, &name, |w| {
        let Some(action) = payload.get("action").and_then(Value::as_str) else {
            return Err(());
        };
        let before = w.json(&origin);
        match action {
            "stop" if w.status != "STOPPED" => w.next = Some(("STOPPED".into(), Instant::now() + after)),
            "resume" if w.status == "STOPPED" => {
                w.status = "PENDING".into();
                w.next = Some(("RUNNING".into(), Instant::now() + after));
            }
            "patch" => {
                if let Some(cfg) = payload.get("container_config").and_then(Value::as_str) {
                    w.container_config = Some(cfg.to_string());
                }
                if let Some(l) = payload.get("lifecycle_config").filter(|l| l.is_object()) {
                    w.lifecycle_config = l.clone();
                }
            }
            "add_to_ingress" if w.ingress_name.is_some() => w.in_ingress = true,
            // Mage ignores actions it does not know.
            _ => {}
        }
        Ok(before)
    });
    match snapshot {
        None => not_found(&q, &name),
        Some(Err(())) => error(&q, 400, "api_resource_error", "'action'"),
        Some(Ok(v)) => Json(json!({"workspace": v, "metadata": null})).into_response(),
    }
}

async fn delete(State(c): State<Shared>, h: HeaderMap, Query(q): Query<Params>, Path(name): Path<String>) -> Response {
    let user = match authenticate(&c, &h, &q) {
        Ok(u) => u,
        Err(r) => return r,
    };
    if let Err(r) = owner_only(&q, &user) {
        return r;
    }
    let Ok(mut list) = c.workspaces.lock() else {
        return error(&q, 500, "", "lock");
    };
    let Some(i) = list.iter().position(|w| w.name == name) else {
        return not_found(&q, &name);
    };
    list[i].advance();
    let last = list.remove(i).json(c.origin());
    Json(json!({"workspace": last, "metadata": null})).into_response()
}

/// Where a workspace's ingress `url` leads: its Mage, once running.
async fn workspace_page(State(c): State<Shared>, Path(name): Path<String>) -> Response {
    match with_ws(&c, &name, |w| w.status.clone()) {
        Some(status) if status == "RUNNING" => Html(format!(
            "<!doctype html><title>{name} · Mage</title><h1>Mage Pro demo</h1><p>Workspace <code>{name}</code> is running.</p>"
        ))
        .into_response(),
        Some(_) => (StatusCode::SERVICE_UNAVAILABLE, Html("<h1>Workspace is not running</h1>")).into_response(),
        None => (StatusCode::NOT_FOUND, Html("<h1>404: This page could not be found.</h1>")).into_response(),
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

    /// The demo's workspace carries the keys of the contract's real response (§5).
    #[test]
    fn workspaces_have_the_documented_keys() {
        let documented: Value = json!({"name":"","project_uuid":"","lifecycle_config":{},"namespace":"",
            "container_config":"","ingress_name":"","pvc_retention_policy":null,"service_account_name":"",
            "storage_access_mode":null,"storage_class_name":null,"storage_request_size":"","url":"","access":null,
            "instance":{}});
        let mut w = make_ws("alpha", "RUNNING", None, Some("my-ingress"));
        assert_eq!(keys(&w.json("http://127.0.0.1:1")), keys(&documented));
        w.in_ingress = false;
        assert!(w.json("http://127.0.0.1:1").get("url").is_none(), "url is absent, not null, without ingress");
        assert_eq!(keys(&w.json("x")["instance"]), keys(&json!({"name":"","type":"","status":"","ip":""})));
    }

    #[test]
    fn tokens_are_jwt_shaped_with_mage_payload() {
        let t = jwt("abc", 1_700_000_000);
        let parts: Vec<&str> = t.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(base64url(br#"{"expires":1700000000,"token":"abc"}"#), parts[1]);
        assert_eq!(base64url(b"hi"), "aGk");
        assert!(k8s_name_error("team-notebooks").is_none());
        assert!(k8s_name_error("My_WS").is_some());
    }
}
