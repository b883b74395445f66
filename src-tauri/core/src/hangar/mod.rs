//! The facade both faces (desktop app, `hangarctl`) call, split by concept: `accounts`,
//! `credentials`, `workspaces`, `open`, with the rules they share in `validate`. This file
//! holds what they all use: the storage, the keyring and one connected provider per account.

mod accounts;
mod credentials;
mod history;
mod open;
mod validate;
mod workspaces;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::OnceCell;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::http::HttpSettings;
use crate::model::{Account, ProviderInfo, Workspace};
use crate::provider::{self, Provider, ProviderContext};
use crate::secrets::{Credentials, SecretStore};
use crate::storage::Storage;

pub use history::{totals, Periods};
pub use open::{SshAlias, SshSetup};
pub use validate::{check_workspace_id, MAX_NAME_LEN};

/// One account that could not be listed, and why; the others' workspaces still come through.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AccountFailure {
    pub account: String,
    pub error: crate::error::ErrorPayload,
}

#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub workspaces: Vec<Workspace>,
    pub failures: Vec<(String, Error)>,
}

/// An account's provider, filled by the first call that needs it.
type ProviderSlot = Arc<OnceCell<Arc<dyn Provider>>>;

pub struct Hangar {
    storage: Storage,
    secrets: Arc<dyn SecretStore>,
    http: HttpSettings,
    /// One provider per account, built once however many first calls race for it: a provider
    /// holds per-account state (a token renewal lock, a rotating refresh token).
    connected: Mutex<HashMap<String, ProviderSlot>>,
    ssh: Option<SshSetup>,
    /// Workspaces this run has listed (`account/id`): a first look at one follows a time
    /// Hangar was not watching.
    looked: Mutex<HashSet<String>>,
}

impl Hangar {
    pub fn new(storage: Storage, secrets: Arc<dyn SecretStore>, http: HttpSettings) -> Hangar {
        Hangar { storage, secrets, http, connected: Mutex::default(), ssh: None, looked: Mutex::default() }
    }

    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    pub fn providers(&self) -> Vec<ProviderInfo> {
        provider::available()
    }

    /// Runs a keyring call off the async threads (Secret Service calls block on D-Bus).
    async fn keyring<T: Send + 'static>(
        &self,
        account: &str,
        call: impl FnOnce(&dyn SecretStore, &str) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let store = self.secrets.clone();
        let name = account.to_string();
        tokio::task::spawn_blocking(move || call(store.as_ref(), &name))
            .await
            .map_err(|e| Error::Internal(format!("keyring task: {e}")))?
    }

    async fn load_secret(&self, account: &str) -> Result<Option<Credentials>> {
        self.keyring(account, |store, name| store.load(name)).await
    }

    async fn save_secret(&self, account: &str, creds: Credentials) -> Result<()> {
        self.keyring(account, move |store, name| store.save(name, &creds)).await
    }

    async fn remove_secret(&self, account: &str) -> Result<()> {
        self.keyring(account, |store, name| store.remove(name)).await
    }

    fn build(&self, account: Account, credentials: Credentials) -> Result<Arc<dyn Provider>> {
        provider::connect(ProviderContext { account, credentials, secrets: self.secrets.clone(), http: self.http })
    }

    /// The connected provider of an account, reading its credentials from the keyring once.
    /// Concurrent first calls wait for the one that builds it; a failed build is tried again
    /// by the next call.
    async fn provider(&self, account: &str) -> Result<Arc<dyn Provider>> {
        let cell = self
            .connected
            .lock()
            .map_err(|_| Error::Internal("provider registry lock poisoned".into()))?
            .entry(account.to_string())
            .or_default()
            .clone();
        let p = cell
            .get_or_try_init(|| async {
                let acct = self.account(account)?;
                let creds = self.load_secret(account).await?.ok_or_else(|| {
                    Error::Unauthorized(format!(
                        "no credentials stored for account '{account}'; remove it and add it again"
                    ))
                })?;
                self.build(acct, creds)
            })
            .await?;
        Ok(p.clone())
    }

    /// Drops the account's provider instance and what it listed last, so the next listing
    /// (with other credentials or settings, or none) starts afresh.
    fn forget(&self, account: &str) {
        if let Ok(mut m) = self.connected.lock() {
            m.remove(account);
        }
        self.storage.forget_listed(account);
    }
}
