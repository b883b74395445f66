//! `hangar://` links, from the OS to the window. The deep-link plugin hears them on every
//! platform: the link Hangar was launched with, one a second launch hands over (through the
//! single-instance plugin), macOS's open-URL event. A link that comes before the window
//! listens waits until the window asks for it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use hangar_core::node::names;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_deep_link::DeepLinkExt;

use crate::{tray, AppState};

#[derive(Default)]
pub struct Links {
    waiting: Mutex<Option<String>>,
    window_listens: AtomicBool,
}

/// Takes the link Hangar was started with and listens for the ones that come later.
pub fn listen(app: &AppHandle) {
    let first = app.deep_link().get_current().ok().flatten().and_then(|urls| urls.first().map(|u| u.to_string()));
    if let Some(link) = first {
        follow(app, &link);
    }
    let handle = app.clone();
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            follow(&handle, url.as_str());
        }
    });
}

/// Shows the window and asks it to focus the named card. A bad link is only reported; it
/// never acts on anything.
pub fn follow(app: &AppHandle, link: &str) {
    tray::show_window(app);
    let links = &app.state::<AppState>().links;
    if !links.window_listens.load(Ordering::Acquire) {
        if let Ok(mut waiting) = links.waiting.lock() {
            *waiting = Some(link.to_string());
        }
        return;
    }
    match hangar_core::deeplink::parse(link) {
        Ok(target) => {
            let _ = app.emit(names::FOCUS_WORKSPACE, target);
        }
        Err(e) => {
            let _ = app.emit(names::NOTICE, e.to_string());
        }
    }
}

/// The window listens now: the link that waited for it, if any, is followed.
pub fn window_listens(app: &AppHandle, links: &Links) {
    links.window_listens.store(true, Ordering::Release);
    let waiting = links.waiting.lock().ok().and_then(|mut w| w.take());
    if let Some(link) = waiting {
        follow(app, &link);
    }
}
