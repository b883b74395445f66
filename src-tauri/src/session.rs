//! Which profile the app starts on: the user's accounts (config dir + OS keyring), or the
//! built-in demo clouds (in memory) until the first real account is added. The Node owns
//! whichever it is; this module only builds them.

use std::sync::Arc;

use hangar_core::http::HttpSettings;
use hangar_core::node::{Demo, Node};
use hangar_core::secrets::{Credentials, KeyringStore, MemoryStore};
use hangar_core::storage::{Paths, Storage};
use hangar_core::{Account, Hangar, ProviderId};
use hangar_demo::{DemoClouds, Timing};

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

/// The Node on the user's profile, or on the demo when there is no account yet (or
/// `HANGAR_DEMO=1`). Runs on the current Tokio runtime.
pub async fn start_node() -> hangar_core::Result<Arc<Node>> {
    let real = real_hangar()?;
    let want_demo = std::env::var("HANGAR_DEMO").is_ok_and(|v| v == "1") || real.accounts()?.is_empty();
    if want_demo {
        let (hangar, clouds) = demo_hangar().await?;
        let demo = Demo { clouds: Box::new(clouds), real_profile: Box::new(real_hangar) };
        return Ok(Node::start(hangar, Some(demo)));
    }
    Ok(Node::start(real, None))
}
