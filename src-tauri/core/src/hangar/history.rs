//! The ledger as the facade keeps it: every listing is recorded (transitions, running
//! intervals), a running workspace's `spent` is completed from it where the vendor gives none,
//! and the totals and details the faces show are read from it.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, Local, NaiveTime, TimeZone, Utc};

use super::validate::check_workspace_id;
use super::Hangar;
use crate::cost::{Spend, Totals};
use crate::error::Result;
use crate::history::ledger::{self, Ledger, Spent};
use crate::history::{Cause, WorkspaceDetails};
use crate::model::{Workspace, WorkspaceState};

/// Where today, this week and this month began, in the user's time zone.
#[derive(Debug, Clone, Copy)]
pub struct Periods {
    pub day: DateTime<Utc>,
    pub week: DateTime<Utc>,
    pub month: DateTime<Utc>,
}

impl Periods {
    pub fn local(now: DateTime<Utc>) -> Periods {
        let today = now.with_timezone(&Local).date_naive();
        let start = |d: chrono::NaiveDate| {
            Local
                .from_local_datetime(&d.and_time(NaiveTime::MIN))
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or(now)
        };
        let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        Periods { day: start(today), week: start(monday), month: start(today.with_day(1).unwrap_or(today)) }
    }
}

impl Hangar {
    /// Records what one successful listing of `account` showed and completes each running
    /// workspace's `spent` from the ledger. A ledger that cannot be written costs the figures,
    /// never the listing.
    pub(super) fn record_listing(&self, account: &str, workspaces: &mut [Workspace]) {
        let now = Utc::now();
        let first: Vec<bool> = {
            let looked = self.looked.lock().unwrap_or_else(|p| p.into_inner());
            workspaces.iter().map(|w| !looked.contains(&ledger::key(&w.account, &w.id))).collect()
        };
        let present: Vec<&str> = workspaces.iter().map(|w| w.id.as_str()).collect();
        let apply = |l: &mut Ledger| {
            let mut changed = false;
            for (w, first) in workspaces.iter().zip(&first) {
                changed |= l.observe(w, now, *first);
            }
            changed |= l.gone(account, &present, now);
            if changed {
                l.prune(now);
            }
            changed
        };
        // Most polls change nothing: find out on the copy in memory before locking the file.
        let mut ledger = self.storage.ledger();
        if apply(&mut ledger) {
            match self.storage.update_ledger(apply) {
                Ok(l) => ledger = l,
                Err(e) => tracing::warn!(code = e.code(), "history not recorded"),
            }
        }
        let mut looked = self.looked.lock().unwrap_or_else(|p| p.into_inner());
        looked.extend(workspaces.iter().map(|w| ledger::key(&w.account, &w.id)));
        drop(looked);
        for w in workspaces.iter_mut() {
            complete_spent(w, &ledger, now);
        }
    }

    /// Who is behind the next transitions of a workspace (the user, the tray, a policy).
    pub fn record_cause(&self, account: &str, id: &str, cause: Cause) {
        let now = Utc::now();
        if let Err(e) = self.storage.update_ledger(|l| {
            l.caused(account, id, cause, now);
            true
        }) {
            tracing::warn!(code = e.code(), "cause not recorded");
        }
    }

    /// What the shown workspaces cost together, and what the accounts spent today, this week
    /// and this month (stopped workspaces' runs included).
    pub fn totals(&self, workspaces: &[Workspace]) -> Totals {
        let now = Utc::now();
        let accounts: Vec<String> =
            self.accounts().map(|a| a.into_iter().map(|a| a.name).collect()).unwrap_or_default();
        totals(workspaces, &self.storage.ledger(), &accounts, now, Periods::local(now))
    }

    /// One workspace with its timeline, spend and the vendor's own record.
    pub async fn details(&self, account: &str, id: &str) -> Result<WorkspaceDetails> {
        check_workspace_id(id)?;
        let workspace = self.get(account, id).await?;
        let raw = self.provider(account).await?.record(id).await.unwrap_or(serde_json::Value::Null);
        let ledger = self.storage.ledger();
        let now = Utc::now();
        let periods = Periods::local(now);
        let unit = workspace.cost.currency.clone();
        let spent = |from| unit.as_ref().map(|u| ledger.spent(account, id, from, now).get(u).map_or(0.0, |s| s.amount));
        let ssh_alias = workspace.links.iter().find_map(|l| l.ssh_alias.clone());
        Ok(WorkspaceDetails {
            timeline: ledger.record(account, id).map(|r| r.transitions.iter().cloned().collect()).unwrap_or_default(),
            ssh_command: ssh_alias.as_ref().map(|a| format!("ssh {a}")),
            ssh_alias,
            spent_today: spent(periods.day),
            spent_week: spent(periods.week),
            raw: crate::history::redact(raw),
            workspace,
        })
    }

    /// Like a listing's record, for one workspace fetched alone (nothing is "gone").
    pub(super) fn record_one(&self, account: &str, workspaces: &mut [Workspace]) {
        let now = Utc::now();
        let first =
            !self.looked.lock().unwrap_or_else(|p| p.into_inner()).contains(&ledger::key(account, &workspaces[0].id));
        let observe = |l: &mut Ledger| workspaces.iter().fold(false, |c, w| l.observe(w, now, first) | c);
        let ledger = match observe(&mut self.storage.ledger()) {
            true => self.storage.update_ledger(observe).unwrap_or_else(|_| self.storage.ledger()),
            false => self.storage.ledger(),
        };
        for w in workspaces.iter_mut() {
            complete_spent(w, &ledger, now);
        }
    }
}

/// A running workspace's spend since its last start, where the vendor reports none.
fn complete_spent(w: &mut Workspace, ledger: &Ledger, now: DateTime<Utc>) {
    if w.state != WorkspaceState::Running || w.cost.spent.is_some() {
        return;
    }
    let (Some(rate), Some(since)) = (w.cost.rate, ledger.record(&w.account, &w.id).and_then(|r| r.running_since()))
    else {
        return;
    };
    let hours = (now - since.0).num_seconds().max(0) as f64 / 3600.0;
    w.cost.spent = Some(rate * hours);
    w.cost.spent_estimated = since.1;
}

pub fn totals(
    workspaces: &[Workspace],
    ledger: &Ledger,
    accounts: &[String],
    now: DateTime<Utc>,
    periods: Periods,
) -> Totals {
    let running: Vec<&Workspace> = workspaces.iter().filter(|w| w.state == WorkspaceState::Running).collect();
    let mut out = Totals {
        running: running.len() as u32,
        gpus: running.iter().filter_map(|w| w.hardware.gpu.as_ref()).map(|g| g.count).sum(),
        unpriced: running.iter().filter(|w| w.cost.rate.is_none()).count() as u32,
        ..Totals::default()
    };
    let names: Vec<&str> = accounts.iter().map(String::as_str).collect();
    let by_period = [periods.day, periods.week, periods.month].map(|from| ledger.spent_by_account(&names, from, now));
    let mut by_unit: BTreeMap<String, Spend> = BTreeMap::new();
    let mut by_account: BTreeMap<String, Spend> = BTreeMap::new();
    for w in &running {
        if let (Some(rate), Some(unit)) = (w.cost.rate, &w.cost.currency) {
            by_unit.entry(unit.clone()).or_insert_with(|| spend(unit)).per_hour += rate;
            by_account.entry(w.account.clone()).or_insert_with(|| spend(unit)).per_hour += rate;
        }
    }
    for (slot, period) in by_period.iter().enumerate() {
        for (account, units) in period {
            for (unit, spent) in units {
                add(by_unit.entry(unit.clone()).or_insert_with(|| spend(unit)), slot, spent);
                let own = by_account.entry(account.clone()).or_insert_with(|| spend(unit));
                // An account's figures are in its own unit; another unit there (rates changed) is left out.
                if own.currency == *unit {
                    add(own, slot, spent);
                }
            }
        }
    }
    out.spend = by_unit.into_values().collect();
    out.accounts = by_account;
    out
}

fn spend(unit: &str) -> Spend {
    Spend { currency: unit.to_string(), ..Spend::default() }
}

fn add(s: &mut Spend, slot: usize, spent: &Spent) {
    match slot {
        0 => s.today += spent.amount,
        1 => s.week += spent.amount,
        _ => s.month += spent.amount,
    }
    s.estimated |= spent.estimated;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Gpu, Hardware, ProviderId};

    fn running(account: &str, id: &str, rate: Option<f64>, unit: &str, gpus: u32) -> Workspace {
        let mut w = Workspace::bare(account, ProviderId::ALL[0], id, WorkspaceState::Running);
        w.account = account.into();
        w.cost.rate = rate;
        w.cost.currency = rate.map(|_| unit.to_string());
        w.hardware =
            Hardware { gpu: (gpus > 0).then(|| Gpu { kind: "a100".into(), count: gpus }), ..Hardware::default() };
        w
    }

    #[test]
    fn totals_keep_units_apart_and_count_stopped_runs_of_today() {
        let now = Utc::now();
        let periods =
            Periods { day: now - Duration::hours(10), week: now - Duration::days(3), month: now - Duration::days(20) };
        let mut ledger = Ledger::default();
        // Ran 2 h this morning at 3 USD/h, stopped since.
        let mut earlier = running("acme", "old", Some(3.0), "USD", 1);
        ledger.observe(
            &Workspace { state: WorkspaceState::Stopped, ..earlier.clone() },
            now - Duration::hours(6),
            false,
        );
        ledger.observe(&earlier, now - Duration::hours(5), false);
        earlier.state = WorkspaceState::Stopped;
        earlier.cost.rate = Some(0.0);
        ledger.observe(&earlier, now - Duration::hours(3), false);
        let shown = [
            running("acme", "a", Some(2.5), "USD", 2),
            running("lab", "b", Some(12.0), "credits", 1),
            running("lab", "c", None, "", 0),
            earlier,
        ];
        let accounts = ["acme".to_string(), "lab".to_string()];
        let t = totals(&shown, &ledger, &accounts, now, periods);
        assert_eq!((t.running, t.gpus, t.unpriced), (3, 3, 1));
        let usd = t.spend.iter().find(|s| s.currency == "USD").unwrap();
        assert_eq!(usd.per_hour, 2.5);
        assert!((usd.today - 6.0).abs() < 1e-6, "{usd:?}");
        let credits = t.spend.iter().find(|s| s.currency == "credits").unwrap();
        assert_eq!(credits.per_hour, 12.0);
        assert_eq!(t.accounts["acme"].currency, "USD");
        assert_eq!(t.accounts["lab"].per_hour, 12.0);
    }
}
