//! What everything shown costs together: the header line and the tray's top entry.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Spending in one unit (a currency, or a vendor's credits): units are never added together.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Spend {
    pub currency: String,
    /// Sum of the running workspaces' rates.
    pub per_hour: f64,
    /// Since local midnight, this week (from Monday) and this month.
    pub today: f64,
    pub week: f64,
    pub month: f64,
    /// Some of it rests on a guess (a gap while Hangar was not running).
    pub estimated: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Totals {
    pub running: u32,
    pub gpus: u32,
    /// Running workspaces whose rate nobody knows.
    pub unpriced: u32,
    /// One entry per unit over all accounts.
    pub spend: Vec<Spend>,
    /// Each account's own (an account's rates are in one unit).
    pub accounts: BTreeMap<String, Spend>,
}
