//! The user's own prices, kept in Settings: used only where the vendor reports no rate.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Per-hour prices in one currency. Empty by default: Hangar never makes up a price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct RateTable {
    /// ISO 4217 code the prices are in.
    pub currency: String,
    /// Per GPU per hour, by GPU kind as the vendor names it (case-insensitive).
    pub gpu_per_hour: BTreeMap<String, f64>,
    pub cpu_core_per_hour: Option<f64>,
    pub memory_gib_per_hour: Option<f64>,
}

impl Default for RateTable {
    fn default() -> Self {
        RateTable {
            currency: "USD".into(),
            gpu_per_hour: BTreeMap::new(),
            cpu_core_per_hour: None,
            memory_gib_per_hour: None,
        }
    }
}
