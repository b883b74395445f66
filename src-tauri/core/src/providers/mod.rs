//! One folder per vendor. Nothing outside a vendor's folder names one of its wire fields.

pub mod aether;
pub mod anyscale;
pub mod exalsius;
pub mod mage_pro;
pub mod strongly;

#[cfg(test)]
mod prop_checks;
#[cfg(test)]
mod prop_json;
