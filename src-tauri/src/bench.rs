//! Launch timing for `tests/bench/run.sh`, inert unless `HANGAR_BENCH=1`: the window reports
//! the frame after its first workspace card appeared, and the app prints how long after its
//! start that was; and it prints a line per event sent to the window. Without the variable no
//! script is added and nothing is printed.

use std::io::Write;
use std::sync::OnceLock;
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();

pub fn enabled() -> bool {
    std::env::var("HANGAR_BENCH").is_ok_and(|v| v == "1")
}

/// Call first thing in `main`.
pub fn mark_start() {
    STARTED.get_or_init(Instant::now);
}

/// Runs before the page's own scripts: waits for the first card, then for the frame that
/// shows it (a task after the next animation frame), and reports once.
const FIRST_CARD_SCRIPT: &str = r#"
const seen = () => document.querySelector('[data-testid=workspace-card]');
const report = () => requestAnimationFrame(() => setTimeout(() =>
  window.__TAURI_INTERNALS__.invoke('bench_painted', { webMs: performance.now() }), 0));
const watch = new MutationObserver(() => { if (seen()) { watch.disconnect(); report(); } });
watch.observe(document, { childList: true, subtree: true });
"#;

/// A plugin with no commands of its own that adds the script above when benchmarking, and
/// nothing otherwise.
pub fn plugin<R: tauri::Runtime>() -> tauri::plugin::TauriPlugin<R> {
    let plugin = tauri::plugin::Builder::new("hangar-bench");
    if enabled() { plugin.js_init_script(FIRST_CARD_SCRIPT) } else { plugin }.build()
}

/// Prints a line for each event sent to the web view, so the bench can count them over a window.
pub fn sent_to_window(event: &str) {
    if enabled() {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "HANGAR_BENCH event {event}");
        let _ = out.flush();
    }
}

/// `web_ms`: the page's own clock (since its navigation started) at the same moment.
#[tauri::command]
pub fn bench_painted(web_ms: f64) {
    let (true, Some(start)) = (enabled(), STARTED.get()) else { return };
    let main_ms = start.elapsed().as_secs_f64() * 1000.0;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "HANGAR_BENCH first-cards main_ms={main_ms:.1} web_ms={web_ms:.1}");
    let _ = out.flush();
}
