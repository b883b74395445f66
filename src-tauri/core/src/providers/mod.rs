//! One folder per vendor. Nothing outside a vendor's folder names one of its wire fields.
//! Adding a vendor: its folder, one line in `KINDS`, and its demo cloud.

use crate::provider::ProviderKind;

pub mod aether;
pub mod anyscale;
pub mod exalsius;
pub mod mage_pro;
pub mod paging;
pub mod rest;
pub mod strongly;
pub mod timestamps;

/// Every provider kind Hangar speaks to, in the order they are offered.
pub static KINDS: &[&dyn ProviderKind] =
    &[&anyscale::Kind, &exalsius::Kind, &strongly::Kind, &aether::Kind, &mage_pro::Kind];

#[cfg(test)]
mod prop_checks;
#[cfg(test)]
mod prop_json;
