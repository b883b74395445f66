//! The user's own prices, kept in Settings: used only where the vendor reports no rate.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::model::Hardware;

/// Beyond this per hour (per GPU, core or GiB), a price is a typo, in any currency.
const MAX_PRICE: f64 = 1_000_000.0;
/// More GPU kinds than any catalogue has.
const MAX_GPU_KINDS: usize = 200;
const MAX_KIND_LEN: usize = 64;

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

impl RateTable {
    /// Refuses a table Hangar could not price with, naming the field at fault
    /// (`rates.currency`, `rates.gpu_per_hour.<kind>`, `rates.cpu_core_per_hour`, ...).
    pub fn validate(&self) -> Result<()> {
        let currency = &self.currency;
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Error::invalid(
                "rates.currency",
                format!(
                    "'{}' is not an ISO 4217 currency code (three capital letters, like USD or EUR)",
                    currency.escape_debug()
                ),
            ));
        }
        if self.gpu_per_hour.len() > MAX_GPU_KINDS {
            return Err(Error::invalid("rates.gpu_per_hour", format!("at most {MAX_GPU_KINDS} GPU kinds")));
        }
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for (kind, price) in &self.gpu_per_hour {
            let name = kind.trim();
            if name.is_empty() || name.chars().count() > MAX_KIND_LEN || name.chars().any(char::is_control) {
                return Err(Error::invalid(
                    "rates.gpu_per_hour",
                    format!("a GPU kind is a name of 1 to {MAX_KIND_LEN} characters, as the vendor spells it"),
                ));
            }
            if let Some(other) = seen.insert(name.to_lowercase(), kind) {
                return Err(Error::invalid(
                    format!("rates.gpu_per_hour.{name}"),
                    format!("'{other}' and '{kind}' are the same GPU kind (kinds match whatever their case)"),
                ));
            }
            check_price(&format!("rates.gpu_per_hour.{name}"), Some(*price))?;
        }
        check_price("rates.cpu_core_per_hour", self.cpu_core_per_hour)?;
        check_price("rates.memory_gib_per_hour", self.memory_gib_per_hour)
    }

    /// What hardware like this costs per hour, if the table prices every part of it it has.
    /// A table that does not validate (a hand-edited file) prices nothing.
    pub fn per_hour(&self, hardware: &Hardware) -> Option<f64> {
        self.validate().ok()?;
        let gpu = hardware.gpu.as_ref().filter(|g| g.count > 0);
        if gpu.is_none() && hardware.cpus.is_none() && hardware.memory_gb.is_none() {
            return None;
        }
        let mut total = 0.0;
        if let Some(g) = gpu {
            let kind = g.kind.trim();
            let price = self.gpu_per_hour.iter().find(|(k, _)| k.trim().eq_ignore_ascii_case(kind))?.1;
            total += price * f64::from(g.count);
        }
        // The model's memory figures are what vendors call GB; most mean GiB, and the
        // difference is below what a rate table is accurate to.
        for (amount, price) in [(hardware.cpus, self.cpu_core_per_hour), (hardware.memory_gb, self.memory_gib_per_hour)]
        {
            if let Some(amount) = amount.filter(|a| a.is_finite() && *a >= 0.0) {
                total += amount * price?;
            }
        }
        Some(total).filter(|t| t.is_finite())
    }
}

fn check_price(field: &str, price: Option<f64>) -> Result<()> {
    match price {
        Some(p) if !p.is_finite() || p < 0.0 => Err(Error::invalid(field, "a price is a number, 0 or more")),
        Some(p) if p > MAX_PRICE => {
            Err(Error::invalid(field, format!("{p} per hour is beyond any price (at most {MAX_PRICE})")))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(t: &RateTable) -> String {
        match t.validate() {
            Err(Error::InvalidInput { field: Some(f), .. }) => f,
            other => panic!("expected an invalid-input error naming a field, got {other:?}"),
        }
    }

    #[test]
    fn the_default_table_and_a_sensible_one_validate() {
        RateTable::default().validate().unwrap();
        let t = RateTable {
            currency: "EUR".into(),
            gpu_per_hour: BTreeMap::from([("A100".into(), 2.5), ("RTX 4090".into(), 0.0)]),
            cpu_core_per_hour: Some(0.04),
            memory_gib_per_hour: None,
        };
        t.validate().unwrap();
    }

    #[test]
    fn each_bad_value_names_its_field() {
        let base = RateTable::default();
        for currency in ["", "usd", "US", "EURO", "€", "U$D"] {
            assert_eq!(
                field_of(&RateTable { currency: currency.into(), ..base.clone() }),
                "rates.currency",
                "{currency:?}"
            );
        }
        for bad in [-0.5, f64::NAN, f64::INFINITY, 1e9] {
            let t = RateTable { cpu_core_per_hour: Some(bad), ..base.clone() };
            assert_eq!(field_of(&t), "rates.cpu_core_per_hour", "{bad}");
            let t = RateTable { memory_gib_per_hour: Some(bad), ..base.clone() };
            assert_eq!(field_of(&t), "rates.memory_gib_per_hour", "{bad}");
            let t = RateTable { gpu_per_hour: BTreeMap::from([("H100".into(), bad)]), ..base.clone() };
            assert_eq!(field_of(&t), "rates.gpu_per_hour.H100", "{bad}");
        }
        let blank = RateTable { gpu_per_hour: BTreeMap::from([("  ".into(), 1.0)]), ..base.clone() };
        assert_eq!(field_of(&blank), "rates.gpu_per_hour");
        let twice =
            RateTable { gpu_per_hour: BTreeMap::from([("A100".into(), 1.0), ("a100".into(), 2.0)]), ..base.clone() };
        assert_eq!(field_of(&twice), "rates.gpu_per_hour.a100");
    }

    #[test]
    fn a_table_reads_from_partial_json() {
        let t: RateTable = serde_json::from_str(r#"{"gpu_per_hour": {"L4": 0.7}}"#).unwrap();
        assert_eq!(t.currency, "USD");
        assert_eq!(t.cpu_core_per_hour, None);
        t.validate().unwrap();
    }
}
