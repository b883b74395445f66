//! The facade both faces (desktop app, `hangarctl`) call: accounts, workspaces, actions.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::form::{Form, MAX_TEXT_LEN};
use crate::http::{validate_base_url, HttpSettings};
use crate::model::{Account, Action, Link, LinkKind, ProviderId, ProviderInfo, Workspace, WorkspaceState};
use crate::provider::{self, Provider, ProviderContext};
use crate::secrets::{Credentials, SecretStore};
use crate::settings::SshIncludeConsent;
use crate::ssh::{ManagedSsh, Owner, SshInclude, TunnelCommand};
use crate::storage::Storage;
use crate::tunnel::TunnelTarget;

/// One account that could not be listed, and why; the others' workspaces still come through.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AccountFailure {
    pub account: String,
    pub error: crate::error::ErrorPayload,
}

#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub workspaces: Vec<Workspace>,
    pub failures: Vec<(String, Error)>,
}

/// An account's provider, filled by the first call that needs it.
type ProviderSlot = Arc<OnceCell<Arc<dyn Provider>>>;

pub struct Hangar {
    storage: Storage,
    secrets: Arc<dyn SecretStore>,
    http: HttpSettings,
    /// One provider per account, built once however many first calls race for it: a provider
    /// holds per-account state (a token renewal lock, a rotating refresh token).
    connected: Mutex<HashMap<String, ProviderSlot>>,
    ssh: Option<SshSetup>,
}

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

pub const MAX_NAME_LEN: usize = 64;
const MAX_ID_LEN: usize = 256;

/// A workspace id goes into URL paths, SSH host blocks and file names: one that could walk a
/// path (`..`, `a/b`) or hide in a terminal (control characters) is refused before any call.
pub fn check_workspace_id(id: &str) -> Result<()> {
    let why = if id.is_empty() {
        Some("is empty")
    } else if id == "." || id == ".." {
        Some("is a path step, not a workspace")
    } else if id.contains(['/', '\\']) {
        Some("holds a path separator")
    } else if id.chars().any(char::is_control) {
        Some("holds control characters")
    } else if id.chars().any(char::is_whitespace) {
        Some("holds whitespace")
    } else if id.len() > MAX_ID_LEN {
        Some("is too long")
    } else {
        None
    };
    match why {
        Some(why) => {
            let shown: String = id.chars().take(64).flat_map(char::escape_debug).collect();
            Err(Error::invalid("id", format!("workspace id '{shown}' {why}")))
        }
        None => Ok(()),
    }
}

/// An account name is also a keyring entry, part of SSH host aliases and a CLI argument: on
/// top of the name rules it may not be a path step or hold a separator or whitespace.
fn check_account_name(name: &str) -> Result<()> {
    check_name("name", "account name", name)?;
    if name == "." || name == ".." || name.contains(['/', '\\']) || name.chars().any(char::is_whitespace) {
        return Err(Error::invalid(
            "name",
            format!("account name '{}' must not be '.' or '..' or hold '/', '\\' or spaces", name.escape_debug()),
        ));
    }
    Ok(())
}

fn check_name(field: &str, what: &str, name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::invalid(field, format!("{what} must not be empty")));
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err(Error::invalid(field, format!("{what} must be at most {MAX_NAME_LEN} characters")));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid(field, format!("{what} must not contain control characters")));
    }
    Ok(())
}

impl Hangar {
    pub fn new(storage: Storage, secrets: Arc<dyn SecretStore>, http: HttpSettings) -> Hangar {
        Hangar { storage, secrets, http, connected: Mutex::default(), ssh: None }
    }

    /// Puts IDE host aliases somewhere other than the user's `~/.ssh` (tests, portable setups).
    pub fn with_ssh(mut self, ssh: SshSetup) -> Hangar {
        self.ssh = Some(ssh);
        self
    }

    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    pub fn providers(&self) -> Vec<ProviderInfo> {
        provider::available()
    }

    pub fn accounts(&self) -> Result<Vec<Account>> {
        self.storage.accounts()
    }

    pub fn account(&self, name: &str) -> Result<Account> {
        if name.is_empty() || name == "." || name == ".." || name.contains('/') || name.chars().any(char::is_control) {
            return Err(Error::invalid(
                "account",
                format!("account name '{}' is not a name Hangar accepts", name.escape_debug()),
            ));
        }
        self.accounts()?
            .into_iter()
            .find(|a| a.name == name)
            .ok_or_else(|| Error::NotFound(format!("no account named '{name}'")))
    }

    async fn load_secret(&self, account: &str) -> Result<Option<Credentials>> {
        let store = self.secrets.clone();
        let name = account.to_string();
        tokio::task::spawn_blocking(move || store.load(&name))
            .await
            .map_err(|e| Error::Internal(format!("keyring task: {e}")))?
    }

    async fn save_secret(&self, account: &str, creds: Credentials) -> Result<()> {
        let store = self.secrets.clone();
        let name = account.to_string();
        tokio::task::spawn_blocking(move || store.save(&name, &creds))
            .await
            .map_err(|e| Error::Internal(format!("keyring task: {e}")))?
    }

    async fn remove_secret(&self, account: &str) -> Result<()> {
        let store = self.secrets.clone();
        let name = account.to_string();
        tokio::task::spawn_blocking(move || store.remove(&name))
            .await
            .map_err(|e| Error::Internal(format!("keyring task: {e}")))?
    }

    fn build(&self, account: Account, credentials: Credentials) -> Result<Arc<dyn Provider>> {
        provider::connect(ProviderContext { account, credentials, secrets: self.secrets.clone(), http: self.http })
    }

    /// The connected provider of an account, reading its credentials from the keyring once.
    /// Concurrent first calls wait for the one that builds it; a failed build is tried again
    /// by the next call.
    async fn provider(&self, account: &str) -> Result<Arc<dyn Provider>> {
        let cell = self
            .connected
            .lock()
            .map_err(|_| Error::Internal("provider registry lock poisoned".into()))?
            .entry(account.to_string())
            .or_default()
            .clone();
        let p = cell
            .get_or_try_init(|| async {
                let acct = self.account(account)?;
                let creds = self.load_secret(account).await?.ok_or_else(|| {
                    Error::Unauthorized(format!(
                        "no credentials stored for account '{account}'; remove it and add it again"
                    ))
                })?;
                self.build(acct, creds)
            })
            .await?;
        Ok(p.clone())
    }

    fn forget(&self, account: &str) {
        if let Ok(mut m) = self.connected.lock() {
            m.remove(account);
        }
    }

    /// Adds an account: checks input, makes one authenticated call (unless `verify` is false),
    /// then stores the credentials in the keyring and the account in the config. Nothing is
    /// stored when any step fails.
    pub async fn add_account(&self, mut account: Account, credentials: Credentials, verify: bool) -> Result<()> {
        check_account_name(&account.name)?;
        let info = provider::info(account.provider)
            .ok_or_else(|| Error::Unsupported(format!("provider '{}' is not available", account.provider)))?;
        if let Some(url) = &account.base_url {
            account.base_url = Some(validate_base_url(url)?.to_string().trim_end_matches('/').to_string());
        } else if info.base_url_required {
            return Err(Error::invalid(
                "base_url",
                format!("{} needs the base URL of your instance", info.display_name),
            ));
        }
        check_credentials(&info, &credentials)?;
        if self.accounts()?.iter().any(|a| a.name == account.name) {
            return Err(Error::Conflict(format!("an account named '{}' exists already", account.name)));
        }
        // The account is not in the list, so a keyring entry under its name is an orphan (an
        // earlier add cut off before the list was written); it must not pass as renewed below.
        let _ = self.remove_secret(&account.name).await;
        let p = self.build(account.clone(), credentials.clone())?;
        let credentials = if verify {
            p.verify().await.map_err(|e| e.context(&format!("account '{}' was not added", account.name)))?;
            // A provider that renewed the credentials while verifying (an expired access
            // token, a rotated refresh token) stored the renewed ones; the pasted ones may be dead.
            match self.load_secret(&account.name).await {
                Ok(Some(renewed)) => renewed,
                _ => credentials,
            }
        } else {
            credentials
        };
        self.save_secret(&account.name, credentials).await?;
        let name = account.name.clone();
        let added = self.storage.update_accounts(|list| {
            if list.iter().any(|a| a.name == name) {
                return Err(Error::Conflict(format!("an account named '{name}' exists already")));
            }
            list.push(account);
            Ok(())
        });
        if let Err(e) = added {
            let _ = self.remove_secret(&name).await;
            return Err(e);
        }
        Ok(())
    }

    pub async fn remove_account(&self, name: &str) -> Result<()> {
        self.account(name)?;
        self.remove_secret(name).await?;
        self.storage.update_accounts(|list| {
            list.retain(|a| a.name != name);
            Ok(())
        })?;
        self.storage.update_labels(|l| {
            l.remove(name);
        })?;
        self.forget(name);
        self.prune_ssh_hosts(name, None);
        Ok(())
    }

    /// Changes an account's base URL (`None`: the provider's default) and options. A provider
    /// built with the new settings makes one authenticated call first; nothing changes when any
    /// step fails. Stored credentials are only ever sent where they were saved for: a change of
    /// the origin they go to (base URL, sign-in URL) needs `credentials` given anew, which are
    /// then stored too. An account that signs in through the browser is instead saved signed
    /// out, to sign in again at the new address.
    pub async fn edit_account(
        &self,
        name: &str,
        base_url: Option<String>,
        options: BTreeMap<String, String>,
        credentials: Option<Credentials>,
    ) -> Result<()> {
        let Edit { info, account, moved } = self.edit_of(name, base_url, options)?;
        let changed = |e: Error| e.context(&format!("account '{name}' was not changed"));
        let credentials = match credentials {
            Some(given) => {
                check_credentials(&info, &given)?;
                Some(given)
            }
            None if moved && info.browser_sign_in => {
                // Nothing to check with: the base URL was validated above, and the next sign-in
                // checks the sign-in options on their fields.
                self.save_account(name, account)?;
                self.replace_credentials(name, Credentials::default()).await?;
                return Ok(());
            }
            None if moved => {
                let to = credential_origins(&account, &info).join(", ");
                return Err(Error::invalid(
                    "credentials",
                    format!(
                        "account '{name}' would now talk to {to}; enter its credentials again (Hangar never sends \
                         the stored ones to another address)"
                    ),
                ));
            }
            None => None,
        };
        let stored = self.load_secret(name).await?;
        let checked_with = match (&credentials, &stored) {
            (Some(given), _) => given.clone(),
            (None, Some(stored)) => stored.clone(),
            (None, None) => {
                return Err(Error::Unauthorized(format!(
                    "no credentials stored for account '{name}'; sign in again first"
                )))
            }
        };
        let p = self.build(account.clone(), checked_with.clone()).map_err(changed)?;
        p.verify().await.map_err(changed)?;
        if credentials.is_some() {
            // As in `add_account`: keep what the provider renewed while verifying.
            let renewed = match self.load_secret(name).await {
                Ok(Some(now)) if Some(&now) != stored.as_ref() => now,
                _ => checked_with,
            };
            self.save_secret(name, renewed).await?;
        }
        self.save_account(name, account)?;
        self.forget(name);
        Ok(())
    }

    /// Whether an edit would send the account's credentials to another origin, so that they
    /// must be given again (`hangarctl account edit` then reads them from standard input).
    pub fn edit_needs_credentials(
        &self,
        name: &str,
        base_url: Option<String>,
        options: BTreeMap<String, String>,
    ) -> Result<bool> {
        let edit = self.edit_of(name, base_url, options)?;
        Ok(edit.moved && !edit.info.browser_sign_in)
    }

    fn edit_of(&self, name: &str, base_url: Option<String>, options: BTreeMap<String, String>) -> Result<Edit> {
        let before = self.account(name)?;
        let info = provider::info(before.provider)
            .ok_or_else(|| Error::Unsupported(format!("provider '{}' is not available", before.provider)))?;
        let mut account = before.clone();
        account.base_url = match base_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => Some(validate_base_url(url)?.to_string().trim_end_matches('/').to_string()),
            None if info.base_url_required => {
                return Err(Error::invalid(
                    "base_url",
                    format!("{} needs the base URL of your instance", info.display_name),
                ))
            }
            None => None,
        };
        account.options = options;
        let moved = credential_origins(&before, &info) != credential_origins(&account, &info);
        Ok(Edit { info, account, moved })
    }

    fn save_account(&self, name: &str, account: Account) -> Result<()> {
        self.storage.update_accounts(|list| match list.iter_mut().find(|a| a.name == name) {
            Some(stored) => {
                *stored = account;
                Ok(())
            }
            None => Err(Error::NotFound(format!("no account named '{name}'"))),
        })
    }

    /// Checks a new account's name, provider and base URL before anything else happens (a
    /// browser sign-in should not start for an account that could not be added).
    pub fn check_new_account(&self, account: &Account) -> Result<()> {
        check_account_name(&account.name)?;
        let info = provider::info(account.provider)
            .ok_or_else(|| Error::Unsupported(format!("provider '{}' is not available", account.provider)))?;
        match &account.base_url {
            Some(url) => {
                validate_base_url(url)?;
            }
            None if info.base_url_required => {
                return Err(Error::invalid(
                    "base_url",
                    format!("{} needs the base URL of your instance", info.display_name),
                ))
            }
            None => {}
        }
        if self.accounts()?.iter().any(|a| a.name == account.name) {
            return Err(Error::Conflict(format!("an account named '{}' exists already", account.name)));
        }
        Ok(())
    }

    /// The account's stored credentials (for signing out: revoking what is stored).
    pub async fn credentials(&self, name: &str) -> Result<Option<Credentials>> {
        self.account(name)?;
        self.load_secret(name).await
    }

    /// Stores new credentials for an existing account (after a new sign-in or a sign-out) and
    /// forgets the connected provider, so the next call uses them.
    /// Replaces pasted credentials (a rotated API key, a new token) after one authenticated
    /// call with them; the old ones stay when that call fails.
    pub async fn change_credentials(&self, name: &str, credentials: Credentials) -> Result<()> {
        let account = self.account(name)?;
        let info = provider::info(account.provider)
            .ok_or_else(|| Error::Unsupported(format!("provider '{}' is not available", account.provider)))?;
        check_credentials(&info, &credentials)?;
        let before = self.load_secret(name).await.ok().flatten();
        let p = self.build(account, credentials.clone())?;
        p.verify().await.map_err(|e| e.context(&format!("account '{name}' keeps its old credentials")))?;
        // As in `add_account`: keep what the provider renewed while verifying.
        let credentials = match self.load_secret(name).await {
            Ok(Some(now)) if Some(&now) != before.as_ref() => now,
            _ => credentials,
        };
        self.replace_credentials(name, credentials).await
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

    pub async fn replace_credentials(&self, name: &str, credentials: Credentials) -> Result<()> {
        self.account(name)?;
        self.save_secret(name, credentials).await?;
        self.forget(name);
        Ok(())
    }

    /// Signs an account out: revokes its sign-in where the provider can, and deletes its
    /// tokens from the keyring; the account stays, to sign in again. Returns the revoke
    /// failure, if any, after the tokens are gone.
    pub async fn sign_out(&self, name: &str) -> Result<Option<Error>> {
        let account = self.account(name)?;
        let revoked = match self.load_secret(name).await? {
            Some(creds) => provider::revoke_sign_in(&account, &creds).await.err(),
            None => None,
        };
        self.replace_credentials(name, Credentials::default()).await?;
        self.prune_ssh_hosts(name, None);
        Ok(revoked)
    }

    pub async fn test_account(&self, name: &str) -> Result<()> {
        self.provider(name).await?.verify().await
    }

    /// Lists every account (or one) in parallel; a failing account is reported, not fatal.
    pub async fn list(&self, only: Option<&str>) -> Result<Listing> {
        let accounts: Vec<Account> = match only {
            Some(name) => vec![self.account(name)?],
            None => self.accounts()?,
        };
        let mut tasks = Vec::new();
        for a in accounts {
            tasks.push(async move {
                let r = async { self.provider(&a.name).await?.list().await }.await;
                (a.name, r)
            });
        }
        let mut out = Listing::default();
        for (name, r) in futures::future::join_all(tasks).await {
            match r {
                Ok(ws) => {
                    self.prune_ssh_hosts(&name, Some(&ws));
                    let labels = self.storage.labels(&name).unwrap_or_default();
                    out.workspaces.extend(ws.into_iter().map(|w| with_label(w, &labels)));
                }
                Err(e) => out.failures.push((name, e)),
            }
        }
        Ok(out)
    }

    pub async fn get(&self, account: &str, id: &str) -> Result<Workspace> {
        check_workspace_id(id)?;
        let w = self.provider(account).await?.get(id).await?;
        Ok(with_label(w, &self.storage.labels(account)?))
    }

    pub async fn create_form(&self, account: &str, selected: &BTreeMap<String, String>) -> Result<Form> {
        self.provider(account).await?.create_form(selected).await
    }

    /// Validates everything before the one create call; keeps `name` as a local label where
    /// the provider has no names.
    pub async fn create(&self, account: &str, name: &str, input: &BTreeMap<String, String>) -> Result<Workspace> {
        check_name("name", "workspace name", name)?;
        let acct = self.account(account)?;
        let p = self.provider(account).await?;
        p.check_name(name.trim())?;
        let form = p.create_form(input).await?;
        let values = form.validate(input)?;
        let created = p.create(name.trim(), &values).await?;
        let has_names = provider::info(acct.provider).map(|i| i.has_names).unwrap_or(true);
        if !has_names {
            let (id, label) = (created.id.clone(), name.trim().to_string());
            self.storage.update_labels(|l| {
                l.entry(account.to_string()).or_default().insert(id, label);
            })?;
        }
        Ok(with_label(created, &self.storage.labels(account)?))
    }

    pub async fn act(&self, account: &str, id: &str, action: Action) -> Result<()> {
        check_workspace_id(id)?;
        let p = self.provider(account).await?;
        match action {
            Action::Start => p.start(id).await,
            Action::Stop => p.stop(id).await,
            Action::Delete => {
                p.delete(id).await?;
                self.forget_ssh_hosts(account, id);
                self.storage.update_labels(|l| {
                    if let Some(m) = l.get_mut(account) {
                        m.remove(id);
                    }
                })
            }
            Action::Update => Err(Error::usage("update takes values; use `update`")),
        }
    }

    pub async fn update_form(&self, account: &str, id: &str) -> Result<Form> {
        check_workspace_id(id)?;
        self.provider(account).await?.update_form(id).await
    }

    pub async fn update(&self, account: &str, id: &str, input: &BTreeMap<String, String>) -> Result<()> {
        check_workspace_id(id)?;
        let p = self.provider(account).await?;
        let form = p.update_form(id).await?;
        let values = form.validate(input)?;
        p.update(id, &values).await
    }

    /// Polls one workspace until `done` holds, it errors, or `timeout` passes. A workspace that
    /// disappears counts as `Deleted`.
    pub async fn wait(
        &self,
        account: &str,
        id: &str,
        done: impl Fn(WorkspaceState) -> bool,
        timeout: Duration,
        interval: Duration,
    ) -> Result<Workspace> {
        check_workspace_id(id)?;
        let provider = self.account(account)?.provider;
        let deadline = Instant::now() + timeout;
        loop {
            let current = match self.get(account, id).await {
                Err(Error::NotFound(_)) if done(WorkspaceState::Deleted) => return Ok(gone(account, provider, id)),
                other => other?,
            };
            if done(current.state) {
                return Ok(current);
            }
            if current.state == WorkspaceState::Errored {
                let why = current.error.clone().unwrap_or_else(|| current.raw_state.clone());
                return Err(Error::Conflict(format!("workspace '{}' errored: {why}", current.name)));
            }
            if Instant::now() >= deadline {
                return Err(Error::Unavailable(format!(
                    "workspace '{}' is still {} after {} s",
                    current.name,
                    current.state,
                    timeout.as_secs()
                )));
            }
            tokio::time::sleep(interval).await;
        }
    }

    /// The link of one kind for a workspace, or why there is none.
    pub async fn link(&self, account: &str, id: &str, kind: LinkKind) -> Result<Link> {
        link_of(&self.get(account, id).await?, kind)
    }
}

/// An account as an edit would leave it.
struct Edit {
    info: ProviderInfo,
    account: Account,
    /// Its credentials would go to another origin than before.
    moved: bool,
}

fn check_credentials(info: &ProviderInfo, credentials: &Credentials) -> Result<()> {
    for field in info.credential_fields.iter().filter(|f| f.required) {
        if credentials.get(&field.key).is_none() {
            return Err(Error::invalid(&field.key, format!("{} is required", field.label)));
        }
    }
    Ok(())
}

/// Every origin an account's credentials are sent to: its API (its base URL or the provider's
/// default) and any sign-in service an option names (`auth_url`).
fn credential_origins(account: &Account, info: &ProviderInfo) -> Vec<String> {
    let api = account.base_url.as_deref().or(info.default_base_url.as_deref());
    let options = account.options.iter().filter(|(k, _)| k.ends_with("url")).map(|(_, v)| v.as_str());
    api.into_iter()
        .chain(options)
        .map(|u| match url::Url::parse(u.trim()) {
            Ok(url) => url.origin().ascii_serialization(),
            Err(_) => u.trim().to_string(),
        })
        .collect()
}

fn link_of(w: &Workspace, kind: LinkKind) -> Result<Link> {
    w.links.iter().find(|l| l.kind == kind).cloned().ok_or_else(|| {
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

impl Hangar {
    /// The link to hand to the OS opener, with what it needs set up first: an IDE link
    /// through an SSH alias gets its host block (and key) in Hangar's managed SSH config, and
    /// the user's `~/.ssh/config` the `Include` line if they allowed it (settings.ssh_include).
    pub async fn open(&self, account: &str, id: &str, kind: LinkKind) -> Result<Link> {
        let w = self.get(account, id).await?;
        let link = link_of(&w, kind)?;
        let Some(alias) = link.ssh_alias.clone() else { return Ok(link) };
        let Some(config_dir) = self.storage.paths().map(|p| p.config.clone()) else {
            return Err(Error::Unsupported(
                "the demo clouds run no SSH servers; add a real account to open its workspaces in an IDE".into(),
            ));
        };
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
        let provider = self.provider(account).await?;
        let host = provider.ssh_host(id).await.map_err(|e| e.context(&format!("account '{account}'")))?;
        // Only a tunnelled host needs hangarctl; a direct one (exalsius) opens without it.
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
        ssh.write_host(&alias, &host, tunnel.as_ref(), &owner)?;
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

    /// A deleted workspace's host aliases and keys go with it; failing to remove them is only
    /// worth a warning (the workspace is gone either way).
    fn forget_ssh_hosts(&self, account: &str, id: &str) {
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
    fn prune_ssh_hosts(&self, account: &str, listed: Option<&[Workspace]>) {
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

fn link_kind_name(k: LinkKind) -> &'static str {
    match k {
        LinkKind::Browser => "browser",
        LinkKind::Vscode => "vscode",
        LinkKind::Cursor => "cursor",
        LinkKind::Jetbrains => "jetbrains",
        LinkKind::Ssh => "ssh",
    }
}

fn gone(account: &str, provider: ProviderId, id: &str) -> Workspace {
    Workspace {
        account: account.into(),
        provider,
        id: id.into(),
        name: id.into(),
        state: WorkspaceState::Deleted,
        raw_state: "deleted".into(),
        hardware: Default::default(),
        created_at: None,
        links: vec![],
        actions: vec![],
        details: Default::default(),
        error: None,
    }
}

/// A local label goes first; the vendor's own labelling stays beside it.
fn with_label(mut w: Workspace, labels: &BTreeMap<String, String>) -> Workspace {
    if let Some(label) = labels.get(&w.id) {
        let label: String = label.chars().take(MAX_TEXT_LEN).collect();
        w.details.insert("provider label".into(), w.name.clone());
        w.name = format!("{label} ({})", w.name);
    }
    w
}
