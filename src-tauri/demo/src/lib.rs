//! Demo clouds: real HTTP servers on 127.0.0.1 that speak each vendor's documented contract,
//! with state machines that take realistic time. Demo mode and the tests both use them.
//! Each server also takes injected faults (a status, an HTML page, a delay) for tests.

// Handlers return `Result<_, Response>` to short-circuit with an HTTP answer; its size is moot here.
#![allow(clippy::result_large_err)]

pub mod aether;
pub mod anyscale;
pub mod exalsius;
pub mod mage_pro;
mod server;
pub mod strongly;

pub use server::{DemoServer, Fault, Timing};

/// One demo account: how `hangarctl demo serve` and the app's demo mode describe a cloud.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoCloud {
    pub provider: &'static str,
    pub account: String,
    pub base_url: String,
    /// Credentials as `hangarctl account add` takes them on stdin (a line or a JSON object).
    pub credentials: serde_json::Value,
    /// Account options (`--option KEY=VALUE`) the demo account needs, e.g. its sign-in service.
    pub options: std::collections::BTreeMap<String, String>,
}

/// Every demo cloud, started together.
pub struct DemoClouds {
    pub servers: Vec<(DemoCloud, DemoServer)>,
}

impl DemoClouds {
    pub async fn start(timing: Timing) -> std::io::Result<DemoClouds> {
        let aether = aether::start(timing).await?;
        let anyscale = anyscale::start(timing).await?;
        let exalsius = exalsius::start(timing).await?;
        let strongly = strongly::start(timing).await?;
        let mage_pro = mage_pro::start(timing).await?;
        Ok(DemoClouds {
            servers: vec![
                (aether.cloud(), aether.server),
                (anyscale.cloud(), anyscale.server),
                (exalsius.cloud(), exalsius.server),
                (strongly.cloud(), strongly.server),
                (mage_pro.cloud(), mage_pro.server),
            ],
        })
    }

    pub fn clouds(&self) -> Vec<DemoCloud> {
        self.servers.iter().map(|(c, _)| c.clone()).collect()
    }
}

pub(crate) fn random_token(prefix: &str, len: usize) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let tail: String = (0..len).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect();
    format!("{prefix}{tail}")
}

pub(crate) fn uuid_like() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let hex: String = (0..32).map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0')).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}
