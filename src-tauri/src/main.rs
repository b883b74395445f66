//! Hangar's desktop shell: a thin Tauri layer over `hangar-core`'s Node. Commands translate
//! IPC to Node operations (from the window); the Node's events become window events, tray
//! menu updates and desktop notifications.

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

use hangar_core::node::{names, Node, NodeEvent};
use tauri::{Emitter, Manager};

pub struct AppState {
    node: OnceLock<Arc<Node>>,
    pub tray: tray::TrayState,
    /// A tray the user can see exists; closing the window then keeps Hangar there.
    tray_visible: AtomicBool,
    told_about_tray: AtomicBool,
    /// A `hangar://` link that arrived before the window was listening.
    pending_link: Mutex<Option<String>>,
}

impl AppState {
    pub fn node(&self) -> Result<Arc<Node>, hangar_core::ErrorPayload> {
        self.node
            .get()
            .cloned()
            .ok_or_else(|| hangar_core::Error::Internal("Hangar is still starting".into()).payload())
    }
}

/// Renders the Node's events: to the window, the tray menu and the desktop's notifications.
fn render(app: &tauri::AppHandle, node: &Arc<Node>) {
    let mut events = node.events();
    tray::update(app, &node.snapshot());
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => show(&app, event),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}

fn show(app: &tauri::AppHandle, event: NodeEvent) {
    let name = event.name();
    let sent = match event {
        NodeEvent::Snapshot(snap) => {
            tray::update(app, &snap);
            name.map(|n| app.emit(n, snap))
        }
        NodeEvent::Settings(settings) => {
            if let Ok(node) = app.state::<AppState>().node() {
                tray::update(app, &node.snapshot());
            }
            name.map(|n| app.emit(n, settings))
        }
        NodeEvent::Notify(note) => {
            notify::show(app, &note);
            None
        }
        NodeEvent::Refreshed(r) => name.map(|n| app.emit(n, r)),
        NodeEvent::StateChange(c) => name.map(|n| app.emit(n, c)),
        NodeEvent::SessionChanged { demo } => name.map(|n| app.emit(n, demo)),
    };
    match (name, sent) {
        (Some(name), Some(Ok(()))) => bench::sent_to_window(name),
        (_, Some(Err(e))) => tracing::warn!(error = %e, "event not sent to the window"),
        _ => {}
    }
}

/// Follows a `hangar://` link: shows the window and asks it to focus the named card. A bad
/// link is only reported; it never acts on anything.
pub fn follow_link(app: &tauri::AppHandle, link: &str) {
    tray::show_window(app);
    match hangar_core::deeplink::parse(link) {
        Ok(target) => {
            let _ = app.emit(names::FOCUS_WORKSPACE, target);
        }
        Err(e) => {
            let _ = app.emit(names::NOTICE, e.to_string());
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
        tauri::WindowEvent::Focused(focused) => {
            if let Ok(node) = state.node() {
                node.set_focused(*focused);
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
            node: OnceLock::new(),
            tray: tray::TrayState::default(),
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
            let node = tauri::async_runtime::block_on(session::start_node()).map_err(|e| e.to_string())?;
            let _ = state.node.set(node.clone());
            render(&handle, &node);
            let window = app.get_webview_window("main");
            if node.settings().start_minimized && state.tray_visible.load(Ordering::Relaxed) {
                if let Some(w) = &window {
                    let _ = w.hide();
                }
            } else if let Some(focused) = window.and_then(|w| w.is_focused().ok()) {
                node.set_focused(focused);
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
