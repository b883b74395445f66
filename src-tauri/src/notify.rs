//! Desktop notifications as the Node decides them (batched, filtered, reminders: see
//! `hangar_core::node::policy`), shown through the OS with vendor text made safe for it.

use hangar_core::notifications::Note;
use tauri_plugin_notification::NotificationExt;

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
