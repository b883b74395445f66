//! Desktop notifications as the Node decides them (batched, filtered, reminders: see
//! `hangar_core::node::policy`), shown through the OS with vendor text made safe for it.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Mutex;

use hangar_core::node::FollowUp;
use hangar_core::notifications::{Note, NoteAction};
use tauri::Manager;
use tauri_plugin_notification::{Action, ActionPerformed, ActionType, NotificationExt};
use tauri_plugin_opener::OpenerExt;

use crate::AppState;

/// Whether the notification server reads markup in a body. Freedesktop servers may render
/// `<b>`, `<a href>` and `<img>` there, and bodies carry vendor text (workspace names, error
/// reasons), so it is escaped for them.
const BODY_IS_MARKUP: bool = cfg!(all(unix, not(target_os = "macos")));

/// How many shown notifications' actions are remembered (older buttons then do nothing).
const REMEMBERED: usize = 64;

/// The actions of the notifications shown with buttons, by the id they were shown with.
#[derive(Default)]
pub struct Offered {
    next_id: AtomicI32,
    shown: Mutex<VecDeque<(i32, Vec<NoteAction>)>>,
}

impl Offered {
    fn remember(&self, actions: Vec<NoteAction>) -> i32 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let mut shown = self.shown.lock().unwrap_or_else(|p| p.into_inner());
        if shown.len() == REMEMBERED {
            shown.pop_front();
        }
        shown.push_back((id, actions));
        id
    }

    fn find(&self, id: i32, key: &str) -> Option<NoteAction> {
        let shown = self.shown.lock().unwrap_or_else(|p| p.into_inner());
        shown.iter().find(|(i, _)| *i == id)?.1.iter().find(|a| a.key() == key).cloned()
    }
}

pub fn show(app: &tauri::AppHandle, note: &Note) {
    let summary = summary_text(&note.summary);
    let buttons = !note.actions.is_empty() && crate::platform::notification_actions_supported();
    let body = if buttons { note.body.clone() } else { note.body_without_actions() };
    let mut builder = app.notification().builder().title(summary).body(body_text(&body, BODY_IS_MARKUP));
    if buttons {
        let type_id = action_type(app, &note.actions);
        let id = app.state::<AppState>().offered.remember(note.actions.clone());
        builder = builder.id(id).action_type_id(type_id);
    }
    if let Err(e) = builder.show() {
        tracing::warn!(error = %e, "notification failed");
    }
}

/// Registers the buttons of one set of actions (once per distinct set) and names it.
fn action_type(app: &tauri::AppHandle, actions: &[NoteAction]) -> String {
    let labels: Vec<String> = actions.iter().map(|a| format!("{}={}", a.key(), a.label())).collect();
    let id = format!("hangar:{}", labels.join(";"));
    let buttons = actions.iter().map(|a| Action::builder(a.key(), a.label()).build()).collect();
    if let Err(e) = app.notification().register_action_types(vec![ActionType::builder(&id).actions(buttons).build()]) {
        tracing::warn!(error = %e, "notification buttons not registered");
    }
    id
}

/// Listens for the buttons of the notifications shown with [`show`]; a click on a
/// notification itself shows the window.
pub fn listen(app: &tauri::AppHandle) {
    let handle = app.clone();
    let listening = app.notification().on_action(move |performed| on_action(&handle, performed));
    if let Err(e) = listening {
        tracing::warn!(error = %e, "notification buttons will not be heard");
    }
}

fn on_action(app: &tauri::AppHandle, performed: &ActionPerformed) {
    if performed.action_id() == "tap" {
        crate::tray::show_window(app);
        return;
    }
    let Some(id) = performed.notification().map(|n| n.id()) else { return };
    let Some(action) = app.state::<AppState>().offered.find(id, performed.action_id()) else {
        tracing::info!(key = performed.action_id(), "a button of a forgotten notification; nothing done");
        return;
    };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let Ok(node) = app.state::<AppState>().node() else { return };
        // A failure was already told as a note by the Node.
        match node.run_note_action(&action).await {
            Ok(FollowUp::Open(link)) => {
                let opened = hangar_core::platform::check_openable(&link.url).and_then(|_| {
                    app.opener()
                        .open_url(link.url, None::<&str>)
                        .map_err(|e| hangar_core::Error::Unavailable(format!("could not open the link: {e}")))
                });
                if let Err(e) = opened {
                    tracing::warn!(error = %e, "a notification's Open did not open");
                }
            }
            Ok(FollowUp::ShowWindow) => crate::tray::show_window(&app),
            Ok(FollowUp::Nothing) | Err(_) => {}
        }
    });
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
