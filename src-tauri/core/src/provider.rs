//! The one trait providers differ behind, and the trait of a provider kind (what it is, how
//! it connects, which sign-in flows it has). The kinds themselves are listed in `providers`.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::form::{Form, FormValues};
use crate::http::HttpSettings;
use crate::model::{Account, ProviderId, ProviderInfo, Workspace};
use crate::providers;
use crate::secrets::{Credentials, SecretStore};
use crate::ssh::SshHost;
use crate::tunnel::TunnelTarget;

/// What a provider is built from: the account, its credentials, and the store to write
/// refreshed credentials back to (for providers whose tokens rotate).
pub struct ProviderContext {
    pub account: Account,
    pub credentials: Credentials,
    pub secrets: Arc<dyn SecretStore>,
    pub http: HttpSettings,
}

impl ProviderContext {
    /// The account's base URL, or the provider's default, or an error naming the field.
    pub fn base_url(&self, info: &ProviderInfo) -> Result<String> {
        self.account
            .base_url
            .clone()
            .or_else(|| info.default_base_url.clone())
            .ok_or_else(|| Error::invalid("base_url", format!("{} needs a base URL (--base-url)", info.display_name)))
    }

    pub fn secret(&self, key: &str) -> Result<String> {
        self.credentials.get(key).map(str::to_string).ok_or_else(|| {
            Error::Unauthorized(format!("account '{}' has no '{key}' credential stored", self.account.name))
        })
    }
}

/// One vendor's API, seen as workspaces. Every call is one user intent; polling and waiting
/// live outside (the watcher, `Hangar::wait`).
#[async_trait]
pub trait Provider: Send + Sync {
    /// One cheap authenticated call ("test connection").
    async fn verify(&self) -> Result<()>;
    async fn list(&self) -> Result<Vec<Workspace>>;
    async fn get(&self, id: &str) -> Result<Workspace>;
    /// The vendor's own rule for workspace names, checked before any call is made.
    fn check_name(&self, _name: &str) -> Result<()> {
        Ok(())
    }
    /// The create form with live choices; `selected` holds what the user picked so far, so
    /// choices that depend on an earlier pick (GPUs of a cluster) can narrow.
    async fn create_form(&self, selected: &BTreeMap<String, String>) -> Result<Form>;
    /// `values` were validated against `create_form`; cross-field rules are checked here,
    /// still before any call is made.
    async fn create(&self, name: &str, values: &FormValues) -> Result<Workspace>;
    async fn start(&self, id: &str) -> Result<()>;
    async fn stop(&self, id: &str) -> Result<()>;
    async fn delete(&self, id: &str) -> Result<()>;
    async fn update_form(&self, _id: &str) -> Result<Form> {
        Err(Error::Unsupported("this provider cannot update a workspace".into()))
    }
    async fn update(&self, _id: &str, _values: &FormValues) -> Result<()> {
        Err(Error::Unsupported("this provider cannot update a workspace".into()))
    }
    /// How an IDE reaches a running workspace, for links that carry an `ssh_alias`.
    async fn ssh_host(&self, _id: &str) -> Result<SshHost> {
        Err(Error::Unsupported("this provider offers no SSH access".into()))
    }
    /// The provider's tunnel to a workspace's SSH server, for hosts with `tunnel` set.
    async fn tunnel(&self, _id: &str) -> Result<TunnelTarget> {
        Err(Error::Unsupported("this provider offers no SSH tunnel".into()))
    }
    /// The vendor's own record of a workspace, as it sent it (the details panel redacts it).
    async fn record(&self, _id: &str) -> Result<serde_json::Value> {
        Ok(serde_json::Value::Null)
    }
}

/// What a device sign-in shows the user: where to go and which code to enter there.
#[derive(Debug, Clone, PartialEq)]
pub struct DevicePrompt {
    pub user_code: String,
    pub verification_uri: String,
    /// The same page with the code filled in, where the service offers one.
    pub verification_uri_complete: Option<String>,
    pub expires_in_secs: Option<u64>,
}

/// A browser opener: gets the sign-in page's URL.
pub type OpenBrowser<'a> = &'a (dyn Fn(&str) -> Result<()> + Send + Sync);
/// Shows a device sign-in's code to the user.
pub type ShowPrompt<'a> = &'a (dyn Fn(&DevicePrompt) + Send + Sync);

/// One kind of provider: what it is, how an account of it connects, and the sign-in flows
/// that only some kinds have (each answers "unsupported" unless the kind has it). The kinds
/// are listed once, in `providers::KINDS`.
#[async_trait]
pub trait ProviderKind: Send + Sync {
    fn info(&self) -> ProviderInfo;
    fn id(&self) -> ProviderId {
        self.info().id
    }
    fn connect(&self, ctx: ProviderContext) -> Result<Arc<dyn Provider>>;

    /// Signs in through the system browser, for kinds whose users have no secret to paste
    /// (`ProviderInfo::browser_sign_in`).
    async fn sign_in_with_browser(&self, _account: &Account, _open: OpenBrowser<'_>) -> Result<Credentials> {
        Err(Error::Unsupported(format!("{} accounts take a pasted secret, not a browser sign-in", self.id())))
    }

    /// Signs in with a code the user confirms on any device (OAuth device flow).
    async fn sign_in_with_device(&self, _account: &Account, _show: ShowPrompt<'_>) -> Result<Credentials> {
        Err(Error::Unsupported(format!("{} accounts take a pasted secret, not a device sign-in", self.id())))
    }

    /// Revokes what a sign-in issued, where the service can; the caller deletes the stored
    /// tokens whatever this answers.
    async fn revoke_sign_in(&self, _account: &Account, _credentials: &Credentials) -> Result<()> {
        Ok(())
    }
}

fn kind(id: ProviderId) -> Result<&'static dyn ProviderKind> {
    providers::KINDS
        .iter()
        .copied()
        .find(|k| k.id() == id)
        .ok_or_else(|| Error::Unsupported(format!("provider '{id}' is not available in this build")))
}

/// Providers Hangar can talk to today. A provider not listed here is not offered anywhere.
pub fn available() -> Vec<ProviderInfo> {
    providers::KINDS.iter().map(|k| k.info()).collect()
}

pub fn info(id: ProviderId) -> Option<ProviderInfo> {
    kind(id).ok().map(|k| k.info())
}

pub fn connect(ctx: ProviderContext) -> Result<Arc<dyn Provider>> {
    kind(ctx.account.provider)?.connect(ctx)
}

/// Signs in through the system browser; `open_browser` hands the sign-in page to the OS.
pub async fn sign_in_with_browser(
    account: &Account,
    open_browser: impl Fn(&str) -> Result<()> + Send + Sync,
) -> Result<Credentials> {
    kind(account.provider)?.sign_in_with_browser(account, &open_browser).await
}

/// Signs in with a device code, for shells with no browser at hand: `show` tells the user
/// where to go and which code to enter.
pub async fn sign_in_with_device(account: &Account, show: impl Fn(&DevicePrompt) + Send + Sync) -> Result<Credentials> {
    kind(account.provider)?.sign_in_with_device(account, &show).await
}

/// Revokes what the sign-in service issued (where it can revoke); the caller then deletes the
/// stored tokens whatever this answers. A failure here is only worth a warning.
pub async fn revoke_sign_in(account: &Account, credentials: &Credentials) -> Result<()> {
    kind(account.provider)?.revoke_sign_in(account, credentials).await
}
