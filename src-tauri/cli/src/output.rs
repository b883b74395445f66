//! Everything hangarctl prints: JSON for scripts, short tables for people.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use chrono::Utc;
use hangar_core::form::{FieldKind, Form};
use hangar_core::watcher::StateChange;
use hangar_core::{Account, Error, Link, ProviderInfo, Workspace};
use serde::Serialize;
use serde_json::json;

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
        eprintln!("error: {e}");
    }
    std::process::exit(e.exit_code())
}

pub fn account_error(account: &str, e: &Error, json: bool) {
    if json {
        eprintln!("{}", json!({ "error": { "code": e.code(), "message": e.to_string(), "account": account } }));
    } else {
        eprintln!("error: account '{account}': {e}");
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
        println!("{:<20} {:<10} {}", a.name, a.provider.as_str(), a.base_url.as_deref().unwrap_or("(default)"));
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
    println!("{:<16} {:<36} {:<38} {:<9} {:<36} AGE", "ACCOUNT", "NAME", "ID", "STATE", "HARDWARE");
    for w in list {
        println!(
            "{:<16} {:<36} {:<38} {:<9} {:<36} {}",
            w.account,
            w.name,
            w.id,
            w.state.as_str(),
            w.hardware.label.as_deref().unwrap_or("-"),
            age(w)
        );
    }
}

pub fn workspace(w: &Workspace, json: bool) {
    if json {
        return print_json(w);
    }
    println!("{} ({}) is {} [{}]", w.name, w.id, w.state, w.raw_state);
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
        let mut line = format!("{:<16} {:<7} {}{}", f.key, kind, f.label, if f.required { " (required)" } else { "" });
        if let Some(d) = &f.default {
            line.push_str(&format!(" [default {d}]"));
        }
        if let (Some(min), Some(max)) = (f.min, f.max) {
            line.push_str(&format!(" {min}..{max}"));
        }
        println!("{line}");
        for c in f.choices.iter().flatten() {
            println!(
                "    {:<24} {}{}",
                c.value,
                c.label,
                c.detail.as_deref().map(|d| format!(" — {d}")).unwrap_or_default()
            );
        }
    }
}

pub fn link(l: &Link, json: bool) {
    if json {
        return print_json(l);
    }
    println!("{}", l.url);
}

pub fn done(account: &str, id: &str, what: &str, json: bool) {
    if json {
        return print_json(
            &json!({ "account": account, "id": if id.is_empty() { None } else { Some(id) }, "result": what }),
        );
    }
    if id.is_empty() {
        println!("account '{account}': {what}");
    } else {
        println!("{id}: {what}");
    }
}

pub fn change(c: &StateChange, json: bool) {
    if json {
        return print_json(c);
    }
    println!("{} {}/{} {}: {} -> {} [{}]", c.at.to_rfc3339(), c.account, c.id, c.name, c.from, c.to, c.raw_state);
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
