//! Desktop notifications: the watcher's changes are collected for a short window, then
//! planned by the core (coalesced, de-duplicated, filtered by settings) and shown. Changes
//! the user caused from the focused window are not announced back to them.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hangar_core::notifications::{self, Note};
use hangar_core::watcher::{Snapshot, StateChange};
use hangar_core::WorkspaceState;
use tauri::Manager;
use tauri_plugin_notification::NotificationExt;
use tokio::sync::mpsc;

use crate::AppState;

/// How long changes are gathered before one round of notifications.
const BATCH_WINDOW: Duration = Duration::from_millis(1500);
/// Changes within this long after a window action on the same workspace count as caused by it.
const CAUSED_WINDOW: Duration = Duration::from_secs(300);

#[derive(Default)]
pub struct Quiet {
    acted_in_window: Mutex<HashMap<(String, String), Instant>>,
    gpu_running_since: Mutex<HashMap<(String, String), (Instant, bool)>>,
}

impl Quiet {
    pub fn window_acted(&self, account: &str, id: &str) {
        if let Ok(mut m) = self.acted_in_window.lock() {
            m.retain(|_, t| t.elapsed() < CAUSED_WINDOW);
            m.insert((account.to_string(), id.to_string()), Instant::now());
        }
    }

    /// An action from the tray is announced like any change the user did not make in the window.
    pub fn tray_acted(&self, account: &str, id: &str) {
        if let Ok(mut m) = self.acted_in_window.lock() {
            m.remove(&(account.to_string(), id.to_string()));
        }
    }

    fn caused_by_window(&self, c: &StateChange) -> bool {
        self.acted_in_window
            .lock()
            .map(|m| m.get(&(c.account.clone(), c.id.clone())).is_some_and(|t| t.elapsed() < CAUSED_WINDOW))
            .unwrap_or(false)
    }
}

pub fn spawn(app: &tauri::AppHandle) -> mpsc::UnboundedSender<StateChange> {
    let (tx, mut rx) = mpsc::unbounded_channel::<StateChange>();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut batch = vec![first];
            let deadline = tokio::time::Instant::now() + BATCH_WINDOW;
            while let Ok(Some(c)) = tokio::time::timeout_at(deadline, rx.recv()).await {
                batch.push(c);
            }
            announce(&app, batch);
        }
    });
    tx
}

fn window_focused(app: &tauri::AppHandle) -> bool {
    app.get_webview_window("main").and_then(|w| w.is_focused().ok()).unwrap_or(false)
}

fn announce(app: &tauri::AppHandle, batch: Vec<StateChange>) {
    let state = app.state::<AppState>();
    let focused = window_focused(app);
    let batch: Vec<StateChange> = batch.into_iter().filter(|c| !(focused && state.quiet.caused_by_window(c))).collect();
    let settings = state.settings().notifications;
    for note in notifications::plan(&batch, &settings) {
        show(app, &note);
    }
}

/// Whether the notification server reads markup in a body. Freedesktop servers may render
/// `<b>`, `<a href>` and `<img>` there, and bodies carry vendor text (workspace names, error
/// reasons), so it is escaped for them.
const BODY_IS_MARKUP: bool = cfg!(all(unix, not(target_os = "macos")));

pub fn show(app: &tauri::AppHandle, note: &Note) {
    let summary = summary_text(&note.summary);
    let body = body_text(&note.body, BODY_IS_MARKUP);
    if let Err(e) = app.notification().builder().title(summary).body(body).show() {
        tracing::warn!(error = %e, "notification failed");
    }
}

/// Characters that could reorder or hide what a line shows (bidirectional overrides and isolates).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A one-line summary: line breaks and tabs become spaces, other control characters go.
fn summary_text(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if c.is_control() || is_bidi_control(c) => None,
            c => Some(c),
        })
        .collect()
}

/// The body as the server will read it: line breaks kept, tabs as spaces, other control
/// characters gone, and `&`, `<`, `>` escaped where the server reads markup.
fn body_text(s: &str, markup: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push(' '),
            '&' if markup => out.push_str("&amp;"),
            '<' if markup => out.push_str("&lt;"),
            '>' if markup => out.push_str("&gt;"),
            c if c.is_control() || is_bidi_control(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Reminds once per run of a GPU workspace that stays up longer than the user's threshold.
pub fn check_gpu_reminders(app: &tauri::AppHandle, snap: &Snapshot) {
    let state = app.state::<AppState>();
    let settings = state.settings().notifications;
    let Some(minutes) = settings.gpu_reminder_minutes else { return };
    let Ok(mut since) = state.quiet.gpu_running_since.lock() else { return };
    let running: Vec<_> =
        snap.workspaces.iter().filter(|w| w.state == WorkspaceState::Running && w.hardware.gpu.is_some()).collect();
    since.retain(|k, _| running.iter().any(|w| (w.account.clone(), w.id.clone()) == *k));
    let mut due = vec![];
    for w in running {
        let entry = since.entry((w.account.clone(), w.id.clone())).or_insert((Instant::now(), false));
        if !entry.1 && entry.0.elapsed() >= Duration::from_secs(u64::from(minutes) * 60) {
            entry.1 = true;
            due.push(w.name.clone());
        }
    }
    if let Some(note) = notifications::gpu_reminder(&due, minutes, &settings) {
        show(app, &note);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_a_body_is_shown_as_text() {
        let body = body_text("<b>x</b> & <a href=\"http://evil\">y</a> <img src=/z>", true);
        assert_eq!(body, "&lt;b&gt;x&lt;/b&gt; &amp; &lt;a href=\"http://evil\"&gt;y&lt;/a&gt; &lt;img src=/z&gt;");
        // An escape the vendor wrote stays literal text, not a character reference.
        assert_eq!(body_text("&lt;b&gt;", true), "&amp;lt;b&amp;gt;");
    }

    #[test]
    fn a_body_is_not_escaped_where_the_server_reads_plain_text() {
        assert_eq!(body_text("a <b> & c", false), "a <b> & c");
    }

    #[test]
    fn control_characters_leave_body_and_summary() {
        let vendor = "one\ttwo\r\nthree\u{7}\u{1b}[31mred\u{0}\u{202e}fdp.exe\u{85}";
        assert_eq!(body_text(vendor, true), "one two\nthree[31mredfdp.exe");
        assert_eq!(summary_text(vendor), "one two  three[31mredfdp.exe");
        assert_eq!(summary_text("Workspace <b>stopped</b> & more"), "Workspace <b>stopped</b> & more");
    }
}
