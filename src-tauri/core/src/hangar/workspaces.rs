//! Workspaces across accounts: listed in parallel (a failing account is reported, not fatal),
//! created after the provider's own form validated the input, acted on, waited for.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::validate::{check_name, check_workspace_id, provider_info};
use super::{Hangar, Listing};
use crate::error::{Error, Result};
use crate::form::{Form, MAX_TEXT_LEN};
use crate::history::Cause;
use crate::model::{Account, Action, ProviderId, Workspace, WorkspaceState};

impl Hangar {
    /// Lists every account (or one) in parallel; a failing account is reported, not fatal.
    pub async fn list(&self, only: Option<&str>) -> Result<Listing> {
        let accounts: Vec<Account> = match only {
            Some(name) => vec![self.account(name)?],
            None => self.accounts()?,
        };
        let tasks = accounts.into_iter().map(|a| async move {
            let r = async { self.provider(&a.name).await?.list().await }.await;
            (a.name, r)
        });
        let mut out = Listing::default();
        let rates = self.storage.settings().rates;
        for (name, r) in futures::future::join_all(tasks).await {
            match r {
                Ok(ws) => {
                    // Host blocks change only with the list of ids: an unchanged list reads no file.
                    let mut ids: Vec<String> = ws.iter().map(|w| w.id.clone()).collect();
                    ids.sort_unstable();
                    if self.storage.listed_changed(&name, ids) {
                        self.prune_ssh_hosts(&name, Some(&ws));
                    }
                    let labels = self.storage.labels(&name).unwrap_or_default();
                    let mut ws: Vec<Workspace> = ws.into_iter().map(|w| with_label(w, &labels)).collect();
                    // Priced before it is recorded: the ledger keeps the rate each run ran at.
                    crate::cost::price(&mut ws, &rates);
                    self.record_listing(&name, &mut ws);
                    out.workspaces.extend(ws);
                }
                Err(e) => out.failures.push((name, e)),
            }
        }
        Ok(out)
    }

    pub async fn get(&self, account: &str, id: &str) -> Result<Workspace> {
        check_workspace_id(id)?;
        let w = self.provider(account).await?.get(id).await?;
        let mut one = [with_label(w, &self.storage.labels(account)?)];
        // Priced before it is recorded: the ledger keeps the rate each run ran at.
        crate::cost::price(&mut one, &self.storage.settings().rates);
        self.record_one(account, &mut one);
        let [w] = one;
        Ok(w)
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
        self.record_cause(account, &created.id, Cause::You);
        let has_names = provider_info(acct.provider).map(|i| i.has_names).unwrap_or(true);
        if !has_names {
            let (id, label) = (created.id.clone(), name.trim().to_string());
            self.storage.update_labels(|l| {
                l.entry(account.to_string()).or_default().insert(id, label);
            })?;
        }
        Ok(with_label(created, &self.storage.labels(account)?))
    }

    /// An action the user asked for (`hangarctl`); see [`Hangar::act_for`].
    pub async fn act(&self, account: &str, id: &str, action: Action) -> Result<()> {
        self.act_for(Cause::You, account, id, action).await
    }

    /// An action on behalf of `cause`, whom the timeline will name for what follows.
    pub async fn act_for(&self, cause: Cause, account: &str, id: &str, action: Action) -> Result<()> {
        check_workspace_id(id)?;
        let p = self.provider(account).await?;
        self.record_cause(account, id, cause);
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
}

fn gone(account: &str, provider: ProviderId, id: &str) -> Workspace {
    Workspace::bare(account, provider, id, WorkspaceState::Deleted)
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
