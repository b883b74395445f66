//! Hangar's own SSH configuration: host aliases for IDEs that open a workspace over SSH.
//! VS Code and Cursor read only the SSH config (never `-o` options), so a workspace they open
//! needs a `Host` block. Hangar writes those blocks, and the keys providers hand out, under
//! `~/.ssh/hangar/`; the user's own `~/.ssh/config` gets a single `Include` line, added once
//! and only with their consent. Hangar never rewrites anything else in it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};

/// What the window shows when it asks to include Hangar's SSH file.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SshInclude {
    /// The exact line, as Hangar would write it.
    pub line: String,
    /// The user's SSH config it would go at the top of.
    pub file: String,
}

/// How to reach one running workspace over SSH, as its provider describes it.
#[derive(Clone, PartialEq)]
pub struct SshHost {
    pub host_name: String,
    pub port: u16,
    pub user: String,
    /// A private key the provider hands out for this workspace (saved 0600 beside the config).
    pub private_key: Option<String>,
    /// Reach the host through `hangarctl tunnel` (the provider's own tunnel) instead of directly.
    pub tunnel: bool,
    /// Hosts that are rebuilt on every start (a cluster's head node) present a new host key
    /// each time; checking it would only ever fail.
    pub ephemeral_host_key: bool,
}

impl std::fmt::Debug for SshHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SshHost")
            .field("host_name", &self.host_name)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("tunnel", &self.tunnel)
            .finish_non_exhaustive()
    }
}

/// The `Host` alias Hangar writes for a workspace: `hangar-<account>-<name>`, limited to the
/// characters an alias may hold.
pub fn alias(account: &str, workspace_name: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '-' }).collect()
    };
    format!("hangar-{}-{}", clean(account), clean(workspace_name))
}

/// The workspace a host block was written for; the block records it, so the block can go
/// when the workspace does.
#[derive(Debug, Clone, PartialEq)]
pub struct Owner {
    pub account: String,
    pub workspace_id: String,
    /// For the reader of the file only.
    pub workspace_name: String,
}

impl Owner {
    fn marker(&self) -> String {
        format!("# account: {} | workspace id: {}", clean(&self.account), clean(&self.workspace_id))
    }
}

fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

/// The command an SSH `ProxyCommand` runs to reach a tunnelled workspace.
#[derive(Debug, Clone, PartialEq)]
pub struct TunnelCommand {
    pub program: PathBuf,
    pub config_dir: PathBuf,
    pub account: String,
    pub workspace_id: String,
}

impl TunnelCommand {
    fn render(&self) -> Result<String> {
        Ok(format!(
            "{} --config-dir {} tunnel {} {}",
            quote(&self.program.to_string_lossy())?,
            quote(&self.config_dir.to_string_lossy())?,
            quote(&self.account)?,
            quote(&self.workspace_id)?
        ))
    }
}

/// `~/.ssh` and the part of it Hangar owns.
#[derive(Debug, Clone)]
pub struct ManagedSsh {
    ssh_dir: PathBuf,
}

impl ManagedSsh {
    /// The current user's `~/.ssh`.
    pub fn for_home() -> Result<ManagedSsh> {
        let home = dirs::home_dir().ok_or_else(|| Error::Internal("no home directory to keep SSH hosts in".into()))?;
        Ok(ManagedSsh::at(home.join(".ssh")))
    }

    pub fn at(ssh_dir: impl Into<PathBuf>) -> ManagedSsh {
        ManagedSsh { ssh_dir: ssh_dir.into() }
    }

    /// The user's own config, which Hangar only ever prepends one `Include` line to.
    pub fn user_config(&self) -> PathBuf {
        self.ssh_dir.join("config")
    }

    /// The file the `Include` line names; it includes every host block Hangar wrote.
    pub fn managed_config(&self) -> PathBuf {
        self.hangar_dir().join("config")
    }

    /// The exact line the user's config needs (an absolute path: `ssh` expands `~` from the
    /// password database, which need not be where Hangar found the home directory).
    pub fn include_line(&self) -> String {
        format!("Include \"{}\"", self.managed_config().display())
    }

    pub fn include(&self) -> SshInclude {
        SshInclude { line: self.include_line(), file: self.user_config().display().to_string() }
    }

    /// Whether the user's config already includes Hangar's file, in any spelling.
    pub fn is_included(&self) -> Result<bool> {
        let text = match std::fs::read_to_string(self.user_config()) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(Error::Internal(format!("could not read {}: {e}", self.user_config().display()))),
        };
        let ours = self.managed_config();
        let tilde_form = "~/.ssh/hangar/config";
        Ok(text.lines().any(|line| {
            let mut words = line.split_whitespace();
            words.next().is_some_and(|w| w.eq_ignore_ascii_case("include"))
                && words.map(|w| w.trim_matches('"')).any(|w| Path::new(w) == ours || w == tilde_form)
        }))
    }

    /// Puts the `Include` line first in the user's config (an `Include` after a `Host` line
    /// would only apply to that host), creating the file if there is none. Idempotent.
    pub fn add_include(&self) -> Result<()> {
        if self.is_included()? {
            return Ok(());
        }
        create_private_dir(&self.ssh_dir)?;
        let path = self.user_config();
        let existing = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(Error::Internal(format!("could not read {}: {e}", path.display()))),
        };
        let text = format!("# Added by Hangar: its workspace host aliases.\n{}\n\n{existing}", self.include_line());
        write_private(&path, &text)
    }

    /// Writes (or rewrites) the block for one alias, with its key, and makes sure the managed
    /// config includes it. Returns the block's file.
    pub fn write_host(
        &self,
        alias: &str,
        host: &SshHost,
        tunnel: Option<&TunnelCommand>,
        owner: &Owner,
    ) -> Result<PathBuf> {
        check_word("alias", alias)?;
        check_word("host name", &host.host_name)?;
        check_word("user", &host.user)?;
        self.write_managed_config()?;
        let hosts = self.hangar_dir().join("hosts");
        create_private_dir(&hosts)?;
        let key_path = match &host.private_key {
            Some(key) => {
                let keys = self.hangar_dir().join("keys");
                create_private_dir(&keys)?;
                let path = keys.join(alias);
                let key = if key.ends_with('\n') { key.clone() } else { format!("{key}\n") };
                write_private(&path, &key)?;
                Some(path)
            }
            None => None,
        };
        let mut block = String::new();
        let _ = writeln!(block, "# Written by Hangar; it rewrites or removes this file, so edits are lost.");
        let _ = writeln!(block, "# For workspace '{}'.", clean(&owner.workspace_name));
        let _ = writeln!(block, "{}", owner.marker());
        let _ = writeln!(block, "Host {alias}");
        let _ = writeln!(block, "  HostName {}", host.host_name);
        let _ = writeln!(block, "  Port {}", host.port);
        let _ = writeln!(block, "  User {}", host.user);
        if let Some(path) = &key_path {
            let _ = writeln!(block, "  IdentityFile {}", quote(&path.to_string_lossy())?);
            let _ = writeln!(block, "  IdentitiesOnly yes");
            let _ = writeln!(block, "  PreferredAuthentications publickey");
        }
        if host.ephemeral_host_key {
            let _ = writeln!(block, "  StrictHostKeyChecking no");
            let _ = writeln!(block, "  UserKnownHostsFile /dev/null");
            let _ = writeln!(block, "  LogLevel ERROR");
        }
        if let Some(command) = tunnel {
            let _ = writeln!(block, "  ProxyCommand {}", command.render()?);
        }
        let path = hosts.join(format!("{alias}.conf"));
        write_private(&path, &block)?;
        Ok(path)
    }

    /// Forgets the aliases (and keys) written for a workspace that is gone.
    pub fn remove_workspace(&self, owner: &Owner) -> Result<()> {
        let marker = owner.marker();
        let Ok(entries) = std::fs::read_dir(self.hangar_dir().join("hosts")) else { return Ok(()) };
        for path in entries.flatten().map(|e| e.path()) {
            let ours = std::fs::read_to_string(&path).is_ok_and(|t| t.lines().any(|l| l == marker));
            if let (true, Some(alias)) = (ours, path.file_stem().and_then(|s| s.to_str())) {
                self.remove_host(alias)?;
            }
        }
        Ok(())
    }

    /// Forgets one alias and its key.
    pub fn remove_host(&self, alias: &str) -> Result<()> {
        check_word("alias", alias)?;
        for path in
            [self.hangar_dir().join("hosts").join(format!("{alias}.conf")), self.hangar_dir().join("keys").join(alias)]
        {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::Internal(format!("could not remove {}: {e}", path.display()))),
            }
        }
        Ok(())
    }

    fn hangar_dir(&self) -> PathBuf {
        self.ssh_dir.join("hangar")
    }

    fn write_managed_config(&self) -> Result<()> {
        let hosts = self.hangar_dir().join("hosts").join("*.conf");
        let text = format!(
            "# Hangar's SSH host aliases, one file per workspace under hosts/. Hangar owns this directory.\nInclude {}\n",
            quote(&hosts.to_string_lossy())?
        );
        create_private_dir(&self.hangar_dir())?;
        if std::fs::read_to_string(self.managed_config()).ok().as_deref() != Some(text.as_str()) {
            write_private(&self.managed_config(), &text)?;
        }
        Ok(())
    }
}

/// A value going into the SSH config as one word: anything else could smuggle in options.
fn check_word(what: &str, value: &str) -> Result<()> {
    let ok = !value.is_empty()
        && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':' | '[' | ']' | '@'));
    if ok {
        Ok(())
    } else {
        Err(Error::BadResponse { message: format!("the provider's SSH {what} '{value}' is not a plain word") })
    }
}

/// Quotes a path or argument for the SSH config (and the shell a `ProxyCommand` runs in).
fn quote(value: &str) -> Result<String> {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | ':' | '@' | '+' | '=' | ',');
    if !value.is_empty() && value.chars().all(plain) {
        return Ok(value.to_string());
    }
    if value.chars().any(|c| matches!(c, '"' | '$' | '`' | '%' | '!') || c.is_control()) {
        return Err(Error::Internal(format!("cannot write '{value}' into an SSH config safely")));
    }
    Ok(format!("\"{value}\""))
}

fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::Internal(format!("could not create {}: {e}", dir.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Replaces a file atomically, readable by its owner only (ssh refuses keys others can read).
fn write_private(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension(format!("hangar-{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = (|| {
        use std::io::Write;
        let mut file = options.open(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::Internal(format!("could not write {}: {e}", path.display()))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn host(tunnel: bool) -> SshHost {
        SshHost {
            host_name: "ses-1.example.test".into(),
            port: 443,
            user: "ray".into(),
            private_key: Some("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----".into()),
            tunnel,
            ephemeral_host_key: tunnel,
        }
    }

    fn owner() -> Owner {
        Owner { account: "work".into(), workspace_id: "expwrk_1".into(), workspace_name: "ws".into() }
    }

    fn tunnel() -> TunnelCommand {
        TunnelCommand {
            program: "/usr/bin/hangarctl".into(),
            config_dir: "/home/a b/.config/hangar".into(),
            account: "work".into(),
            workspace_id: "expwrk_1".into(),
        }
    }

    #[test]
    fn alias_keeps_only_characters_a_host_alias_may_hold() {
        assert_eq!(alias("work", "my ws/1"), "hangar-work-my-ws-1");
    }

    #[test]
    fn include_goes_first_once_and_keeps_the_users_own_entries() {
        let dir = tempfile::tempdir().unwrap();
        let ssh = ManagedSsh::at(dir.path().join(".ssh"));
        std::fs::create_dir_all(dir.path().join(".ssh")).unwrap();
        let own = "Host mine\n  HostName 10.0.0.1\n  User me\n";
        std::fs::write(ssh.user_config(), own).unwrap();
        assert!(!ssh.is_included().unwrap());
        ssh.add_include().unwrap();
        ssh.add_include().unwrap();
        let text = std::fs::read_to_string(ssh.user_config()).unwrap();
        assert!(text.ends_with(own), "the user's entries stay as they were: {text}");
        assert_eq!(text.matches("Include").count(), 1);
        let first_directive = text.lines().find(|l| !l.starts_with('#') && !l.trim().is_empty()).unwrap();
        assert_eq!(first_directive, ssh.include_line());
        assert!(ssh.is_included().unwrap());
    }

    #[test]
    fn a_hand_written_tilde_include_counts_as_included() {
        let dir = tempfile::tempdir().unwrap();
        let ssh = ManagedSsh::at(dir.path());
        std::fs::write(ssh.user_config(), "include ~/.ssh/hangar/config\n").unwrap();
        assert!(ssh.is_included().unwrap());
        std::fs::write(ssh.user_config(), "# Include ~/.ssh/hangar/config\n").unwrap();
        assert!(!ssh.is_included().unwrap(), "a comment is not an include");
    }

    #[test]
    fn a_missing_config_is_created_private() {
        let dir = tempfile::tempdir().unwrap();
        let ssh = ManagedSsh::at(dir.path().join(".ssh"));
        ssh.add_include().unwrap();
        assert!(ssh.is_included().unwrap());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&ssh.user_config()), 0o600);
            assert_eq!(mode(&dir.path().join(".ssh")), 0o700);
        }
    }

    #[test]
    fn host_block_names_the_tunnel_and_a_private_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let ssh = ManagedSsh::at(dir.path());
        let path = ssh.write_host("hangar-work-ws", &host(true), Some(&tunnel()), &owner()).unwrap();
        let block = std::fs::read_to_string(&path).unwrap();
        assert!(block.contains("Host hangar-work-ws\n"), "{block}");
        assert!(block.contains("  Port 443\n  User ray\n"), "{block}");
        assert!(
            block.contains(
                "ProxyCommand /usr/bin/hangarctl --config-dir \"/home/a b/.config/hangar\" tunnel work expwrk_1"
            ),
            "{block}"
        );
        assert!(block.contains("StrictHostKeyChecking no"));
        let key = dir.path().join("hangar/keys/hangar-work-ws");
        assert!(std::fs::read_to_string(&key).unwrap().ends_with("-----END OPENSSH PRIVATE KEY-----\n"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let managed = std::fs::read_to_string(ssh.managed_config()).unwrap();
        assert!(
            managed.contains(&format!("Include \"{}\"", dir.path().join("hangar/hosts/*.conf").display())),
            "{managed}"
        );

        let other = Owner { workspace_id: "expwrk_2".into(), ..owner() };
        ssh.remove_workspace(&other).unwrap();
        assert!(path.exists(), "another workspace's removal leaves this one");
        ssh.remove_workspace(&Owner { workspace_name: String::new(), ..owner() }).unwrap();
        assert!(!path.exists() && !key.exists());
    }

    #[test]
    fn a_direct_host_keeps_host_key_checking() {
        let dir = tempfile::tempdir().unwrap();
        let ssh = ManagedSsh::at(dir.path());
        let mut direct = host(false);
        direct.private_key = None;
        let block = std::fs::read_to_string(ssh.write_host("hangar-a-b", &direct, None, &owner()).unwrap()).unwrap();
        assert!(
            !block.contains("StrictHostKeyChecking")
                && !block.contains("ProxyCommand")
                && !block.contains("IdentityFile")
        );
    }

    #[test]
    fn provider_values_that_could_inject_options_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let ssh = ManagedSsh::at(dir.path());
        let mut evil = host(false);
        evil.host_name = "x\n  ProxyCommand sh -c evil".into();
        assert_eq!(ssh.write_host("hangar-a-b", &evil, None, &owner()).unwrap_err().code(), "bad_response");
        let mut evil = host(false);
        evil.user = "ray -oProxyCommand=x".into();
        assert!(ssh.write_host("hangar-a-b", &evil, None, &owner()).is_err());
        let mut bad = tunnel();
        bad.workspace_id = "$(rm -rf ~)".into();
        assert!(ssh.write_host("hangar-a-b", &host(true), Some(&bad), &owner()).is_err());
    }
}
