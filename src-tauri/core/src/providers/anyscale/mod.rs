//! Anyscale: workspaces are Ray clusters ("sessions") behind a workspace row, reached through
//! the console API (`/api/v2`, what the SDK uses for workspaces) and the public API
//! (`/ext/v0`, defaults and compute configs). The workspace row's `state` is what list and
//! get show; the cluster is read only by `get`, for its URLs and idle facts.

mod form;
#[cfg(test)]
mod props;
mod states;
mod wire;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::form::{Form, FormValues};
use crate::http::{Http, RawResponse};
use crate::model::{
    Account, Action, CredentialField, Gpu, Hardware, Link, LinkKind, ProviderId, ProviderInfo, Workspace,
    WorkspaceState,
};
use crate::provider::{Provider, ProviderContext, ProviderKind};
use crate::ssh::{self, SshHost};
use crate::tunnel::TunnelTarget;
use form::{ComputePlan, ImagePlan, Offer};
use wire::{
    Build, BuildFromImageUri, ComputeConfig, ComputeTemplate, CreateComputeTemplate, CreateWorkspace, DecoratedSession,
    Envelope, ErrorBody, InlineComputeConfig, InstanceType, InstanceTypeGroup, KubeRaySshDetails, NodeType, Page,
    PatchOp, SshKey, StopSession, UserInfo, WireCloud, WireProject, WireWorkspace,
};

pub const DEFAULT_BASE_URL: &str = "https://console.anyscale.com";
/// The generated client refuses more than 50 workspaces per page; the backend likely does too.
const PAGE_SIZE: &str = "50";
const MAX_PAGES: usize = 1000;
/// Where a workspace's project lives on the head node (`~/<project dir>`, typically `default`).
const REMOTE_DIR: &str = "/home/ray/default";

/// Every path Hangar calls, in one place: `/api/v2` is the console's unversioned API.
mod paths {
    pub const USERINFO: [&str; 4] = ["api", "v2", "userinfo", ""];
    pub const WORKSPACES: [&str; 4] = ["api", "v2", "experimental_workspaces", ""];
    pub const CLOUDS: [&str; 4] = ["api", "v2", "clouds", ""];
    pub const PROJECTS: [&str; 4] = ["api", "v2", "projects", ""];
    pub const COMPUTE_TEMPLATES: [&str; 4] = ["api", "v2", "compute_templates", ""];
    pub const COMPUTE_SEARCH: [&str; 4] = ["ext", "v0", "cluster_computes", "search"];
    pub const DEFAULT_BUILD: [&str; 4] = ["ext", "v0", "cluster_environment_builds", "default"];
    pub const BUILD_FROM_IMAGE: [&str; 4] = ["api", "v2", "builds", "get_or_create_build_from_image_uri"];

    pub fn workspace(id: &str) -> [&str; 4] {
        ["api", "v2", "experimental_workspaces", id]
    }
    pub fn session(id: &str) -> [&str; 4] {
        ["api", "v2", "decorated_sessions", id]
    }
    pub fn session_action<'a>(id: &'a str, action: &'a str) -> [&'a str; 5] {
        ["api", "v2", "sessions", id, action]
    }
    pub fn compute_template(id: &str) -> [&str; 4] {
        ["api", "v2", "compute_templates", id]
    }
    pub fn instance_types(cloud_id: &str) -> [&str; 5] {
        ["api", "v2", "clouds", cloud_id, "additional_instance_types"]
    }
    pub fn project(id: &str) -> [&str; 4] {
        ["api", "v2", "projects", id]
    }
    pub fn cluster_access_token(cluster_id: &str) -> [&str; 5] {
        ["api", "v2", "authentication", cluster_id, "cluster_access_token"]
    }
    pub fn kuberay_ssh_details(workspace_id: &str) -> [&str; 6] {
        ["api", "v2", "kuberay", "workloads", workspace_id, "ssh_details"]
    }
}

/// The Anyscale provider kind, listed in `providers::KINDS`.
pub struct Kind;

#[async_trait]
impl ProviderKind for Kind {
    fn id(&self) -> ProviderId {
        ProviderId::Anyscale
    }

    fn info(&self) -> ProviderInfo {
        info()
    }

    fn connect(&self, ctx: ProviderContext) -> Result<std::sync::Arc<dyn Provider>> {
        Ok(std::sync::Arc::new(Anyscale::new(ctx)?))
    }
}

pub fn info() -> ProviderInfo {
    ProviderInfo {
        id: ProviderId::Anyscale,
        display_name: "Anyscale".into(),
        default_base_url: Some(DEFAULT_BASE_URL.into()),
        base_url_required: false,
        credential_fields: vec![CredentialField {
            key: "token".into(),
            label: "CLI token or API key".into(),
            secret: true,
            required: true,
        }],
        has_names: true,
        browser_sign_in: false,
    }
}

/// The SDK's own sanity check: `sss_…` (user CLI tokens) or `a…_…` (API keys).
fn check_token(token: &str) -> Result<()> {
    if token.starts_with("sss_") || (token.starts_with('a') && token.contains('_')) {
        Ok(())
    } else {
        Err(Error::invalid(
            "token",
            "this is not an Anyscale CLI token or API key (those start with 'sss_', or with 'a' and contain '_'); \
             create one on the console's API keys page",
        ))
    }
}

pub struct Anyscale {
    http: Http,
    token: String,
    account: Account,
    /// Compute config id → its node types; configs are immutable versions, so this never goes stale.
    computes: Mutex<HashMap<String, ComputeConfig>>,
    /// Cloud id → instance types with their hardware facts.
    catalogs: Mutex<HashMap<String, Vec<InstanceType>>>,
    /// Cloud and project ids → names, for the details only.
    names: Mutex<HashMap<String, String>>,
}

impl Anyscale {
    pub fn new(ctx: ProviderContext) -> Result<Self> {
        let base = ctx.base_url(&info())?;
        let token = ctx.secret("token")?.trim().to_string();
        check_token(&token)?;
        let mut http = Http::new(&base, "Anyscale", &ctx.credentials, ctx.http)?;
        // The trimmed token is what goes on the wire, so it is what an echo would contain.
        http.add_secret(&token);
        Ok(Anyscale {
            http,
            token,
            account: ctx.account,
            computes: Mutex::default(),
            catalogs: Mutex::default(),
            names: Mutex::default(),
        })
    }

    /// One request. Bearer, not the SDK's `cli_token` cookie: the console API accepts both
    /// (Anyscale's Terraform provider uses only Bearer), and one standard header is one
    /// thing to redact and one thing reqwest strips on a cross-host redirect.
    async fn call(
        &self,
        method: Method,
        path: &[&str],
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Result<RawResponse> {
        let idempotent = method == Method::GET || method == Method::PUT;
        let mut req = self.http.request(method, path).bearer_auth(&self.token);
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = self.http.send(req, idempotent).await?;
        if resp.is_success() {
            Ok(resp)
        } else {
            Err(error_of(&resp))
        }
    }

    async fn get_json<T: DeserializeOwned>(&self, path: &[&str], query: &[(&str, &str)]) -> Result<T> {
        self.call(Method::GET, path, query, None).await?.json()
    }

    async fn post_json<T: DeserializeOwned>(&self, path: &[&str], body: &impl Serialize) -> Result<T> {
        self.call(Method::POST, path, &[], Some(to_value(body)?)).await?.json()
    }

    async fn workspace(&self, id: &str) -> Result<WireWorkspace> {
        Ok(self.get_json::<Envelope<WireWorkspace>>(&paths::workspace(id), &[]).await?.result)
    }

    /// The cluster behind a VM workspace; it only decorates, so a failure hides links, not the workspace.
    async fn session(&self, w: &WireWorkspace) -> Option<DecoratedSession> {
        let cluster = w.cluster_id.as_deref().filter(|c| !c.is_empty() && !w.is_kuberay())?;
        match self.get_json::<Envelope<DecoratedSession>>(&paths::session(cluster), &[]).await {
            Ok(s) => Some(s.result),
            Err(e) => {
                tracing::debug!(error = %e, "Anyscale cluster lookup failed");
                None
            }
        }
    }

    async fn clouds(&self) -> Result<Vec<WireCloud>> {
        let page: Page<WireCloud> = self.get_json(&paths::CLOUDS, &[("count", PAGE_SIZE)]).await?;
        if let Ok(mut names) = self.names.lock() {
            names.extend(page.results.iter().map(|c| (c.id.clone(), c.name.clone())));
        }
        Ok(page.results)
    }

    async fn projects(&self, cloud_id: &str) -> Result<Vec<WireProject>> {
        let query = [("parent_cloud_id", cloud_id), ("include_defaults", "true"), ("count", PAGE_SIZE)];
        let page: Page<WireProject> = self.get_json(&paths::PROJECTS, &query).await?;
        if let Ok(mut names) = self.names.lock() {
            names.extend(page.results.iter().map(|p| (p.id.clone(), p.name.clone())));
        }
        Ok(page.results)
    }

    async fn catalog(&self, cloud_id: &str) -> Result<Vec<InstanceType>> {
        if let Some(c) = self.catalogs.lock().ok().and_then(|m| m.get(cloud_id).cloned()) {
            return Ok(c);
        }
        let page: Page<InstanceTypeGroup> = self.get_json(&paths::instance_types(cloud_id), &[]).await?;
        let mut types: Vec<InstanceType> = vec![];
        for t in page.results.into_iter().flat_map(|g| g.instance_types) {
            if !types.iter().any(|k| k.name == t.name) {
                types.push(t);
            }
        }
        if let Ok(mut m) = self.catalogs.lock() {
            m.insert(cloud_id.to_string(), types.clone());
        }
        Ok(types)
    }

    async fn compute(&self, id: &str) -> Result<ComputeConfig> {
        if let Some(c) = self.computes.lock().ok().and_then(|m| m.get(id).cloned()) {
            return Ok(c);
        }
        let t: Envelope<ComputeTemplate> = self.get_json(&paths::compute_template(id), &[]).await?;
        let config = t.result.config.unwrap_or_default();
        if let Ok(mut m) = self.computes.lock() {
            m.insert(id.to_string(), config.clone());
        }
        Ok(config)
    }

    /// Fills the caches for what these workspaces refer to: one call per unknown compute
    /// config, cloud catalog and name, never one per workspace.
    async fn learn(&self, rows: &[&WireWorkspace], compute_ids: &[String]) {
        let known_names: HashSet<String> = self.names.lock().map(|m| m.keys().cloned().collect()).unwrap_or_default();
        let known_computes: HashSet<String> =
            self.computes.lock().map(|m| m.keys().cloned().collect()).unwrap_or_default();
        let known_catalogs: HashSet<String> =
            self.catalogs.lock().map(|m| m.keys().cloned().collect()).unwrap_or_default();
        let distinct = |ids: Vec<&String>| -> Vec<String> {
            let mut v: Vec<String> = ids.into_iter().cloned().collect();
            v.sort();
            v.dedup();
            v
        };
        let clouds = distinct(rows.iter().filter_map(|w| w.cloud_id.as_ref()).collect());
        let projects =
            distinct(rows.iter().filter_map(|w| w.project_id.as_ref()).filter(|p| !known_names.contains(*p)).collect());
        let computes = distinct(compute_ids.iter().filter(|c| !known_computes.contains(*c)).collect());
        let catalogs: Vec<&String> = clouds.iter().filter(|c| !known_catalogs.contains(*c)).collect();

        let cloud_names = async {
            if clouds.iter().any(|c| !known_names.contains(c)) {
                let _ = self.clouds().await;
            }
        };
        let project_names = futures::future::join_all(projects.iter().map(|p| async move {
            let name = self
                .get_json::<Envelope<WireProject>>(&paths::project(p), &[])
                .await
                .map(|e| e.result.name)
                .unwrap_or_else(|_| p.clone());
            (p.clone(), name)
        }));
        let configs = futures::future::join_all(computes.iter().map(|c| self.compute(c)));
        let types = futures::future::join_all(catalogs.iter().map(|c| self.catalog(c)));
        let (_, project_names, _, _) = tokio::join!(cloud_names, project_names, configs, types);
        if let Ok(mut names) = self.names.lock() {
            names.extend(project_names);
        }
    }

    fn name_of(&self, id: Option<&str>) -> Option<String> {
        let id = id?;
        Some(self.names.lock().ok().and_then(|m| m.get(id).cloned()).unwrap_or_else(|| id.to_string()))
    }

    fn hardware_of(&self, compute_id: Option<&str>, cloud_id: Option<&str>) -> Hardware {
        let config = compute_id.and_then(|id| self.computes.lock().ok()?.get(id).cloned());
        let catalog = cloud_id.and_then(|id| self.catalogs.lock().ok()?.get(id).cloned()).unwrap_or_default();
        config.map(|c| to_hardware(&c, &catalog)).unwrap_or_default()
    }

    /// A workspace from the vendor's row (and its cluster, when read).
    fn decode(&self, w: &WireWorkspace, session: Option<&DecoratedSession>) -> Result<Workspace> {
        if w.id.trim().is_empty() {
            return Err(Error::BadResponse { message: "Anyscale answered a workspace without its id".into() });
        }
        Ok(self.to_workspace(w, session))
    }

    fn to_workspace(&self, w: &WireWorkspace, session: Option<&DecoratedSession>) -> Workspace {
        // The row's state, as the SDK's list/get show it; the demo and the backend keep the
        // cluster's in step.
        let raw = w.state().to_string();
        let compute_id = session.and_then(|s| s.compute_template_id.as_deref()).or(w.compute_config_id.as_deref());
        let mut details = BTreeMap::new();
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
                details.insert(k.to_string(), v);
            }
        };
        put("project", self.name_of(w.project_id.as_deref()));
        put(
            "cloud",
            session.and_then(|s| s.cloud.as_ref()?.name.clone()).or_else(|| self.name_of(w.cloud_id.as_deref())),
        );
        put("creator", w.creator_email.clone().or_else(|| session.and_then(|s| s.creator.as_ref()?.email.clone())));
        let idle = session.and_then(|s| s.idle_timeout).or(w.idle_timeout_minutes);
        put("idle timeout", idle.map(|m| format!("{m} min")));
        put("cluster", w.cluster_id.clone());
        put("compute config", compute_id.map(str::to_string));
        put("last started", w.latest_started_at.clone());
        if w.is_kuberay() {
            put("stack", Some("KubeRay".into()));
        }
        if let Some(secs) = session.and_then(|s| s.idle_time_remaining_seconds).filter(|_| raw == "Running") {
            let secs = secs.max(0);
            put("idle termination in", Some(format!("{} min", secs / 60 + i64::from(secs % 60 != 0))));
        }
        let state = states::normalize(&raw);
        Workspace {
            account: self.account.name.clone(),
            provider: ProviderId::Anyscale,
            id: w.id.clone(),
            name: if w.name.trim().is_empty() { w.id.clone() } else { w.name.clone() },
            state,
            raw_state: raw.clone(),
            hardware: self.hardware_of(compute_id, w.cloud_id.as_deref()),
            created_at: w.created_at.as_deref().and_then(parse_time),
            links: self.links(w, session),
            actions: states::actions(&raw),
            details,
            error: (state == WorkspaceState::Errored).then(|| format!("the workspace's cluster is in state {raw}")),
        }
    }

    fn links(&self, w: &WireWorkspace, session: Option<&DecoratedSession>) -> Vec<Link> {
        let browser = |url: &str, label: &str| Link {
            kind: LinkKind::Browser,
            url: url.into(),
            label: Some(label.into()),
            ssh_alias: None,
        };
        let mut links = vec![browser(self.http.endpoint(&["workspaces", &w.id]).as_str(), "Anyscale console")];
        if w.state() != "Running" {
            return links;
        }
        let from_api = [
            (session.and_then(|s| s.jupyter_notebook_url.as_deref()), "Jupyter"),
            (session.and_then(|s| s.ray_dashboard_url.as_deref()).or(w.ray_dashboard_url.as_deref()), "Ray dashboard"),
            (w.vscode_url.as_deref(), "VS Code (browser)"),
        ];
        for (url, label) in from_api {
            if let Some(u) = url.filter(|u| is_web_url(u)) {
                links.push(browser(u, label));
            }
        }
        // The IDE goes through an SSH alias whose ProxyCommand is the cluster's HTTPS tunnel;
        // a VM cluster that reports no tunnel host gets no IDE link rather than a dead one.
        if session.is_some_and(|s| tunnel_host(s).is_none()) && !w.is_kuberay() {
            return links;
        }
        let alias = ssh::alias(&self.account.name, &w.name, &w.id);
        for (kind, scheme) in [(LinkKind::Vscode, "vscode"), (LinkKind::Cursor, "cursor")] {
            links.push(Link {
                kind,
                url: format!("{scheme}://vscode-remote/ssh-remote+{alias}{REMOTE_DIR}"),
                label: Some(format!("SSH host {alias}")),
                ssh_alias: Some(alias.clone()),
            });
        }
        links
    }

    /// Where a running workspace's SSH server is reached, per the contract's IDE section.
    async fn ssh_route(&self, id: &str) -> Result<(WireWorkspace, SshRoute)> {
        let w = self.workspace(id).await?;
        if w.state() != "Running" {
            return Err(Error::Conflict(format!(
                "workspace '{}' is {}; SSH opens once it is running",
                w.name,
                states::normalize(w.state())
            )));
        }
        if w.is_kuberay() {
            let details: Envelope<KubeRaySshDetails> = self.get_json(&paths::kuberay_ssh_details(&w.id), &[]).await?;
            return Ok((w, SshRoute::KubeRay(details.result)));
        }
        let cluster = w.cluster_id.clone().filter(|c| !c.is_empty()).ok_or_else(|| Error::BadResponse {
            message: format!("Anyscale returned workspace '{}' without a cluster id", w.name),
        })?;
        let session: Envelope<DecoratedSession> = self.get_json(&paths::session(&cluster), &[]).await?;
        let (secure, host) = tunnel_host(&session.result).ok_or_else(|| {
            Error::Unavailable(format!(
                "workspace '{}' has no SSH tunnel: its cluster reports no web terminal host",
                w.name
            ))
        })?;
        Ok((w, SshRoute::Vm { cluster, secure, host }))
    }

    async fn act_on_cluster(&self, id: &str, action: Action) -> Result<()> {
        let w = self.workspace(id).await?;
        let raw = w.state().to_string();
        if !states::actions(&raw).contains(&action) {
            return Err(Error::Conflict(format!(
                "workspace '{}' is {} ({raw}); it cannot be {} now",
                w.name,
                states::normalize(&raw),
                if action == Action::Start { "started" } else { "terminated" }
            )));
        }
        let cluster = w.cluster_id.as_deref().filter(|c| !c.is_empty()).ok_or_else(|| Error::BadResponse {
            message: format!("Anyscale returned workspace '{}' without a cluster id", w.name),
        })?;
        let (verb, body) = match action {
            Action::Start => ("start", json!({})),
            _ => ("stop", to_value(&StopSession::terminate())?),
        };
        match self.call(Method::POST, &paths::session_action(cluster, verb), &[], Some(body)).await {
            // A state the backend refuses to leave this way is a conflict, not bad input.
            Err(Error::InvalidInput { message, .. }) => Err(Error::Conflict(message)),
            other => other.map(|_| ()),
        }
    }
}

enum SshRoute {
    KubeRay(KubeRaySshDetails),
    Vm { cluster: String, secure: bool, host: String },
}

fn to_value(body: &impl Serialize) -> Result<Value> {
    serde_json::to_value(body).map_err(|e| Error::Internal(format!("request body: {e}")))
}

fn is_web_url(u: &str) -> bool {
    u.starts_with("https://") || u.starts_with("http://")
}

/// The cluster's tunnel endpoint: the host (and port) of its web terminal URL, per the SDK.
fn tunnel_host(s: &DecoratedSession) -> Option<(bool, String)> {
    let url = url::Url::parse(s.webterminal_auth_url.as_deref()?).ok()?;
    let host = url.host_str()?.to_string();
    let secure = url.scheme() == "https";
    Some((secure, url.port().map_or(host.clone(), |p| format!("{host}:{p}"))))
}

fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&chrono::Utc))
}

/// CPU and memory are the head node's (where the IDE runs); the GPU count is what the
/// workers can scale up to, or the head's own when it has GPUs.
fn to_hardware(config: &ComputeConfig, catalog: &[InstanceType]) -> Hardware {
    let facts = |t: Option<&str>| t.and_then(|t| catalog.iter().find(|k| k.name == t));
    let head = config.head_node_type.as_ref();
    let head_facts = facts(head.and_then(|h| h.instance_type.as_deref()));
    let workers = config.worker_node_types.clone().unwrap_or_default();
    let gpu_of = |t: &InstanceType| match (&t.gpu_type, t.gpu_count) {
        (Some(kind), Some(n)) if n > 0 && !kind.trim().is_empty() => Some((kind.clone(), n)),
        _ => None,
    };
    let worker_gpu = workers.iter().find_map(|w| {
        let (kind, n) = gpu_of(facts(w.instance_type.as_deref())?)?;
        Some(Gpu { kind, count: n.saturating_mul(w.max_workers.unwrap_or(0)) }).filter(|g| g.count > 0)
    });
    // A count below zero is no count at all.
    let amount = |v: Option<f64>| v.filter(|v| v.is_finite() && *v >= 0.0);
    let gpu = head_facts.and_then(gpu_of).map(|(kind, count)| Gpu { kind, count }).or(worker_gpu);
    let mut label = form::node_summary(head, &workers);
    if let Some(g) = &gpu {
        label.push_str(&format!(" · up to {}× {}", g.count, g.kind));
    }
    Hardware {
        label: Some(label),
        cpus: amount(head_facts.and_then(|f| f.cpu_count)),
        memory_gb: amount(head_facts.and_then(|f| f.memory_in_gib)),
        gpu,
    }
}

/// Vendor field names in 422 bodies → the form's keys.
fn form_field(wire: &str) -> Option<&'static str> {
    Some(match wire {
        "name" => form::NAME,
        "idle_timeout_minutes" | "idle_timeout" => form::IDLE_MINUTES,
        "project_id" => form::PROJECT,
        "cloud_id" => form::CLOUD,
        "compute_config_id" => form::COMPUTE_CONFIG,
        "cluster_environment_build_id" => form::BUILD,
        "image_uri" => form::IMAGE_URI,
        "ray_version" => form::RAY_VERSION,
        "max_workers" => form::MAX_WORKERS,
        "instance_type" => form::HEAD_TYPE,
        _ => return None,
    })
}

fn error_of(resp: &RawResponse) -> Error {
    let detail = serde_json::from_str::<ErrorBody>(&resp.body).ok().and_then(|b| b.error);
    let (message, field) = match detail {
        Some(e) => match e.detail {
            Some(Value::String(s)) => (Some(s), None),
            Some(Value::Array(items)) => {
                let mut field = None;
                let list: Vec<String> = items
                    .iter()
                    .map(|i| {
                        let loc = i.get("loc").and_then(Value::as_array);
                        let wire = loc.and_then(|l| l.last()).and_then(Value::as_str).unwrap_or("?");
                        if field.is_none() {
                            field = form_field(wire).map(str::to_string);
                        }
                        format!("{wire}: {}", i.get("msg").and_then(Value::as_str).unwrap_or("invalid"))
                    })
                    .collect();
                let head = e.message.unwrap_or_else(|| "Invalid request".into());
                (Some(if list.is_empty() { head } else { format!("{head} ({})", list.join("; ")) }), field)
            }
            _ => (e.message, None),
        },
        None => (None, None),
    };
    resp.status_error(message, field)
}

#[async_trait]
impl Provider for Anyscale {
    async fn verify(&self) -> Result<()> {
        let me: Envelope<UserInfo> = self.get_json(&paths::USERINFO, &[]).await?;
        tracing::debug!(user = %me.result.id, "Anyscale token verified");
        Ok(())
    }

    async fn list(&self) -> Result<Vec<Workspace>> {
        let mut rows: Vec<WireWorkspace> = vec![];
        let mut token: Option<String> = None;
        let mut seen = HashSet::new();
        for page_no in 0.. {
            if page_no >= MAX_PAGES {
                return Err(Error::BadResponse {
                    message: format!("Anyscale kept paging workspaces past {MAX_PAGES} pages; stopped listing"),
                });
            }
            let mut query = vec![("count", PAGE_SIZE)];
            if let Some(t) = &token {
                query.push(("paging_token", t.as_str()));
            }
            let page: Page<WireWorkspace> = self.get_json(&paths::WORKSPACES, &query).await?;
            let next = page.next_token().map(str::to_string);
            rows.extend(page.results);
            match next {
                None => break,
                Some(t) if !seen.insert(t.clone()) => {
                    return Err(Error::BadResponse {
                        message: "Anyscale returned a workspace paging token it had returned before; stopped listing"
                            .into(),
                    })
                }
                Some(t) => token = Some(t),
            }
        }
        let refs: Vec<&WireWorkspace> = rows.iter().collect();
        let computes: Vec<String> = rows.iter().filter_map(|w| w.compute_config_id.clone()).collect();
        self.learn(&refs, &computes).await;
        rows.iter().map(|w| self.decode(w, None)).collect()
    }

    async fn get(&self, id: &str) -> Result<Workspace> {
        let w = self.workspace(id).await?;
        let session = self.session(&w).await;
        let computes: Vec<String> = session
            .as_ref()
            .and_then(|s| s.compute_template_id.clone())
            .into_iter()
            .chain(w.compute_config_id.clone())
            .collect();
        self.learn(&[&w], &computes).await;
        self.decode(&w, session.as_ref())
    }

    async fn ssh_host(&self, id: &str) -> Result<SshHost> {
        let (w, route) = self.ssh_route(id).await?;
        let (host_name, private_key) = match route {
            SshRoute::KubeRay(details) => (details.hostname, details.private_key),
            SshRoute::Vm { cluster, host, .. } => {
                let key: Envelope<SshKey> = self.get_json(&paths::session_action(&cluster, "ssh_key"), &[]).await?;
                (host.split(':').next().unwrap_or_default().to_string(), key.result.private_key)
            }
        };
        if private_key.trim().is_empty() {
            return Err(Error::BadResponse {
                message: format!("Anyscale returned no SSH key for workspace '{}'", w.name),
            });
        }
        Ok(SshHost {
            host_name,
            port: 443,
            user: "ray".into(),
            private_key: Some(private_key),
            tunnel: true,
            ephemeral_host_key: true,
        })
    }

    async fn tunnel(&self, id: &str) -> Result<TunnelTarget> {
        let (w, route) = self.ssh_route(id).await?;
        let (secure, host, token) = match route {
            SshRoute::KubeRay(details) => {
                let token = details.cluster_access_token.filter(|t| !t.is_empty()).ok_or_else(|| {
                    Error::BadResponse { message: format!("Anyscale gave no tunnel token for workspace '{}'", w.name) }
                })?;
                (true, details.hostname, token)
            }
            SshRoute::Vm { cluster, secure, host } => {
                // A bare JSON string, no envelope.
                let token: String = self.get_json(&paths::cluster_access_token(&cluster), &[]).await?;
                (secure, host, token)
            }
        };
        Ok(TunnelTarget { url: format!("{}://{host}/sshws", if secure { "wss" } else { "ws" }), bearer: token })
    }

    async fn create_form(&self, selected: &BTreeMap<String, String>) -> Result<Form> {
        let clouds = self.clouds().await?;
        let chosen = selected
            .get(form::CLOUD)
            .filter(|c| clouds.iter().any(|k| &k.id == *c))
            .cloned()
            .or_else(|| clouds.iter().find(|c| c.is_default == Some(true)).map(|c| c.id.clone()))
            .or_else(|| clouds.first().map(|c| c.id.clone()))
            .ok_or_else(|| {
                Error::invalid(form::CLOUD, "this Anyscale organization has no cloud; set one up in the console first")
            })?;
        let search = json!({"cloud_id": chosen, "include_anonymous": false, "paging": {"count": 50}});
        let build_query = [("python_version", form::DEFAULT_PYTHON), ("ray_version", form::DEFAULT_RAY)];
        let (projects, computes, types, build) = tokio::join!(
            self.projects(&chosen),
            self.post_json::<Page<ComputeTemplate>>(&paths::COMPUTE_SEARCH, &search),
            self.catalog(&chosen),
            self.get_json::<Envelope<Build>>(&paths::DEFAULT_BUILD, &build_query),
        );
        let projects = projects?;
        if projects.is_empty() {
            return Err(Error::invalid(
                form::PROJECT,
                "this cloud has no project you can use; create one in the console first",
            ));
        }
        let computes = computes?.results;
        // A K8s cloud may list no instance types: then only registered configs are offered.
        let instance_types = match types {
            Ok(t) => t,
            Err(Error::NotFound(_)) => vec![],
            Err(e) => return Err(e),
        };
        if computes.is_empty() && instance_types.is_empty() {
            return Err(Error::invalid(
                form::COMPUTE_CONFIG,
                "this cloud offers no compute config and no instance types; register a compute config first",
            ));
        }
        let default_build = match build {
            Ok(b) => Some(b.result),
            Err(Error::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        Ok(form::create_form(&Offer { clouds, cloud_id: chosen, projects, computes, instance_types, default_build }))
    }

    fn check_name(&self, name: &str) -> Result<()> {
        form::check_name(name)
    }

    async fn create(&self, name: &str, values: &FormValues) -> Result<Workspace> {
        let plan = form::plan(name, values)?;
        let compute_config_id = match &plan.compute {
            ComputePlan::Registered(id) => id.clone(),
            ComputePlan::Inline { head, worker } => {
                let node = |name: &str, instance_type: &str| NodeType {
                    name: name.into(),
                    instance_type: Some(instance_type.into()),
                    ..NodeType::default()
                };
                // The head takes no Ray tasks when there are workers to run them.
                let mut head_node = node("head-node", head);
                if worker.is_some() {
                    head_node.resources = Some(json!({"cpu": 0, "gpu": 0}));
                }
                let workers = worker
                    .iter()
                    .map(|(t, max)| NodeType {
                        min_workers: Some(0),
                        max_workers: Some(*max),
                        use_spot: Some(false),
                        fallback_to_ondemand: Some(false),
                        ..node("worker", t)
                    })
                    .collect();
                let body = CreateComputeTemplate {
                    config: InlineComputeConfig {
                        cloud_id: &plan.cloud_id,
                        head_node_type: head_node,
                        worker_node_types: workers,
                        auto_select_worker_config: false,
                        flags: BTreeMap::from([("allow-cross-zone-autoscaling", json!(false))]),
                    },
                    anonymous: true,
                    new_version: true,
                };
                self.post_json::<Envelope<ComputeTemplate>>(&paths::COMPUTE_TEMPLATES, &body).await?.result.id
            }
        };
        let build_id = match &plan.image {
            ImagePlan::Build(id) => id.clone(),
            ImagePlan::Uri { image_uri, ray_version } => {
                let body = BuildFromImageUri { image_uri, ray_version };
                self.post_json::<Envelope<Build>>(&paths::BUILD_FROM_IMAGE, &body).await?.result.id
            }
        };
        let body = CreateWorkspace {
            name,
            project_id: &plan.project_id,
            cloud_id: &plan.cloud_id,
            compute_config_id: &compute_config_id,
            cluster_environment_build_id: &build_id,
            idle_timeout_minutes: plan.idle_minutes,
            skip_start: !plan.start_now,
        };
        let created: Envelope<WireWorkspace> = self.post_json(&paths::WORKSPACES, &body).await?;
        let w = created.result;
        self.learn(&[&w], &[compute_config_id]).await;
        self.decode(&w, None)
    }

    async fn start(&self, id: &str) -> Result<()> {
        self.act_on_cluster(id, Action::Start).await
    }

    async fn stop(&self, id: &str) -> Result<()> {
        self.act_on_cluster(id, Action::Stop).await
    }

    async fn delete(&self, id: &str) -> Result<()> {
        self.call(Method::DELETE, &paths::workspace(id), &[], None).await.map(|_| ())
    }

    async fn update_form(&self, id: &str) -> Result<Form> {
        let w = self.workspace(id).await?;
        Ok(form::update_form(&w.name, w.idle_timeout_minutes))
    }

    async fn update(&self, id: &str, values: &FormValues) -> Result<()> {
        let new_name = values.get(form::NAME).map(str::trim);
        if let Some(n) = new_name {
            form::check_name(n)?;
        }
        let idle = form::whole(values, form::IDLE_MINUTES, "Idle termination (minutes)")?;
        let w = self.workspace(id).await?;
        if states::normalize(w.state()) != WorkspaceState::Stopped {
            return Err(Error::Conflict(format!(
                "workspace '{}' is {} ({}); Anyscale changes the name and idle timeout only while it is terminated, so stop it first",
                w.name,
                states::normalize(w.state()),
                w.state()
            )));
        }
        if let Some(n) = new_name.filter(|n| *n != w.name) {
            let ops = [PatchOp { op: "replace", path: "/name", value: n }];
            self.call(Method::PATCH, &paths::workspace(id), &[], Some(to_value(&ops)?)).await?;
        }
        if let Some(minutes) = idle.filter(|m| Some(*m) != w.idle_timeout_minutes) {
            let cluster = w.cluster_id.as_deref().filter(|c| !c.is_empty()).ok_or_else(|| Error::BadResponse {
                message: format!("Anyscale returned workspace '{}' without a cluster id", w.name),
            })?;
            let minutes = minutes.to_string();
            let path = paths::session_action(cluster, "cluster_config_with_session_idle_timeout");
            self.call(Method::PUT, &path, &[("idle_timeout", minutes.as_str())], None).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
