//! exalsius: workspaces (Helm-templated apps: Jupyter, marimo, VS Code dev containers, LLM
//! serving) on the user's own Kubernetes clusters, per `shared/providers/exalsius.md`. The API
//! takes an Auth0 access token; Hangar signs in with PKCE or a device code (`auth`), keeps the
//! tokens in the keyring and renews them itself.

pub mod auth;
mod form;
#[cfg(test)]
mod props;
mod states;
mod wire;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::RwLock;

use crate::error::{Error, Result};
use crate::form::{Form, FormValues};
use crate::http::{validate_base_url, Http, RawResponse};
use crate::model::{
    Account, CredentialField, Gpu, Hardware, Link, LinkKind, ProviderId, ProviderInfo, Workspace, WorkspaceState,
};
use crate::provider::{OpenBrowser, Provider, ProviderContext, ProviderKind, ShowPrompt};
use crate::secrets::{Credentials, SecretStore};
use crate::ssh::{self, SshHost};
use auth::{AuthSettings, ACCESS_TOKEN, EXPIRES_AT, REFRESH_TOKEN};
use form::Offer;
use wire::{
    AccessInfo, ClustersList, CreateWorkspace, NodeHardware, ResourcesList, TemplateRequest, TemplatesList,
    WireWorkspace, WorkspaceIdResponse, WorkspaceResponse, WorkspacesList,
};

pub use auth::{sign_in_device, sign_in_pkce, DeviceCode};

const VENDOR: &str = "exalsius";
/// The official CLI's host: the API lives at the root; `/v1` (the spec's server) works too.
pub const DEFAULT_BASE_URL: &str = "https://api.exalsius.ai";
/// Account option: the SSH user of dev containers (the CLI says `dev`, a chart README `root`).
pub const OPT_SSH_USER: &str = "ssh_user";
const DEFAULT_SSH_USER: &str = "dev";
/// Where the VS Code dev container mounts the workspace volume.
const REMOTE_DIR: &str = "/workspace";
/// Renew this long before the access token's expiry, so a call never starts with a dying token.
const REFRESH_MARGIN_SECS: i64 = 60;

/// The Exalsius provider kind, listed in `providers::KINDS`.
pub struct Kind;

#[async_trait]
impl ProviderKind for Kind {
    fn id(&self) -> ProviderId {
        ProviderId::Exalsius
    }

    fn info(&self) -> ProviderInfo {
        info()
    }

    fn connect(&self, ctx: ProviderContext) -> Result<std::sync::Arc<dyn Provider>> {
        Ok(std::sync::Arc::new(Exalsius::new(ctx)?))
    }

    async fn sign_in_with_browser(&self, account: &Account, open: OpenBrowser<'_>) -> Result<Credentials> {
        sign_in_pkce(&auth_settings(account)?, open).await
    }

    async fn sign_in_with_device(&self, account: &Account, show: ShowPrompt<'_>) -> Result<Credentials> {
        sign_in_device(&auth_settings(account)?, |code| show(&code.prompt())).await
    }

    async fn revoke_sign_in(&self, account: &Account, credentials: &Credentials) -> Result<()> {
        match credentials.get(REFRESH_TOKEN) {
            Some(refresh) => auth::revoke(&auth_settings(account)?, refresh).await,
            None => Ok(()),
        }
    }
}

pub fn info() -> ProviderInfo {
    ProviderInfo {
        id: ProviderId::Exalsius,
        display_name: VENDOR.into(),
        default_base_url: Some(DEFAULT_BASE_URL.into()),
        base_url_required: false,
        credential_fields: vec![
            CredentialField {
                key: ACCESS_TOKEN.into(),
                label: "Access token (or sign in with the browser)".into(),
                secret: true,
                required: true,
            },
            CredentialField { key: REFRESH_TOKEN.into(), label: "Refresh token".into(), secret: true, required: false },
        ],
        has_names: true,
        browser_sign_in: true,
    }
}

/// The sign-in settings of an account (its `auth_url`, `client_id`, `audience`,
/// `organization` options, else the official CLI's), for the shells' Sign in buttons.
pub fn auth_settings(account: &Account) -> Result<AuthSettings> {
    AuthSettings::from_options(&account.options)
}

/// What a call is made with; replaced as a whole when the tokens are renewed.
struct Session {
    http: Http,
    creds: Credentials,
    /// Set once a renewal was refused: later calls fail at once with this message.
    signed_out: Option<String>,
}

pub struct Exalsius {
    account: Account,
    auth: AuthSettings,
    secrets: Arc<dyn SecretStore>,
    session: RwLock<Session>,
    /// One renewal at a time: with rotating refresh tokens a second one would sign the user out.
    renewing: tokio::sync::Mutex<()>,
    ssh_user: String,
    /// Cluster id → name, for the details.
    cluster_names: Mutex<HashMap<String, String>>,
}

/// Only the tokens are secrets worth redacting; `expires_at` is a number that may well appear
/// in a body for other reasons.
fn token_credentials(creds: &Credentials) -> Credentials {
    let mut out = Credentials::default();
    for key in [ACCESS_TOKEN, REFRESH_TOKEN] {
        if let Some(v) = creds.get(key) {
            out.set(key, v.trim());
        }
    }
    out
}

impl Exalsius {
    pub fn new(ctx: ProviderContext) -> Result<Self> {
        let base = ctx.base_url(&info())?;
        let base = validate_base_url(&base)?.to_string().trim_end_matches('/').to_string();
        ctx.secret(ACCESS_TOKEN)?;
        let auth = AuthSettings::from_options(&ctx.account.options)?;
        let auth = AuthSettings { http: ctx.http, ..auth };
        let http = Http::new(&base, VENDOR, &token_credentials(&ctx.credentials), ctx.http)?;
        let ssh_user = ctx
            .account
            .options
            .get(OPT_SSH_USER)
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| DEFAULT_SSH_USER.into());
        if ssh_user.chars().any(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))) {
            return Err(Error::invalid(OPT_SSH_USER, format!("'{ssh_user}' is not a user name")));
        }
        Ok(Exalsius {
            account: ctx.account,
            auth,
            secrets: ctx.secrets,
            session: RwLock::new(Session { http, creds: ctx.credentials, signed_out: None }),
            renewing: tokio::sync::Mutex::new(()),
            ssh_user,
            cluster_names: Mutex::default(),
        })
    }

    fn signed_out_message(&self, why: &str) -> String {
        let name = &self.account.name;
        format!(
            "exalsius account '{name}' is signed out: {why}. Sign in again (in Hangar's account settings, or \
             `hangarctl account login {name}`)"
        )
    }

    async fn current(&self) -> Result<(Http, String, Option<i64>, bool)> {
        let s = self.session.read().await;
        if let Some(m) = &s.signed_out {
            return Err(Error::Unauthorized(m.clone()));
        }
        let token = s.creds.get(ACCESS_TOKEN).unwrap_or_default().trim().to_string();
        let expires = s.creds.get(EXPIRES_AT).and_then(|e| e.parse::<i64>().ok());
        Ok((s.http.clone(), token, expires, s.creds.get(REFRESH_TOKEN).is_some()))
    }

    /// Renews the tokens once, unless another call already did while this one waited.
    async fn renew(&self, used: &str) -> Result<()> {
        let _one_at_a_time = self.renewing.lock().await;
        let (refresh_token, creds) = {
            let s = self.session.read().await;
            if let Some(m) = &s.signed_out {
                return Err(Error::Unauthorized(m.clone()));
            }
            if s.creds.get(ACCESS_TOKEN).map(str::trim) != Some(used) {
                return Ok(());
            }
            (s.creds.get(REFRESH_TOKEN).map(str::to_string), s.creds.clone())
        };
        let Some(refresh_token) = refresh_token else {
            let msg = self.signed_out_message(
                "exalsius refused the access token (it has probably expired) and there is no refresh token to renew it",
            );
            self.session.write().await.signed_out = Some(msg.clone());
            return Err(Error::Unauthorized(msg));
        };
        let tokens = match auth::refresh(&self.auth, &refresh_token).await {
            Ok(t) => t,
            Err(Error::Unauthorized(why)) => {
                let msg = self.signed_out_message(&format!("the sign-in expired and could not be renewed ({why})"));
                self.session.write().await.signed_out = Some(msg.clone());
                return Err(Error::Unauthorized(msg));
            }
            Err(e) => return Err(e.context("the exalsius sign-in could not be renewed")),
        };
        let fresh = tokens.credentials(Some(&refresh_token));
        let mut renewed = creds;
        for key in [ACCESS_TOKEN, REFRESH_TOKEN, EXPIRES_AT] {
            // An empty value reads as absent: a stale expiry must not outlive its token.
            renewed.set(key, fresh.get(key).unwrap_or_default());
        }
        let store = self.secrets.clone();
        let (name, saved) = (self.account.name.clone(), renewed.clone());
        let stored = tokio::task::spawn_blocking(move || store.save(&name, &saved))
            .await
            .map_err(|e| Error::Internal(format!("keyring task: {e}")))
            .and_then(|r| r);
        if let Err(e) = stored {
            // The new tokens still work for this session; only the next start may need a sign-in.
            tracing::warn!(account = %self.account.name, error = %e, "renewed exalsius tokens could not be stored");
        }
        let mut s = self.session.write().await;
        s.http.add_secret(&tokens.access_token);
        if let Some(r) = &tokens.refresh_token {
            s.http.add_secret(r);
        }
        s.creds = renewed;
        tracing::debug!(account = %self.account.name, "exalsius tokens renewed");
        Ok(())
    }

    /// One API call with the bearer token: renewed shortly before it expires, and once more
    /// after a 401, then retried once.
    async fn call(
        &self,
        method: Method,
        path: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<RawResponse> {
        let (_, token, expires, can_refresh) = self.current().await?;
        if can_refresh && expires.is_some_and(|e| chrono::Utc::now().timestamp() + REFRESH_MARGIN_SECS >= e) {
            self.renew(&token).await?;
        }
        let mut retried = false;
        loop {
            let (http, token, _, _) = self.current().await?;
            let mut req = http.request(method.clone(), path).bearer_auth(&token).header("accept", "application/json");
            if !query.is_empty() {
                req = req.query(query);
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            let resp = http.send(req, method == Method::GET).await?;
            match resp.status {
                401 if retried => {
                    let msg = self.signed_out_message("exalsius refused even a freshly renewed access token");
                    self.session.write().await.signed_out = Some(msg.clone());
                    return Err(Error::Unauthorized(msg));
                }
                401 => {
                    self.renew(&token).await?;
                    retried = true;
                }
                s if (200..300).contains(&s) => return Ok(resp),
                _ => return Err(error_of(&resp)),
            }
        }
    }

    async fn get_json<T: DeserializeOwned>(&self, path: &[&str], query: &[(&str, &str)]) -> Result<T> {
        self.call(Method::GET, path, query, None).await?.json()
    }

    async fn wire(&self, id: &str) -> Result<WireWorkspace> {
        Ok(self.get_json::<WorkspaceResponse>(&["workspace", id], &[]).await?.workspace)
    }

    /// Cluster names only decorate the details; a failure leaves the ids.
    async fn learn_clusters(&self, rows: &[WireWorkspace]) {
        let unknown = {
            let known = self.cluster_names.lock().map(|m| m.clone()).unwrap_or_default();
            rows.iter().filter_map(|w| w.cluster_id.as_ref()).any(|c| !known.contains_key(c))
        };
        if !unknown {
            return;
        }
        match self.get_json::<ClustersList>(&["clusters"], &[]).await {
            Ok(list) => {
                if let Ok(mut m) = self.cluster_names.lock() {
                    m.extend(list.clusters.into_iter().filter_map(|c| Some((c.id?, c.name))));
                }
            }
            Err(e) => tracing::debug!(error = %e, "exalsius clusters unavailable; showing cluster ids"),
        }
    }

    /// The wizard's live data: READY clusters, the template catalogue, the picked cluster's nodes.
    async fn offer(&self, selected: &BTreeMap<String, String>) -> Result<Offer> {
        let (clusters, templates) = tokio::join!(
            self.get_json::<ClustersList>(&["clusters"], &[("cluster_status", "READY")]),
            self.get_json::<TemplatesList>(&["management", "workspace-templates"], &[]),
        );
        let clusters: Vec<_> =
            clusters?.clusters.into_iter().filter(|c| c.cluster_status == "READY" && c.id.is_some()).collect();
        let templates = templates?.workspace_templates;
        if let Ok(mut m) = self.cluster_names.lock() {
            m.extend(clusters.iter().filter_map(|c| Some((c.id.clone()?, c.name.clone()))));
        }
        let cluster_id = selected
            .get(form::CLUSTER)
            .filter(|s| clusters.iter().any(|c| c.id.as_ref() == Some(*s)))
            .cloned()
            .or_else(|| clusters.first().and_then(|c| c.id.clone()))
            .ok_or_else(|| {
                Error::invalid(
                    form::CLUSTER,
                    "this exalsius account has no READY cluster; deploy one first (exls clusters)",
                )
            })?;
        if templates.is_empty() {
            return Err(Error::invalid(form::TEMPLATE, "exalsius offers no workspace template to this account"));
        }
        let resources: ResourcesList = self.get_json(&["cluster", &cluster_id, "resources"], &[]).await?;
        Ok(Offer { clusters, cluster_id, templates, nodes: form::nodes(&resources.resources) })
    }

    /// Start and stop: a state or template the server will not change this way is a conflict.
    async fn transition(&self, id: &str, verb: &str) -> Result<()> {
        match self.call(Method::POST, &["workspace", id, verb], &[], None).await {
            Err(Error::InvalidInput { message, .. }) => Err(Error::Conflict(message)),
            Err(e) => Err(e),
            Ok(resp) => {
                let answer: WorkspaceIdResponse = resp.json()?;
                tracing::debug!(id = %answer.workspace_id, verb, "exalsius accepted");
                Ok(())
            }
        }
    }

    /// A workspace from the vendor's object; without an id or a name it could not be addressed.
    fn decode(&self, w: &WireWorkspace) -> Result<Workspace> {
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
        if blank(&w.id) && blank(&w.name) {
            return Err(Error::BadResponse { message: "exalsius answered a workspace without an id or a name".into() });
        }
        Ok(self.to_workspace(w))
    }

    fn to_workspace(&self, w: &WireWorkspace) -> Workspace {
        let raw = w.status().to_string();
        let state = states::normalize(&raw);
        let mut details = BTreeMap::new();
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
                details.insert(k.to_string(), v);
            }
        };
        let cluster = w
            .cluster_id
            .as_ref()
            .map(|id| self.cluster_names.lock().ok().and_then(|m| m.get(id).cloned()).unwrap_or_else(|| id.clone()));
        put("cluster", cluster);
        put("template", w.template.as_ref().map(|t| t.name.clone()));
        put("description", w.description.clone());
        put("owner", w.owner_username.clone().or_else(|| w.owner.clone()));
        put("organization", w.owner_org_name.clone());
        put("auto-delete at", w.to_be_deleted_at.clone());
        put("storage", w.resources.as_ref().and_then(|r| r.storage_gb).map(|s| format!("{s} GB")));
        let (links, access) = if state == WorkspaceState::Running {
            let id = w.id.as_deref().filter(|i| !i.is_empty()).or(w.name.as_deref()).unwrap_or_default();
            let alias = ssh::alias(&self.account.name, w.name.as_deref().or(w.id.as_deref()).unwrap_or_default(), id);
            links(w.access_information.as_deref().unwrap_or_default(), &self.ssh_user, &alias)
        } else {
            (vec![], vec![])
        };
        for (k, v) in access {
            put(&k, Some(v));
        }
        let id = w.id.clone().filter(|i| !i.is_empty());
        Workspace {
            account: self.account.name.clone(),
            provider: ProviderId::Exalsius,
            name: w.name.clone().filter(|n| !n.trim().is_empty()).or_else(|| id.clone()).unwrap_or_default(),
            state,
            raw_state: if raw.is_empty() { "UNKNOWN".into() } else { raw.clone() },
            hardware: to_hardware(w.resources.as_ref()),
            created_at: w.created_at.as_deref().and_then(parse_time),
            links,
            // Without an id there is nothing to address the workspace by.
            actions: if id.is_some() { states::actions(&raw) } else { vec![] },
            details,
            error: (state == WorkspaceState::Errored).then(|| "exalsius reports the workspace as FAILED".to_string()),
            id: id.unwrap_or_else(|| w.name.clone().unwrap_or_default()),
        }
    }
}

fn to_hardware(r: Option<&NodeHardware>) -> Hardware {
    let Some(r) = r else { return Hardware::default() };
    // A negative amount is no amount at all.
    let amount = |v: Option<f64>| v.filter(|v| v.is_finite() && *v >= 0.0);
    let (cpus, memory_gb, storage_gb) = (amount(r.cpu_cores), amount(r.memory_gb), amount(r.storage_gb));
    let count = r.gpu_count.filter(|c| *c >= 1.0).map(|c| c as u32);
    let gpu = count.map(|count| Gpu {
        kind: r.gpu_type.clone().filter(|t| !t.trim().is_empty()).unwrap_or_else(|| "GPU".into()),
        count,
    });
    let mut parts: Vec<String> = vec![];
    if let Some(g) = &gpu {
        match amount(r.gpu_memory) {
            Some(m) => parts.push(format!("{}× {} ({m} GB)", g.count, g.kind)),
            None => parts.push(format!("{}× {}", g.count, g.kind)),
        }
    }
    if let Some(c) = cpus {
        parts.push(format!("{c} CPU"));
    }
    if let Some(m) = memory_gb {
        parts.push(format!("{m} GB RAM"));
    }
    if let Some(s) = storage_gb {
        parts.push(format!("{s} GB disk"));
    }
    Hardware { label: (!parts.is_empty()).then(|| parts.join(" · ")), cpus, memory_gb, gpu }
}

/// Links from `access_information` (contract §7), and details for ports that are not pages.
/// Entries without an external IP are not reachable yet.
fn is_ssh(a: &AccessInfo) -> bool {
    let name = a.port_name.as_deref().unwrap_or("").to_ascii_lowercase();
    let protocol = a.access_protocol.as_deref().unwrap_or("").to_ascii_uppercase();
    protocol == "SSH" || (protocol == "TCP" && name == "ssh")
}

/// The first reachable SSH port: (host address, port).
fn ssh_endpoint(access: &[AccessInfo]) -> Option<(String, u16)> {
    access.iter().filter(|a| is_ssh(a)).find_map(|a| {
        let ip = a.external_ips.as_ref()?.first().filter(|ip| valid_host(ip))?;
        Some((ip.clone(), u16::try_from(a.port_number?).ok()?))
    })
}

/// IDE links go through a Hangar-managed SSH alias (`ssh_alias`): VS Code and Cursor take a
/// host, not a port, in their remote authority.
fn links(access: &[AccessInfo], ssh_user: &str, alias: &str) -> (Vec<Link>, Vec<(String, String)>) {
    let mut links = vec![];
    let mut details = vec![];
    for a in access {
        let name = a.port_name.as_deref().unwrap_or("").to_ascii_lowercase();
        let protocol = a.access_protocol.as_deref().unwrap_or("").to_ascii_uppercase();
        let label = a.access_description.clone().filter(|d| !d.trim().is_empty());
        let (Some(ip), Some(port)) = (
            a.external_ips.as_ref().and_then(|ips| ips.first()).filter(|ip| valid_host(ip)),
            a.port_number.and_then(|p| u16::try_from(p).ok()),
        ) else {
            details.push((format!("port {}", if name.is_empty() { "?" } else { &name }), "pending".into()));
            continue;
        };
        let host = if ip.contains(':') { format!("[{ip}]") } else { ip.clone() };
        let is_web = matches!(protocol.as_str(), "HTTP" | "HTTPS")
            || (protocol == "TCP" && matches!(name.as_str(), "http" | "open-webui"));
        let is_ssh = is_ssh(a);
        if is_web {
            let scheme = if protocol == "HTTPS" { "https" } else { "http" };
            links.push(Link {
                kind: LinkKind::Browser,
                url: format!("{scheme}://{host}:{port}/"),
                label: label.or_else(|| Some(if name.is_empty() { "Web".into() } else { name.clone() })),
                ssh_alias: None,
            });
        } else if is_ssh {
            links.push(Link {
                kind: LinkKind::Ssh,
                url: format!("ssh://{ssh_user}@{host}:{port}"),
                label: Some(if port == 22 {
                    format!("ssh {ssh_user}@{host}")
                } else {
                    format!("ssh -p {port} {ssh_user}@{host}")
                }),
                ssh_alias: None,
            });
            for (kind, scheme) in [(LinkKind::Vscode, "vscode"), (LinkKind::Cursor, "cursor")] {
                links.push(Link {
                    kind,
                    url: format!("{scheme}://vscode-remote/ssh-remote+{alias}{REMOTE_DIR}"),
                    label: Some(format!("SSH host {alias}")),
                    ssh_alias: Some(alias.to_string()),
                });
            }
        } else {
            let what = if name == "llm-inference" { "inference API".to_string() } else { format!("port {name}") };
            let scheme = if name == "llm-inference" { "http://" } else { "" };
            details.push((what, format!("{scheme}{host}:{port}")));
        }
    }
    (links, details)
}

/// An IP or host name, nothing that could smuggle a path or user into a link, and one a URL
/// can hold (an all-digit name is read as an IPv4 address, which may not fit).
fn valid_host(h: &str) -> bool {
    let plain = !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    let bracketed = if h.contains(':') { format!("[{h}]") } else { h.to_string() };
    plain && url::Host::parse(&bracketed).is_ok()
}

fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .ok()
        .or_else(|| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|t| t.and_utc()))
}

/// A form key for a field the server names (`resources.gpu_count`, `["body","name"]`...).
fn form_key(wire: &str) -> Option<String> {
    let last = wire.rsplit(['.', '/']).next().unwrap_or(wire);
    let key = match last {
        "name" => "name",
        "cluster_id" => form::CLUSTER,
        "template" => form::TEMPLATE,
        "gpu_count" => form::GPU_COUNT,
        "gpu_type" | "gpu_vendor" => form::GPU_TYPE,
        "cpu_cores" => form::CPU,
        "memory_gb" => form::MEMORY,
        "storage_gb" => form::STORAGE,
        "description" => form::DESCRIPTION,
        _ if wire.contains("variables.") => return Some(format!("{}{last}", form::VAR_PREFIX)),
        _ => return None,
    };
    Some(key.to_string())
}

fn field_named_in(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.')))
        .filter(|t| t.contains('_') || t.contains('.'))
        .find_map(form_key)
}

/// The message and blamed field of an error body (contract §9): RFC 7807 nested in `detail`
/// (the declared shape), flat, a FastAPI `{"detail": "…"}` string or 422 list, else nothing
/// (the raw text is then excerpted by `status_error`).
fn problem(body: &str) -> (Option<String>, Option<String>) {
    let Ok(v) = serde_json::from_str::<Value>(body) else { return (None, None) };
    let text = |v: &Value, k: &str| {
        v.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
    };
    let rfc7807 = |p: &Value| -> Option<String> {
        match (text(p, "title"), text(p, "detail")) {
            (Some(t), Some(d)) if d.contains(&t) => Some(d),
            (Some(t), Some(d)) => Some(format!("{t}: {d}")),
            (t, d) => d.or(t),
        }
    };
    let message = match v.get("detail") {
        Some(inner @ Value::Object(_)) => rfc7807(inner),
        Some(Value::String(s)) if v.get("title").is_none() => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Some(Value::Array(items)) => {
            let mut field = None;
            let list: Vec<String> = items
                .iter()
                .map(|i| {
                    let loc: Vec<String> = i
                        .get("loc")
                        .and_then(Value::as_array)
                        .map(|l| {
                            l.iter()
                                .filter_map(|p| p.as_str().map(str::to_string).or_else(|| Some(p.to_string())))
                                .collect()
                        })
                        .unwrap_or_default();
                    let path = loc.iter().filter(|p| p.as_str() != "body").cloned().collect::<Vec<_>>().join(".");
                    if field.is_none() {
                        field = form_key(&path);
                    }
                    format!("{path}: {}", i.get("msg").and_then(Value::as_str).unwrap_or("invalid"))
                })
                .collect();
            let msg = if list.is_empty() { None } else { Some(format!("invalid request ({})", list.join("; "))) };
            return (msg, field);
        }
        _ => rfc7807(&v),
    };
    let field = message.as_deref().and_then(field_named_in);
    (message, field)
}

fn error_of(resp: &RawResponse) -> Error {
    let (message, field) = problem(&resp.body);
    resp.status_error(message, field)
}

#[async_trait]
impl Provider for Exalsius {
    /// The template catalogue: small, and readable by any signed-in user.
    async fn verify(&self) -> Result<()> {
        self.get_json::<TemplatesList>(&["management", "workspace-templates"], &[]).await.map(|_| ())
    }

    /// All of the caller's workspaces in one answer: the API has no paging (contract §8).
    async fn list(&self) -> Result<Vec<Workspace>> {
        let list: WorkspacesList = self.get_json(&["workspaces"], &[]).await?;
        if let Some(total) = list.total.filter(|t| *t as usize > list.workspaces.len()) {
            tracing::warn!(total, got = list.workspaces.len(), "exalsius listed fewer workspaces than its total");
        }
        self.learn_clusters(&list.workspaces).await;
        list.workspaces.iter().map(|w| self.decode(w)).collect()
    }

    async fn get(&self, id: &str) -> Result<Workspace> {
        let w = self.wire(id).await?;
        self.learn_clusters(std::slice::from_ref(&w)).await;
        self.decode(&w)
    }

    async fn ssh_host(&self, id: &str) -> Result<SshHost> {
        let w = self.wire(id).await?;
        let name = w.name.clone().unwrap_or_else(|| id.to_string());
        if states::normalize(w.status()) != WorkspaceState::Running {
            return Err(Error::Conflict(format!("workspace '{name}' is not running; SSH opens once it is")));
        }
        let (host_name, port) = ssh_endpoint(w.access_information.as_deref().unwrap_or_default())
            .ok_or_else(|| Error::Unavailable(format!("workspace '{name}' has no reachable SSH port yet")))?;
        Ok(SshHost {
            host_name,
            port,
            user: self.ssh_user.clone(),
            private_key: None,
            tunnel: false,
            ephemeral_host_key: false,
        })
    }

    async fn create_form(&self, selected: &BTreeMap<String, String>) -> Result<Form> {
        form::create_form(&self.offer(selected).await?, selected)
    }

    async fn create(&self, name: &str, values: &FormValues) -> Result<Workspace> {
        let selected: BTreeMap<String, String> = [form::CLUSTER, form::TEMPLATE]
            .iter()
            .filter_map(|k| Some((k.to_string(), values.get(k)?.to_string())))
            .collect();
        let offer = self.offer(&selected).await?;
        if values.get(form::CLUSTER).is_some_and(|c| c != offer.cluster_id) {
            return Err(Error::invalid(form::CLUSTER, "this cluster is no longer READY"));
        }
        let plan = form::plan(values, &offer)?;
        let body = CreateWorkspace {
            name,
            cluster_id: &plan.cluster_id,
            template: TemplateRequest { name: &plan.template, variables: &plan.variables },
            resources: &plan.resources,
            description: plan.description.as_deref(),
        };
        let body = serde_json::to_value(&body).map_err(|e| Error::Internal(format!("request body: {e}")))?;
        let created: WorkspaceIdResponse = self.call(Method::POST, &["workspaces"], &[], Some(&body)).await?.json()?;
        match self.get(&created.workspace_id).await {
            Ok(w) => Ok(w),
            // The workspace exists now; failing would invite a duplicate. Show what was asked
            // for until the watcher reads the real thing.
            Err(e) => {
                tracing::warn!(error = %e, id = %created.workspace_id, "exalsius created a workspace but reading it failed");
                let asked = WireWorkspace {
                    id: Some(created.workspace_id),
                    name: Some(name.to_string()),
                    cluster_id: Some(plan.cluster_id),
                    workspace_status: Some("PENDING".into()),
                    template: None,
                    owner: None,
                    owner_username: None,
                    owner_org_name: None,
                    description: plan.description,
                    access_information: None,
                    resources: Some(NodeHardware {
                        gpu_count: Some(f64::from(plan.resources.gpu_count)),
                        gpu_vendor: plan.resources.gpu_vendor.clone(),
                        gpu_type: plan.resources.gpu_type.clone(),
                        gpu_memory: None,
                        cpu_cores: Some(f64::from(plan.resources.cpu_cores)),
                        memory_gb: Some(f64::from(plan.resources.memory_gb)),
                        storage_gb: Some(f64::from(plan.resources.storage_gb)),
                    }),
                    created_at: None,
                    to_be_deleted_at: None,
                };
                self.decode(&asked)
            }
        }
    }

    async fn start(&self, id: &str) -> Result<()> {
        self.transition(id, "start").await
    }

    async fn stop(&self, id: &str) -> Result<()> {
        self.transition(id, "stop").await
    }

    async fn delete(&self, id: &str) -> Result<()> {
        let resp = self.call(Method::DELETE, &["workspace", id], &[], None).await?;
        let _: WorkspaceIdResponse = resp.json()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
