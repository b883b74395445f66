//! The floor: the least a Tauri 2 app does — one window, one static page, nothing else. With
//! `HANGAR_BENCH=1` it reports its first paint the way Hangar reports its first cards
//! (src-tauri/src/bench.rs), so both launch figures are taken the same way.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::io::Write;
use std::sync::OnceLock;
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();

fn enabled() -> bool {
    std::env::var("HANGAR_BENCH").is_ok_and(|v| v == "1")
}

const FIRST_PAINT_SCRIPT: &str = r#"
const seen = () => document.querySelector('p');
const report = () => requestAnimationFrame(() => setTimeout(() =>
  window.__TAURI_INTERNALS__.invoke('bench_painted', { webMs: performance.now() }), 0));
const watch = new MutationObserver(() => { if (seen()) { watch.disconnect(); report(); } });
watch.observe(document, { childList: true, subtree: true });
"#;

#[tauri::command]
fn bench_painted(web_ms: f64) {
    let (true, Some(start)) = (enabled(), STARTED.get()) else { return };
    let main_ms = start.elapsed().as_secs_f64() * 1000.0;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "HANGAR_BENCH first-paint main_ms={main_ms:.1} web_ms={web_ms:.1}");
    let _ = out.flush();
}

fn bench_plugin<R: tauri::Runtime>() -> tauri::plugin::TauriPlugin<R> {
    let plugin = tauri::plugin::Builder::new("floor-bench");
    if enabled() { plugin.js_init_script(FIRST_PAINT_SCRIPT) } else { plugin }.build()
}

fn main() {
    STARTED.get_or_init(Instant::now);
    tauri::Builder::default()
        .plugin(bench_plugin())
        .invoke_handler(tauri::generate_handler![bench_painted])
        .run(tauri::generate_context!())
        .expect("the floor app failed to start");
}
