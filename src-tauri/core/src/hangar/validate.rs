//! The rules an account, a workspace name or id must meet before any call is made: one place,
//! used for a new account, an edited one and every verb that takes a name or id.

use crate::error::{Error, Result};
use crate::http::validate_base_url;
use crate::model::{Account, ProviderId, ProviderInfo};
use crate::provider;
use crate::secrets::Credentials;

pub const MAX_NAME_LEN: usize = 64;
const MAX_ID_LEN: usize = 256;

/// An account as it will be saved (base URL normalized), with what its provider declares.
pub(super) struct Valid {
    pub account: Account,
    pub info: ProviderInfo,
}

/// Checks an account's provider and base URL (a blank URL means the provider's default) and
/// normalizes the URL. Names are checked apart: an existing account keeps the name it has.
pub(super) fn validate(mut account: Account) -> Result<Valid> {
    let info = provider_info(account.provider)?;
    account.base_url = match account.base_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => Some(validate_base_url(url)?.to_string().trim_end_matches('/').to_string()),
        None if info.base_url_required => {
            return Err(Error::invalid(
                "base_url",
                format!("{} needs the base URL of your instance", info.display_name),
            ))
        }
        None => None,
    };
    Ok(Valid { account, info })
}

pub(super) fn provider_info(provider: ProviderId) -> Result<ProviderInfo> {
    provider::info(provider).ok_or_else(|| Error::Unsupported(format!("provider '{provider}' is not available")))
}

/// Every credential field the provider requires is filled.
pub(super) fn check_credentials(info: &ProviderInfo, credentials: &Credentials) -> Result<()> {
    for field in info.credential_fields.iter().filter(|f| f.required) {
        if credentials.get(&field.key).is_none() {
            return Err(Error::invalid(&field.key, format!("{} is required", field.label)));
        }
    }
    Ok(())
}

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
pub(super) fn check_account_name(name: &str) -> Result<()> {
    check_name("name", "account name", name)?;
    if name == "." || name == ".." || name.contains(['/', '\\']) || name.chars().any(char::is_whitespace) {
        return Err(Error::invalid(
            "name",
            format!("account name '{}' must not be '.' or '..' or hold '/', '\\' or spaces", name.escape_debug()),
        ));
    }
    Ok(())
}

/// A name that is looked up, never stored: refused only if it could not name an account at all.
pub(super) fn check_lookup_name(name: &str) -> Result<()> {
    if name.is_empty() || name == "." || name == ".." || name.contains('/') || name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "account",
            format!("account name '{}' is not a name Hangar accepts", name.escape_debug()),
        ));
    }
    Ok(())
}

pub(super) fn check_name(field: &str, what: &str, name: &str) -> Result<()> {
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

/// Every origin an account's credentials are sent to: its API (its base URL or the provider's
/// default) and any sign-in service an option names (`auth_url`).
pub(super) fn credential_origins(account: &Account, info: &ProviderInfo) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn account(provider: ProviderId, base_url: Option<&str>) -> Account {
        Account { name: "a".into(), provider, base_url: base_url.map(Into::into), options: Default::default() }
    }

    fn kinds(required: bool) -> Vec<ProviderId> {
        ProviderId::ALL.into_iter().filter(|p| provider_info(*p).unwrap().base_url_required == required).collect()
    }

    #[test]
    fn a_blank_base_url_is_the_default_unless_the_provider_needs_one() {
        for p in kinds(false) {
            assert_eq!(validate(account(p, Some("  "))).unwrap().account.base_url, None, "{p}");
        }
        for p in kinds(true) {
            let e = validate(account(p, Some(""))).err().unwrap();
            assert!(matches!(&e, Error::InvalidInput { field: Some(f), .. } if f == "base_url"), "{p}: {e:?}");
        }
    }

    #[test]
    fn a_base_url_is_checked_and_saved_without_its_trailing_slash() {
        let p = ProviderId::ALL[0];
        let v = validate(account(p, Some(" http://127.0.0.1:9/api/ "))).unwrap();
        assert_eq!(v.account.base_url.as_deref(), Some("http://127.0.0.1:9/api"));
        assert!(validate(account(p, Some("http://example.com"))).is_err(), "plain http off loopback is refused");
    }

    #[test]
    fn credentials_missing_a_required_field_name_it() {
        let info = provider_info(ProviderId::ALL[0]).unwrap();
        let required = info.credential_fields.iter().find(|f| f.required).unwrap();
        let e = check_credentials(&info, &Credentials::default()).unwrap_err();
        assert!(matches!(&e, Error::InvalidInput { field: Some(f), .. } if *f == required.key), "{e:?}");
    }
}
