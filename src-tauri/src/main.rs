//! Hangar's desktop shell: a thin Tauri layer over `hangar-core`. Commands translate IPC to
//! core calls; the watcher's stream is forwarded to the window, the tray and notifications.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod bench;
mod commands;
mod ipc;
mod notify;
mod platform;
mod session;
mod tray;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use hangar_core::settings::Settings;
use hangar_core::watcher::StateChange;
use session::Session;
use tauri::{Emitter, Manager};

pub struct AppState {
    session: Mutex<Option<Arc<Session>>>,
    pub quiet: notify::Quiet,
    pub tray: tray::TrayState,
    notes: OnceLock<tokio::sync::mpsc::UnboundedSender<StateChange>>,
    /// A tray the user can see exists; closing the window then keeps Hangar there.
    tray_visible: AtomicBool,
    told_about_tray: AtomicBool,
    /// A `hangar://` link that arrived before the window was listening.
    pending_link: Mutex<Option<String>>,
}

impl AppState {
    pub fn session(&self) -> Result<Arc<Session>, hangar_core::ErrorPayload> {
        self.session
            .lock()
            .ok()
            .and_then(|s| s.clone())
            .ok_or_else(|| hangar_core::Error::Internal("Hangar is still starting".into()).payload())
    }

    pub fn settings(&self) -> Settings {
        self.session().map(|s| s.hangar.storage().settings()).unwrap_or_default()
    }

    pub fn save_settings(&self, settings: &Settings) {
        if let Ok(s) = self.session() {
            if let Err(e) = s.hangar.storage().save_settings(settings) {
                tracing::warn!(code = e.code(), "settings not saved");
            }
        }
    }

    /// Replaces the current session (its watcher and forwarders stop) and starts the new one.
    pub fn install(&self, app: &tauri::AppHandle, session: Session) -> Arc<Session> {
        let session = Arc::new(start_forwarding(app, session));
        if let Ok(mut s) = self.session.lock() {
            *s = Some(session.clone());
        }
        let _ = app.emit("session-changed", session.demo.is_some());
        session
    }
}

fn start_forwarding(app: &tauri::AppHandle, mut session: Session) -> Session {
    let watcher = session.watcher.clone();
    session.tasks.push(tauri::async_runtime::spawn(watcher.clone().run()));

    let mut snapshots = watcher.snapshot();
    let handle = app.clone();
    session.tasks.push(tauri::async_runtime::spawn(async move {
        while snapshots.changed().await.is_ok() {
            let snap = snapshots.borrow_and_update().clone();
            tray::update(&handle, &snap);
            notify::check_gpu_reminders(&handle, &snap);
            let _ = handle.emit("snapshot", snap);
        }
    }));

    let mut changes = watcher.changes();
    let handle = app.clone();
    session.tasks.push(tauri::async_runtime::spawn(async move {
        loop {
            match changes.recv().await {
                Ok(change) => {
                    if let Some(tx) = handle.state::<AppState>().notes.get() {
                        let _ = tx.send(change.clone());
                    }
                    let _ = handle.emit("state-change", change);
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(_) => break,
            }
        }
    }));
    session
}

async fn first_session() -> hangar_core::Result<Session> {
    let real = session::real_hangar()?;
    let want_demo = std::env::var("HANGAR_DEMO").is_ok_and(|v| v == "1") || real.accounts()?.is_empty();
    if want_demo {
        let (hangar, clouds) = session::demo_hangar().await?;
        let watcher = session::new_watcher(hangar.clone());
        return Ok(Session { hangar, watcher, demo: Some(clouds), tasks: vec![] });
    }
    let watcher = session::new_watcher(real.clone());
    Ok(Session { hangar: real, watcher, demo: None, tasks: vec![] })
}

/// Follows a `hangar://` link: shows the window and asks it to focus the named card. A bad
/// link is only reported; it never acts on anything.
pub fn follow_link(app: &tauri::AppHandle, link: &str) {
    tray::show_window(app);
    match hangar_core::deeplink::parse(link) {
        Ok(target) => {
            let _ = app.emit("focus-workspace", target);
        }
        Err(e) => {
            let _ = app.emit("notice", e.to_string());
        }
    }
}

fn on_window_event(window: &tauri::Window, event: &tauri::WindowEvent) {
    let app = window.app_handle();
    let state = app.state::<AppState>();
    match event {
        tauri::WindowEvent::CloseRequested { api, .. } if state.tray_visible.load(Ordering::Relaxed) => {
            api.prevent_close();
            let _ = window.hide();
            if !state.told_about_tray.swap(true, Ordering::Relaxed) {
                let note = hangar_core::notifications::Note {
                    kind: hangar_core::notifications::NoteKind::Running,
                    summary: "Hangar is still running".into(),
                    body: "It keeps watching your workspaces from the tray. Quit from the tray menu.".into(),
                    target: None,
                };
                notify::show(app, &note);
            }
        }
        tauri::WindowEvent::Focused(true) => {
            if let Ok(s) = state.session() {
                s.watcher.refresh();
            }
        }
        _ => {}
    }
}

fn main() {
    bench::mark_start();
    let filter = tracing_subscriber::EnvFilter::try_from_env("HANGAR_LOG").unwrap_or_else(|_| "warn".into());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();

    let result = tauri::Builder::default()
        // First: a second launch hands its arguments (a hangar:// link) to this one and exits.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| match hangar_core::deeplink::find_in_args(argv) {
            Some(link) => follow_link(app, &link),
            None => tray::show_window(app),
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_autostart::init(tauri_plugin_autostart::MacosLauncher::LaunchAgent, None))
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_shell::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(bench::plugin())
        .manage(AppState {
            session: Mutex::new(None),
            quiet: notify::Quiet::default(),
            tray: tray::TrayState::default(),
            notes: OnceLock::new(),
            tray_visible: AtomicBool::new(false),
            told_about_tray: AtomicBool::new(false),
            pending_link: Mutex::new(hangar_core::deeplink::find_in_args(std::env::args())),
        })
        .setup(|app| {
            let handle = app.handle().clone();
            let state = app.state::<AppState>();
            match tray::create(&handle) {
                Ok(()) => state.tray_visible.store(platform::tray_host_available(), Ordering::Relaxed),
                // No tray on this desktop: the window alone still does everything.
                Err(e) => tracing::warn!(error = %e, "no system tray"),
            }
            let _ = state.notes.set(notify::spawn(&handle));
            let session = tauri::async_runtime::block_on(first_session()).map_err(|e| e.to_string())?;
            state.install(&handle, session);
            if state.settings().start_minimized && state.tray_visible.load(Ordering::Relaxed) {
                if let Some(w) = app.get_webview_window("main") {
                    let _ = w.hide();
                }
            }
            Ok(())
        })
        .on_window_event(on_window_event)
        .invoke_handler(ipc::handler())
        .build(tauri::generate_context!());
    match result {
        Ok(app) => app.run(on_run_event),
        Err(e) => {
            tracing::error!(error = %e, "Hangar could not start");
            std::process::exit(1);
        }
    }
}

#[cfg(target_os = "macos")]
fn on_run_event(app: &tauri::AppHandle, event: tauri::RunEvent) {
    // macOS hands URLs to a running app as an event, not as arguments.
    if let tauri::RunEvent::Opened { urls } = event {
        for url in urls {
            follow_link(app, url.as_str());
        }
    }
}

#[cfg(not(target_os = "macos"))]
fn on_run_event(_app: &tauri::AppHandle, _event: tauri::RunEvent) {}
