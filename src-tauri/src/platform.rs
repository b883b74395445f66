//! The app's only per-OS code.

/// Whether the desktop shows tray icons. On Linux a tray needs a StatusNotifierWatcher on the
/// session bus (GNOME without an extension has none); elsewhere the OS always has one.
#[cfg(target_os = "linux")]
pub fn tray_host_available() -> bool {
    use std::time::Duration;
    let Ok(conn) = dbus::blocking::Connection::new_session() else { return false };
    let proxy = conn.with_proxy("org.freedesktop.DBus", "/org/freedesktop/DBus", Duration::from_millis(500));
    let owned: Result<(bool,), _> =
        proxy.method_call("org.freedesktop.DBus", "NameHasOwner", ("org.kde.StatusNotifierWatcher",));
    owned.map(|(o,)| o).unwrap_or(false)
}

#[cfg(not(target_os = "linux"))]
pub fn tray_host_available() -> bool {
    true
}

/// Whether the notification server shows buttons on notifications (freedesktop servers list
/// "actions" in GetCapabilities; some, like notify-osd, do not).
#[cfg(target_os = "linux")]
pub fn notification_actions_supported() -> bool {
    use std::time::Duration;
    let Ok(conn) = dbus::blocking::Connection::new_session() else { return false };
    let proxy =
        conn.with_proxy("org.freedesktop.Notifications", "/org/freedesktop/Notifications", Duration::from_millis(500));
    let caps: Result<(Vec<String>,), _> = proxy.method_call("org.freedesktop.Notifications", "GetCapabilities", ());
    caps.is_ok_and(|(caps,)| caps.iter().any(|c| c == "actions"))
}

/// Windows toasts and macOS notifications show the buttons the plugin gives them.
#[cfg(not(target_os = "linux"))]
pub fn notification_actions_supported() -> bool {
    true
}
