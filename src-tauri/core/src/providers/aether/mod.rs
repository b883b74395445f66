//! Aether (runaether.dev): workspaces are Fly.io machines inside projects. No workspace
//! names (Hangar labels them by project name plus a short id), no catalog endpoint
//! (hardware rules are a fixed table), browser links are port previews.

mod hardware;
#[cfg(test)]
mod props;
mod states;
mod wire;

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use reqwest::Method;

use crate::error::{Error, Result};
use crate::form::{Choice, Form, FormField, FormValues};
use crate::http::{Http, RawResponse};
use crate::model::{Account, CredentialField, Gpu, Hardware, Link, LinkKind, ProviderId, ProviderInfo, Workspace};
use crate::provider::{Provider, ProviderContext, ProviderKind};
use wire::{CreateBody, ErrorBody, ProjectList, Settings, WireHardware, WireWorkspace, WorkspaceList};

pub const DEFAULT_BASE_URL: &str = "https://api.runaether.dev";
/// Port whose preview "Open in browser" shows, unless the account sets `preview_port`.
const DEFAULT_PREVIEW_PORT: u16 = 3000;

/// The Aether provider kind, listed in `providers::KINDS`.
pub struct Kind;

#[async_trait]
impl ProviderKind for Kind {
    fn id(&self) -> ProviderId {
        ProviderId::Aether
    }

    fn info(&self) -> ProviderInfo {
        info()
    }

    fn connect(&self, ctx: ProviderContext) -> Result<std::sync::Arc<dyn Provider>> {
        Ok(std::sync::Arc::new(Aether::new(ctx)?))
    }
}

pub fn info() -> ProviderInfo {
    ProviderInfo {
        id: ProviderId::Aether,
        display_name: "Aether".into(),
        default_base_url: Some(DEFAULT_BASE_URL.into()),
        base_url_required: false,
        credential_fields: vec![CredentialField {
            key: "token".into(),
            label: "API key or access token".into(),
            secret: true,
            required: true,
        }],
        has_names: false,
        browser_sign_in: false,
    }
}

pub struct Aether {
    http: Http,
    token: String,
    account: Account,
}

impl Aether {
    pub fn new(ctx: ProviderContext) -> Result<Self> {
        let base = ctx.base_url(&info())?;
        let token = ctx.secret("token")?;
        let http = Http::new(&base, "Aether", &ctx.credentials, ctx.http)?;
        Ok(Aether { http, token, account: ctx.account })
    }

    async fn call(&self, method: Method, path: &[&str], body: Option<&CreateBody>) -> Result<RawResponse> {
        let idempotent = method == Method::GET;
        let mut req = self.http.request(method, path).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = self.http.send(req, idempotent).await?;
        if resp.is_success() {
            Ok(resp)
        } else {
            Err(error_of(&resp))
        }
    }

    async fn projects(&self) -> Result<Vec<wire::WireProject>> {
        Ok(self.call(Method::GET, &["projects"], None).await?.json::<ProjectList>()?.projects)
    }

    async fn project_names(&self) -> HashMap<String, String> {
        // Names only decorate the label; a failing projects call must not hide the workspaces.
        self.projects().await.map(|ps| ps.into_iter().map(|p| (p.id, p.name)).collect()).unwrap_or_default()
    }

    /// Start/stop answer 400 when the state does not allow the action: that is a conflict.
    async fn transition(&self, id: &str, verb: &str) -> Result<()> {
        match self.call(Method::POST, &["workspaces", id, verb], None).await {
            Err(Error::InvalidInput { message, .. }) => Err(Error::Conflict(message)),
            other => other.map(|_| ()),
        }
    }

    /// A workspace from the vendor's object; without an id it could not be addressed.
    fn decode(&self, w: WireWorkspace, projects: &HashMap<String, String>) -> Result<Workspace> {
        if w.id.trim().is_empty() {
            return Err(Error::BadResponse { message: "Aether answered a workspace without its id".into() });
        }
        Ok(self.to_workspace(w, projects))
    }

    fn to_workspace(&self, w: WireWorkspace, projects: &HashMap<String, String>) -> Workspace {
        let project =
            projects.get(&w.project_id).cloned().unwrap_or_else(|| format!("project {}", short(&w.project_id)));
        let hw = w.hardware.clone().unwrap_or_default();
        let mut details = BTreeMap::from([("project".to_string(), project.clone())]);
        if let Some(r) = w.git_ref.as_ref().filter(|r| !r.trim().is_empty()) {
            details.insert("git ref".into(), r.clone());
        }
        if let Some(m) = w.machine_id.as_ref().filter(|m| !m.trim().is_empty()) {
            details.insert("machine".into(), m.clone());
        }
        if let Some(k) = w.keep_active {
            details.insert("keep active".into(), k.to_string());
        }
        Workspace {
            account: self.account.name.clone(),
            provider: ProviderId::Aether,
            name: format!("{project} · {}", short(&w.id)),
            state: states::normalize(&w.status),
            raw_state: w.status.clone(),
            hardware: to_hardware(&hw),
            created_at: w.created_at.as_deref().and_then(parse_time),
            links: self.links(&w),
            actions: states::actions(&w.status),
            details,
            error: w.error_message.clone().filter(|m| !m.is_empty()),
            id: w.id,
        }
    }

    fn links(&self, w: &WireWorkspace) -> Vec<Link> {
        if w.status != "running" {
            return vec![];
        }
        let port =
            self.account.options.get("preview_port").and_then(|p| p.parse().ok()).unwrap_or(DEFAULT_PREVIEW_PORT);
        preview_url(self.http.base(), &w.project_id, &w.id, port, w.preview_token.as_deref())
            .map(|url| {
                vec![Link { kind: LinkKind::Browser, url, label: Some(format!("Preview :{port}")), ssh_alias: None }]
            })
            .unwrap_or_default()
    }
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&chrono::Utc))
}

fn to_hardware(hw: &WireHardware) -> Hardware {
    let gpu = hw.gpu_kind.clone().filter(|g| !g.trim().is_empty()).map(|kind| Gpu { kind, count: 1 });
    let mut parts = vec![];
    if let Some(g) = &gpu {
        parts.push(format!("GPU {}", g.kind));
    } else {
        if let (Some(k), Some(c)) = (&hw.cpu_kind, hw.cpus) {
            parts.push(format!("{c} {k} CPU"));
        }
        if let Some(m) = hw.memory_mb {
            parts.push(format!("{} GB", fmt_gb(m)));
        }
    }
    if let Some(v) = hw.volume_size_gb {
        parts.push(format!("{v} GB disk"));
    }
    Hardware {
        label: (!parts.is_empty()).then(|| parts.join(" · ")),
        // With a GPU, Aether fixes CPU and memory per GPU and does not report them.
        cpus: if gpu.is_some() { None } else { hw.cpus.map(f64::from) },
        memory_gb: if gpu.is_some() { None } else { hw.memory_mb.map(|m| m as f64 / 1024.0) },
        gpu,
    }
}

fn fmt_gb(mb: u64) -> String {
    let gb = mb as f64 / 1024.0;
    if gb.fract() == 0.0 {
        format!("{gb:.0}")
    } else {
        format!("{gb:.2}").trim_end_matches('0').to_string()
    }
}

/// `{port}-{prefix}[-{token}].preview.{domain}`: the gateway's host scheme. The prefix is the
/// workspace's first 8 chars when a 32-char preview token exists, else the project's.
pub fn preview_url(
    api: &url::Url,
    project_id: &str,
    workspace_id: &str,
    port: u16,
    token: Option<&str>,
) -> Option<String> {
    let domain = match api.host()? {
        url::Host::Domain(d) => d.strip_prefix("api.").unwrap_or(d).to_string(),
        // An IP has no subdomains; on loopback the gateway answers `*.localhost` instead.
        _ if crate::http::is_loopback_host(api) => "localhost".to_string(),
        _ => return None,
    };
    let token = token.filter(|t| t.len() == 32 && t.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    let sub = match token {
        Some(t) => format!("{port}-{}-{t}", short(workspace_id)),
        None => format!("{port}-{}", short(project_id)),
    };
    // Ids are UUIDs; anything else could end the host early ('/', '@', '?') and send the
    // link elsewhere.
    if !sub.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let origin_port = api.port().map(|p| format!(":{p}")).unwrap_or_default();
    Some(format!("{}://{sub}.preview.{domain}{origin_port}/", api.scheme()))
}

/// The create form for these projects, with the account's default hardware where it has one.
fn create_form_of(projects: &[wire::WireProject], defaults: Option<WireHardware>) -> Result<Form> {
    let Some(first) = projects.first() else {
        return Err(Error::invalid("project", "this Aether account has no project; create one in Aether first"));
    };
    // The account's defaults, where the table offers them: a default the form would refuse
    // would make the user correct what they never typed.
    let defaults = defaults.unwrap_or_default();
    let cpu_kind = defaults.cpu_kind.filter(|k| hardware::CPU_KINDS.contains(&k.as_str()));
    let gpu_kind = defaults.gpu_kind.filter(|g| hardware::GPU_KINDS.contains(&g.as_str()));
    let cpus = defaults.cpus.filter(|c| hardware::cpu_options("performance").contains(c));
    let volume = defaults.volume_size_gb.filter(|v| (hardware::VOLUME_GB.0..=hardware::VOLUME_GB.1).contains(v));
    let mut memory: Vec<u64> = hardware::CPU_KINDS
        .iter()
        .flat_map(|k| hardware::cpu_options(k).iter().flat_map(move |c| hardware::memory_options(k, *c)))
        .copied()
        .collect();
    memory.sort_unstable();
    memory.dedup();
    let memory_mb = defaults.memory_mb.filter(|m| memory.contains(m));
    let mut gpus = vec![Choice::new("none", "No GPU")];
    gpus.extend(hardware::GPU_KINDS.iter().map(|g| {
        Choice::new(*g, g.to_uppercase())
            .with_detail(format!("1 × {} GB GPU memory · region ord", hardware::gpu_memory_gb(g)))
    }));
    Ok(Form {
        fields: vec![
            FormField::choice("project", "Project", projects.iter().map(|p| Choice::new(&p.id, &p.name)).collect())
                .required()
                .default_value(&first.id),
            FormField::choice("gpu_kind", "GPU", gpus)
                .default_value(gpu_kind.unwrap_or_else(|| "none".into()))
                .help("With a GPU, CPU and memory are fixed by the GPU machine")
                .group("hardware"),
            FormField::choice(
                "cpu_kind",
                "CPU kind",
                vec![Choice::new("shared", "Shared"), Choice::new("performance", "Performance")],
            )
            .default_value(cpu_kind.unwrap_or_else(|| "shared".into()))
            .group("hardware"),
            FormField::choice(
                "cpus",
                "CPUs",
                [1u32, 2, 4, 8, 16].iter().map(|c| Choice::new(c.to_string(), format!("{c} vCPU"))).collect(),
            )
            .default_value(cpus.unwrap_or(2).to_string())
            .help("Shared machines go up to 8 CPUs, performance up to 16")
            .group("hardware"),
            FormField::choice(
                "memory_mb",
                "Memory",
                memory.iter().map(|m| Choice::new(m.to_string(), format!("{} GB", fmt_gb(*m)))).collect(),
            )
            .default_value(memory_mb.unwrap_or(2048).to_string())
            .help("Must fit the CPU count (e.g. 2 shared CPUs: 512 MB to 4 GB)")
            .group("hardware"),
            FormField::number(
                "volume_size_gb",
                "Disk (GB)",
                hardware::VOLUME_GB.0.into(),
                hardware::VOLUME_GB.1.into(),
            )
            .default_value(volume.unwrap_or(10).to_string())
            .group("hardware"),
            FormField::boolean("keep_active", "Keep running when idle")
                .default_value("false")
                .help("Off: Aether stops the workspace after 10 idle minutes"),
        ],
    })
}

fn error_of(resp: &RawResponse) -> Error {
    let body: Option<ErrorBody> = serde_json::from_str(&resp.body).ok();
    let (message, field) = match body {
        Some(ErrorBody { error, errors: Some(errs), .. }) if !errs.is_empty() => {
            let field = errs.iter().find_map(|e| e.field.clone());
            let list: Vec<String> = errs
                .iter()
                .map(|e| {
                    format!("{}: {}", e.field.as_deref().unwrap_or("?"), e.message.as_deref().unwrap_or("invalid"))
                })
                .collect();
            (Some(format!("{} ({})", error.unwrap_or_else(|| "Validation failed".into()), list.join("; "))), field)
        }
        Some(ErrorBody { error, .. }) => (error, None),
        None => (None, None),
    };
    resp.status_error(message, field)
}

#[async_trait]
impl Provider for Aether {
    async fn verify(&self) -> Result<()> {
        match self.call(Method::GET, &["profile"], None).await {
            // Older deployments have no /profile; /projects proves the token as well.
            Err(Error::NotFound(_)) => self.projects().await.map(|_| ()),
            other => other.map(|_| ()),
        }
    }

    async fn list(&self) -> Result<Vec<Workspace>> {
        let (list, names) = tokio::join!(self.call(Method::GET, &["workspaces"], None), self.project_names());
        let list: WorkspaceList = list?.json()?;
        list.workspaces.into_iter().map(|w| self.decode(w, &names)).collect()
    }

    async fn get(&self, id: &str) -> Result<Workspace> {
        let path = ["workspaces", id];
        let (w, names) = tokio::join!(self.call(Method::GET, &path, None), self.project_names());
        self.decode(w?.json()?, &names)
    }

    async fn create_form(&self, _selected: &BTreeMap<String, String>) -> Result<Form> {
        let (projects, settings) = tokio::join!(self.projects(), self.call(Method::GET, &["user", "settings"], None));
        let defaults = settings.ok().and_then(|r| r.json::<Settings>().ok()).and_then(|s| s.default_hardware);
        create_form_of(&projects?, defaults)
    }

    async fn create(&self, _name: &str, values: &FormValues) -> Result<Workspace> {
        let project = values.get("project").ok_or_else(|| Error::invalid("project", "a project is required"))?;
        let cpu_kind = values.get("cpu_kind").unwrap_or("shared");
        let cpus = values.number("cpus").unwrap_or(2.0) as u32;
        let memory_mb = values.number("memory_mb").unwrap_or(2048.0) as u64;
        let volume = values.number("volume_size_gb").unwrap_or(10.0);
        if volume.fract() != 0.0 {
            return Err(Error::invalid("volume_size_gb", "Disk (GB) must be a whole number"));
        }
        let gpu = values.get("gpu_kind").filter(|g| *g != "none");
        if let Some((field, why)) = hardware::check(cpu_kind, cpus, memory_mb, gpu) {
            return Err(Error::invalid(field, why));
        }
        let body = CreateBody {
            hardware: WireHardware {
                cpu_kind: Some(cpu_kind.into()),
                cpus: Some(cpus),
                memory_mb: Some(memory_mb),
                volume_size_gb: Some(volume as u32),
                gpu_kind: gpu.map(str::to_string),
            },
            keep_active: values.flag("keep_active").unwrap_or(false),
        };
        let resp = self.call(Method::POST, &["projects", project, "workspaces"], Some(&body)).await?;
        let created: WireWorkspace = resp.json()?;
        self.decode(created, &self.project_names().await)
    }

    async fn start(&self, id: &str) -> Result<()> {
        self.transition(id, "start").await
    }

    async fn stop(&self, id: &str) -> Result<()> {
        self.transition(id, "stop").await
    }

    async fn delete(&self, id: &str) -> Result<()> {
        self.call(Method::DELETE, &["workspaces", id], None).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_url_uses_workspace_prefix_with_a_real_token() {
        let api = url::Url::parse("https://api.runaether.dev").unwrap();
        let token = "abcdefghijklmnopqrstuvwxyz012345";
        assert_eq!(
            preview_url(&api, "a1b2c3d4-5678", "b2c3d4e5-6789", 5173, Some(token)).unwrap(),
            format!("https://5173-b2c3d4e5-{token}.preview.runaether.dev/")
        );
        assert_eq!(
            preview_url(&api, "a1b2c3d4-5678", "b2c3d4e5-6789", 5173, Some("ptk_abc123")).unwrap(),
            "https://5173-a1b2c3d4.preview.runaether.dev/"
        );
    }

    #[test]
    fn the_documented_example_workspace_maps() {
        let body = r#"{"id":"b2c3d4e5-6789-01ab-cdef-234567890abc","project_id":"a1b2c3d4-5678-90ab-cdef-1234567890ab",
          "status":"running","hardware":{"cpu_kind":"shared","cpus":2,"memory_mb":2048,"volume_size_gb":10,"gpu_kind":null},
          "keep_active":false,"machine_id":"d8901234abcd","private_ip":"10.0.0.2","git_ref":"main",
          "preview_token":"ptk_abc123","error_message":null,"created_at":"2025-01-15T10:30:00Z",
          "updated_at":"2025-01-15T11:00:00Z","some_new_field":{"x":1}}"#;
        let w: WireWorkspace = serde_json::from_str(body).unwrap();
        let hw = to_hardware(w.hardware.as_ref().unwrap());
        assert_eq!(hw.cpus, Some(2.0));
        assert_eq!(hw.memory_gb, Some(2.0));
        assert_eq!(hw.label.as_deref(), Some("2 shared CPU · 2 GB · 10 GB disk"));
        assert!(hw.gpu.is_none());
    }
}
