//! Hangar's own SSH configuration: host aliases for IDEs that open a workspace over SSH.
//! VS Code and Cursor read only the SSH config (never `-o` options), so a workspace they open
//! needs a `Host` block. Hangar writes those blocks, and the keys providers hand out, under
//! `~/.ssh/hangar/`; the user's own `~/.ssh/config` gets a single `Include` line, added once
//! and only with their consent. Hangar never rewrites anything else in it.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
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

/// The `Host` alias Hangar writes for a workspace: `hangar-<account>-<name>-<suffix>`, limited
/// to the characters an alias may hold. Names repeat (one per project, or once cleaned), so
/// the suffix, a digest of the account and the workspace id, keeps each workspace's alias
/// (and the host block and key filed under it) its own.
pub fn alias(account: &str, workspace_name: &str, workspace_id: &str) -> String {
    let clean = |s: &str, max: usize| -> String {
        s.chars()
            .take(max)
            .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '-' })
            .collect()
    };
    let digest = Sha256::new().chain_update(account).chain_update([0]).chain_update(workspace_id).finalize();
    let suffix: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("hangar-{}-{}-{suffix}", clean(account, MAX_ALIAS_PART), clean(workspace_name, MAX_ALIAS_PART))
}

/// Keeps aliases (and the file names made of them) short enough to read.
const MAX_ALIAS_PART: usize = 48;

/// The workspace a host block was written for; the block records it, so the block can go
/// when the workspace does.
#[derive(Debug, Clone, PartialEq)]
pub struct Owner {
    pub account: String,
    pub workspace_id: String,
    /// For the reader of the file only.
    pub workspace_name: String,
}

/// The comment line a host block records its owner in, as JSON: an account name or id may
/// hold any separator a plain-text line could use.
const OWNER_LINE: &str = "# owner: ";

#[derive(Serialize, Deserialize)]
struct OwnerRecord {
    account: String,
    workspace_id: String,
}

impl Owner {
    fn marker(&self) -> String {
        let record = OwnerRecord { account: self.account.clone(), workspace_id: self.workspace_id.clone() };
        format!("{OWNER_LINE}{}", serde_json::to_string(&record).unwrap_or_default())
    }
}

/// The account and workspace id a host block was written for.
fn owner_of(block: &str) -> Option<(String, String)> {
    block.lines().find_map(|line| {
        if let Some(json) = line.strip_prefix(OWNER_LINE) {
            let record: OwnerRecord = serde_json::from_str(json).ok()?;
            return Some((record.account, record.workspace_id));
        }
        // Blocks written before the owner line was JSON.
        let (account, id) = line.strip_prefix("# account: ")?.rsplit_once(" | workspace id: ")?;
        Some((account.to_string(), id.to_string()))
    })
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
    /// `--` ends the options: an account name or id may start with `-`.
    fn render(&self) -> Result<String> {
        Ok(format!(
            "{} --config-dir {} tunnel -- {} {}",
            proxy_word(&self.program.to_string_lossy())?,
            proxy_word(&self.config_dir.to_string_lossy())?,
            proxy_word(&self.account)?,
            proxy_word(&self.workspace_id)?
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
    /// A config that is a link (a dotfile manager's) stays one: the file it points to gets
    /// the line, or, where that cannot be written, the user is told to add it there.
    pub fn add_include(&self) -> Result<()> {
        if self.is_included()? {
            return Ok(());
        }
        create_private_dir(&self.ssh_dir)?;
        let path = self.user_config();
        let linked = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        let target = match linked {
            true => std::fs::canonicalize(&path).map_err(|e| self.add_it_yourself(&format!("its target: {e}")))?,
            false => path.clone(),
        };
        let (existing, mode) = match std::fs::read_to_string(&target) {
            Ok(t) => (t, file_mode(&target)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (String::new(), None),
            Err(e) => return Err(Error::Internal(format!("could not read {}: {e}", target.display()))),
        };
        let text = format!("# Added by Hangar: its workspace host aliases.\n{}\n\n{existing}", self.include_line());
        match write_file(&target, &text, mode.unwrap_or(0o600)) {
            Err(e) if linked => Err(self.add_it_yourself(&format!("{}: {e}", target.display()))),
            written => written,
        }
    }

    /// Hangar will not turn a linked config into a file of its own; the user adds the line.
    fn add_it_yourself(&self, why: &str) -> Error {
        Error::Conflict(format!(
            "{} is a link, and Hangar could not write to the file it points to ({why}); add the line `{}` \
             at the top of that file yourself",
            self.user_config().display(),
            self.include_line()
        ))
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
                write_file(&path, &key, 0o600)?;
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
            let _ = writeln!(block, "  IdentityFile {}", config_word(&path.to_string_lossy())?);
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
        write_file(&path, &block, 0o600)?;
        // A workspace renamed (or written under an older alias scheme) keeps one block; one
        // left over only costs a stale alias, so failing to remove it does not fail the open.
        let stale = |other: &str, account: &str, id: &str| {
            other != alias && account == owner.account && id == owner.workspace_id
        };
        if let Err(e) = self.remove_hosts(stale) {
            tracing::warn!(code = e.code(), "an older SSH host block of this workspace was not removed");
        }
        Ok(path)
    }

    /// Forgets the aliases (and keys) written for a workspace that is gone.
    pub fn remove_workspace(&self, owner: &Owner) -> Result<()> {
        self.remove_hosts(|_, account, id| account == owner.account && id == owner.workspace_id)
    }

    /// Forgets every alias (and key) written for an account's workspaces: the account is
    /// gone or signed out, and the keys its provider issued should not outlive that.
    pub fn remove_account(&self, account: &str) -> Result<()> {
        self.remove_hosts(|_, owner, _| owner == account)
    }

    /// Forgets the aliases (and keys) of an account's workspaces that are not among `listed`,
    /// the ids of a complete, successful listing of that account.
    pub fn keep_listed(&self, account: &str, listed: &HashSet<&str>) -> Result<()> {
        self.remove_hosts(|_, owner, id| owner == account && !listed.contains(id))
    }

    /// Removes the blocks (and keys) for which `gone(alias, account, workspace id)` holds.
    fn remove_hosts(&self, gone: impl Fn(&str, &str, &str) -> bool) -> Result<()> {
        let Ok(entries) = std::fs::read_dir(self.hangar_dir().join("hosts")) else { return Ok(()) };
        let mut first_error = None;
        for path in entries.flatten().map(|e| e.path()) {
            let Some(alias) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".conf")) else {
                continue;
            };
            let owner = std::fs::read_to_string(&path).ok().as_deref().and_then(owner_of);
            if owner.is_some_and(|(account, id)| gone(alias, &account, &id)) {
                if let Err(e) = self.remove_host(alias) {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
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
            config_word(&hosts.to_string_lossy())?
        );
        create_private_dir(&self.hangar_dir())?;
        if std::fs::read_to_string(self.managed_config()).ok().as_deref() != Some(text.as_str()) {
            write_file(&self.managed_config(), &text, 0o600)?;
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

/// A path as one word of the SSH config (`IdentityFile`, `Include`), which ssh splits with
/// double quotes and backslash escapes. `%` and `$` are refused: ssh expands tokens and
/// environment variables in some of these paths.
fn config_word(value: &str) -> Result<String> {
    if value.chars().any(|c| matches!(c, '%' | '$') || c.is_control()) {
        return Err(Error::Internal(format!("cannot write '{}' into an SSH config safely", value.escape_debug())));
    }
    if !value.is_empty() && value.chars().all(plain) {
        return Ok(value.to_string());
    }
    let escaped: String =
        value.chars().flat_map(|c| matches!(c, '"' | '\\').then_some('\\').into_iter().chain([c])).collect();
    Ok(format!("\"{escaped}\""))
}

/// One argument of a `ProxyCommand`. ssh takes the rest of that line as it is (after checking
/// that its quotes balance, where a backslash escapes even inside single quotes), replaces
/// `%` tokens, and runs it with the user's shell. So: `%` is doubled; everything else sits in
/// single quotes, which no shell reads into, except `'` and `\`, which go in double quotes
/// between the single-quoted runs (there, a shell and ssh's check read `\\` alike).
fn proxy_word(value: &str) -> Result<String> {
    if value.chars().any(char::is_control) {
        return Err(Error::Internal(format!("cannot write '{}' into an SSH config safely", value.escape_debug())));
    }
    if !value.is_empty() && value.chars().all(plain) {
        return Ok(value.to_string());
    }
    let mut word = String::from("'");
    for c in value.chars() {
        match c {
            '%' => word.push_str("%%"),
            '\'' => word.push_str("'\"'\"'"),
            '\\' => word.push_str("'\"\\\\\"'"),
            c => word.push(c),
        }
    }
    word.push('\'');
    Ok(word)
}

/// Characters that mean nothing to ssh's config parser, its `%` tokens or a shell.
fn plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | ':' | '@' | '+' | '=' | ',')
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

/// Replaces a file atomically. The new content goes to a fresh temporary file beside it
/// (created exclusively, under a random name, readable by its owner only from the start:
/// ssh refuses keys others can read), then takes the file's place with `mode`.
fn write_file(path: &Path, text: &str, mode: u32) -> Result<()> {
    use std::io::Write;
    let fail = |e: std::io::Error| Error::Internal(format!("could not write {}: {e}", path.display()));
    let dir = path.parent().ok_or_else(|| fail(std::io::ErrorKind::InvalidInput.into()))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".hangar-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o600));
    }
    let mut file = builder.tempfile_in(dir).map_err(fail)?;
    file.write_all(text.as_bytes()).map_err(fail)?;
    #[cfg(unix)]
    if mode != 0o600 {
        use std::os::unix::fs::PermissionsExt;
        file.as_file().set_permissions(std::fs::Permissions::from_mode(mode)).map_err(fail)?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    file.as_file().sync_all().map_err(fail)?;
    file.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// A file's permission bits, to keep when Hangar rewrites a file that is the user's.
fn file_mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
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
        let a = alias("work", "my ws/1", "expwrk_1");
        assert!(a.starts_with("hangar-work-my-ws-1-"), "{a}");
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')), "{a}");
        assert_eq!(a, alias("work", "my ws/1", "expwrk_1"), "the same workspace keeps its alias");
    }

    #[test]
    fn alias_is_one_per_account_and_workspace_id() {
        let a = alias("work", "ws", "expwrk_1");
        assert_ne!(a, alias("work", "ws", "expwrk_2"), "two workspaces named alike");
        assert_ne!(a, alias("work ", "ws", "expwrk_1"), "two accounts that clean to one name");
        assert_ne!(alias("a-b", "c", "1"), alias("a", "b-c", "1"), "name and account run into each other");
        assert!(alias("work", &"n".repeat(500), "x").len() < 80, "long names are cut");
    }

    #[test]
    fn a_temporary_file_is_never_one_that_was_there_before() {
        let dir = tempfile::tempdir().unwrap();
        let ssh = ManagedSsh::at(dir.path());
        let keys = dir.path().join("hangar/keys");
        std::fs::create_dir_all(&keys).unwrap();
        // Whatever name a temporary file could be given beside the key, a link planted there
        // must not be written through or end up as the key.
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "untouched").unwrap();
        let planted = keys.join(format!("hangar-work-ws.hangar-{}.tmp", std::process::id()));
        #[cfg(unix)]
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        ssh.write_host("hangar-work-ws", &host(true), None, &owner()).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
        let key = keys.join("hangar-work-ws");
        let meta = std::fs::symlink_metadata(&key).unwrap();
        assert!(meta.file_type().is_file(), "the key is a file of its own");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        }
        let strays: Vec<_> = std::fs::read_dir(&keys)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .filter(|n| n.to_string_lossy().starts_with(".hangar-"))
            .collect();
        assert!(strays.is_empty(), "no temporary file is left behind: {strays:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_config_stays_a_link_and_its_target_gets_the_line() {
        use std::os::unix::fs::PermissionsExt;
        let home = tempfile::tempdir().unwrap();
        let dotfiles = home.path().join("dotfiles");
        std::fs::create_dir_all(&dotfiles).unwrap();
        std::fs::create_dir_all(home.path().join(".ssh")).unwrap();
        let target = dotfiles.join("ssh_config");
        let own = "Host mine\n  User me\n";
        std::fs::write(&target, own).unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
        let ssh = ManagedSsh::at(home.path().join(".ssh"));
        std::os::unix::fs::symlink("../dotfiles/ssh_config", ssh.user_config()).unwrap();

        ssh.add_include().unwrap();
        let link = std::fs::symlink_metadata(ssh.user_config()).unwrap();
        assert!(link.file_type().is_symlink(), "the dotfile manager's link is still there");
        let text = std::fs::read_to_string(&target).unwrap();
        assert!(text.starts_with("# Added by Hangar") && text.ends_with(own), "{text}");
        assert!(ssh.is_included().unwrap());
        assert_eq!(std::fs::metadata(&target).unwrap().permissions().mode() & 0o777, 0o644, "its mode is kept");
        let names: Vec<_> = std::fs::read_dir(&dotfiles).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(names.len(), 1, "nothing but the file in its directory: {names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_nowhere_is_left_alone_and_the_user_told_what_to_add() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join(".ssh")).unwrap();
        let ssh = ManagedSsh::at(home.path().join(".ssh"));
        std::os::unix::fs::symlink(home.path().join("missing/ssh_config"), ssh.user_config()).unwrap();
        let err = ssh.add_include().unwrap_err();
        assert_eq!(err.code(), "conflict", "{err}");
        assert!(err.to_string().contains(&ssh.include_line()), "the message gives the line: {err}");
        assert!(std::fs::symlink_metadata(ssh.user_config()).unwrap().file_type().is_symlink());
        assert!(!home.path().join("missing").exists());
    }

    #[test]
    fn blocks_go_with_their_account_or_when_a_listing_no_longer_has_them() {
        let dir = tempfile::tempdir().unwrap();
        let ssh = ManagedSsh::at(dir.path());
        let write = |account: &str, id: &str| {
            let owner = Owner { account: account.into(), workspace_id: id.into(), workspace_name: "ws".into() };
            ssh.write_host(&alias(account, "ws", id), &host(false), None, &owner).unwrap()
        };
        let odd = "a | workspace id: b";
        let (kept, gone, other, odd_one) =
            (write("work", "1"), write("work", "2"), write("home", "2"), write(odd, "3"));
        ssh.keep_listed("work", &HashSet::from(["1"])).unwrap();
        assert!(kept.exists() && !gone.exists(), "only the unlisted workspace's block goes");
        assert!(other.exists() && odd_one.exists(), "other accounts' blocks stay");
        ssh.keep_listed("a", &HashSet::new()).unwrap();
        assert!(odd_one.exists(), "an account whose name looks like the owner line is still itself");
        ssh.remove_account("work").unwrap();
        assert!(!kept.exists() && other.exists());
        let keys = dir.path().join("hangar/keys");
        let left: Vec<_> = std::fs::read_dir(keys).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(left.len(), 2, "keys go with their blocks: {left:?}");
    }

    #[test]
    fn a_workspace_has_one_block_whatever_alias_it_had_before() {
        let dir = tempfile::tempdir().unwrap();
        let ssh = ManagedSsh::at(dir.path());
        let before = ssh.write_host("hangar-work-old-name", &host(false), None, &owner()).unwrap();
        let other = Owner { workspace_id: "expwrk_2".into(), ..owner() };
        let neighbour = ssh.write_host("hangar-work-other", &host(false), None, &other).unwrap();
        let after = ssh.write_host("hangar-work-new-name", &host(false), None, &owner()).unwrap();
        assert!(after.exists() && neighbour.exists());
        assert!(!before.exists(), "a renamed workspace's old alias goes");
        assert!(!dir.path().join("hangar/keys/hangar-work-old-name").exists(), "and its key");
    }

    #[test]
    fn blocks_written_before_the_json_owner_line_are_still_recognised() {
        let block = "# Written by Hangar\n# account: work | workspace id: expwrk_1\nHost hangar-work-ws\n";
        assert_eq!(owner_of(block), Some(("work".to_string(), "expwrk_1".to_string())));
        let dir = tempfile::tempdir().unwrap();
        let ssh = ManagedSsh::at(dir.path());
        std::fs::create_dir_all(dir.path().join("hangar/hosts")).unwrap();
        let path = dir.path().join("hangar/hosts/hangar-work-ws.conf");
        std::fs::write(&path, block).unwrap();
        ssh.remove_account("work").unwrap();
        assert!(!path.exists());
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
                "ProxyCommand /usr/bin/hangarctl --config-dir '/home/a b/.config/hangar' tunnel -- work expwrk_1"
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
        bad.workspace_id = "x\n  ProxyCommand sh -c evil".into();
        assert!(ssh.write_host("hangar-a-b", &host(true), Some(&bad), &owner()).is_err());
    }
}
