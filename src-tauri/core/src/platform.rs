//! The one place with per-OS code: handing a link to the system's opener, and keeping
//! Hangar's own files private to the user.

use crate::error::{Error, Result};
use crate::model::LinkKind;

/// Schemes Hangar will ever hand to the OS: web pages and the IDEs' own URL handlers.
pub const OPENABLE_SCHEMES: [&str; 9] =
    ["http", "https", "vscode", "vscode-insiders", "cursor", "windsurf", "zed", "jetbrains-gateway", "ssh"];

/// Refuses anything outside the allow-list (`file:`, `javascript:`, custom handlers...).
pub fn check_openable(link: &str) -> Result<url::Url> {
    let url = url::Url::parse(link).map_err(|_| Error::invalid("url", "not a valid URL"))?;
    if OPENABLE_SCHEMES.contains(&url.scheme()) {
        Ok(url)
    } else {
        Err(Error::invalid("url", format!("Hangar does not open '{}:' links", url.scheme())))
    }
}

/// The IDE command-line tools Hangar may start, and nothing else (each IDE's in [`crate::ide::IDES`]).
pub const IDE_PROGRAMS: [&str; 5] = ["code", "cursor", "windsurf", "code-insiders", "zed"];

pub use crate::ide::IdeLaunch;

/// How to open an IDE link with the IDE's own command-line tool instead of its URL handler;
/// `None` for every link the IDE link builders did not make (see [`crate::ide::launch`]).
pub fn ide_launch(kind: LinkKind, link: &str) -> Option<IdeLaunch> {
    check_openable(link).ok()?;
    crate::ide::launch(kind, link).filter(|l| IDE_PROGRAMS.contains(&l.program))
}

/// The IDEs installed here: their tool on `PATH`, or a URL handler registered for their scheme.
pub fn installed_ides() -> Vec<crate::ide::InstalledIde> {
    installed_ides_on(std::env::var_os("PATH").as_deref())
}

/// The same, with the tools (and the desktop's handler query) looked up on `path`.
pub fn installed_ides_on(path: Option<&std::ffi::OsStr>) -> Vec<crate::ide::InstalledIde> {
    crate::ide::installed(path, |scheme| url_handler_registered(path, scheme))
}

/// Whether the desktop has a handler for `scheme:` links: on Linux, what
/// `xdg-mime query default x-scheme-handler/<scheme>` names (found on `path`).
#[cfg(all(unix, not(target_os = "macos")))]
pub fn url_handler_registered(path: Option<&std::ffi::OsStr>, scheme: &str) -> bool {
    let Some(xdg_mime) = crate::ide::find_on_path(path, "xdg-mime") else { return false };
    let out = std::process::Command::new(xdg_mime)
        .args(["query", "default", &format!("x-scheme-handler/{scheme}")])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output();
    out.is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim().ends_with(".desktop"))
}

/// Elsewhere only the IDE's tool on `PATH` counts (no handler lookup yet).
#[cfg(not(all(unix, not(target_os = "macos"))))]
pub fn url_handler_registered(_path: Option<&std::ffi::OsStr>, _scheme: &str) -> bool {
    false
}

/// Starts an IDE's command-line tool for a link, detached from Hangar's terminal; `Ok(false)`
/// when the tool is not installed (the caller falls back to the URL handler).
pub fn launch_ide(kind: LinkKind, link: &str) -> Result<bool> {
    let Some(ide) = ide_launch(kind, link) else { return Ok(false) };
    let Some(program) = crate::ide::find_on_path(std::env::var_os("PATH").as_deref(), ide.program) else {
        return Ok(false);
    };
    let mut cmd = std::process::Command::new(program);
    cmd.args(&ide.args);
    cmd.stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
    cmd.spawn().map(|_| true).map_err(|e| Error::Unavailable(format!("could not start {}: {e}", ide.program)))
}

/// Opens an allowed link with the desktop's default handler, without waiting for it.
pub fn open_url(link: &str) -> Result<()> {
    let url = check_openable(link)?;
    let mut cmd = opener_command(url.as_str());
    cmd.stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
    cmd.spawn().map(|_| ()).map_err(|e| Error::Unavailable(format!("could not start the system's link opener: {e}")))
}

#[cfg(target_os = "macos")]
fn opener_command(url: &str) -> std::process::Command {
    let mut c = std::process::Command::new("open");
    c.arg(url);
    c
}

#[cfg(target_os = "windows")]
fn opener_command(url: &str) -> std::process::Command {
    let mut c = std::process::Command::new("explorer");
    c.arg(url);
    c
}

#[cfg(not(any(target_os = "macos", target_os = "windows")))]
fn opener_command(url: &str) -> std::process::Command {
    let mut c = std::process::Command::new("xdg-open");
    c.arg(url);
    c
}

/// Creates a directory of Hangar's (config, cache) if needed and makes it the user's alone
/// (0700 on Unix; elsewhere the user's profile directories are private already).
pub fn make_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Options that create a file only its owner can read (0600 on Unix).
pub fn private_file_options() -> std::fs::OpenOptions {
    #[allow(unused_mut)]
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ide_links_map_to_their_command_line_tool_and_nothing_else_does() {
        let launch =
            ide_launch(LinkKind::Vscode, "vscode://vscode-remote/ssh-remote+hangar-a-ws/home/ray/default").unwrap();
        assert_eq!(launch.program, "code");
        assert_eq!(launch.args, ["--folder-uri", "vscode-remote://ssh-remote+hangar-a-ws/home/ray/default"]);
        let launch = ide_launch(LinkKind::Cursor, "cursor://vscode-remote/ssh-remote+h/workspace").unwrap();
        assert_eq!((launch.program, launch.args[1].as_str()), ("cursor", "vscode-remote://ssh-remote+h/workspace"));
        for (kind, link) in [
            (LinkKind::Browser, "https://x.example/"),
            (LinkKind::Vscode, "cursor://vscode-remote/ssh-remote+h/x"),
            (LinkKind::Vscode, "vscode://file/etc/passwd"),
            (LinkKind::Vscode, "vscode://vscode-remote/wsl+Ubuntu/x"),
            (LinkKind::Vscode, "vscode://vscode-remote/ssh-remote+h/x --disable-extensions"),
        ] {
            assert_eq!(ide_launch(kind, link), None, "{link}");
        }
    }

    /// Stand-ins on a fake PATH: an IDE's tool, and `xdg-mime` answering for Gateway's scheme
    /// only (what a desktop with Gateway's handler registered says).
    #[cfg(all(unix, not(target_os = "macos")))]
    #[test]
    fn installed_ides_are_found_on_path_and_by_the_desktops_url_handlers() {
        use std::os::unix::fs::PermissionsExt;
        let bin = tempfile::tempdir().unwrap();
        let script = |name: &str, body: &str| {
            let p = bin.path().join(name);
            std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        };
        script("windsurf", "exit 0");
        let path = bin.path().as_os_str();
        let kinds = || installed_ides_on(Some(path)).into_iter().map(|i| i.kind).collect::<Vec<_>>();
        assert_eq!(kinds(), [LinkKind::Windsurf], "no xdg-mime: the PATH alone");
        script(
            "xdg-mime",
            r#"[ "$1 $2 $3" = "query default x-scheme-handler/jetbrains-gateway" ] && echo jetbrains-gateway.desktop; exit 0"#,
        );
        assert_eq!(kinds(), [LinkKind::Windsurf, LinkKind::Jetbrains]);
        assert!(installed_ides_on(None).is_empty());
    }

    #[test]
    fn only_allowed_schemes_open() {
        for bad in ["file:///etc/passwd", "javascript:alert(1)", "data:text/html,x", "smb://host/share"] {
            assert!(check_openable(bad).is_err(), "{bad}");
        }
        for good in ["https://x.example/", "vscode://vscode-remote/ssh-remote+h/home", "ssh://u@h"] {
            assert!(check_openable(good).is_ok(), "{good}");
        }
    }
}
