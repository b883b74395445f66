//! Opening a workspace: its links, and for IDE links the SSH alias Hangar manages (host block,
//! key, the `Include` line the user allowed) and the provider's tunnel behind it.

use std::path::PathBuf;

use super::validate::check_workspace_id;
use super::Hangar;
use crate::error::{Error, Result};
use crate::ide;
use crate::model::{Link, LinkKind, Workspace, WorkspaceState};
use crate::settings::SshIncludeConsent;
use crate::ssh::{ManagedSsh, Owner, SshHost, SshInclude, TunnelCommand};
use crate::tunnel::TunnelTarget;

/// Where IDE host aliases go and which program their `ProxyCommand` runs; by default the
/// user's `~/.ssh` and the `hangarctl` installed beside the running program.
#[derive(Debug, Clone)]
pub struct SshSetup {
    pub managed: ManagedSsh,
    pub tunnel_program: PathBuf,
}

/// `hangarctl` beside the running program (or the running program itself).
fn default_tunnel_program() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let name = format!("hangarctl{}", std::env::consts::EXE_SUFFIX);
    let tunnel_program =
        if exe.file_name().is_some_and(|n| n == name.as_str()) { exe.clone() } else { exe.with_file_name(&name) };
    if !tunnel_program.is_file() {
        return Err(Error::Unavailable(format!(
            "{name}, which carries IDE connections through the provider's tunnel, is not installed beside {}",
            exe.display()
        )));
    }
    Ok(tunnel_program)
}

/// An SSH host alias Hangar wrote, and the config `ssh -F` reads for it.
#[derive(Debug, Clone, PartialEq)]
pub struct SshAlias {
    pub alias: String,
    pub config: PathBuf,
}

impl Hangar {
    /// Puts IDE host aliases somewhere other than the user's `~/.ssh` (tests, portable setups).
    pub fn with_ssh(mut self, ssh: SshSetup) -> Hangar {
        self.ssh = Some(ssh);
        self
    }

    /// The link of one kind for a workspace, or why there is none.
    pub async fn link(&self, account: &str, id: &str, kind: LinkKind) -> Result<Link> {
        link_of(&self.get(account, id).await?, kind)
    }

    /// The line Hangar would add to the user's SSH config, and that file.
    pub fn ssh_include(&self) -> Result<SshInclude> {
        Ok(self.managed_ssh()?.include())
    }

    fn managed_ssh(&self) -> Result<ManagedSsh> {
        match &self.ssh {
            Some(s) => Ok(s.managed.clone()),
            None => ManagedSsh::for_home(),
        }
    }

    fn tunnel_program(&self) -> Result<PathBuf> {
        match &self.ssh {
            Some(s) => Ok(s.tunnel_program.clone()),
            None => default_tunnel_program(),
        }
    }

    /// The link to hand to the OS opener, with what it needs set up first: an IDE link
    /// through an SSH alias gets its host block (and key) in Hangar's managed SSH config, and
    /// the user's `~/.ssh/config` the `Include` line if they allowed it (settings.ssh_include).
    pub async fn open(&self, account: &str, id: &str, kind: LinkKind) -> Result<Link> {
        let w = self.get(account, id).await?;
        let link = link_of(&w, kind)?;
        let Some(alias) = link.ssh_alias.clone() else { return Ok(link) };
        self.ssh_config_dir()?;
        let ssh = &self.managed_ssh()?;
        let consent = self.storage.settings().ssh_include;
        let included = ssh.is_included()?;
        let line = ssh.include_line();
        let user_config = ssh.user_config();
        if !included && consent == SshIncludeConsent::Ask {
            return Err(Error::ConsentNeeded(format!(
                "to open workspaces in an IDE, Hangar keeps SSH host aliases in {} and needs the line `{line}` \
                 at the top of {}; allow Hangar to add it, or add it yourself",
                ssh.managed_config().display(),
                user_config.display()
            )));
        }
        let host = self.write_alias(ssh, account, &w, &alias).await?;
        // Gateway's link names the account and port as well as the alias.
        let link = match kind {
            LinkKind::Jetbrains => {
                let login = ide::Login { user: host.user.clone(), port: host.port };
                derived_link(&w, kind, Some(&login)).unwrap_or(link)
            }
            _ => link,
        };
        if !included {
            if consent != SshIncludeConsent::Allowed {
                return Err(Error::Conflict(format!(
                    "host {alias} is ready, but {} does not include Hangar's SSH file: add the line `{line}` at its top \
                     (or allow Hangar to add it in Settings)",
                    user_config.display()
                )));
            }
            ssh.add_include()?;
        }
        Ok(link)
    }

    /// Where `hangarctl tunnel` finds the accounts; none in demo mode, which has no SSH servers.
    fn ssh_config_dir(&self) -> Result<PathBuf> {
        self.storage.paths().map(|p| p.config.clone()).ok_or_else(|| {
            Error::Unsupported(
                "the demo clouds run no SSH servers; add a real account to reach its workspaces over SSH".into(),
            )
        })
    }

    /// Writes the host block of `alias` for a workspace, from what its provider says of its
    /// SSH server; returns that.
    async fn write_alias(&self, ssh: &ManagedSsh, account: &str, w: &Workspace, alias: &str) -> Result<SshHost> {
        let config_dir = self.ssh_config_dir()?;
        let id = w.id.as_str();
        let provider = self.provider(account).await?;
        let host = provider.ssh_host(id).await.map_err(|e| e.context(&format!("account '{account}'")))?;
        // Only a tunnelled host needs hangarctl; a direct one opens without it.
        let tunnel = match host.tunnel {
            true => Some(TunnelCommand {
                program: self.tunnel_program()?,
                config_dir,
                account: account.to_string(),
                workspace_id: id.to_string(),
            }),
            false => None,
        };
        let owner = Owner { account: account.into(), workspace_id: id.into(), workspace_name: w.name.clone() };
        ssh.write_host(alias, &host, tunnel.as_ref(), &owner)?;
        Ok(host)
    }

    /// A running workspace's SSH alias, its host block written, for `ssh` itself (a port
    /// forward). No consent is needed: the user's own config is only read, and only when it
    /// already includes Hangar's file; otherwise Hangar's file alone. Named either way: ssh
    /// finds its default config through the password database, not the home Hangar uses.
    pub async fn ssh_alias(&self, account: &str, id: &str) -> Result<SshAlias> {
        let w = self.get(account, id).await?;
        if w.state != WorkspaceState::Running {
            return Err(Error::Conflict(format!(
                "workspace '{}' is {}; SSH opens once it is running",
                w.name, w.state
            )));
        }
        let alias = w.links.iter().find_map(|l| l.ssh_alias.clone()).ok_or_else(|| {
            Error::Unsupported(format!("workspace '{}' offers no SSH access Hangar can reach", w.name))
        })?;
        let ssh = &self.managed_ssh()?;
        self.write_alias(ssh, account, &w, &alias).await?;
        let config = if ssh.is_included()? { ssh.user_config() } else { ssh.managed_config() };
        Ok(SshAlias { alias, config })
    }

    /// A deleted workspace's host aliases and keys go with it; failing to remove them is only
    /// worth a warning (the workspace is gone either way).
    pub(super) fn forget_ssh_hosts(&self, account: &str, id: &str) {
        if self.storage.paths().is_none() {
            return;
        }
        let managed = self.managed_ssh();
        let owner = Owner { account: account.into(), workspace_id: id.into(), workspace_name: String::new() };
        if let Err(e) = managed.and_then(|m| m.remove_workspace(&owner)) {
            tracing::warn!(code = e.code(), "SSH host of a deleted workspace not removed");
        }
    }

    /// Host blocks, and the keys providers issued for them, go when their workspace does:
    /// with `listed`, an account's complete, successful listing, those of its workspaces
    /// not in it; with `None` (the account removed or signed out), all of the account's.
    /// Failing is only worth a warning.
    pub(super) fn prune_ssh_hosts(&self, account: &str, listed: Option<&[Workspace]>) {
        if self.storage.paths().is_none() {
            return;
        }
        let pruned = self.managed_ssh().and_then(|m| match listed {
            Some(ws) => m.keep_listed(account, &ws.iter().map(|w| w.id.as_str()).collect()),
            None => m.remove_account(account),
        });
        if let Err(e) = pruned {
            tracing::warn!(code = e.code(), "SSH hosts of gone workspaces not removed");
        }
    }

    /// The provider's tunnel to a workspace's SSH server (what `hangarctl tunnel` pumps).
    pub async fn tunnel(&self, account: &str, id: &str) -> Result<TunnelTarget> {
        check_workspace_id(id)?;
        let provider = self.provider(account).await?;
        provider.tunnel(id).await.map_err(|e| e.context(&format!("account '{account}'")))
    }
}

/// The workspace's link of `kind`: the provider's own, or for an IDE one built from the
/// folder of the provider's SSH-alias link (every IDE goes through the same alias).
fn link_of(w: &Workspace, kind: LinkKind) -> Result<Link> {
    let own = w.links.iter().find(|l| l.kind == kind).cloned();
    own.or_else(|| derived_link(w, kind, None)).ok_or_else(|| {
        let available: Vec<&str> = w.links.iter().map(|l| link_kind_name(l.kind)).collect();
        Error::Conflict(if w.state != WorkspaceState::Running {
            format!("workspace '{}' is {}; links open once it is running", w.name, w.state)
        } else if available.is_empty() {
            format!("workspace '{}' offers no links", w.name)
        } else {
            format!("workspace '{}' has no {} link (available: {})", w.name, link_kind_name(kind), available.join(", "))
        })
    })
}

/// A link of an IDE's `kind` through the alias of the workspace's first IDE link Hangar can
/// read back (one the IDE link builders made).
fn derived_link(w: &Workspace, kind: LinkKind, login: Option<&ide::Login>) -> Option<Link> {
    ide::ide(kind)?;
    let (source, folder) = w.links.iter().find_map(|l| {
        let folder = ide::folder_of(l.kind, &l.url)?;
        (l.ssh_alias.as_deref() == Some(folder.alias())).then_some((l, folder))
    })?;
    Some(Link {
        kind,
        url: ide::link(kind, &folder, login).ok()?,
        label: source.label.clone(),
        ssh_alias: source.ssh_alias.clone(),
    })
}

fn link_kind_name(k: LinkKind) -> &'static str {
    k.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProviderId;

    fn with_vscode_link() -> Workspace {
        let mut w = Workspace::bare("a", ProviderId::Exalsius, "ws1", WorkspaceState::Running);
        w.links.push(Link {
            kind: LinkKind::Vscode,
            url: "vscode://vscode-remote/ssh-remote+hangar-a-ws1-00ff00ff/workspace".into(),
            label: Some("SSH host hangar-a-ws1-00ff00ff".into()),
            ssh_alias: Some("hangar-a-ws1-00ff00ff".into()),
        });
        w
    }

    #[test]
    fn every_ide_opens_through_the_providers_ssh_alias() {
        let w = with_vscode_link();
        for (kind, url) in [
            (LinkKind::Zed, "zed://ssh/hangar-a-ws1-00ff00ff/workspace"),
            (LinkKind::Windsurf, "windsurf://vscode-remote/ssh-remote+hangar-a-ws1-00ff00ff/workspace"),
            (LinkKind::VscodeInsiders, "vscode-insiders://vscode-remote/ssh-remote+hangar-a-ws1-00ff00ff/workspace"),
            (
                LinkKind::Jetbrains,
                "jetbrains-gateway://connect#type=ssh&host=hangar-a-ws1-00ff00ff&projectPath=%2Fworkspace",
            ),
        ] {
            let link = link_of(&w, kind).unwrap();
            assert_eq!((link.kind, link.url.as_str()), (kind, url));
            assert_eq!(link.ssh_alias.as_deref(), Some("hangar-a-ws1-00ff00ff"));
        }
        let login = ide::Login { user: "dev".into(), port: 30022 };
        assert_eq!(
            derived_link(&w, LinkKind::Jetbrains, Some(&login)).unwrap().url,
            "jetbrains-gateway://connect#type=ssh&host=hangar-a-ws1-00ff00ff&port=30022&user=dev&projectPath=%2Fworkspace"
        );
    }

    #[test]
    fn no_ide_link_without_an_alias_link_hangar_can_read() {
        let mut w = with_vscode_link();
        assert!(matches!(link_of(&w, LinkKind::Browser), Err(Error::Conflict(_))));
        // A link whose alias is not the one its URL names builds nothing.
        w.links[0].ssh_alias = Some("other".into());
        assert!(link_of(&w, LinkKind::Zed).is_err());
        w.links[0].ssh_alias = None;
        assert!(link_of(&w, LinkKind::Zed).is_err());
    }
}
