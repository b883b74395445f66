//! Strongly.ai: Kubernetes-backed dev workspaces (Jupyter, VS Code, RStudio, custom image)
//! inside projects. Every customer has its own instance, `https://<instance>/api/v1`, and
//! scoped API keys sent as `X-API-Key`. Lists are offset pages of summaries; create answers
//! only an id; resources are Kubernetes quantity strings and change only while stopped.

mod form;
mod hardware;
#[cfg(test)]
mod props;
mod states;
mod wire;

use std::collections::{BTreeMap, HashMap, HashSet};

use async_trait::async_trait;
use reqwest::header::HeaderValue;
use reqwest::{Method, RequestBuilder};

use crate::error::{Error, Result};
use crate::form::{Form, FormValues};
use crate::http::{validate_base_url, Http, RawResponse};
use crate::model::{Account, CredentialField, Link, LinkKind, ProviderId, ProviderInfo, Workspace, WorkspaceState};
use crate::provider::{Provider, ProviderContext, ProviderKind};
use wire::{ActionAnswer, Created, ErrorBody, ErrorValue, ProjectList, UpdateBody, WireWorkspace, WorkspacePage};

const VENDOR: &str = "Strongly.ai";
/// Other Strongly list endpoints document 100 as the maximum `limit`.
const PAGE_LIMIT: u64 = 100;
/// 100 000 workspaces: past this, a server that keeps sending full pages is broken.
const MAX_PAGES: usize = 1000;

/// The Strongly provider kind, listed in `providers::KINDS`.
pub struct Kind;

#[async_trait]
impl ProviderKind for Kind {
    fn id(&self) -> ProviderId {
        ProviderId::Strongly
    }

    fn info(&self) -> ProviderInfo {
        info()
    }

    fn connect(&self, ctx: ProviderContext) -> Result<std::sync::Arc<dyn Provider>> {
        Ok(std::sync::Arc::new(Strongly::new(ctx)?))
    }
}

pub fn info() -> ProviderInfo {
    ProviderInfo {
        id: ProviderId::Strongly,
        display_name: VENDOR.into(),
        default_base_url: None,
        base_url_required: true,
        credential_fields: vec![CredentialField {
            key: "api_key".into(),
            label: "API key (Profile → Security → API Keys)".into(),
            secret: true,
            required: true,
        }],
        has_names: true,
        browser_sign_in: false,
    }
}

/// The instance URL as users paste it (with or without `/api/v1`, with or without a trailing
/// `/`, below a path prefix or not) → `<origin>[/prefix]/api/v1`.
pub fn normalize_base_url(text: &str) -> Result<String> {
    let mut url = validate_base_url(text)?;
    let path = url.path().trim_end_matches('/');
    let prefix = match path.len().checked_sub("/api/v1".len()) {
        Some(cut) if path.is_char_boundary(cut) && path[cut..].eq_ignore_ascii_case("/api/v1") => &path[..cut],
        _ => path,
    };
    let path = format!("{}/api/v1", prefix.trim_end_matches('/'));
    url.set_path(&path);
    Ok(url.to_string())
}

pub struct Strongly {
    http: Http,
    api_key: HeaderValue,
    account: Account,
}

impl Strongly {
    pub fn new(ctx: ProviderContext) -> Result<Self> {
        let base = normalize_base_url(&ctx.base_url(&info())?)?;
        let mut api_key = HeaderValue::from_str(&ctx.secret("api_key")?)
            .map_err(|_| Error::invalid("api_key", "the API key has characters an HTTP header cannot carry"))?;
        api_key.set_sensitive(true);
        let http = Http::new(&base, VENDOR, &ctx.credentials, ctx.http)?;
        Ok(Strongly { http, api_key, account: ctx.account })
    }

    fn request(&self, method: Method, path: &[&str]) -> RequestBuilder {
        self.http.request(method, path).header("X-API-Key", self.api_key.clone())
    }

    /// Sends once (or with retries when `idempotent`) and turns a non-2xx answer into its error.
    async fn call(&self, request: RequestBuilder, idempotent: bool) -> Result<RawResponse> {
        let resp = self.http.send(request, idempotent).await?;
        if resp.is_success() {
            Ok(resp)
        } else {
            Err(error_of(&resp))
        }
    }

    async fn wire(&self, id: &str) -> Result<WireWorkspace> {
        let w: WireWorkspace = self.call(self.request(Method::GET, &["workspaces", id]), true).await?.json()?;
        check_id(&w)?;
        Ok(w)
    }

    async fn projects(&self) -> Result<Vec<wire::WireProject>> {
        let resp = self.call(self.request(Method::GET, &["projects"]), true).await?;
        Ok(resp.json::<ProjectList>()?.into_vec())
    }

    /// Project names only decorate the details; a key without `projects:read` still lists.
    async fn project_names(&self) -> HashMap<String, String> {
        match self.projects().await {
            Ok(ps) => ps.into_iter().filter_map(|p| Some((p.id, p.name.filter(|n| !n.trim().is_empty())?))).collect(),
            Err(e) => {
                tracing::debug!(error = %e, "Strongly.ai projects unavailable; showing project ids");
                HashMap::new()
            }
        }
    }

    async fn pages(&self) -> Result<Vec<WireWorkspace>> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut offset = 0;
        for _ in 0..MAX_PAGES {
            let req = self.request(Method::GET, &["workspaces"]).query(&[("limit", PAGE_LIMIT), ("offset", offset)]);
            let page: WorkspacePage = self.call(req, true).await?.json()?;
            page.workspaces.iter().try_for_each(check_id)?;
            let got = page.workspaces.len() as u64;
            let before = out.len();
            // A workspace created between two pages shifts the offsets; keep its first copy.
            out.extend(page.workspaces.into_iter().filter(|w| seen.insert(w.id.clone())));
            match next_offset(offset, got, page.limit, page.count) {
                // A server that ignores `offset` sends the same full page again: nothing new is a loop.
                Some(_) if out.len() == before => {
                    return Err(Error::BadResponse {
                        message: format!(
                            "{VENDOR} sent the same page of workspaces again (offset {offset}); listing stopped"
                        ),
                    })
                }
                Some(next) => offset = next,
                None => return Ok(out),
            }
        }
        Err(Error::BadResponse {
            message: format!(
                "{VENDOR} kept sending full pages of workspaces ({} so far, {MAX_PAGES} pages); listing stopped",
                out.len()
            ),
        })
    }

    /// Start and stop: the server refuses a wrong state with 409 (or, on some instances, 400).
    async fn transition(&self, id: &str, verb: &str) -> Result<()> {
        let resp = match self.call(self.request(Method::POST, &["workspaces", id, verb]), false).await {
            Err(Error::InvalidInput { message, .. }) => return Err(Error::Conflict(message)),
            other => other?,
        };
        if let Ok(answer) = resp.json::<ActionAnswer>() {
            let (answered, status, message) = (answer.workspace_id, answer.status, answer.message);
            tracing::debug!(id, verb, ?answered, ?status, ?message, "Strongly.ai accepted");
        }
        Ok(())
    }

    fn to_workspace(&self, w: WireWorkspace, projects: &HashMap<String, String>) -> Workspace {
        let mut details = BTreeMap::new();
        let mut put = |key: &str, value: Option<String>| {
            if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
                details.insert(key.to_string(), v);
            }
        };
        put("description", w.description.clone());
        put("environment type", w.environment_type.as_deref().map(|e| environment_label(e).unwrap_or(e).to_string()));
        put("image", w.image.clone());
        put("project", w.project_id.as_ref().map(|id| projects.get(id).unwrap_or(id).clone()));
        let owner = w.owner.as_ref().and_then(|o| match (&o.name, &o.email) {
            (Some(n), Some(e)) => Some(format!("{n} <{e}>")),
            (n, e) => n.clone().or_else(|| e.clone()).or_else(|| o.id.clone()),
        });
        put("owner", owner.or_else(|| w.owner_id.clone()));
        Workspace {
            account: self.account.name.clone(),
            provider: ProviderId::Strongly,
            name: w.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| w.id.clone()),
            state: states::normalize(&w.status),
            raw_state: w.status.clone(),
            hardware: hardware::to_hardware(w.resources.as_ref()),
            created_at: w.created_at.as_deref().and_then(parse_time),
            links: links(&w),
            actions: states::actions(&w.status),
            details,
            error: None,
            id: w.id,
        }
    }
}

/// The IDE is the `url` the server gives, and only while running; Hangar never builds it.
fn links(w: &WireWorkspace) -> Vec<Link> {
    if states::normalize(&w.status) != WorkspaceState::Running {
        return vec![];
    }
    let Some(url) = w.url.as_deref().and_then(|u| url::Url::parse(u).ok()) else {
        return vec![];
    };
    if !matches!(url.scheme(), "https" | "http") {
        return vec![];
    }
    let label = w.environment_type.as_deref().and_then(environment_label).unwrap_or("Workspace");
    vec![Link { kind: LinkKind::Browser, url: url.to_string(), label: Some(label.to_string()), ssh_alias: None }]
}

fn environment_label(value: &str) -> Option<&'static str> {
    form::ENVIRONMENT_TYPES.iter().find(|(v, _)| *v == value).map(|(_, label)| *label)
}

fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&chrono::Utc))
}

/// The next page's offset, or `None` when the last page came: fewer items than a page holds,
/// an empty page, or `count` (taken as the total matching) reached.
fn next_offset(offset: u64, got: u64, limit: Option<u64>, count: Option<u64>) -> Option<u64> {
    let page_size = limit.filter(|l| *l > 0).unwrap_or(PAGE_LIMIT).min(PAGE_LIMIT);
    let next = offset + got;
    (got > 0 && got >= page_size && count.is_none_or(|c| next < c)).then_some(next)
}

/// The wire type reads leniently, but a workspace without an id cannot be addressed.
fn check_id(w: &WireWorkspace) -> Result<()> {
    if w.id.trim().is_empty() {
        return Err(Error::BadResponse {
            message: format!("{VENDOR} answered a workspace without its required field `id`"),
        });
    }
    Ok(())
}

fn error_of(resp: &RawResponse) -> Error {
    let (message, field) = vendor_error(&resp.body);
    resp.status_error(message, field)
}

/// The vendor's message and the form field it blames, from an error body. The body is not
/// published (contract §9): `error` as text or object, then `message`; a code and a request id
/// are kept beside the message so support can trace the call.
fn vendor_error(body: &str) -> (Option<String>, Option<String>) {
    let Ok(body) = serde_json::from_str::<ErrorBody>(body) else {
        return (None, None);
    };
    let (error_text, error_code, error_field) = match body.error {
        Some(ErrorValue::Text(t)) => (Some(t), None, None),
        Some(ErrorValue::Detail(d)) => (d.message, d.code, d.field),
        None => (None, None, None),
    };
    let mut texts: Vec<String> = vec![];
    for t in [error_text, body.message].into_iter().flatten() {
        if !t.trim().is_empty() && !texts.contains(&t) {
            texts.push(t);
        }
    }
    let mut message = texts.join(" — ");
    let code = error_code.or(body.code).filter(|c| !message.contains(c.as_str()));
    let request_id = body.request_id.or(body.meta.and_then(|m| m.request_id));
    let tags: Vec<String> = [code, request_id.map(|r| format!("request {r}"))].into_iter().flatten().collect();
    if !tags.is_empty() {
        message = if message.is_empty() { tags.join("; ") } else { format!("{message} ({})", tags.join("; ")) };
    }
    let field = error_field
        .or(body.field)
        .or_else(|| body.details.as_ref().and_then(detail_field))
        .and_then(|f| form_key(&f))
        .or_else(|| field_named_in(&texts.join(" ")));
    ((!message.is_empty()).then_some(message), field)
}

/// A field named by `details` as `{"field": ...}` or `[{"field"|"path": ...}]`.
fn detail_field(details: &serde_json::Value) -> Option<String> {
    let of =
        |v: &serde_json::Value| v.get("field").or_else(|| v.get("path")).and_then(|f| f.as_str()).map(str::to_string);
    match details {
        serde_json::Value::Array(items) => items.iter().find_map(of),
        other => of(other),
    }
}

/// The form field a vendor field name stands for ("resources.gpuType" → "gpuType").
fn form_key(name: &str) -> Option<String> {
    name.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).rev().find_map(|token| {
        let key = match token.to_ascii_lowercase().as_str() {
            "name" => "name",
            "description" => "description",
            "environmenttype" | "environment_type" => "environmentType",
            "image" => "image",
            "projectid" | "project_id" => "projectId",
            "cpu" => "cpu",
            "memory" => "memory",
            "gpu" => "gpu",
            "gputype" | "gpu_type" => "gpuType",
            "storage" => "storage",
            _ => return None,
        };
        Some(key.to_string())
    })
}

/// The first field a validation message names ("description is required").
fn field_named_in(message: &str) -> Option<String> {
    message.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')).find_map(form_key)
}

#[async_trait]
impl Provider for Strongly {
    /// Whoami proves the key; a one-item list proves the `workspaces:read` scope (contract §2).
    async fn verify(&self) -> Result<()> {
        match self.call(self.request(Method::GET, &["auth", "whoami"]), true).await {
            // An instance without whoami: the workspaces probe below still proves the key.
            Err(Error::NotFound(_)) => {}
            other => {
                other?;
            }
        }
        let probe = self.request(Method::GET, &["workspaces"]).query(&[("limit", 1)]);
        let resp = self.http.send(probe, true).await?;
        match resp.status {
            200..=299 => resp.json::<WorkspacePage>().map(|_| ()),
            403 => Err(Error::Unauthorized(format!(
                "{}. The API key is valid but lacks the workspaces:read scope; create a key with \
                 workspaces:read and workspaces:write (Strongly.ai: Profile → Security → API Keys)",
                error_of(&resp)
            ))),
            404 => Err(Error::invalid(
                "base_url",
                format!("{}. Is {} the address of your Strongly.ai instance?", error_of(&resp), self.http.base()),
            )),
            _ => Err(error_of(&resp)),
        }
    }

    async fn list(&self) -> Result<Vec<Workspace>> {
        let (pages, names) = tokio::join!(self.pages(), self.project_names());
        Ok(pages?.into_iter().map(|w| self.to_workspace(w, &names)).collect())
    }

    async fn get(&self, id: &str) -> Result<Workspace> {
        let (w, names) = tokio::join!(self.wire(id), self.project_names());
        Ok(self.to_workspace(w?, &names))
    }

    async fn create_form(&self, _selected: &BTreeMap<String, String>) -> Result<Form> {
        // Without `projects:read` (or on an instance without /projects) the wizard simply has
        // no project field; the API does not require one.
        let projects = match self.projects().await {
            Ok(p) => Some(p),
            Err(e) => {
                tracing::debug!(error = %e, "Strongly.ai projects unavailable; no project field");
                None
            }
        };
        Ok(form::create_form(projects))
    }

    async fn create(&self, name: &str, values: &FormValues) -> Result<Workspace> {
        let body = form::create_body(name, values)?;
        let resp = self.call(self.request(Method::POST, &["workspaces"]).json(&body), false).await?;
        let created: Created = resp.json()?;
        match self.get(&created.workspace_id).await {
            Ok(w) => Ok(w),
            // The workspace exists now; failing here would invite a duplicate create. Show
            // what was asked for until the watcher reads the real thing.
            Err(e) => {
                tracing::warn!(error = %e, id = %created.workspace_id, "Strongly.ai created a workspace but reading it failed");
                let asked = WireWorkspace {
                    id: created.workspace_id,
                    name: Some(body.name),
                    description: Some(body.description),
                    status: "pending".into(),
                    environment_type: Some(body.environment_type),
                    image: body.image,
                    resources: body.resources,
                    project_id: body.project_id,
                    ..WireWorkspace::default()
                };
                Ok(self.to_workspace(asked, &HashMap::new()))
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
        match self.call(self.request(Method::DELETE, &["workspaces", id]), false).await {
            Err(Error::Conflict(m)) => {
                Err(Error::Conflict(format!("{m}. Strongly.ai deletes only stopped workspaces; stop it first")))
            }
            other => other.map(|_| ()),
        }
    }

    async fn update_form(&self, id: &str) -> Result<Form> {
        Ok(form::update_form(self.wire(id).await?.resources.as_ref()))
    }

    async fn update(&self, id: &str, values: &FormValues) -> Result<()> {
        let body = UpdateBody { resources: Some(form::update_resources(values)?), ..UpdateBody::default() };
        match self.call(self.request(Method::PUT, &["workspaces", id]).json(&body), false).await {
            Err(Error::Conflict(m)) => Err(Error::Conflict(format!(
                "{m}. Strongly.ai changes resources only while a workspace is stopped; stop it first"
            ))),
            other => other.map(|_| ()),
        }
    }
}

#[cfg(test)]
mod tests;
