//! Mage Pro: each customer cluster runs a Mage server whose workspace manager exposes the
//! REST resource `workspaces` under `<cluster URL>/api` (contract `shared/providers/mage-pro.md`).
//! A call needs the cluster's API key (`X-API-KEY`) and a user token (`OAUTH-TOKEN`) from
//! `POST /api/sessions`. Errors come back with HTTP 200 unless `_http_error_codes=true` is
//! sent, so every answer is checked for a top-level `error` before anything else. Workspaces
//! are addressed by name; PUT and DELETE answer a snapshot taken *before* the action.

mod auth;
mod container;
mod form;
#[cfg(test)]
mod props;
mod states;
mod wire;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use reqwest::header::HeaderValue;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::form::{Form, FormValues};
use crate::http::{validate_base_url, Http, RawResponse};
use crate::model::{Account, CredentialField, Link, LinkKind, ProviderId, ProviderInfo, Workspace, WorkspaceState};
use crate::provider::{Provider, ProviderContext, ProviderKind};
use crate::secrets::SecretStore;
use auth::Token;
use wire::{
    ActionFields, Created, SessionAnswer, SessionRequest, Statuses, WireError, WireWorkspace, WorkspaceList,
    WorkspaceOne, Wrapped,
};

const VENDOR: &str = "Mage Pro";
/// What Mage's UI sends when the cluster does not say.
const DEFAULT_CLUSTER_TYPE: &str = "k8s";
/// ECS workspaces serve Mage on its default port (Mage's manage page appends it).
const ECS_PORT: u16 = 6789;
const MAX_MESSAGE_CHARS: usize = 300;

/// The MagePro provider kind, listed in `providers::KINDS`.
pub struct Kind;

#[async_trait]
impl ProviderKind for Kind {
    fn id(&self) -> ProviderId {
        ProviderId::MagePro
    }

    fn info(&self) -> ProviderInfo {
        info()
    }

    fn connect(&self, ctx: ProviderContext) -> Result<std::sync::Arc<dyn Provider>> {
        Ok(std::sync::Arc::new(MagePro::new(ctx)?))
    }
}

pub fn info() -> ProviderInfo {
    let field = |key: &str, label: &str, secret: bool, required: bool| CredentialField {
        key: key.into(),
        label: label.into(),
        secret,
        required,
    };
    ProviderInfo {
        id: ProviderId::MagePro,
        display_name: VENDOR.into(),
        default_base_url: None,
        base_url_required: true,
        credential_fields: vec![
            field("api_key", "API key (the api_key of any request in the browser's network tab)", true, true),
            field("email", "Email or user name", false, false),
            field("password", "Password", true, false),
            field("oauth_token", "OAuth token (for single sign-on users: the oauth_token cookie)", true, false),
        ],
        has_names: true,
        browser_sign_in: false,
    }
}

/// The cluster URL as users paste it (the manage page, the API root, with or without a
/// trailing `/`) → `<origin>[/<cluster path>]/api`.
pub fn normalize_base_url(text: &str) -> Result<String> {
    let mut url = validate_base_url(text)?;
    let mut path = url.path().trim_end_matches('/').to_string();
    for tail in ["/manage", "/api"] {
        if path.len() >= tail.len() && path[path.len() - tail.len()..].eq_ignore_ascii_case(tail) {
            path.truncate(path.len() - tail.len());
            path = path.trim_end_matches('/').to_string();
        }
    }
    url.set_path(&format!("{path}/api"));
    Ok(url.to_string())
}

/// Which call is being made: it decides how a refusal is worded.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Statuses,
    SignIn,
    List,
    Get,
    Create,
    Update,
    Start,
    Stop,
    Delete,
}

impl Op {
    /// The verb of "only owners can …", for the calls `WorkspacePolicy` keeps to owners.
    fn owner_verb(self) -> Option<&'static str> {
        match self {
            Op::Create => Some("create"),
            Op::Update => Some("update"),
            Op::Start => Some("start (resume)"),
            Op::Stop => Some("stop"),
            Op::Delete => Some("delete"),
            _ => None,
        }
    }
}

/// A refused call, and whether it was the user token that was refused (worth one sign-in).
struct Refused {
    error: Error,
    token_refused: bool,
}

impl From<Error> for Refused {
    fn from(error: Error) -> Self {
        Refused { error, token_refused: false }
    }
}

struct Session {
    http: Http,
    token: Option<Token>,
    /// `user.owner` of the last sign-in; unknown for a pasted token.
    owner: Option<bool>,
}

pub struct MagePro {
    account: Account,
    api_key: HeaderValue,
    /// Email (or user name) and password; without them only a pasted token works.
    login: Option<(String, String)>,
    secrets: Arc<dyn SecretStore>,
    session: Mutex<Session>,
    /// One sign-in at a time: calls that meet an expired token together wait for one new one.
    signing_in: tokio::sync::Mutex<()>,
    cluster_type: tokio::sync::OnceCell<String>,
}

fn now_epoch() -> i64 {
    chrono::Utc::now().timestamp()
}

impl MagePro {
    pub fn new(ctx: ProviderContext) -> Result<Self> {
        let base = normalize_base_url(&ctx.base_url(&info())?)?;
        let mut api_key = HeaderValue::from_str(ctx.secret("api_key")?.trim())
            .map_err(|_| Error::invalid("api_key", "the API key has characters an HTTP header cannot carry"))?;
        api_key.set_sensitive(true);
        let creds = &ctx.credentials;
        let login = match (creds.get("email"), creds.get("password")) {
            (Some(e), Some(p)) => Some((e.trim().to_string(), p.to_string())),
            (Some(_), None) => return Err(Error::invalid("password", "Mage Pro needs the password with the email")),
            (None, Some(_)) => {
                return Err(Error::invalid("email", "Mage Pro needs the email (or user name) with the password"))
            }
            (None, None) => None,
        };
        let token = creds.get("oauth_token").map(Token::parse);
        if login.is_none() && token.is_none() {
            return Err(Error::invalid(
                "email",
                "Mage Pro needs your email and password, or (for single sign-on users) a pasted oauth_token",
            ));
        }
        let mut http = Http::new(&base, VENDOR, creds, ctx.http)?;
        if let Some(t) = &token {
            http.add_secret(&t.raw);
        }
        Ok(MagePro {
            api_key,
            login,
            secrets: ctx.secrets,
            session: Mutex::new(Session { http, token, owner: None }),
            signing_in: tokio::sync::Mutex::new(()),
            cluster_type: tokio::sync::OnceCell::new(),
            account: ctx.account,
        })
    }

    fn session(&self) -> MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn http(&self) -> Http {
        self.session().http.clone()
    }

    /// The account option `cluster_type`, else `statuses[0].instance_type`, asked once.
    async fn cluster_type(&self) -> Result<String> {
        if let Some(t) = self.account.options.get("cluster_type").map(|t| t.trim()).filter(|t| !t.is_empty()) {
            return Ok(t.to_ascii_lowercase());
        }
        self.cluster_type
            .get_or_try_init(|| async {
                let answer = match self.exchange(Op::Statuses, Method::GET, &["statuses"], &[], None, None).await {
                    Ok(v) => v,
                    Err(Refused { error: Error::NotFound(m), .. }) => {
                        return Err(Error::invalid(
                            "base_url",
                            format!("{m}. Is {} the address of your Mage Pro cluster?", self.http().base()),
                        ))
                    }
                    Err(r) => return Err(r.error),
                };
                let statuses: Statuses = decode(answer, "GET /api/statuses")?;
                let first = statuses.statuses.into_iter().next().unwrap_or_default();
                Ok(first
                    .instance_type
                    .map(|t| t.trim().to_ascii_lowercase())
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| DEFAULT_CLUSTER_TYPE.into()))
            })
            .await
            .cloned()
    }

    /// A token that is not known to be expired: the current one, or a new sign-in.
    async fn usable_token(&self) -> Result<Token> {
        let current = self.session().token.clone();
        match current {
            Some(t) if !t.expired_at(now_epoch()) => Ok(t),
            Some(_) if self.login.is_none() => Err(Error::Unauthorized(format!(
                "the pasted {VENDOR} OAuth token has expired. Sign in to Mage again and paste a new token \
                 (the oauth_token cookie), or add email and password to the account so Hangar can sign in itself"
            ))),
            stale => self.sign_in(stale.as_ref()).await,
        }
    }

    /// `POST /api/sessions`, unless another call already replaced `stale` meanwhile. The new
    /// token joins the redaction list and, when the account is stored, the keyring.
    async fn sign_in(&self, stale: Option<&Token>) -> Result<Token> {
        let _one_at_a_time = self.signing_in.lock().await;
        if let Some(t) = self.session().token.clone() {
            if Some(&t) != stale && !t.expired_at(now_epoch()) {
                return Ok(t);
            }
        }
        let Some((user, password)) = &self.login else {
            return Err(Error::Unauthorized(format!(
                "the {VENDOR} OAuth token was refused. Sign in to Mage again and paste a new token, \
                 or add email and password to the account"
            )));
        };
        let (email, username) =
            if user.contains('@') { (Some(user.as_str()), None) } else { (None, Some(user.as_str())) };
        let body = serde_json::to_value(SessionRequest { session: wire::Login { email, username, password } })
            .map_err(|_| Error::Internal("sign-in body".into()))?;
        let answer = self
            .exchange(Op::SignIn, Method::POST, &["sessions"], &[], Some(&body), None)
            .await
            .map_err(|r| r.error)?;
        let session: SessionAnswer = decode(answer, "POST /api/sessions")?;
        let token = Token::parse(&session.session.token);
        if token.raw.is_empty() {
            return Err(Error::BadResponse { message: format!("{VENDOR} signed in but sent an empty token") });
        }
        {
            let mut s = self.session();
            s.http.add_secret(&token.stored);
            s.http.add_secret(&token.raw);
            s.token = Some(token.clone());
            s.owner = session.session.user.as_ref().and_then(|u| u.owner);
        }
        tracing::debug!(account = %self.account.name, expires = ?token.expires, "Mage Pro: signed in");
        self.keep(&token).await;
        Ok(token)
    }

    /// Writes the token into the account's stored credentials. An account being added has
    /// none yet; it is not created here, so a failed add leaves nothing behind.
    async fn keep(&self, token: &Token) {
        let (store, account, jwt) = (self.secrets.clone(), self.account.name.clone(), token.stored.clone());
        let kept = tokio::task::spawn_blocking(move || -> Result<bool> {
            let Some(mut creds) = store.load(&account)? else { return Ok(false) };
            if creds.get("oauth_token") != Some(jwt.as_str()) {
                creds.set("oauth_token", jwt);
                store.save(&account, &creds)?;
            }
            Ok(true)
        })
        .await;
        match kept {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "Mage Pro: the new token could not be kept; the next start signs in again")
            }
            Err(e) => tracing::warn!(error = %e, "Mage Pro: keyring task failed"),
        }
    }

    /// One request, checked: `_http_error_codes=true` always, the `error` key before anything.
    async fn exchange(
        &self,
        op: Op,
        method: Method,
        path: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
        token: Option<&Token>,
    ) -> std::result::Result<Value, Refused> {
        let http = self.http();
        let what = format!("{VENDOR} ({method} {})", http.redact(http.endpoint(path).path()));
        let mut req = http
            .request(method.clone(), path)
            .query(&[("_http_error_codes", "true")])
            .header("X-API-KEY", self.api_key.clone());
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(t) = token {
            let mut value = HeaderValue::from_str(&t.raw).map_err(|_| {
                Error::invalid("oauth_token", "the OAuth token has characters an HTTP header cannot carry")
            })?;
            value.set_sensitive(true);
            req = req.header("OAUTH-TOKEN", value);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = http.send(req, method == Method::GET).await?;
        self.check(op, &resp, &what)
    }

    fn check(&self, op: Op, resp: &RawResponse, what: &str) -> std::result::Result<Value, Refused> {
        // Parsed once: a body may be tens of MiB.
        let parsed = serde_json::from_str::<Value>(&resp.body);
        if let Some(mut refused) =
            parsed.as_ref().ok().and_then(|v| envelope_error(op, resp.status, v, what, self.login.is_some()))
        {
            // How long to wait comes in the Retry-After header, not in the body.
            if let Error::RateLimited { retry_after_secs: secs @ None, message } = &mut refused.error {
                if let Some(s) = resp.retry_after_secs {
                    *secs = Some(s);
                    message.push_str(&format!(" (retry in {s} s)"));
                }
            }
            return Err(refused);
        }
        match parsed {
            _ if !resp.is_success() => Err(resp.status_error(None, None).into()),
            Ok(v) => Ok(v),
            Err(_) => Err(resp.json::<Value>().err().unwrap_or_else(|| bad(what, "an unreadable body")).into()),
        }
    }

    /// An authenticated workspace call: `cluster_type` in the query, a valid token, and one
    /// sign-in plus one retry when the server says the token died.
    async fn call(&self, op: Op, method: Method, path: &[&str], body: Option<&Value>) -> Result<Value> {
        let cluster_type = self.cluster_type().await?;
        let query = [("cluster_type", cluster_type.as_str())];
        let mut token = self.usable_token().await?;
        for retried in [false, true] {
            match self.exchange(op, method.clone(), path, &query, body, Some(&token)).await {
                Err(Refused { token_refused: true, .. }) if !retried && self.login.is_some() => {
                    token = self.sign_in(Some(&token)).await?;
                }
                other => return other.map_err(|r| r.error),
            }
        }
        Err(Error::Internal("unreachable retry".into()))
    }

    async fn wire(&self, name: &str) -> Result<WireWorkspace> {
        let answer = self.call(Op::Get, Method::GET, &["workspaces", name], None).await?;
        let w = decode::<WorkspaceOne>(answer, "GET /api/workspaces/{name}")?.workspace;
        require_name(&w, "GET /api/workspaces/{name}")?;
        Ok(w)
    }

    /// PUT `{"workspace":{"action":…}}`. The answer is the state before the action; only a
    /// refusal is read from it.
    async fn act(&self, op: Op, name: &str, mut fields: ActionFields) -> Result<()> {
        if self.cluster_type().await? == "ecs" && fields.task_arn.is_none() {
            fields.task_arn = self.wire(name).await?.instance.and_then(|i| i.task_arn);
        }
        let body = serde_json::to_value(Wrapped { workspace: fields })
            .map_err(|e| Error::Internal(format!("action body: {e}")))?;
        self.call(op, Method::PUT, &["workspaces", name], Some(&body)).await.map(|_| ())
    }

    fn to_workspace(&self, w: WireWorkspace, cluster_type: &str) -> Workspace {
        let instance = w.instance.clone().unwrap_or_default();
        let raw = instance.status.clone().unwrap_or_default();
        let mut details = BTreeMap::new();
        let mut put = |key: &str, value: Option<String>| {
            if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
                details.insert(key.to_string(), v);
            }
        };
        put("cluster type", Some(cluster_label(cluster_type)));
        put("namespace", w.namespace.clone());
        put("storage", w.storage_request_size.as_ref().and_then(storage_label));
        put("storage access mode", w.storage_access_mode.clone());
        put("storage class", w.storage_class_name.clone());
        put("ingress", w.ingress_name.clone());
        put("service account", w.service_account_name.clone());
        put("image tag", w.container_config.as_deref().and_then(|c| container::image_tag(&container::parse(c))));
        put("instance type", instance.kind.clone());
        put("ECS cluster", w.cluster_name.clone());
        put("task definition", w.task_definition.clone());
        put("region", w.region.clone());
        let policy = w.lifecycle_config.as_ref().and_then(|l| l.termination_policy.as_ref());
        put(
            "auto-stop",
            policy.and_then(|p| match (p.enable_auto_termination, p.max_idle_seconds) {
                (Some(true), Some(s)) => Some(format!("after {s} s idle")),
                (Some(true), None) => Some("on".into()),
                (Some(false), _) => Some("off".into()),
                (None, _) => None,
            }),
        );
        if w.ingress_name.is_some() && w.url.is_none() && cluster_type == "k8s" {
            put("note", Some("not reachable through its ingress yet (Mage: \"Add to ingress\")".into()));
        }
        Workspace {
            account: self.account.name.clone(),
            provider: ProviderId::MagePro,
            id: w.name.clone(),
            name: w.name.clone(),
            state: states::normalize(&raw),
            hardware: container::to_hardware(w.container_config.as_deref()),
            created_at: None,
            links: links(&w, cluster_type),
            actions: states::actions(&raw, form::has_container(cluster_type)),
            details,
            error: (states::normalize(&raw) == WorkspaceState::Errored)
                .then(|| format!("Mage reports the workspace as {raw}")),
            raw_state: raw,
        }
    }
}

fn cluster_label(cluster_type: &str) -> String {
    match cluster_type {
        "k8s" => "Kubernetes".into(),
        "ecs" => "AWS ECS".into(),
        "cloud_run" => "Google Cloud Run".into(),
        "docker" => "Docker".into(),
        other => other.into(),
    }
}

/// `storage_request_size` is GiB, a string or a number.
fn storage_label(v: &Value) -> Option<String> {
    let n = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => match s.trim().trim_end_matches("Gi").parse::<f64>() {
            Ok(n) => n,
            Err(_) => return Some(s.clone()),
        },
        _ => return None,
    };
    Some(format!("{} GiB", container::fmt_number(n)))
}

/// Mage's own rule (§8): `url`, else `instance.ip`; `http://` when there is no scheme, and
/// Mage's port on ECS. Only while running.
fn links(w: &WireWorkspace, cluster_type: &str) -> Vec<Link> {
    let instance = w.instance.clone().unwrap_or_default();
    if states::normalize(instance.status.as_deref().unwrap_or("")) != WorkspaceState::Running {
        return vec![];
    }
    let nonempty = |s: &Option<String>| s.clone().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let Some(target) = nonempty(&w.url).or_else(|| nonempty(&instance.ip)) else {
        return vec![];
    };
    let text = if target.contains("://") {
        target
    } else if cluster_type == "ecs" {
        format!("http://{target}:{ECS_PORT}")
    } else {
        format!("http://{target}")
    };
    match url::Url::parse(&text) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {
            vec![Link { kind: LinkKind::Browser, url: u.to_string(), label: Some("Mage".into()), ssh_alias: None }]
        }
        _ => vec![],
    }
}

fn bad(what: &str, shape: &str) -> Error {
    Error::BadResponse { message: format!("{what} answered {shape}") }
}

/// The wire type reads leniently, but `name` is a workspace's id: without it, the answer is bad.
fn require_name(w: &WireWorkspace, what: &str) -> Result<()> {
    if w.name.trim().is_empty() {
        return Err(bad(&format!("{VENDOR} ({what})"), "a workspace without its required field `name`"));
    }
    Ok(())
}

fn decode<T: DeserializeOwned>(v: Value, what: &str) -> Result<T> {
    crate::http::decode_value(v, &format!("{VENDOR} ({what})"))
}

fn clip(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = flat.chars().take(MAX_MESSAGE_CHARS).collect();
    if flat.chars().count() > MAX_MESSAGE_CHARS {
        out.push('…');
    }
    out
}

/// The error a body's top-level `error` stands for, or `None` when it has none. Mage sends
/// these with HTTP 200 unless asked otherwise, so the HTTP status is only a fallback.
fn envelope_error(op: Op, status: u16, body: &Value, what: &str, has_login: bool) -> Option<Refused> {
    let raw = body.as_object()?.get("error").filter(|e| !e.is_null())?;
    let err: WireError = match raw {
        Value::String(s) => WireError { message: Some(s.clone()), ..WireError::default() },
        other => serde_json::from_value(other.clone()).unwrap_or_default(),
    };
    let kind = err.kind.clone().unwrap_or_default();
    let code = err.code().or((status != 200).then_some(status)).unwrap_or(0);
    let message = err.message.as_deref().map(clip).filter(|m| !m.is_empty()).unwrap_or_else(|| kind.clone());
    let tag = if kind.is_empty() { code.to_string() } else { format!("{code} {kind}") };
    let said = format!("{what} answered {tag}: {message}");
    let plain = |error: Error| Some(Refused { error, token_refused: false });
    let token_refused = |error: Error| Some(Refused { error, token_refused: true });
    let new_token = if has_login {
        "Signing in again did not help; check the account's email and password"
    } else {
        "Sign in to Mage again and paste a new token (the oauth_token cookie), or add email and password to the \
         account so Hangar can sign in itself"
    };
    match kind.as_str() {
        "invalid_api_key" => {
            return plain(Error::Unauthorized(format!(
                "{VENDOR} refused the API key ({said}). Check the account's api_key: it is your cluster's key, \
                 the api_key parameter of any request in the browser's network tab"
            )))
        }
        "invalid_oauth_token" => {
            return token_refused(Error::Unauthorized(format!(
                "{VENDOR} refused the OAuth token as invalid ({said}). {new_token}"
            )))
        }
        "expired_oauth_token" => {
            return token_refused(Error::Unauthorized(format!(
                "the {VENDOR} OAuth token has expired ({said}). {new_token}"
            )))
        }
        _ => {}
    }
    if op == Op::SignIn && (kind == "record_not_found" || code == 404 || code == 400) {
        return plain(Error::Unauthorized(format!("{VENDOR} refused the sign-in: wrong email or password ({said})")));
    }
    let error = match code {
        401 => Error::Unauthorized(said),
        403 => match op.owner_verb() {
            Some(verb) => Error::Unauthorized(format!(
                "only owners can {verb} workspaces on this {VENDOR} cluster, and the signed-in user is not one ({said})"
            )),
            None => Error::Unauthorized(said),
        },
        404 => Error::NotFound(said),
        409 => Error::Conflict(said),
        429 => Error::RateLimited { retry_after_secs: None, message: said },
        400 | 422 => {
            let lower = message.to_ascii_lowercase();
            if lower.contains("already exists") {
                Error::Conflict(said)
            } else if lower.contains("ineligible for workspace management") {
                Error::invalid(
                    "base_url",
                    format!("{said}. The URL must be your cluster's workspace manager (the main project)"),
                )
            } else if lower.contains("workspace name") {
                Error::invalid("name", said)
            } else {
                Error::InvalidInput { field: None, message: said }
            }
        }
        c if c >= 500 => Error::Unavailable(format!("{what} failed inside Mage ({c}): {}", internal_detail(&err))),
        _ => match kind.as_str() {
            "record_not_found" => Error::NotFound(said),
            "unauthorized_access" => Error::Unauthorized(said),
            "api_resource_error" | "record_invalid" => Error::InvalidInput { field: None, message: said },
            _ => Error::BadResponse { message: said },
        },
    };
    plain(error)
}

/// A short reason from a 500 envelope: the exception's first line, else the traceback's last.
fn internal_detail(err: &WireError) -> String {
    let from_exception = err.exception.as_deref().and_then(|e| e.lines().map(str::trim).find(|l| !l.is_empty()));
    let from_message = err.message.as_deref().and_then(|m| m.lines().map(str::trim).rev().find(|l| !l.is_empty()));
    let line = from_exception.or(from_message).unwrap_or("no reason given");
    let mut out: String = line.chars().take(160).collect();
    if line.chars().count() > 160 {
        out.push('…');
    }
    out
}

#[async_trait]
impl Provider for MagePro {
    /// The cluster answers `statuses`, the credentials list workspaces, and a signed-in user
    /// is an owner (anyone else can only look).
    async fn verify(&self) -> Result<()> {
        let answer = self.call(Op::List, Method::GET, &["workspaces"], None).await?;
        decode::<WorkspaceList>(answer, "GET /api/workspaces")?;
        if self.session().owner == Some(false) {
            return Err(Error::Unauthorized(format!(
                "this {VENDOR} user is not an owner of the cluster: it can see workspaces, but only owners can \
                 create, update, start, stop or delete them. Ask an owner to make the user an owner, or sign in as one"
            )));
        }
        Ok(())
    }

    async fn list(&self) -> Result<Vec<Workspace>> {
        let answer = self.call(Op::List, Method::GET, &["workspaces"], None).await?;
        let list: WorkspaceList = decode(answer, "GET /api/workspaces")?;
        list.workspaces.iter().try_for_each(|w| require_name(w, "GET /api/workspaces"))?;
        let cluster_type = self.cluster_type().await?;
        Ok(list.workspaces.into_iter().map(|w| self.to_workspace(w, &cluster_type)).collect())
    }

    async fn get(&self, id: &str) -> Result<Workspace> {
        let w = self.wire(id).await?;
        Ok(self.to_workspace(w, &self.cluster_type().await?))
    }

    async fn create_form(&self, _selected: &BTreeMap<String, String>) -> Result<Form> {
        Ok(form::create_form(&self.cluster_type().await?))
    }

    async fn create(&self, name: &str, values: &FormValues) -> Result<Workspace> {
        let cluster_type = self.cluster_type().await?;
        let fields = form::create_fields(name, &cluster_type, values)?;
        let body = serde_json::to_value(Wrapped { workspace: fields.clone() })
            .map_err(|e| Error::Internal(format!("create body: {e}")))?;
        let answer = self.call(Op::Create, Method::POST, &["workspaces"], Some(&body)).await?;
        let created: Created = decode(answer, "POST /api/workspaces")?;
        if created.workspace.get("success").and_then(Value::as_bool) == Some(false) {
            return Err(bad(&format!("{VENDOR} (POST /api/workspaces)"), "success: false without an error"));
        }
        match self.get(name).await {
            Ok(w) => Ok(w),
            // It exists now; failing would invite a duplicate create. Show what was asked for
            // until the watcher reads the real thing.
            Err(e) => {
                tracing::warn!(error = %e, name, "Mage Pro created a workspace but reading it failed");
                let asked = WireWorkspace {
                    name: fields.name,
                    container_config: fields.container_config,
                    ingress_name: fields.ingress_name,
                    storage_access_mode: fields.storage_access_mode,
                    storage_request_size: fields.storage_request_size.map(Value::from),
                    lifecycle_config: fields.lifecycle_config,
                    instance: Some(wire::Instance { status: Some("PENDING".into()), ..wire::Instance::default() }),
                    ..WireWorkspace::default()
                };
                Ok(self.to_workspace(asked, &cluster_type))
            }
        }
    }

    async fn start(&self, id: &str) -> Result<()> {
        self.act(Op::Start, id, ActionFields::named("resume")).await
    }

    async fn stop(&self, id: &str) -> Result<()> {
        self.act(Op::Stop, id, ActionFields::named("stop")).await
    }

    async fn delete(&self, id: &str) -> Result<()> {
        self.call(Op::Delete, Method::DELETE, &["workspaces", id], None).await.map(|_| ())
    }

    async fn update_form(&self, id: &str) -> Result<Form> {
        let cluster_type = self.cluster_type().await?;
        if !form::has_container(&cluster_type) {
            return Err(Error::Unsupported(format!(
                "{VENDOR} edits resources only on Kubernetes and Docker clusters; this one is {}",
                cluster_label(&cluster_type)
            )));
        }
        Ok(form::update_form(self.wire(id).await?.container_config.as_deref()))
    }

    /// "Edit resources": the `patch` action with the container_config rewritten.
    async fn update(&self, id: &str, values: &FormValues) -> Result<()> {
        let wanted = form::update_wanted(values)?;
        let current = self.wire(id).await?;
        let fields = ActionFields {
            container_config: Some(container::merge(current.container_config.as_deref(), &wanted)),
            ..ActionFields::named("patch")
        };
        self.act(Op::Update, id, fields).await
    }
}

#[cfg(test)]
mod tests;
