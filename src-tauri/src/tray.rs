//! The system tray: show the window, quit, and how many GPU workspaces are running.

use hangar_core::watcher::Snapshot;
use hangar_core::WorkspaceState;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::Manager;

const TRAY_ID: &str = "main-tray";

pub fn create(app: &tauri::AppHandle) -> tauri::Result<()> {
    let show = MenuItem::with_id(app, "show", "Show Hangar", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&show, &quit])?;
    let mut tray = TrayIconBuilder::with_id(TRAY_ID).menu(&menu).tooltip("Hangar").on_menu_event(|app, event| {
        match event.id().as_ref() {
            "show" => {
                if let Some(w) = app.get_webview_window("main") {
                    let _ = w.show();
                    let _ = w.set_focus();
                }
            }
            "quit" => app.exit(0),
            _ => {}
        }
    });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

pub fn update(app: &tauri::AppHandle, snap: &Snapshot) {
    let gpus =
        snap.workspaces.iter().filter(|w| w.state == WorkspaceState::Running && w.hardware.gpu.is_some()).count();
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        let tip = match gpus {
            0 => "Hangar".to_string(),
            1 => "Hangar: 1 GPU workspace running".to_string(),
            n => format!("Hangar: {n} GPU workspaces running"),
        };
        let _ = tray.set_tooltip(Some(tip));
    }
}
