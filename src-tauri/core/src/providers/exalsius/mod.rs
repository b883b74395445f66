//! exalsius: workspaces (Helm-templated apps: Jupyter, marimo, VS Code dev containers, LLM
//! serving) on the user's own Kubernetes clusters, per `shared/providers/exalsius.md`. The API
//! takes an Auth0 access token; Hangar signs in with PKCE or a device code (`auth`), keeps the
//! tokens in the keyring and renews them itself.

pub mod auth;
mod client;
mod errors;
mod form;
mod lookups;
mod mapping;
#[cfg(test)]
mod props;
mod session;
mod ssh;
mod states;
mod wire;

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::form::{Form, FormValues};
use crate::http::{validate_base_url, Http};
use crate::model::{Account, CredentialField, ProviderId, ProviderInfo, Workspace};
use crate::provider::{OpenBrowser, Provider, ProviderContext, ProviderKind, ShowPrompt};
use crate::secrets::Credentials;
use crate::ssh::SshHost;
use auth::{AuthSettings, ACCESS_TOKEN, REFRESH_TOKEN};
use client::Client;
use wire::{CreateWorkspace, TemplateRequest};

pub use auth::{sign_in_device, sign_in_pkce, DeviceCode};

const VENDOR: &str = "exalsius";
/// The official CLI's host: the API lives at the root; `/v1` (the spec's server) works too.
pub const DEFAULT_BASE_URL: &str = "https://api.exalsius.ai";
/// Account option: the SSH user of dev containers (the CLI says `dev`, a chart README `root`).
pub const OPT_SSH_USER: &str = "ssh_user";
const DEFAULT_SSH_USER: &str = "dev";

/// The Exalsius provider kind, listed in `providers::KINDS`.
pub struct Kind;

#[async_trait]
impl ProviderKind for Kind {
    fn info(&self) -> ProviderInfo {
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
                CredentialField {
                    key: REFRESH_TOKEN.into(),
                    label: "Refresh token".into(),
                    secret: true,
                    required: false,
                },
            ],
            has_names: true,
            browser_sign_in: true,
        }
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

/// The sign-in settings of an account (its `auth_url`, `client_id`, `audience`,
/// `organization` options, else the official CLI's), for the shells' Sign in buttons.
pub fn auth_settings(account: &Account) -> Result<AuthSettings> {
    AuthSettings::from_options(&account.options)
}

pub struct Exalsius {
    account: Account,
    client: Client,
    ssh_user: String,
    /// Cluster id → name, for the details.
    cluster_names: Mutex<HashMap<String, String>>,
    /// Cluster id → what it costs, and when that was read.
    cluster_costs: Mutex<lookups::ClusterCosts>,
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
        let base = ctx.base_url(&Kind.info())?;
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
        let client = Client::new(http, ctx.credentials, auth, ctx.secrets, &ctx.account.name);
        Ok(Exalsius {
            account: ctx.account,
            client,
            ssh_user,
            cluster_names: Mutex::default(),
            cluster_costs: Mutex::default(),
        })
    }
}

#[async_trait]
impl Provider for Exalsius {
    /// The template catalogue: small, and readable by any signed-in user.
    async fn verify(&self) -> Result<()> {
        self.client.templates().await.map(|_| ())
    }

    /// All of the caller's workspaces in one answer: the API has no paging (contract §8).
    async fn list(&self) -> Result<Vec<Workspace>> {
        let list = self.client.workspaces().await?;
        if let Some(total) = list.total.filter(|t| *t as usize > list.workspaces.len()) {
            tracing::warn!(total, got = list.workspaces.len(), "exalsius listed fewer workspaces than its total");
        }
        self.learn_clusters(&list.workspaces).await;
        list.workspaces.iter().map(|w| self.decode(w)).collect()
    }

    async fn record(&self, id: &str) -> Result<serde_json::Value> {
        self.client.workspace_record(id).await
    }

    async fn get(&self, id: &str) -> Result<Workspace> {
        let w = self.client.workspace(id).await?;
        self.learn_clusters(std::slice::from_ref(&w)).await;
        let mut one = self.decode(&w)?;
        if let Some(so_far) = self.cluster_costs_so_far(&w) {
            one.details.insert("cluster costs so far".into(), so_far);
        }
        Ok(one)
    }

    async fn ssh_host(&self, id: &str) -> Result<SshHost> {
        self.ssh_host_of(id).await
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
        let created = self.client.create(&body).await?;
        match self.get(&created.workspace_id).await {
            Ok(w) => Ok(w),
            // The workspace exists now; failing would invite a duplicate. Show what was asked
            // for until the watcher reads the real thing.
            Err(e) => {
                tracing::warn!(error = %e, id = %created.workspace_id, "exalsius created a workspace but reading it failed");
                self.decode(&mapping::asked_for(created.workspace_id, name, plan))
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
}

#[cfg(test)]
mod tests;
