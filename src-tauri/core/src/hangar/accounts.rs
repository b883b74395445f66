//! Accounts: the list in the config, added after one authenticated call, edited without ever
//! sending stored credentials to another origin, removed with everything kept for them.

use std::collections::BTreeMap;

use super::validate::{check_account_name, check_credentials, check_lookup_name, credential_origins, validate, Valid};
use super::Hangar;
use crate::error::{Error, Result};
use crate::model::{Account, ProviderInfo};
use crate::secrets::Credentials;

/// An account as an edit would leave it.
struct Edit {
    info: ProviderInfo,
    account: Account,
    /// Its credentials would go to another origin than before.
    moved: bool,
}

impl Hangar {
    pub fn accounts(&self) -> Result<Vec<Account>> {
        self.storage.accounts()
    }

    pub fn account(&self, name: &str) -> Result<Account> {
        check_lookup_name(name)?;
        self.accounts()?
            .into_iter()
            .find(|a| a.name == name)
            .ok_or_else(|| Error::NotFound(format!("no account named '{name}'")))
    }

    /// Checks a new account's name, provider and base URL before anything else happens (a
    /// browser sign-in should not start for an account that could not be added).
    pub fn check_new_account(&self, account: &Account) -> Result<()> {
        self.new_account(account.clone()).map(|_| ())
    }

    fn new_account(&self, account: Account) -> Result<Valid> {
        check_account_name(&account.name)?;
        let valid = validate(account)?;
        if self.accounts()?.iter().any(|a| a.name == valid.account.name) {
            return Err(Error::Conflict(format!("an account named '{}' exists already", valid.account.name)));
        }
        Ok(valid)
    }

    /// Adds an account: checks input, makes one authenticated call (unless `verify` is false),
    /// then stores the credentials in the keyring and the account in the config. Nothing is
    /// stored when any step fails.
    pub async fn add_account(&self, account: Account, credentials: Credentials, verify: bool) -> Result<()> {
        let Valid { account, info } = self.new_account(account)?;
        check_credentials(&info, &credentials)?;
        // The account is not in the list, so a keyring entry under its name is an orphan (an
        // earlier add cut off before the list was written); it must not pass as renewed below.
        let _ = self.remove_secret(&account.name).await;
        let p = self.build(account.clone(), credentials.clone())?;
        let credentials = if verify {
            p.verify().await.map_err(|e| e.context(&format!("account '{}' was not added", account.name)))?;
            // The pasted credentials may be dead once the provider renewed them.
            self.renewed_or(&account.name, None, credentials).await
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
            let renewed = self.renewed_or(name, stored.as_ref(), checked_with).await;
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
        let Valid { account, info } = validate(Account { base_url, options, ..before.clone() })?;
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
}
