//! Spending limits and the opt-in stop policy, as the user sets them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A daily and a monthly limit; `None` is no limit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct Limits {
    pub daily: Option<f64>,
    pub monthly: Option<f64>,
}

/// Limits over all accounts (in the rate table's currency) and per account (in the unit
/// that account's rates are in); crossing 80 % and 100 % notifies once per period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct Budgets {
    pub all: Limits,
    pub accounts: BTreeMap<String, Limits>,
}

/// "Stop GPU workspaces that have run longer than N hours": off unless the user sets it,
/// for all accounts, per account, or per workspace (`account/id`); the most specific wins.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct AutoStop {
    pub gpu_max_hours: Option<u32>,
    pub accounts: BTreeMap<String, u32>,
    pub workspaces: BTreeMap<String, u32>,
}
