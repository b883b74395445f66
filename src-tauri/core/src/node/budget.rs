//! Whether spending crossed 80 % or 100 % of a budget: one notification per scope (all
//! accounts, or one account), period (the local day, the month) and level, never repeated in
//! that period. Pure: the caller brings the totals, the local date and what was already said.

use chrono::{Datelike, NaiveDate};

use crate::budget::{Alert, Alerted, Budgets, Limits};
use crate::cost::{Spend, Totals};
use crate::notifications::{Note, NoteAction, NoteKind};

/// The scope name of the budget over all accounts.
pub const ALL: &str = "all";

#[derive(Clone, Copy)]
enum Period {
    Day,
    Month,
}

impl Period {
    fn key(self, today: NaiveDate) -> String {
        match self {
            Period::Day => format!("day:{today}"),
            Period::Month => format!("month:{:04}-{:02}", today.year(), today.month()),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Period::Day => "daily",
            Period::Month => "monthly",
        }
    }

    fn span(self) -> &'static str {
        match self {
            Period::Day => "today",
            Period::Month => "this month",
        }
    }
}

/// The notes `totals` deserve on `today` (the user's local date); records them in `alerted`,
/// which forgets alerts of past periods. Returns nothing new when nothing was crossed anew.
pub fn check(budgets: &Budgets, totals: &Totals, all_unit: &str, today: NaiveDate, alerted: &mut Alerted) -> Vec<Note> {
    let current = [Period::Day.key(today), Period::Month.key(today)];
    alerted.alerts.retain(|a| current.contains(&a.period));
    let mut notes = vec![];
    if let Some(spend) = totals.spend.iter().find(|s| s.currency == all_unit) {
        notes.extend(scope(ALL, &budgets.all, spend, today, alerted));
    }
    for (account, limits) in &budgets.accounts {
        if let Some(spend) = totals.accounts.get(account) {
            notes.extend(scope(account, limits, spend, today, alerted));
        }
    }
    notes
}

fn scope(name: &str, limits: &Limits, spend: &Spend, today: NaiveDate, alerted: &mut Alerted) -> Vec<Note> {
    let mut notes = vec![];
    for (period, limit, spent) in
        [(Period::Day, limits.daily, spend.today), (Period::Month, limits.monthly, spend.month)]
    {
        let Some(limit) = limit.filter(|l| l.is_finite() && *l >= 0.0) else { continue };
        let Some(percent) = level(spent, limit) else { continue };
        let alert = |percent| Alert {
            scope: name.to_string(),
            unit: spend.currency.clone(),
            period: period.key(today),
            percent,
        };
        if alerted.alerts.contains(&alert(percent)) {
            continue;
        }
        // Past 100 % at once: the 80 % note would only repeat less.
        for p in [80, 100].into_iter().filter(|p| *p <= percent) {
            alerted.alerts.insert(alert(p));
        }
        notes.push(note(name, period, percent, spent, limit, &spend.currency));
    }
    notes
}

/// The level `spent` has reached of `limit`, if 80 % or more.
fn level(spent: f64, limit: f64) -> Option<u32> {
    if limit == 0.0 {
        return (spent > 0.0).then_some(100);
    }
    let ratio = spent / limit;
    if ratio >= 1.0 {
        Some(100)
    } else if ratio >= 0.8 {
        Some(80)
    } else {
        None
    }
}

fn note(scope: &str, period: Period, percent: u32, spent: f64, limit: f64, unit: &str) -> Note {
    let what = match percent {
        100 => format!("{} budget reached", period.name()),
        p => format!("{p} % of the {} budget used", period.name()),
    };
    let summary = if scope == ALL { capitalized(&what) } else { format!("{scope}: {what}") };
    let over = if scope == ALL { "all accounts".to_string() } else { format!("account {scope}") };
    Note {
        kind: NoteKind::Budget,
        summary,
        body: format!("≈ {spent:.2} {unit} of {limit:.2} {unit} {} ({over})", period.span()),
        target: None,
        actions: vec![NoteAction::Show],
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock, FakeClock};
    use std::time::Duration;

    fn totals(today: f64, month: f64) -> Totals {
        let spend = Spend { currency: "USD".into(), today, month, ..Spend::default() };
        Totals { spend: vec![spend.clone()], accounts: [("acme".to_string(), spend)].into(), ..Totals::default() }
    }

    fn daily(limit: f64) -> Budgets {
        Budgets { all: Limits { daily: Some(limit), monthly: None }, ..Budgets::default() }
    }

    fn local_date(clock: &FakeClock) -> NaiveDate {
        clock.wall().with_timezone(&chrono::Local).date_naive()
    }

    #[test]
    fn eighty_and_a_hundred_percent_each_notify_once_a_day() {
        let clock = FakeClock::default();
        let mut said = Alerted::default();
        let b = daily(50.0);
        assert!(check(&b, &totals(39.0, 39.0), "USD", local_date(&clock), &mut said).is_empty());
        let at80 = check(&b, &totals(40.0, 40.0), "USD", local_date(&clock), &mut said);
        assert_eq!(at80.len(), 1);
        assert_eq!(at80[0].summary, "80 % of the daily budget used");
        assert_eq!(at80[0].actions, [NoteAction::Show]);
        assert!(check(&b, &totals(45.0, 45.0), "USD", local_date(&clock), &mut said).is_empty(), "80 % once");
        let at100 = check(&b, &totals(50.0, 50.0), "USD", local_date(&clock), &mut said);
        assert_eq!(at100[0].summary, "Daily budget reached");
        assert!(at100[0].body.contains("50.00 USD of 50.00 USD today"), "{}", at100[0].body);
        assert!(check(&b, &totals(70.0, 70.0), "USD", local_date(&clock), &mut said).is_empty(), "100 % once");

        // The next local day is a new period.
        clock.advance(Duration::from_secs(24 * 3600));
        let next = check(&b, &totals(60.0, 130.0), "USD", local_date(&clock), &mut said);
        assert_eq!(next.len(), 1, "{next:?}");
        assert_eq!(next[0].summary, "Daily budget reached", "straight past 100 %: one note, not two");
        assert_eq!(said.alerts.len(), 2, "yesterday's alerts are forgotten, today's 80 and 100 kept");
    }

    #[test]
    fn what_was_said_survives_a_restart_through_its_record() {
        let clock = FakeClock::default();
        let mut said = Alerted::default();
        let b = daily(10.0);
        assert_eq!(check(&b, &totals(9.0, 9.0), "USD", local_date(&clock), &mut said).len(), 1);
        let saved = serde_json::to_string(&said).unwrap();
        let mut restored: Alerted = serde_json::from_str(&saved).unwrap();
        assert!(check(&b, &totals(9.5, 9.5), "USD", local_date(&clock), &mut restored).is_empty());
        assert_eq!(check(&b, &totals(10.0, 10.0), "USD", local_date(&clock), &mut restored).len(), 1);
    }

    #[test]
    fn monthly_and_per_account_budgets_are_their_own_scopes() {
        let clock = FakeClock::default();
        let mut said = Alerted::default();
        let b = Budgets {
            all: Limits { daily: None, monthly: Some(100.0) },
            accounts: [("acme".to_string(), Limits { daily: Some(10.0), monthly: None })].into(),
        };
        let notes = check(&b, &totals(10.0, 85.0), "USD", local_date(&clock), &mut said);
        let summaries: Vec<&str> = notes.iter().map(|n| n.summary.as_str()).collect();
        assert_eq!(summaries, ["80 % of the monthly budget used", "acme: daily budget reached"]);
        assert!(notes[1].body.contains("(account acme)"), "{}", notes[1].body);
    }

    #[test]
    fn other_units_and_missing_spend_do_not_count() {
        let clock = FakeClock::default();
        let mut said = Alerted::default();
        assert!(check(&daily(1.0), &totals(5.0, 5.0), "EUR", local_date(&clock), &mut said).is_empty());
        assert!(check(&daily(1.0), &Totals::default(), "USD", local_date(&clock), &mut said).is_empty());
        assert!(check(&Budgets::default(), &totals(5.0, 5.0), "USD", local_date(&clock), &mut said).is_empty());
    }

    #[test]
    fn a_zero_limit_is_reached_by_any_spending() {
        let clock = FakeClock::default();
        let mut said = Alerted::default();
        assert!(check(&daily(0.0), &totals(0.0, 0.0), "USD", local_date(&clock), &mut said).is_empty());
        assert_eq!(check(&daily(0.0), &totals(0.01, 0.01), "USD", local_date(&clock), &mut said).len(), 1);
    }
}
