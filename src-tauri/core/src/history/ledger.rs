//! The ledger itself, pure: what each workspace did as Hangar saw it. Observations come in
//! with the time they were made; nothing here reads a clock or a file.

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Cause, Transition};
use crate::model::{Workspace, WorkspaceState};

/// Transitions kept per workspace.
pub const MAX_TRANSITIONS: usize = 100;
/// Running intervals kept per workspace (older ones leave first).
pub const MAX_INTERVALS: usize = 400;
/// Intervals that ended longer ago than this are of no figure Hangar shows (month at most).
pub const KEEP_INTERVALS_FOR: Duration = Duration::days(62);
/// Workspaces kept; the ones that changed least recently leave first. Above any one person's
/// fleet (an account of 10 000 is benchmarked), so a listing never pushes out what it lists.
pub const MAX_WORKSPACES: usize = 20_000;
/// A workspace deleted this long ago is forgotten.
pub const KEEP_DELETED_FOR: Duration = Duration::days(30);
/// A cause the user gave (stop, start) explains the transitions that follow it for this long.
pub const CAUSE_LASTS: Duration = Duration::minutes(15);
/// A vendor start time this much later than the open interval's start means a restart Hangar missed.
const RESTART_SLACK: Duration = Duration::seconds(60);

/// One stretch of running, with the rate it ran at (so a stopped workspace's spend today is known).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub start: DateTime<Utc>,
    /// `None` while it runs.
    pub end: Option<DateTime<Utc>>,
    /// A bound of it is a guess (Hangar was not running when it began or ended).
    #[serde(default)]
    pub estimated: bool,
    #[serde(default)]
    pub rate: Option<f64>,
    #[serde(default)]
    pub currency: Option<String>,
}

impl Interval {
    /// Seconds of it within `[from, to]`, an open interval running until `to`.
    fn seconds_within(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
        let start = self.start.max(from);
        let end = self.end.unwrap_or(to).min(to);
        if end <= start {
            return 0.0;
        }
        (end - start).num_milliseconds() as f64 / 1000.0
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Record {
    /// The state last observed.
    pub state: Option<WorkspaceState>,
    /// When anything in this record last changed (for bounding).
    pub changed_at: Option<DateTime<Utc>>,
    pub transitions: VecDeque<Transition>,
    pub intervals: Vec<Interval>,
    /// Who asked for the change now under way, and when.
    pub cause: Option<(Cause, DateTime<Utc>)>,
}

impl Record {
    fn open(&mut self) -> Option<&mut Interval> {
        self.intervals.last_mut().filter(|i| i.end.is_none())
    }

    fn cause_at(&self, now: DateTime<Utc>) -> Cause {
        match self.cause {
            Some((cause, at)) if now >= at && now - at <= CAUSE_LASTS => cause,
            _ => Cause::Vendor,
        }
    }

    fn transition(&mut self, to: WorkspaceState, now: DateTime<Utc>) {
        let cause = self.cause_at(now);
        self.transitions.push_back(Transition { at: now, from: self.state, to, cause });
        while self.transitions.len() > MAX_TRANSITIONS {
            self.transitions.pop_front();
        }
        // A cause explains the way to a settled state, then is spent.
        if !to.is_transitional() {
            self.cause = None;
        }
        self.state = Some(to);
    }

    /// Since when it runs, if it does.
    pub fn running_since(&self) -> Option<(DateTime<Utc>, bool)> {
        self.intervals.last().filter(|i| i.end.is_none()).map(|i| (i.start, i.estimated))
    }
}

/// The spend of some running time, in one unit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Spent {
    pub amount: f64,
    pub estimated: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Ledger {
    /// By `account/id` (neither holds a `/`: both are checked before any use).
    pub workspaces: BTreeMap<String, Record>,
}

pub fn key(account: &str, id: &str) -> String {
    format!("{account}/{id}")
}

impl Ledger {
    pub fn record(&self, account: &str, id: &str) -> Option<&Record> {
        self.workspaces.get(&key(account, id))
    }

    /// Someone asked for a change: the transitions it brings are theirs.
    pub fn caused(&mut self, account: &str, id: &str, cause: Cause, now: DateTime<Utc>) {
        let r = self.workspaces.entry(key(account, id)).or_default();
        r.cause = Some((cause, now));
        r.changed_at = Some(now);
    }

    /// One listing's view of a workspace. `first_look`: the first time this run of Hangar sees
    /// it, so anything since the ledger's last word happened while Hangar was not watching.
    /// Returns whether the ledger changed.
    pub fn observe(&mut self, w: &Workspace, now: DateTime<Utc>, first_look: bool) -> bool {
        let before = self.workspaces.get(&key(&w.account, &w.id)).cloned();
        let r = self.workspaces.entry(key(&w.account, &w.id)).or_default();
        let was = r.state;
        if was != Some(w.state) {
            r.transition(w.state, now);
        }
        let running = w.state == WorkspaceState::Running;
        // A vendor start time is believed only if it is not in the future.
        let vendor_start = w.started_at.filter(|s| *s <= now);
        let last_end = r.intervals.iter().filter_map(|i| i.end).max();
        let open = r.intervals.last().is_some_and(|i| i.end.is_none());
        let n = r.intervals.len();
        match (running, open) {
            (true, false) => {
                let (start, estimated) = match vendor_start.filter(|s| last_end.is_none_or(|e| *s >= e)) {
                    Some(s) => (s, false),
                    // Seen starting by a poll: exact to within a poll. Found running: a guess.
                    None => (now, was.is_none() || first_look),
                };
                r.intervals.push(Interval { start, end: None, estimated, rate: None, currency: None });
            }
            (true, true) => {
                let open = &mut r.intervals[n - 1];
                if let Some(s) = vendor_start.filter(|s| *s > open.start + RESTART_SLACK) {
                    // It stopped and started again while Hangar was not looking.
                    open.end = Some(s);
                    open.estimated = true;
                    r.intervals.push(Interval { start: s, end: None, estimated: false, rate: None, currency: None });
                } else if first_look && vendor_start.is_none() {
                    // Believed to have run all along, which nobody confirms.
                    open.estimated = true;
                }
            }
            (false, true) => {
                let open = &mut r.intervals[n - 1];
                open.end = Some(now.max(open.start));
                open.estimated |= first_look;
            }
            (false, false) => {}
        }
        if running {
            if let Some(open) = r.open() {
                // The price it runs at now (a stopped workspace's rate reads 0, so only while running).
                if w.cost.rate.is_some() && (open.rate, &open.currency) != (w.cost.rate, &w.cost.currency) {
                    open.rate = w.cost.rate;
                    open.currency = w.cost.currency.clone();
                }
            }
        }
        let changed = before.as_ref() != Some(&*r);
        if changed {
            r.changed_at = Some(now);
            bound_intervals(r, now);
        }
        changed
    }

    /// A successful listing of `account` no longer holds these workspaces: they are gone.
    pub fn gone(&mut self, account: &str, present: &[&str], now: DateTime<Utc>) -> bool {
        let prefix = key(account, "");
        let mut changed = false;
        for (k, r) in self.workspaces.range_mut(prefix.clone()..) {
            let Some(id) = k.strip_prefix(&prefix) else { break };
            if present.contains(&id) || matches!(r.state, Some(WorkspaceState::Deleted) | None) {
                continue;
            }
            r.transition(WorkspaceState::Deleted, now);
            if let Some(open) = r.open() {
                open.end = Some(now.max(open.start));
            }
            r.changed_at = Some(now);
            changed = true;
        }
        changed
    }

    /// Keeps the ledger within its bounds.
    pub fn prune(&mut self, now: DateTime<Utc>) {
        self.workspaces.retain(|_, r| {
            !(r.state == Some(WorkspaceState::Deleted) && r.changed_at.is_some_and(|t| now - t > KEEP_DELETED_FOR))
        });
        if self.workspaces.len() > MAX_WORKSPACES {
            let mut by_age: Vec<(Option<DateTime<Utc>>, String)> =
                self.workspaces.iter().map(|(k, r)| (r.changed_at, k.clone())).collect();
            by_age.sort();
            for (_, k) in by_age.into_iter().take(self.workspaces.len() - MAX_WORKSPACES) {
                self.workspaces.remove(&k);
            }
        }
    }

    /// What one workspace's running within `[from, to]` cost, by unit.
    pub fn spent(&self, account: &str, id: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> BTreeMap<String, Spent> {
        let mut out = BTreeMap::new();
        if let Some(r) = self.record(account, id) {
            add_spent(r, from, to, &mut out);
        }
        out
    }

    /// Every workspace of these accounts, by account and unit.
    pub fn spent_by_account(
        &self,
        accounts: &[&str],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> BTreeMap<String, BTreeMap<String, Spent>> {
        let mut out: BTreeMap<String, BTreeMap<String, Spent>> = BTreeMap::new();
        for (k, r) in &self.workspaces {
            let Some((account, _)) = k.split_once('/') else { continue };
            if accounts.contains(&account) {
                add_spent(r, from, to, out.entry(account.to_string()).or_default());
            }
        }
        out
    }
}

fn add_spent(r: &Record, from: DateTime<Utc>, to: DateTime<Utc>, out: &mut BTreeMap<String, Spent>) {
    for i in &r.intervals {
        let (Some(rate), Some(unit)) = (i.rate, i.currency.as_ref()) else { continue };
        let secs = i.seconds_within(from, to);
        if secs > 0.0 {
            let s = out.entry(unit.clone()).or_default();
            s.amount += rate * secs / 3600.0;
            s.estimated |= i.estimated;
        }
    }
}

fn bound_intervals(r: &mut Record, now: DateTime<Utc>) {
    r.intervals.retain(|i| i.end.is_none_or(|e| now - e <= KEEP_INTERVALS_FOR));
    let extra = r.intervals.len().saturating_sub(MAX_INTERVALS);
    r.intervals.drain(..extra);
}

#[cfg(test)]
mod tests;
