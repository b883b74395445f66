//! The system tray: a menu rebuilt from the watcher's snapshot (running and transitional
//! workspaces first, each with the actions it allows), plus Show, Pause notifications, Quit.
//! Tray actions go through the same core calls as the window.

use std::sync::Mutex;

use hangar_core::watcher::Snapshot;
use hangar_core::{Action, LinkKind, Workspace, WorkspaceState};
use tauri::menu::{CheckMenuItem, IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Wry};
use tauri_plugin_opener::OpenerExt;

use crate::AppState;

const TRAY_ID: &str = "main-tray";
const MAX_ITEMS: usize = 15;

#[derive(Default)]
pub struct TrayState {
    /// Menu item `ws:<n>:<action>` acts on `targets[n]`.
    targets: Mutex<Vec<(String, String)>>,
    /// What the current menu shows, so an unchanged snapshot does not rebuild it.
    shown: Mutex<String>,
}

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let menu = Menu::with_items(app, &[&MenuItem::with_id(app, "show", "Show Hangar", true, None::<&str>)?])?;
    let mut tray = TrayIconBuilder::with_id(TRAY_ID).menu(&menu).tooltip("Hangar").on_menu_event(on_menu);
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

fn order(w: &Workspace) -> u8 {
    match w.state {
        WorkspaceState::Running => 0,
        s if s.is_transitional() => 1,
        _ => 2,
    }
}

fn item_label(w: &Workspace) -> String {
    let state = match w.state {
        WorkspaceState::Pending => "Creating…".to_string(),
        WorkspaceState::Starting => "Starting…".to_string(),
        WorkspaceState::Stopping => "Stopping…".to_string(),
        WorkspaceState::Updating => "Updating…".to_string(),
        WorkspaceState::Deleting => "Deleting…".to_string(),
        s => {
            let s = s.to_string();
            s[..1].to_uppercase() + &s[1..]
        }
    };
    let gpu = w.hardware.gpu.as_ref().map(|g| format!(" · {}× {}", g.count, g.kind.to_uppercase())).unwrap_or_default();
    format!("{}{gpu} — {state}", w.name)
}

pub fn update(app: &AppHandle, snap: &Snapshot) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else { return };
    let state = app.state::<AppState>();
    let paused = state.settings().notifications.paused;
    let mut list: Vec<&Workspace> = snap.workspaces.iter().collect();
    list.sort_by_key(|w| order(w));
    list.truncate(MAX_ITEMS);

    let gpus =
        snap.workspaces.iter().filter(|w| w.state == WorkspaceState::Running && w.hardware.gpu.is_some()).count();
    let tip = match gpus {
        0 => "Hangar".to_string(),
        1 => "Hangar: 1 GPU workspace running".to_string(),
        n => format!("Hangar: {n} GPU workspaces running"),
    };
    let _ = tray.set_tooltip(Some(tip));

    let signature = format!(
        "{paused}|{}",
        list.iter()
            .map(|w| format!("{}/{}/{}/{:?}", w.account, w.id, item_label(w), w.actions))
            .collect::<Vec<_>>()
            .join("|")
    );
    if state.tray.shown.lock().map(|s| *s == signature).unwrap_or(false) {
        return;
    }
    match build_menu(app, &list, paused) {
        Ok((menu, targets)) => {
            if let Ok(mut t) = state.tray.targets.lock() {
                *t = targets;
            }
            if let Ok(mut s) = state.tray.shown.lock() {
                *s = signature;
            }
            let _ = tray.set_menu(Some(menu));
        }
        Err(e) => tracing::warn!(error = %e, "tray menu not rebuilt"),
    }
}

/// (account, workspace id) that a numbered menu item acts on.
type Targets = Vec<(String, String)>;

fn build_menu(app: &AppHandle, list: &[&Workspace], paused: bool) -> tauri::Result<(Menu<Wry>, Targets)> {
    let mut subs: Vec<Submenu<Wry>> = vec![];
    let mut targets = vec![];
    for (n, w) in list.iter().enumerate() {
        targets.push((w.account.clone(), w.id.clone()));
        let settled = !w.state.is_transitional();
        let mut items: Vec<MenuItem<Wry>> = vec![];
        if w.actions.contains(&Action::Start) {
            items.push(MenuItem::with_id(app, format!("ws:{n}:start"), "Start", settled, None::<&str>)?);
        }
        if w.actions.contains(&Action::Stop) {
            items.push(MenuItem::with_id(app, format!("ws:{n}:stop"), "Stop", settled, None::<&str>)?);
        }
        if w.links.iter().any(|l| l.kind == LinkKind::Browser) {
            items.push(MenuItem::with_id(app, format!("ws:{n}:open"), "Open in browser", true, None::<&str>)?);
        }
        if items.is_empty() {
            items.push(MenuItem::with_id(app, format!("ws:{n}:none"), "No action now", false, None::<&str>)?);
        }
        let refs: Vec<&dyn IsMenuItem<Wry>> = items.iter().map(|i| i as &dyn IsMenuItem<Wry>).collect();
        subs.push(Submenu::with_items(app, item_label(w), true, &refs)?);
    }
    let separator = PredefinedMenuItem::separator(app)?;
    let show = MenuItem::with_id(app, "show", "Show Hangar", true, None::<&str>)?;
    let pause = CheckMenuItem::with_id(app, "pause", "Pause notifications", true, paused, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let mut refs: Vec<&dyn IsMenuItem<Wry>> = subs.iter().map(|s| s as &dyn IsMenuItem<Wry>).collect();
    if !subs.is_empty() {
        refs.push(&separator);
    }
    refs.extend([&show as &dyn IsMenuItem<Wry>, &pause, &quit]);
    Ok((Menu::with_items(app, &refs)?, targets))
}

pub fn show_window(app: &AppHandle) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

fn on_menu(app: &AppHandle, event: tauri::menu::MenuEvent) {
    let id = event.id().as_ref().to_string();
    match id.as_str() {
        "show" => show_window(app),
        "quit" => app.exit(0),
        "pause" => {
            let state = app.state::<AppState>();
            let mut settings = state.settings();
            settings.notifications.paused = !settings.notifications.paused;
            state.save_settings(&settings);
            if let Ok(s) = state.session() {
                update(app, &s.watcher.current());
            }
        }
        other => {
            let Some((n, verb)) = other.strip_prefix("ws:").and_then(|r| r.split_once(':')) else { return };
            let target =
                n.parse::<usize>().ok().and_then(|n| app.state::<AppState>().tray.targets.lock().ok()?.get(n).cloned());
            let Some((account, id)) = target else { return };
            let (app, verb) = (app.clone(), verb.to_string());
            tauri::async_runtime::spawn(async move { act(&app, &account, &id, &verb).await });
        }
    }
}

async fn act(app: &AppHandle, account: &str, id: &str, verb: &str) {
    let state = app.state::<AppState>();
    let Ok(session) = state.session() else { return };
    let result = match verb {
        "start" => session.hangar.act(account, id, Action::Start).await,
        "stop" => session.hangar.act(account, id, Action::Stop).await,
        "open" => match session.hangar.link(account, id, LinkKind::Browser).await {
            Ok(link) => hangar_core::platform::check_openable(&link.url).and_then(|_| {
                app.opener()
                    .open_url(link.url, None::<&str>)
                    .map_err(|e| hangar_core::Error::Unavailable(format!("could not open the link: {e}")))
            }),
            Err(e) => Err(e),
        },
        _ => return,
    };
    session.watcher.acted(account);
    if let Err(e) = result {
        let note = hangar_core::notifications::Note {
            kind: hangar_core::notifications::NoteKind::Errored,
            summary: format!("Could not {verb} the workspace"),
            body: e.to_string(),
            target: None,
        };
        crate::notify::show(app, &note);
    }
}
