//! Hangar's desktop shell: a thin Tauri layer over `hangar-core`'s Node. Commands translate
//! IPC to Node operations (from the window); the Node's events become window events, tray
//! menu updates and desktop notifications.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod bench;
mod commands;
mod ipc;
mod links;
mod notify;
mod platform;
mod session;
mod tray;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use hangar_core::boot::Boot;
use hangar_core::node::{Node, NodeEvent};
use tauri::{Emitter, Manager};

pub struct AppState {
    node: OnceLock<Arc<Node>>,
    pub tray: tray::TrayState,
    /// A tray the user can see exists; closing the window then keeps Hangar there.
    tray_visible: AtomicBool,
    told_about_tray: AtomicBool,
    links: links::Links,
    /// The buttons of the notifications shown.
    offered: notify::Offered,
    pub forwards: hangar_core::forward::Forwards,
}

impl AppState {
    pub fn node(&self) -> Result<Arc<Node>, hangar_core::ErrorPayload> {
        self.node
            .get()
            .cloned()
            .ok_or_else(|| hangar_core::Error::Internal("Hangar is still starting".into()).payload())
    }
}

/// SIGTERM and Ctrl-C quit as the tray's Quit does, so the port forwards' ssh processes
/// (in their own process group) end with Hangar.
fn exit_on_signals(app: &tauri::AppHandle) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) else {
                return;
            };
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            app.exit(0);
        });
    }
    #[cfg(not(unix))]
    let _ = app;
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
            app.state::<AppState>().forwards.keep_running(&snap);
            name.map(|n| app.emit(n, snap))
        }
        NodeEvent::Settings(settings) => {
            if let Ok(node) = app.state::<AppState>().node() {
                tray::update(app, &node.snapshot());
            }
            name.map(|n| app.emit(n, settings))
        }
        NodeEvent::Notify(note) => {
            // Asking the notification server whether it shows buttons is a blocking D-Bus call.
            let app = app.clone();
            tauri::async_runtime::spawn_blocking(move || notify::show(&app, &note));
            None
        }
        // The window follows each change as it comes; the coalesced round is for `hangarctl watch`.
        NodeEvent::Coalesced(_) => None,
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

/// The main window, made here rather than from the config so that its page is handed the
/// cached cards, the settings and the app's info before it loads (`hangar_core::boot`): its
/// first frame shows them without waiting on IPC.
fn main_window(app: &tauri::App, node: &Node, visible: bool) -> tauri::Result<tauri::WebviewWindow> {
    let config = app.config().app.windows.iter().find(|w| w.label == "main").cloned().unwrap_or_default();
    let boot = Boot { info: commands::info_of(node), settings: node.settings(), snapshot: node.snapshot() };
    tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?
        .initialization_script(boot.script())
        .visible(visible)
        .build()
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
                    actions: vec![],
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
        // First: a second launch hands its arguments to this one and exits; a hangar:// link
        // among them reaches the deep-link plugin's listener (`links`).
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| tray::show_window(app)))
        .plugin(tauri_plugin_deep_link::init())
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
            links: links::Links::default(),
            offered: notify::Offered::default(),
            forwards: Default::default(),
        })
        .setup(|app| {
            let handle = app.handle().clone();
            exit_on_signals(&handle);
            let state = app.state::<AppState>();
            match tray::create(&handle) {
                Ok(()) => state.tray_visible.store(platform::tray_host_available(), Ordering::Relaxed),
                // No tray on this desktop: the window alone still does everything.
                Err(e) => tracing::warn!(error = %e, "no system tray"),
            }
            let node = tauri::async_runtime::block_on(session::start_node()).map_err(|e| e.to_string())?;
            let _ = state.node.set(node.clone());
            render(&handle, &node);
            links::listen(&handle);
            notify::listen(&handle);
            let minimized = node.settings().start_minimized && state.tray_visible.load(Ordering::Relaxed);
            let window = main_window(app, &node, !minimized)?;
            if let Ok(focused) = window.is_focused() {
                node.set_focused(focused);
            }
            Ok(())
        })
        .on_window_event(on_window_event)
        .invoke_handler(ipc::handler())
        .build(tauri::generate_context!());
    match result {
        // No ssh outlives Hangar: each port forward ends (and is waited for) before it exits.
        Ok(app) => app.run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                tauri::async_runtime::block_on(app.state::<AppState>().forwards.stop_all());
            }
        }),
        Err(e) => {
            tracing::error!(error = %e, "Hangar could not start");
            std::process::exit(1);
        }
    }
}
