//! Hangar's desktop shell: a thin Tauri layer over `hangar-core`. Commands translate IPC to
//! core calls; the watcher's stream is forwarded to the window, the tray and notifications.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod notify;
mod session;
mod tray;

use std::sync::{Arc, Mutex};

use session::Session;
use tauri::{Emitter, Manager};

pub struct AppState {
    session: Mutex<Option<Arc<Session>>>,
}

impl AppState {
    pub fn session(&self) -> Result<Arc<Session>, hangar_core::ErrorPayload> {
        self.session
            .lock()
            .ok()
            .and_then(|s| s.clone())
            .ok_or_else(|| hangar_core::Error::Internal("Hangar is still starting".into()).payload())
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
            let _ = handle.emit("snapshot", snap);
        }
    }));

    let mut changes = watcher.changes();
    let handle = app.clone();
    session.tasks.push(tauri::async_runtime::spawn(async move {
        loop {
            match changes.recv().await {
                Ok(change) => {
                    notify::state_changed(&handle, &change);
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

fn main() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HANGAR_LOG").unwrap_or_else(|_| "warn".into());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();

    let result = tauri::Builder::default()
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_shell::init())
        .plugin(tauri_plugin_notification::init())
        .manage(AppState { session: Mutex::new(None) })
        .setup(|app| {
            let handle = app.handle().clone();
            if let Err(e) = tray::create(&handle) {
                // No tray on this desktop: the window alone still does everything.
                tracing::warn!(error = %e, "no system tray");
            }
            let session = tauri::async_runtime::block_on(first_session()).map_err(|e| e.to_string())?;
            app.state::<AppState>().install(&handle, session);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::snapshot,
            commands::refresh,
            commands::providers,
            commands::accounts,
            commands::add_account,
            commands::remove_account,
            commands::test_account,
            commands::create_form,
            commands::create_workspace,
            commands::workspace_action,
            commands::open_workspace,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!(error = %e, "Hangar stopped");
        std::process::exit(1);
    }
}
