//! The IDEs Hangar opens a workspace in, every one through the SSH host alias Hangar manages:
//! each one's link (the form its URL handler documents), its command-line tool's arguments
//! where it has one, and which of them are installed here. A link or a launch is built only
//! from a folder whose alias and path are plain words; anything else is refused, never escaped
//! into something that could mean more than it says.

use std::ffi::OsStr;
use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::model::LinkKind;

/// One IDE: the link kind it opens, its name for people, the scheme of its URL handler and
/// the command-line tool Hangar may start instead (the launch allow-list is exactly these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ide {
    pub kind: LinkKind,
    pub name: &'static str,
    pub scheme: &'static str,
    pub program: Option<&'static str>,
}

/// Every IDE Hangar knows, in the order the window offers them.
pub const IDES: [Ide; 6] = [
    Ide { kind: LinkKind::Vscode, name: "VS Code", scheme: "vscode", program: Some("code") },
    Ide { kind: LinkKind::Cursor, name: "Cursor", scheme: "cursor", program: Some("cursor") },
    Ide { kind: LinkKind::Windsurf, name: "Windsurf", scheme: "windsurf", program: Some("windsurf") },
    Ide {
        kind: LinkKind::VscodeInsiders,
        name: "VS Code Insiders",
        scheme: "vscode-insiders",
        program: Some("code-insiders"),
    },
    Ide { kind: LinkKind::Zed, name: "Zed", scheme: "zed", program: Some("zed") },
    // Gateway is opened by its URL handler only: its launcher script takes no connect link.
    Ide { kind: LinkKind::Jetbrains, name: "JetBrains Gateway", scheme: "jetbrains-gateway", program: None },
];

/// The IDE that opens links of `kind`, if `kind` is an IDE's.
pub fn ide(kind: LinkKind) -> Option<&'static Ide> {
    IDES.iter().find(|i| i.kind == kind)
}

/// A folder on a workspace, reached through Hangar's SSH alias for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    alias: String,
    dir: String,
}

impl Folder {
    /// Refuses an alias that is not one plain word, and a directory that is not an absolute
    /// path of plain segments (no `..`, no empty segment, nothing a URL or argv could read
    /// as more).
    pub fn new(alias: &str, dir: &str) -> Result<Folder> {
        let alias_ok = !alias.is_empty()
            && !alias.starts_with('-')
            && alias.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !alias_ok {
            return Err(Error::invalid("alias", format!("'{}' is not an SSH host alias", alias.escape_debug())));
        }
        let segments_ok = dir.strip_prefix('/').is_some_and(|rest| {
            rest.is_empty()
                || rest.trim_end_matches('/').split('/').all(|s| {
                    !s.is_empty()
                        && s != "."
                        && s != ".."
                        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
                })
        });
        if !segments_ok {
            return Err(Error::invalid("folder", format!("'{}' is not a plain absolute path", dir.escape_debug())));
        }
        Ok(Folder { alias: alias.to_string(), dir: dir.to_string() })
    }

    pub fn alias(&self) -> &str {
        &self.alias
    }

    pub fn dir(&self) -> &str {
        &self.dir
    }
}

/// The account and port on the host behind the alias, for IDEs whose link names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub user: String,
    pub port: u16,
}

/// The link that opens `folder` in the IDE of `kind`, through its URL handler:
/// - VS Code, VS Code Insiders, Cursor, Windsurf: `<scheme>://vscode-remote/ssh-remote+ALIAS/DIR`
///   (the Remote - SSH authority, which all four share);
/// - Zed: `zed://ssh/ALIAS/DIR` (what `zed ssh://ALIAS/DIR` opens);
/// - JetBrains Gateway: `jetbrains-gateway://connect#type=ssh&host=ALIAS&port=PORT&user=USER&projectPath=DIR`
///   (the path URL-encoded; port and user only when known, else the alias's SSH config says).
pub fn link(kind: LinkKind, folder: &Folder, login: Option<&Login>) -> Result<String> {
    let Folder { alias, dir } = folder;
    Ok(match kind {
        LinkKind::Vscode | LinkKind::VscodeInsiders | LinkKind::Cursor | LinkKind::Windsurf => {
            format!("{}://vscode-remote/ssh-remote+{alias}{dir}", scheme_of(kind))
        }
        LinkKind::Zed => format!("zed://ssh/{alias}{dir}"),
        LinkKind::Jetbrains => {
            let login = login.map(|l| {
                let user = if l.user.is_empty() { String::new() } else { format!("&user={}", encode(&l.user)) };
                format!("&port={}{user}", l.port)
            });
            format!(
                "jetbrains-gateway://connect#type=ssh&host={alias}{}&projectPath={}",
                login.unwrap_or_default(),
                encode(dir)
            )
        }
        LinkKind::Browser | LinkKind::Ssh => {
            return Err(Error::invalid("target", format!("{kind} is not an IDE")));
        }
    })
}

fn scheme_of(kind: LinkKind) -> &'static str {
    ide(kind).map_or("", |i| i.scheme)
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The folder an IDE link of `kind` opens, if the link is exactly what [`link`] builds for
/// it; `None` for anything else.
pub fn folder_of(kind: LinkKind, url: &str) -> Option<Folder> {
    let (folder, login) = parse(kind, url)?;
    // Rebuilt, it must read the same: nothing extra rides along.
    (link(kind, &folder, login.as_ref()).ok()? == url).then_some(folder)
}

fn parse(kind: LinkKind, url: &str) -> Option<(Folder, Option<Login>)> {
    let split = |rest: &str| -> Option<Folder> {
        let slash = rest.find('/')?;
        Folder::new(&rest[..slash], &rest[slash..]).ok()
    };
    match kind {
        LinkKind::Vscode | LinkKind::VscodeInsiders | LinkKind::Cursor | LinkKind::Windsurf => {
            let rest = url.strip_prefix(scheme_of(kind))?.strip_prefix("://vscode-remote/ssh-remote+")?;
            Some((split(rest)?, None))
        }
        LinkKind::Zed => Some((split(url.strip_prefix("zed://ssh/")?)?, None)),
        LinkKind::Jetbrains => {
            let query = url.strip_prefix("jetbrains-gateway://connect#")?;
            let mut fields = std::collections::HashMap::new();
            for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
                fields.insert(k.into_owned(), v.into_owned());
            }
            let folder = Folder::new(fields.get("host")?, fields.get("projectPath")?).ok()?;
            let login = match fields.get("port") {
                Some(port) => {
                    Some(Login { port: port.parse().ok()?, user: fields.get("user").cloned().unwrap_or_default() })
                }
                None => None,
            };
            Some((folder, login))
        }
        LinkKind::Browser | LinkKind::Ssh => None,
    }
}

/// How to open an IDE link with the IDE's own command-line tool instead of its URL handler
/// (which not every installation registers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdeLaunch {
    pub program: &'static str,
    pub args: Vec<String>,
}

/// The IDE's command line for a link [`link`] built, `None` for any other link and for IDEs
/// without a tool:
/// - VS Code family: `PROGRAM --folder-uri vscode-remote://ssh-remote+ALIAS/DIR`;
/// - Zed: `zed ssh://ALIAS/DIR`.
pub fn launch(kind: LinkKind, url: &str) -> Option<IdeLaunch> {
    let program = ide(kind)?.program?;
    let Folder { alias, dir } = folder_of(kind, url)?;
    let args = match kind {
        LinkKind::Zed => vec![format!("ssh://{alias}{dir}")],
        _ => vec!["--folder-uri".into(), format!("vscode-remote://ssh-remote+{alias}{dir}")],
    };
    Some(IdeLaunch { program, args })
}

/// An IDE found on this computer, for the window's chooser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InstalledIde {
    pub kind: LinkKind,
    pub name: String,
}

/// The IDEs installed here: their tool is on `path` (a `PATH` value), or `handles(scheme)`
/// says a URL handler is registered for their scheme.
pub fn installed(path: Option<&OsStr>, handles: impl Fn(&str) -> bool) -> Vec<InstalledIde> {
    IDES.iter()
        .filter(|i| i.program.is_some_and(|p| on_path(path, p)) || handles(i.scheme))
        .map(|i| InstalledIde { kind: i.kind, name: i.name.to_string() })
        .collect()
}

/// Where `program` is on `path`, if it is there as an executable file.
pub fn find_on_path(path: Option<&OsStr>, program: &str) -> Option<std::path::PathBuf> {
    let path = path?;
    std::env::split_paths(path).filter(|d| d.is_absolute()).find_map(|dir| {
        let candidate = dir.join(format!("{program}{}", std::env::consts::EXE_SUFFIX));
        is_executable(&candidate).then_some(candidate)
    })
}

fn on_path(path: Option<&OsStr>, program: &str) -> bool {
    find_on_path(path, program).is_some()
}

fn is_executable(p: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(p) else { return false };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

#[cfg(test)]
mod tests;
