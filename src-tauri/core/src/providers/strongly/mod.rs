//! Strongly.ai: Kubernetes-backed dev workspaces (Jupyter, VS Code, RStudio, custom image)
//! inside projects. Every customer has its own instance, `https://<instance>/api/v1`, and
//! scoped API keys sent as `X-API-Key`. Lists are offset pages of summaries; create answers
//! only an id; resources are Kubernetes quantity strings and change only while stopped.

mod client;
mod errors;
mod form;
mod hardware;
mod mapping;
#[cfg(test)]
mod props;
mod states;
mod wire;

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;

use crate::error::Result;
use crate::form::{Form, FormValues};
use crate::http::{validate_base_url, Http};
use crate::model::{Account, CredentialField, ProviderId, ProviderInfo, Workspace};
use crate::provider::{Provider, ProviderContext, ProviderKind};
use client::Client;
use wire::UpdateBody;

const VENDOR: &str = "Strongly.ai";
/// The Strongly provider kind, listed in `providers::KINDS`.
pub struct Kind;

impl ProviderKind for Kind {
    fn info(&self) -> ProviderInfo {
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

    fn connect(&self, ctx: ProviderContext) -> Result<std::sync::Arc<dyn Provider>> {
        Ok(std::sync::Arc::new(Strongly::new(ctx)?))
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
    client: Client,
    account: Account,
}

impl Strongly {
    pub fn new(ctx: ProviderContext) -> Result<Self> {
        let base = normalize_base_url(&ctx.base_url(&Kind.info())?)?;
        let api_key = ctx.secret("api_key")?;
        let http = Http::new(&base, VENDOR, &ctx.credentials, ctx.http)?;
        Ok(Strongly { client: Client::new(http, &api_key)?, account: ctx.account })
    }
}

#[async_trait]
impl Provider for Strongly {
    async fn verify(&self) -> Result<()> {
        self.client.verify().await
    }

    async fn list(&self) -> Result<Vec<Workspace>> {
        let (pages, names) = tokio::join!(self.client.workspaces(), self.client.project_names());
        Ok(pages?.into_iter().map(|w| self.to_workspace(w, &names)).collect())
    }

    async fn record(&self, id: &str) -> Result<serde_json::Value> {
        self.client.workspace_record(id).await
    }

    async fn get(&self, id: &str) -> Result<Workspace> {
        let (w, names) = tokio::join!(self.client.workspace(id), self.client.project_names());
        Ok(self.to_workspace(w?, &names))
    }

    async fn create_form(&self, _selected: &BTreeMap<String, String>) -> Result<Form> {
        // Without `projects:read` (or on an instance without /projects) the wizard simply has
        // no project field; the API does not require one.
        let projects = match self.client.projects().await {
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
        let created = self.client.create(&body).await?;
        match self.get(&created.workspace_id).await {
            Ok(w) => Ok(w),
            // The workspace exists now; failing here would invite a duplicate create. Show
            // what was asked for until the watcher reads the real thing.
            Err(e) => {
                tracing::warn!(error = %e, id = %created.workspace_id, "Strongly.ai created a workspace but reading it failed");
                Ok(self.to_workspace(mapping::asked_for(created.workspace_id, body), &HashMap::new()))
            }
        }
    }

    async fn start(&self, id: &str) -> Result<()> {
        self.client.transition(id, "start").await
    }

    async fn stop(&self, id: &str) -> Result<()> {
        self.client.transition(id, "stop").await
    }

    async fn delete(&self, id: &str) -> Result<()> {
        self.client.delete(id).await
    }

    async fn update_form(&self, id: &str) -> Result<Form> {
        Ok(form::update_form(self.client.workspace(id).await?.resources.as_ref()))
    }

    async fn update(&self, id: &str, values: &FormValues) -> Result<()> {
        let body = UpdateBody { resources: Some(form::update_resources(values)?), ..UpdateBody::default() };
        self.client.update(id, &body).await
    }
}

#[cfg(test)]
mod tests;
