//! Everything hangarctl prints: JSON for scripts, short tables for people. Text from a
//! provider (names, states, error messages) is untrusted: what people read passes `shown`, so
//! no escape sequence can drive their terminal. JSON carries it as data, escaped by serde.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::borrow::Cow;

use chrono::Utc;
use hangar_core::cost::label;
use hangar_core::form::{FieldKind, Form};
use hangar_core::history::WorkspaceDetails;
use hangar_core::notifications::Note;
use hangar_core::watcher::StateChange;
use hangar_core::{Account, Error, Link, ProviderInfo, Workspace, WorkspaceState};
use serde::Serialize;
use serde_json::json;

/// Text as a terminal may show it: control characters (ESC, CSI, BEL, newlines...) and the
/// invisible marks that reorder a line (bidi overrides) become U+FFFD.
pub fn shown(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    match text.chars().any(unsafe_char) {
        true => Cow::Owned(text.chars().map(|c| if unsafe_char(c) { '\u{fffd}' } else { c }).collect()),
        false => Cow::Borrowed(text),
    }
}

fn print_json<T: Serialize + ?Sized>(value: &T) {
    match serde_json::to_string(value) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("error: cannot serialize output: {e}"),
    }
}

pub fn fail(e: &Error, json: bool) -> ! {
    if json {
        eprintln!("{}", json!({ "error": { "code": e.code(), "message": e.to_string(), "field": e.field() } }));
    } else {
        eprintln!("error: {}", shown(&e.to_string()));
    }
    std::process::exit(e.exit_code())
}

pub fn account_error(account: &str, e: &Error, json: bool) {
    if json {
        eprintln!("{}", json!({ "error": { "code": e.code(), "message": e.to_string(), "account": account } }));
    } else {
        eprintln!("error: account '{}': {}", shown(account), shown(&e.to_string()));
    }
}

pub fn providers(list: &[ProviderInfo], json: bool) {
    if json {
        return print_json(list);
    }
    for p in list {
        let fields: Vec<&str> = p.credential_fields.iter().map(|f| f.key.as_str()).collect();
        println!(
            "{:<10} {:<12} {:<32} credentials: {}",
            p.id.as_str(),
            p.display_name,
            p.default_base_url.as_deref().unwrap_or("(base URL required)"),
            fields.join(", ")
        );
    }
}

pub fn accounts(list: &[Account], json: bool) {
    if json {
        return print_json(list);
    }
    if list.is_empty() {
        println!("no accounts; add one with `hangarctl account add PROVIDER --name NAME`");
    }
    for a in list {
        println!(
            "{:<20} {:<10} {}",
            shown(&a.name),
            a.provider.as_str(),
            shown(a.base_url.as_deref().unwrap_or("(default)"))
        );
    }
}

fn age(w: &Workspace) -> String {
    let Some(t) = w.created_at else { return "-".into() };
    let secs = (Utc::now() - t).num_seconds().max(0);
    match secs {
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86400),
    }
}

pub fn workspaces(list: &[Workspace], json: bool) {
    if json {
        return print_json(list);
    }
    println!(
        "{:<16} {:<36} {:<38} {:<9} {:<36} {:<14} {:<12} AGE",
        "ACCOUNT", "NAME", "ID", "STATE", "HARDWARE", "RATE", "STOPS"
    );
    for w in list {
        println!(
            "{:<16} {:<36} {:<38} {:<9} {:<36} {:<14} {:<12} {}",
            shown(&w.account),
            shown(&w.name),
            shown(&w.id),
            w.state.as_str(),
            shown(w.hardware.label.as_deref().unwrap_or("-")),
            shown(&label::rate(&w.cost).unwrap_or_else(|| "-".into())),
            stops(w, Utc::now()),
            age(w)
        );
    }
}

/// When a running workspace stops by itself: the vendor's countdown ("in 1h30m"), else its
/// idle policy ("idle 30m").
fn stops(w: &Workspace, now: chrono::DateTime<Utc>) -> String {
    if w.state != WorkspaceState::Running {
        return "-".into();
    }
    let span = |mins: i64| if mins < 60 { format!("{mins}m") } else { format!("{}h{:02}m", mins / 60, mins % 60) };
    match (w.cost.stops_at, w.cost.idle_stop_minutes) {
        (Some(at), _) => format!("in {}", span(((at - now).num_seconds().max(0) + 59) / 60)),
        (None, Some(m)) => format!("idle {}", span(i64::from(m))),
        (None, None) => "-".into(),
    }
}

pub fn workspace(w: &Workspace, json: bool) {
    if json {
        return print_json(w);
    }
    println!("{} ({}) is {} [{}]", shown(&w.name), shown(&w.id), w.state, shown(&w.raw_state));
}

/// `show`: the workspace, its money and time, ways in, and its timeline (oldest first).
pub fn details(d: &WorkspaceDetails, json: bool) {
    if json {
        return print_json(d);
    }
    let w = &d.workspace;
    workspace(w, false);
    let row = |label: &str, value: &str| println!("  {label:<10} {}", shown(value));
    row("account", &format!("{} ({})", w.account, w.provider));
    row("hardware", w.hardware.label.as_deref().unwrap_or("-"));
    let time = |t: Option<chrono::DateTime<Utc>>| t.map_or("-".to_string(), |t| t.to_rfc3339());
    row("created", &time(w.created_at));
    row("started", &time(w.started_at));
    if let (Some(rate), Some(unit)) = (w.cost.rate, &w.cost.currency) {
        let spent = |s: Option<f64>| s.map_or("-".into(), |s| format!("{s:.2}"));
        let guess = if w.cost.spent_estimated { " (estimate)" } else { "" };
        row(
            "cost",
            &format!(
                "{rate:.2} {unit}/h ({}) · since start {}{guess} · today {} · this week {}",
                w.cost.rate_source,
                spent(w.cost.spent),
                spent(d.spent_today),
                spent(d.spent_week)
            ),
        );
    }
    match (w.cost.stops_at, w.cost.idle_stop_minutes) {
        (Some(at), _) => row("stops", &at.to_rfc3339()),
        (None, Some(m)) => row("stops", &format!("when idle for {m} min")),
        (None, None) => {}
    }
    if let Some(e) = &w.error {
        row("error", e);
    }
    if let Some(cmd) = &d.ssh_command {
        row("ssh", cmd);
    }
    for l in &w.links {
        row(&l.kind.to_string(), &l.url);
    }
    println!("timeline");
    for t in &d.timeline {
        let from = t.from.map_or("-".to_string(), |s| s.to_string());
        println!("  {}  {from} -> {}  ({})", t.at.to_rfc3339(), t.to, t.cause);
    }
}

pub fn form(form: &Form, json: bool) {
    if json {
        return print_json(form);
    }
    for f in &form.fields {
        let kind = match f.kind {
            FieldKind::Text => "text",
            FieldKind::Number => "number",
            FieldKind::Choice => "choice",
            FieldKind::Bool => "bool",
        };
        let mut line =
            format!("{:<16} {:<7} {}{}", f.key, kind, shown(&f.label), if f.required { " (required)" } else { "" });
        if let Some(d) = &f.default {
            line.push_str(&format!(" [default {}]", shown(d)));
        }
        if let (Some(min), Some(max)) = (f.min, f.max) {
            line.push_str(&format!(" {min}..{max}"));
        }
        println!("{line}");
        for c in f.choices.iter().flatten() {
            println!(
                "    {:<24} {}{}",
                shown(&c.value),
                shown(&c.label),
                c.detail.as_deref().map(|d| format!(" — {}", shown(d))).unwrap_or_default()
            );
        }
    }
}

pub fn link(l: &Link, json: bool) {
    if json {
        return print_json(l);
    }
    println!("{}", shown(&l.url));
}

/// A port forward that is up: its local address (with `--json`, the whole forward).
pub fn forwarding(forward: &serde_json::Value, url: &str, json: bool) {
    if json {
        return print_json(forward);
    }
    println!("{}", shown(url));
}

pub fn done(account: &str, id: &str, what: &str, json: bool) {
    if json {
        return print_json(
            &json!({ "account": account, "id": if id.is_empty() { None } else { Some(id) }, "result": what }),
        );
    }
    if id.is_empty() {
        println!("account '{}': {what}", shown(account));
    } else {
        println!("{}: {what}", shown(id));
    }
}

pub fn change(c: &StateChange, json: bool) {
    if json {
        return print_json(c);
    }
    println!(
        "{} {}/{} {}: {} -> {} [{}]",
        c.at.to_rfc3339(),
        shown(&c.account),
        shown(&c.id),
        shown(&c.name),
        c.from,
        c.to,
        shown(&c.raw_state)
    );
}

/// A notification as the app would show it: `{"notification": {kind, summary, body, target}}`.
pub fn notification(n: &Note, json: bool) {
    if json {
        let target = n.target.as_ref().map(|(account, id)| json!({ "account": account, "id": id }));
        return print_json(&json!({ "notification": {
                "kind": n.kind, "summary": n.summary, "body": n.body, "target": target, "actions": n.actions,
            } }));
    }
    let offers: Vec<String> = n.actions.iter().map(|a| a.label()).collect();
    let offers = if offers.is_empty() { String::new() } else { format!(" [{}]", offers.join(" | ")) };
    println!("{} notification: {}: {}{offers}", Utc::now().to_rfc3339(), shown(&n.summary), shown(&n.body));
}

pub fn demo(clouds: &[hangar_demo::DemoCloud], json: bool) {
    if json {
        print_json(&json!({ "clouds": clouds }));
    } else {
        println!("Demo clouds running on 127.0.0.1 (Ctrl-C to stop):");
        for c in clouds {
            let creds = match &c.credentials {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            println!("  {:<10} {}", c.provider, c.base_url);
            println!(
                "    echo '{creds}' | hangarctl account add {} --name {} --base-url {}",
                c.provider, c.account, c.base_url
            );
        }
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
}

#[cfg(test)]
mod tests {
    use super::{shown, stops};
    use hangar_core::{ProviderId, Workspace, WorkspaceState};

    #[test]
    fn the_stops_column_shows_a_countdown_else_the_idle_policy() {
        let now = chrono::Utc::now();
        let mut w = Workspace::bare("a", ProviderId::Anyscale, "w", WorkspaceState::Running);
        assert_eq!(stops(&w, now), "-");
        w.cost.idle_stop_minutes = Some(120);
        assert_eq!(stops(&w, now), "idle 2h00m");
        w.cost.stops_at = Some(now + chrono::Duration::seconds(5400));
        assert_eq!(stops(&w, now), "in 1h30m");
        w.cost.stops_at = Some(now - chrono::Duration::seconds(5));
        assert_eq!(stops(&w, now), "in 0m", "a deadline just passed is not negative");
        w.state = WorkspaceState::Stopped;
        assert_eq!(stops(&w, now), "-", "a stopped workspace stops nowhere");
    }

    #[test]
    fn escape_sequences_and_reordering_marks_never_reach_the_terminal() {
        let hostile = "gpu\u{1b}]52;c;ZWNobyBwd25lZA==\u{7}box\u{1b}[2J\u{9b}31m\r\n\u{202e}txt.exe";
        let out = shown(hostile);
        assert!(!out.chars().any(|c| c.is_control() || c == '\u{202e}'), "{out:?}");
        assert!(out.starts_with("gpu\u{fffd}]52;c;") && out.ends_with("txt.exe"), "the visible text stays: {out:?}");
        assert!(matches!(shown("llm-7b · A100 ✓"), std::borrow::Cow::Borrowed(_)), "plain text passes untouched");
    }
}
