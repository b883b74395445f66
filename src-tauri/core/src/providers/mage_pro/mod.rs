//! Mage Pro: each customer cluster runs a Mage server whose workspace manager exposes the
//! REST resource `workspaces` under `<cluster URL>/api` (contract `shared/providers/mage-pro.md`).
//! A call needs the cluster's API key (`X-API-KEY`) and a user token (`OAUTH-TOKEN`) from
//! `POST /api/sessions`. Errors come back with HTTP 200 unless `_http_error_codes=true` is
//! sent, so every answer is checked for a top-level `error` before anything else. Workspaces
//! are addressed by name; PUT and DELETE answer a snapshot taken *before* the action.

mod auth;
mod client;
mod container;
mod errors;
mod form;
mod mapping;
#[cfg(test)]
mod props;
mod session;
mod states;
mod wire;

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::form::{Form, FormValues};
use crate::http::{validate_base_url, Http};
use crate::model::{Account, CredentialField, ProviderId, ProviderInfo, Workspace};
use crate::provider::{Provider, ProviderContext, ProviderKind};
use auth::Token;
use client::Client;
use errors::Op;
use wire::{ActionFields, Wrapped};

const VENDOR: &str = "Mage Pro";

/// The MagePro provider kind, listed in `providers::KINDS`.
pub struct Kind;

impl ProviderKind for Kind {
    fn info(&self) -> ProviderInfo {
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

    fn connect(&self, ctx: ProviderContext) -> Result<std::sync::Arc<dyn Provider>> {
        Ok(std::sync::Arc::new(MagePro::new(ctx)?))
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

pub struct MagePro {
    account: Account,
    client: Client,
}

impl MagePro {
    pub fn new(ctx: ProviderContext) -> Result<Self> {
        let base = normalize_base_url(&ctx.base_url(&Kind.info())?)?;
        let api_key = ctx.secret("api_key")?;
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
        let http = Http::new(&base, VENDOR, creds, ctx.http)?;
        let client = Client::new(http, api_key.trim(), login, token, ctx.secrets, &ctx.account)?;
        Ok(MagePro { account: ctx.account, client })
    }
}

#[async_trait]
impl Provider for MagePro {
    /// The cluster answers `statuses`, the credentials list workspaces, and a signed-in user
    /// is an owner (anyone else can only look).
    async fn verify(&self) -> Result<()> {
        self.client.workspace_list().await?;
        if self.client.session().owner == Some(false) {
            return Err(Error::Unauthorized(format!(
                "this {VENDOR} user is not an owner of the cluster: it can see workspaces, but only owners can \
                 create, update, start, stop or delete them. Ask an owner to make the user an owner, or sign in as one"
            )));
        }
        Ok(())
    }

    async fn list(&self) -> Result<Vec<Workspace>> {
        let list = self.client.workspaces().await?;
        let cluster_type = self.client.cluster_type().await?;
        Ok(list.into_iter().map(|w| self.to_workspace(w, &cluster_type)).collect())
    }

    async fn record(&self, id: &str) -> Result<serde_json::Value> {
        self.client.workspace_record(id).await
    }

    async fn get(&self, id: &str) -> Result<Workspace> {
        let w = self.client.workspace(id).await?;
        Ok(self.to_workspace(w, &self.client.cluster_type().await?))
    }

    async fn create_form(&self, _selected: &BTreeMap<String, String>) -> Result<Form> {
        Ok(form::create_form(&self.client.cluster_type().await?))
    }

    async fn create(&self, name: &str, values: &FormValues) -> Result<Workspace> {
        let cluster_type = self.client.cluster_type().await?;
        let fields = form::create_fields(name, &cluster_type, values)?;
        let body = serde_json::to_value(Wrapped { workspace: fields.clone() })
            .map_err(|e| Error::Internal(format!("create body: {e}")))?;
        self.client.create(&body).await?;
        match self.get(name).await {
            Ok(w) => Ok(w),
            // It exists now; failing would invite a duplicate create. Show what was asked for
            // until the watcher reads the real thing.
            Err(e) => {
                tracing::warn!(error = %e, name, "Mage Pro created a workspace but reading it failed");
                Ok(self.to_workspace(mapping::asked_for(fields), &cluster_type))
            }
        }
    }

    async fn start(&self, id: &str) -> Result<()> {
        self.client.act(Op::Start, id, ActionFields::named("resume")).await
    }

    async fn stop(&self, id: &str) -> Result<()> {
        self.client.act(Op::Stop, id, ActionFields::named("stop")).await
    }

    async fn delete(&self, id: &str) -> Result<()> {
        self.client.delete(id).await
    }

    async fn update_form(&self, id: &str) -> Result<Form> {
        let cluster_type = self.client.cluster_type().await?;
        if !form::has_container(&cluster_type) {
            return Err(Error::Unsupported(format!(
                "{VENDOR} edits resources only on Kubernetes and Docker clusters; this one is {}",
                mapping::cluster_label(&cluster_type)
            )));
        }
        Ok(form::update_form(self.client.workspace(id).await?.container_config.as_deref()))
    }

    /// "Edit resources": the `patch` action with the container_config rewritten.
    async fn update(&self, id: &str, values: &FormValues) -> Result<()> {
        let wanted = form::update_wanted(values)?;
        let current = self.client.workspace(id).await?;
        let fields = ActionFields {
            container_config: Some(container::merge(current.container_config.as_deref(), &wanted)),
            ..ActionFields::named("patch")
        };
        self.client.act(Op::Update, id, fields).await
    }
}

#[cfg(test)]
mod tests;
