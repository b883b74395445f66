//! One folder per vendor. Nothing outside a vendor's folder names one of its wire fields.
//! Adding a vendor: its folder, one line in `KINDS`, and its demo cloud.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::provider::ProviderKind;

pub mod aether;
pub mod anyscale;
pub mod exalsius;
pub mod figures;
pub mod mage_pro;
pub mod paging;
pub mod rest;
pub mod strongly;
pub mod timestamps;

/// Every provider kind Hangar speaks to, in the order they are offered.
pub static KINDS: &[&dyn ProviderKind] =
    &[&anyscale::Kind, &exalsius::Kind, &strongly::Kind, &aether::Kind, &mage_pro::Kind];

// The provider kinds by name, as accounts store them and the UI shows them. (No doc comment:
// ts-rs would copy it into the ProviderId binding.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export)]
pub enum ProviderId {
    Anyscale,
    Exalsius,
    Strongly,
    Aether,
    MagePro,
}

impl ProviderId {
    pub const ALL: [ProviderId; 5] =
        [ProviderId::Anyscale, ProviderId::Exalsius, ProviderId::Strongly, ProviderId::Aether, ProviderId::MagePro];

    pub fn as_str(self) -> &'static str {
        match self {
            ProviderId::Anyscale => "anyscale",
            ProviderId::Exalsius => "exalsius",
            ProviderId::Strongly => "strongly",
            ProviderId::Aether => "aether",
            ProviderId::MagePro => "mage-pro",
        }
    }

    pub fn parse(s: &str) -> Option<ProviderId> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl std::fmt::Display for ProviderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod prop_checks;
#[cfg(test)]
mod prop_json;
