//! What the window is showing: either the user's accounts (config dir + OS keyring) or the
//! built-in demo clouds (in memory). A session owns its watcher and the tasks that forward
//! the watcher's stream to the window, tray and notifications; switching drops them all.

use std::sync::Arc;

use hangar_core::http::HttpSettings;
use hangar_core::secrets::{Credentials, KeyringStore, MemoryStore};
use hangar_core::storage::{Paths, Storage};
use hangar_core::watcher::{Cadence, Watcher};
use hangar_core::{Account, Hangar, ProviderId};
use hangar_demo::{DemoClouds, Timing};
use tauri::async_runtime::JoinHandle;

pub struct Session {
    pub hangar: Arc<Hangar>,
    pub watcher: Arc<Watcher>,
    pub demo: Option<DemoClouds>,
    pub tasks: Vec<JoinHandle<()>>,
}

impl Drop for Session {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

pub fn real_hangar() -> hangar_core::Result<Arc<Hangar>> {
    let paths = Paths::resolve(None)?;
    Ok(Arc::new(Hangar::new(Storage::on_disk(paths), Arc::new(KeyringStore::default()), HttpSettings::default())))
}

/// The demo clouds and a Hangar that knows only them; nothing is written to disk or keyring.
pub async fn demo_hangar() -> hangar_core::Result<(Arc<Hangar>, DemoClouds)> {
    let clouds = DemoClouds::start(Timing::realistic())
        .await
        .map_err(|e| hangar_core::Error::Internal(format!("demo clouds did not start: {e}")))?;
    let hangar = Arc::new(Hangar::new(Storage::in_memory(), Arc::new(MemoryStore::default()), HttpSettings::default()));
    for cloud in clouds.clouds() {
        let Some(provider) = ProviderId::parse(cloud.provider) else { continue };
        let single = hangar_core::provider::info(provider)
            .and_then(|i| i.credential_fields.first().map(|f| f.key.clone()))
            .unwrap_or_else(|| "token".into());
        let input = match &cloud.credentials {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let creds = Credentials::parse_input(&input, &single)?;
        let account = Account {
            name: cloud.account.clone(),
            provider,
            base_url: Some(cloud.base_url.clone()),
            options: cloud.options.clone(),
        };
        hangar.add_account(account, creds, false).await?;
    }
    Ok((hangar, clouds))
}

/// A watcher polling at the user's saved intervals.
pub fn new_watcher(hangar: Arc<Hangar>) -> Arc<Watcher> {
    let cadence = Cadence::from(hangar.storage().settings().refresh);
    Watcher::new(hangar, cadence)
}
