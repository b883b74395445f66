//! The one trait providers differ behind, and the registry that builds them.

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
}

/// Providers Hangar can talk to today. A provider not listed here is not offered anywhere.
pub fn available() -> Vec<ProviderInfo> {
    ProviderId::ALL.into_iter().filter_map(info).collect()
}

pub fn info(id: ProviderId) -> Option<ProviderInfo> {
    match id {
        ProviderId::Aether => Some(providers::aether::info()),
        ProviderId::Anyscale => Some(providers::anyscale::info()),
        ProviderId::Exalsius => Some(providers::exalsius::info()),
        ProviderId::Strongly => Some(providers::strongly::info()),
        ProviderId::MagePro => Some(providers::mage_pro::info()),
    }
}

pub fn connect(ctx: ProviderContext) -> Result<Arc<dyn Provider>> {
    match ctx.account.provider {
        ProviderId::Aether => Ok(Arc::new(providers::aether::Aether::new(ctx)?)),
        ProviderId::Anyscale => Ok(Arc::new(providers::anyscale::Anyscale::new(ctx)?)),
        ProviderId::Exalsius => Ok(Arc::new(providers::exalsius::Exalsius::new(ctx)?)),
        ProviderId::Strongly => Ok(Arc::new(providers::strongly::Strongly::new(ctx)?)),
        ProviderId::MagePro => Ok(Arc::new(providers::mage_pro::MagePro::new(ctx)?)),
    }
}

/// Signs in through the system browser for providers whose users have no secret to paste
/// (`ProviderInfo::browser_sign_in`); `open_browser` hands the sign-in page to the OS.
pub async fn sign_in_with_browser(account: &Account, open_browser: impl Fn(&str) -> Result<()>) -> Result<Credentials> {
    match account.provider {
        ProviderId::Exalsius => {
            providers::exalsius::sign_in_pkce(&providers::exalsius::auth_settings(account)?, open_browser).await
        }
        other => Err(Error::Unsupported(format!("{other} accounts take a pasted secret, not a browser sign-in"))),
    }
}

/// A code the user confirms on any device (OAuth device flow); `Debug` hides the polling secret.
pub use providers::exalsius::DeviceCode;

/// Signs in with a device code, for shells with no browser at hand: `show` tells the user
/// where to go and which code to enter.
pub async fn sign_in_with_device(account: &Account, show: impl Fn(&DeviceCode)) -> Result<Credentials> {
    match account.provider {
        ProviderId::Exalsius => {
            providers::exalsius::sign_in_device(&providers::exalsius::auth_settings(account)?, show).await
        }
        other => Err(Error::Unsupported(format!("{other} accounts take a pasted secret, not a device sign-in"))),
    }
}

/// Revokes what the sign-in service issued (where it can revoke); the caller then deletes the
/// stored tokens whatever this answers. A failure here is only worth a warning.
pub async fn revoke_sign_in(account: &Account, credentials: &Credentials) -> Result<()> {
    match account.provider {
        ProviderId::Exalsius => match credentials.get(providers::exalsius::auth::REFRESH_TOKEN) {
            Some(refresh) => {
                providers::exalsius::auth::revoke(&providers::exalsius::auth_settings(account)?, refresh).await
            }
            None => Ok(()),
        },
        _ => Ok(()),
    }
}
