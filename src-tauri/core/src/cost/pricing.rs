//! Putting a price on workspaces: the vendor's where it gives one, else the user's rate table,
//! else unknown. A workspace is priced whole or not at all.

use super::RateTable;
use crate::model::{Cost, RateSource, Workspace, WorkspaceState};

impl Cost {
    /// The rate fields of a workspace in `state` that costs `per_hour` while it runs: 0 once it
    /// is stopped, unknown when nobody knows whether it is billed.
    pub fn priced(state: WorkspaceState, per_hour: Option<f64>, currency: &str, source: RateSource) -> Cost {
        let rate = per_hour.and_then(|r| rate_in(state, r));
        Cost {
            rate,
            currency: rate.map(|_| currency.to_string()),
            rate_source: if rate.is_some() { source } else { RateSource::Unknown },
            ..Cost::default()
        }
    }
}

/// What a workspace that costs `per_hour` while running costs in `state`. Machines are billed
/// from the moment they come up until they are gone, so transitions cost the full rate; an
/// errored or unknown workspace may or may not hold a machine.
fn rate_in(state: WorkspaceState, per_hour: f64) -> Option<f64> {
    use WorkspaceState::*;
    match state {
        Running | Pending | Starting | Stopping | Updating | Deleting => Some(per_hour),
        Stopped | Deleted => Some(0.0),
        Errored | Unknown => None,
    }
}

/// Prices, from `rates`, each workspace the vendor gave no rate for. A stopped or deleted
/// workspace costs nothing per hour even when nobody knows its price (the CLI contract's
/// "0 when stopped"); its currency and source stay unknown then.
pub fn price(workspaces: &mut [Workspace], rates: &RateTable) {
    for w in workspaces.iter_mut().filter(|w| w.cost.rate.is_none()) {
        let from_table =
            Cost::priced(w.state, rates.per_hour(&w.hardware), rates.currency.trim(), RateSource::YourRates);
        let nothing_runs = matches!(w.state, WorkspaceState::Stopped | WorkspaceState::Deleted);
        w.cost = Cost {
            rate: from_table.rate.or(nothing_runs.then_some(0.0)),
            currency: from_table.currency,
            rate_source: from_table.rate_source,
            ..w.cost.clone()
        };
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::{Gpu, Hardware, ProviderId};

    fn table() -> RateTable {
        RateTable {
            currency: "EUR".into(),
            gpu_per_hour: BTreeMap::from([("A100".to_string(), 2.0), ("l4".to_string(), 0.5)]),
            cpu_core_per_hour: Some(0.05),
            memory_gib_per_hour: Some(0.01),
        }
    }

    fn ws(state: WorkspaceState, gpu: Option<(&str, u32)>, cpus: Option<f64>, mem: Option<f64>) -> Workspace {
        let mut w = Workspace::bare("a", ProviderId::Aether, "w1", state);
        w.hardware = Hardware {
            label: None,
            cpus,
            memory_gb: mem,
            gpu: gpu.map(|(kind, count)| Gpu { kind: kind.into(), count }),
        };
        w
    }

    fn priced(mut w: Workspace, rates: &RateTable) -> Cost {
        price(std::slice::from_mut(&mut w), rates);
        w.cost
    }

    #[test]
    fn every_part_priced_gives_a_rate_in_the_tables_currency() {
        let c = priced(ws(WorkspaceState::Running, Some(("a100", 2)), Some(8.0), Some(32.0)), &table());
        assert_eq!(c.rate, Some(2.0 * 2.0 + 8.0 * 0.05 + 32.0 * 0.01));
        assert_eq!(c.currency.as_deref(), Some("EUR"));
        assert_eq!(c.rate_source, RateSource::YourRates);
        let l4 = priced(ws(WorkspaceState::Running, Some(("L4", 1)), None, None), &table());
        assert_eq!(l4.rate, Some(0.5), "GPU kinds match whatever their case");
    }

    #[test]
    fn a_part_without_a_price_leaves_the_whole_unknown() {
        for w in [
            ws(WorkspaceState::Running, Some(("H100", 1)), Some(8.0), Some(32.0)),
            ws(WorkspaceState::Running, None, Some(8.0), Some(32.0)),
        ] {
            let mut rates = table();
            if w.hardware.gpu.is_none() {
                rates.memory_gib_per_hour = None;
            }
            let c = priced(w, &rates);
            assert_eq!((c.rate, c.currency, c.rate_source), (None, None, RateSource::Unknown));
        }
        let nothing_known = priced(ws(WorkspaceState::Running, None, None, None), &table());
        assert_eq!(nothing_known.rate, None, "a workspace with no known hardware is not free");
        let empty = priced(ws(WorkspaceState::Running, None, Some(2.0), None), &RateTable::default());
        assert_eq!(empty.rate, None, "the default table prices nothing");
    }

    #[test]
    fn stopped_costs_nothing_and_errored_is_unknown() {
        let stopped = priced(ws(WorkspaceState::Stopped, None, Some(8.0), Some(32.0)), &table());
        assert_eq!((stopped.rate, stopped.currency.as_deref()), (Some(0.0), Some("EUR")));
        let starting = priced(ws(WorkspaceState::Starting, None, Some(8.0), Some(32.0)), &table());
        assert!(starting.rate.unwrap() > 0.0, "a machine coming up is billed");
        let errored = priced(ws(WorkspaceState::Errored, None, Some(8.0), Some(32.0)), &table());
        assert_eq!((errored.rate, errored.currency), (None, None));
        let unpriced = priced(ws(WorkspaceState::Stopped, None, Some(8.0), Some(32.0)), &RateTable::default());
        assert_eq!(
            (unpriced.rate, unpriced.currency, unpriced.rate_source),
            (Some(0.0), None, RateSource::Unknown),
            "a stopped workspace costs nothing per hour, whatever its price while running"
        );
    }

    #[test]
    fn a_vendor_rate_is_kept() {
        let mut w = ws(WorkspaceState::Running, None, Some(8.0), Some(32.0));
        w.cost = Cost::priced(w.state, Some(12.0), "credits", RateSource::Vendor);
        w.cost.spent = Some(3.0);
        let c = priced(w, &table());
        assert_eq!((c.rate, c.currency.as_deref(), c.rate_source), (Some(12.0), Some("credits"), RateSource::Vendor));
        assert_eq!(c.spent, Some(3.0));
    }

    #[test]
    fn pricing_keeps_the_vendors_deadlines() {
        let mut w = ws(WorkspaceState::Running, None, Some(8.0), Some(32.0));
        w.cost.idle_stop_minutes = Some(10);
        let c = priced(w, &table());
        assert_eq!(c.idle_stop_minutes, Some(10));
        assert!(c.rate.is_some());
    }

    #[test]
    fn an_invalid_entry_in_a_hand_edited_table_prices_nothing() {
        let mut rates = table();
        rates.cpu_core_per_hour = Some(f64::NAN);
        let c = priced(ws(WorkspaceState::Running, None, Some(8.0), Some(32.0)), &rates);
        assert_eq!(c.rate, None);
        let mut rates = table();
        rates.currency = "euros!".into();
        let c = priced(ws(WorkspaceState::Running, None, Some(8.0), Some(32.0)), &rates);
        assert_eq!(c.rate, None, "a table that does not validate prices nothing");
    }
}
