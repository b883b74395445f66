//! Aether (runaether.dev): workspaces are Fly.io machines inside projects. No workspace
//! names (Hangar labels them by project name plus a short id), no catalog endpoint
//! (hardware rules are a fixed table), browser links are port previews.

mod client;
mod form;
mod hardware;
mod mapping;
#[cfg(test)]
mod props;
mod states;
mod wire;

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::error::Result;
use crate::form::{Form, FormValues};
use crate::http::Http;
use crate::model::{Account, CredentialField, ProviderId, ProviderInfo, Workspace};
use crate::provider::{Provider, ProviderContext, ProviderKind};
use client::Client;
pub use mapping::preview_url;

pub const DEFAULT_BASE_URL: &str = "https://api.runaether.dev";

/// The Aether provider kind, listed in `providers::KINDS`.
pub struct Kind;

impl ProviderKind for Kind {
    fn info(&self) -> ProviderInfo {
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

    fn connect(&self, ctx: ProviderContext) -> Result<std::sync::Arc<dyn Provider>> {
        Ok(std::sync::Arc::new(Aether::new(ctx)?))
    }
}

pub struct Aether {
    client: Client,
    account: Account,
}

impl Aether {
    pub fn new(ctx: ProviderContext) -> Result<Self> {
        let base = ctx.base_url(&Kind.info())?;
        let token = ctx.secret("token")?;
        let http = Http::new(&base, "Aether", &ctx.credentials, ctx.http)?;
        Ok(Aether { client: Client::new(http, &token), account: ctx.account })
    }
}

#[async_trait]
impl Provider for Aether {
    async fn verify(&self) -> Result<()> {
        self.client.verify().await
    }

    async fn list(&self) -> Result<Vec<Workspace>> {
        let (list, names) = tokio::join!(self.client.workspaces(), self.client.project_names());
        list?.into_iter().map(|w| self.decode(w, &names)).collect()
    }

    async fn record(&self, id: &str) -> Result<serde_json::Value> {
        self.client.workspace_record(id).await
    }

    async fn get(&self, id: &str) -> Result<Workspace> {
        let (w, names) = tokio::join!(self.client.workspace(id), self.client.project_names());
        self.decode(w?, &names)
    }

    async fn create_form(&self, _selected: &BTreeMap<String, String>) -> Result<Form> {
        let (projects, defaults) = tokio::join!(self.client.projects(), self.client.default_hardware());
        form::create_form_of(&projects?, defaults)
    }

    async fn create(&self, _name: &str, values: &FormValues) -> Result<Workspace> {
        let (project, body) = form::create_body(values)?;
        let created = self.client.create(&project, &body).await?;
        self.decode(created, &self.client.project_names().await)
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
}
