//! Spending limits and the opt-in stop policy, as the user sets them.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

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

impl Limits {
    fn validate(&self, field: &str) -> Result<()> {
        for (name, limit) in [("daily", self.daily), ("monthly", self.monthly)] {
            if let Some(v) = limit {
                if !v.is_finite() || v < 0.0 {
                    return Err(Error::invalid(
                        format!("{field}.{name}"),
                        format!("the {name} limit must be a number of zero or more, not {v}"),
                    ));
                }
            }
        }
        Ok(())
    }
}

impl Budgets {
    /// Refuses a limit that is negative or not a number, naming its field (`budgets.all.daily`).
    pub fn validate(&self) -> Result<()> {
        self.all.validate("budgets.all")?;
        for (account, limits) in &self.accounts {
            limits.validate(&format!("budgets.accounts.{account}"))?;
        }
        Ok(())
    }
}

impl AutoStop {
    /// Refuses zero hours (it would stop a workspace as it starts), naming its field.
    pub fn validate(&self) -> Result<()> {
        let zero =
            |field: String| Err(Error::invalid(field, "a GPU workspace runs at least 1 hour before it is stopped"));
        if self.gpu_max_hours == Some(0) {
            return zero("auto_stop.gpu_max_hours".into());
        }
        for (scope, map) in [("accounts", &self.accounts), ("workspaces", &self.workspaces)] {
            if let Some((key, _)) = map.iter().find(|(_, h)| **h == 0) {
                return zero(format!("auto_stop.{scope}.{key}"));
            }
        }
        Ok(())
    }

    /// The limit for one workspace, in hours: its own, else its account's, else everyone's.
    pub fn hours_for(&self, account: &str, id: &str) -> Option<u32> {
        self.workspaces
            .get(&format!("{account}/{id}"))
            .or_else(|| self.accounts.get(account))
            .copied()
            .or(self.gpu_max_hours)
    }
}

/// Which budget alerts were raised, kept across restarts so none repeats in its period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Alerted {
    pub alerts: BTreeSet<Alert>,
}

/// One alert: a scope (`all` or an account), its unit, its period (`day:2026-12-04`,
/// `month:2026-12`) and the percentage crossed (80 or 100).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Alert {
    pub scope: String,
    pub unit: String,
    pub period: String,
    pub percent: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_or_nan_limits_are_refused_by_field() {
        let bad = Budgets { all: Limits { daily: Some(-1.0), monthly: None }, ..Default::default() };
        assert_eq!(bad.validate().unwrap_err().field(), Some("budgets.all.daily"));
        let nan = Limits { daily: None, monthly: Some(f64::NAN) };
        let bad = Budgets { accounts: [("acme".to_string(), nan)].into(), ..Default::default() };
        assert_eq!(bad.validate().unwrap_err().field(), Some("budgets.accounts.acme.monthly"));
        let inf = Budgets { all: Limits { daily: Some(f64::INFINITY), monthly: None }, ..Default::default() };
        assert!(inf.validate().is_err());
        let fine = Budgets { all: Limits { daily: Some(0.0), monthly: Some(500.0) }, ..Default::default() };
        assert!(fine.validate().is_ok());
    }

    #[test]
    fn the_most_specific_stop_limit_wins_and_zero_is_refused() {
        let a = AutoStop {
            gpu_max_hours: Some(8),
            accounts: [("acme".to_string(), 4)].into(),
            workspaces: [("acme/x".to_string(), 2)].into(),
        };
        assert_eq!(a.hours_for("acme", "x"), Some(2));
        assert_eq!(a.hours_for("acme", "y"), Some(4));
        assert_eq!(a.hours_for("other", "x"), Some(8));
        assert_eq!(AutoStop::default().hours_for("acme", "x"), None, "off unless set");
        let zero = AutoStop { workspaces: [("acme/x".to_string(), 0)].into(), ..Default::default() };
        assert_eq!(zero.validate().unwrap_err().field(), Some("auto_stop.workspaces.acme/x"));
    }
}
