//! The one place with per-OS code: handing a link to the system's opener.

use crate::error::{Error, Result};

/// Schemes Hangar will ever hand to the OS: web pages and the IDEs' own URL handlers.
pub const OPENABLE_SCHEMES: [&str; 6] = ["http", "https", "vscode", "cursor", "jetbrains-gateway", "ssh"];

/// Refuses anything outside the allow-list (`file:`, `javascript:`, custom handlers...).
pub fn check_openable(link: &str) -> Result<url::Url> {
    let url = url::Url::parse(link).map_err(|_| Error::invalid("url", "not a valid URL"))?;
    if OPENABLE_SCHEMES.contains(&url.scheme()) {
        Ok(url)
    } else {
        Err(Error::invalid("url", format!("Hangar does not open '{}:' links", url.scheme())))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
