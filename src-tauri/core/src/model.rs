//! The shared domain model: what every provider maps its vendor's objects into.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which provider kind an account is of; the kinds are listed in `providers`.
pub use crate::providers::ProviderId;

/// The normalized lifecycle every vendor's states are mapped onto.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
// The string tables serde puts on the wire, for the CLI and logs (a test holds them equal).
#[derive(strum::Display, strum::EnumString, strum::IntoStaticStr)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
#[ts(export)]
pub enum WorkspaceState {
    Pending,
    Starting,
    Running,
    Stopping,
    Stopped,
    Updating,
    Errored,
    Deleting,
    Deleted,
    Unknown,
}

impl WorkspaceState {
    /// A state the workspace will leave by itself; the watcher polls fast while any exists.
    pub fn is_transitional(self) -> bool {
        matches!(
            self,
            WorkspaceState::Pending
                | WorkspaceState::Starting
                | WorkspaceState::Stopping
                | WorkspaceState::Updating
                | WorkspaceState::Deleting
        )
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Gpu {
    pub kind: String,
    pub count: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Hardware {
    pub label: Option<String>,
    pub cpus: Option<f64>,
    pub memory_gb: Option<f64>,
    pub gpu: Option<Gpu>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
// strum: the names `hangarctl open --target` parses, the same as on the wire.
#[derive(strum::Display, strum::EnumString, strum::IntoStaticStr, strum::VariantNames)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
#[ts(export)]
pub enum LinkKind {
    Browser,
    Vscode,
    #[serde(rename = "vscode-insiders")]
    #[strum(serialize = "vscode-insiders")]
    #[ts(rename = "vscode-insiders")]
    VscodeInsiders,
    Cursor,
    Windsurf,
    Zed,
    Jetbrains,
    Ssh,
}

impl LinkKind {
    /// Every kind's name, as `hangarctl open --target` takes it.
    pub const NAMES: &'static [&'static str] = <LinkKind as strum::VariantNames>::VARIANTS;
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Link {
    pub kind: LinkKind,
    pub url: String,
    /// What the link opens, for display ("Preview :3000", "Jupyter").
    pub label: Option<String>,
    /// The SSH host alias the link goes through; Hangar writes it into its managed SSH
    /// config when the link is opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub ssh_alias: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
// strum: the names the CLI and the logs print, the same as on the wire.
#[derive(strum::Display, strum::EnumString, strum::IntoStaticStr)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
#[ts(export)]
pub enum Action {
    Start,
    Stop,
    Delete,
    Update,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Workspace {
    pub account: String,
    pub provider: ProviderId,
    /// The provider's id, spelled as the vendor spells it.
    pub id: String,
    pub name: String,
    pub state: WorkspaceState,
    pub raw_state: String,
    pub hardware: Hardware,
    #[ts(type = "string | null")]
    pub created_at: Option<DateTime<Utc>>,
    /// When the vendor says it last started, where it says so.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub started_at: Option<DateTime<Utc>>,
    pub links: Vec<Link>,
    pub actions: Vec<Action>,
    /// Vendor facts for display only (project, region, image...), in the vendor's words.
    pub details: BTreeMap<String, String>,
    /// The provider's own reason when the workspace is errored.
    pub error: Option<String>,
    /// What it costs and when it stops; flat on the wire (`rate`, `currency`, ...).
    #[serde(flatten)]
    #[ts(flatten)]
    pub cost: Cost,
}

/// A vendor's idle countdown read at two polls differs by the time between its answers.
const STOPS_AT_DRIFT_SECS: i64 = 90;

/// Where a rate comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
// strum: the names the CLI prints, the same as on the wire.
#[derive(strum::Display, strum::EnumString, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
#[ts(export)]
pub enum RateSource {
    /// The vendor reports it.
    Vendor,
    /// The user's rate table in Settings.
    YourRates,
    #[default]
    Unknown,
}

/// Money and time of one workspace, as far as anyone knows them; never a made-up price.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct Cost {
    /// Per hour while running, in `currency`; 0 when not running, `None` when unknown.
    pub rate: Option<f64>,
    /// ISO 4217 code of the user's rates, or the vendor's unit (`credits`); `None` with no rate.
    pub currency: Option<String>,
    pub rate_source: RateSource,
    /// Since the last start, in `currency`; `None` when unknown.
    pub spent: Option<f64>,
    /// `spent` rests on a guess (a gap while Hangar was not running, no vendor start time).
    pub spent_estimated: bool,
    /// When the vendor will stop it (idle timeout countdown, maximum uptime).
    #[ts(type = "string | null")]
    pub stops_at: Option<DateTime<Utc>>,
    /// The vendor stops it after this many idle minutes (no countdown reported).
    pub idle_stop_minutes: Option<u32>,
}

impl Workspace {
    /// Whether two views of it show the same: what grows by itself with time (spend so far)
    /// and a vendor deadline moving by its own poll latency do not count as a change.
    pub fn shows_the_same(&self, other: &Workspace) -> bool {
        let stops_close = match (self.cost.stops_at, other.cost.stops_at) {
            (Some(a), Some(b)) => (a - b).num_seconds().abs() <= STOPS_AT_DRIFT_SECS,
            (a, b) => a == b,
        };
        let timeless = |w: &Workspace| Cost { spent: w.cost.spent.map(|_| 0.0), stops_at: None, ..w.cost.clone() };
        stops_close
            && timeless(self) == timeless(other)
            && Workspace { cost: Cost::default(), ..self.clone() }
                == Workspace { cost: Cost::default(), ..other.clone() }
    }

    /// A workspace known only by its names and state (one gone from its vendor, say).
    pub fn bare(account: &str, provider: ProviderId, id: &str, state: WorkspaceState) -> Workspace {
        Workspace {
            account: account.into(),
            provider,
            id: id.into(),
            name: id.into(),
            state,
            raw_state: state.to_string(),
            hardware: Hardware::default(),
            created_at: None,
            started_at: None,
            links: vec![],
            actions: vec![],
            details: BTreeMap::new(),
            error: None,
            cost: Cost::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Account {
    pub name: String,
    pub provider: ProviderId,
    pub base_url: Option<String>,
    #[serde(default)]
    pub options: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CredentialField {
    pub key: String,
    pub label: String,
    pub secret: bool,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProviderInfo {
    pub id: ProviderId,
    pub display_name: String,
    pub default_base_url: Option<String>,
    pub base_url_required: bool,
    pub credential_fields: Vec<CredentialField>,
    /// Whether the provider's workspaces have a name of their own (else Hangar keeps a local label).
    pub has_names: bool,
    /// Users sign in through their browser (OAuth) rather than paste a secret.
    pub browser_sign_in: bool,
}

/// An account the user is adding from the window: its credentials go straight to the keyring.
#[derive(Clone, Deserialize, TS)]
#[ts(export)]
pub struct NewAccount {
    pub provider: ProviderId,
    pub name: String,
    pub base_url: Option<String>,
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    pub credentials: BTreeMap<String, String>,
    #[serde(default = "yes")]
    pub verify: bool,
}

fn yes() -> bool {
    true
}

impl std::fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccount").field("provider", &self.provider).field("name", &self.name).finish_non_exhaustive()
    }
}

/// What the window needs to know about the running app.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    /// True while the window shows the built-in demo clouds instead of the user's accounts.
    pub demo: bool,
    pub version: String,
}

#[cfg(test)]
mod string_tables {
    use super::*;

    /// The names the CLI prints and parses are the names on the wire.
    #[test]
    fn display_and_parse_match_serde() {
        use strum::VariantNames;
        let kinds = [
            LinkKind::Browser,
            LinkKind::Vscode,
            LinkKind::VscodeInsiders,
            LinkKind::Cursor,
            LinkKind::Windsurf,
            LinkKind::Zed,
            LinkKind::Jetbrains,
            LinkKind::Ssh,
        ];
        assert_eq!(LinkKind::VARIANTS.len(), kinds.len(), "every kind is checked");
        assert_eq!(serde_json::to_value(LinkKind::VscodeInsiders).unwrap(), "vscode-insiders");
        for kind in kinds {
            let wire = serde_json::to_value(kind).unwrap();
            assert_eq!(wire.as_str(), Some(kind.to_string().as_str()));
            assert_eq!(kind.to_string().parse::<LinkKind>().unwrap(), kind);
        }
        for state in [WorkspaceState::Pending, WorkspaceState::Errored, WorkspaceState::Unknown] {
            assert_eq!(serde_json::to_value(state).unwrap().as_str(), Some(state.as_str()));
        }
        for action in [Action::Start, Action::Stop, Action::Delete, Action::Update] {
            assert_eq!(serde_json::to_value(action).unwrap().as_str(), Some(action.as_str()));
        }
        assert!("VSCode".parse::<LinkKind>().is_err(), "names are exact");
    }
}
