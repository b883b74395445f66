//! Credentials live only in the OS keyring (Secret Service, Keychain, Credential Manager).
//! One keyring item per account: service `hangar`, user = account name, secret = a JSON
//! object of the provider's credential fields. Nothing here ever writes a secret elsewhere.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Result};

/// A provider's credential fields. Each value is a [`SecretString`]: `Debug` never shows it,
/// and its memory is zeroed when the credentials are dropped.
#[derive(Clone, Default)]
pub struct Credentials(BTreeMap<String, SecretString>);

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys().map(|k| format!("{k}=<redacted>"))).finish()
    }
}

/// Same fields with the same values (a provider renewed them, or not).
impl PartialEq for Credentials {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self.0.iter().zip(&other.0).all(|((k, v), (ok, ov))| k == ok && v.expose_secret() == ov.expose_secret())
    }
}

impl Eq for Credentials {}

impl Credentials {
    pub fn single(key: &str, value: impl Into<String>) -> Self {
        Credentials(BTreeMap::from([(key.to_string(), SecretString::from(value.into()))]))
    }

    pub fn from_map(map: BTreeMap<String, String>) -> Self {
        Credentials(map.into_iter().map(|(k, v)| (k, SecretString::from(v))).collect())
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(ExposeSecret::expose_secret).filter(|v| !v.is_empty())
    }

    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.0.insert(key.to_string(), SecretString::from(value.into()));
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// Every secret value, for redaction of anything that could echo one back.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.0.values().map(ExposeSecret::expose_secret).filter(|v| !v.is_empty())
    }

    /// Parses what a user pipes in: one line (the provider's single secret) or a JSON object.
    pub fn parse_input(input: &str, single_field: &str) -> Result<Self> {
        let text = input.trim();
        if text.is_empty() {
            return Err(Error::usage("no credentials on standard input"));
        }
        if text.starts_with('{') {
            let map: BTreeMap<String, serde_json::Value> = serde_json::from_str(text).map_err(|e| {
                Error::usage(format!("credentials are not a valid JSON object ({})", e.classify_name()))
            })?;
            let mut out = BTreeMap::new();
            for (k, v) in map {
                match v {
                    serde_json::Value::String(s) => {
                        out.insert(k, s);
                    }
                    serde_json::Value::Null => {}
                    _ => return Err(Error::invalid(k, "credential fields must be strings")),
                }
            }
            return Ok(Credentials::from_map(out));
        }
        if text.lines().count() > 1 {
            return Err(Error::usage("credentials must be one line, or one JSON object"));
        }
        Ok(Credentials::single(single_field, text))
    }

    /// The keyring item's text; the caller drops it as soon as it is written.
    fn to_json(&self) -> SecretString {
        let plain: BTreeMap<&str, &str> = self.0.iter().map(|(k, v)| (k.as_str(), v.expose_secret())).collect();
        SecretString::from(serde_json::to_string(&plain).unwrap_or_default())
    }
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    // The serde message can quote the input, which is a secret; only its category is safe to show.
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "unexpected value",
            serde_json::error::Category::Eof => "unexpected end",
        }
    }
}

/// Where credentials are kept. Calls block (D-Bus round trips): call them off the async runtime.
pub trait SecretStore: Send + Sync {
    fn load(&self, account: &str) -> Result<Option<Credentials>>;
    fn save(&self, account: &str, creds: &Credentials) -> Result<()>;
    fn remove(&self, account: &str) -> Result<()>;
}

pub const KEYRING_SERVICE: &str = "hangar";

/// The OS keyring through the `keyring` crate. On Linux, reads first try one Secret Service
/// session kept for the life of the store (see `session_read`).
pub struct KeyringStore {
    service: String,
    #[cfg(target_os = "linux")]
    session: Mutex<Option<dbus_secret_service::SecretService>>,
}

impl Default for KeyringStore {
    fn default() -> Self {
        KeyringStore {
            service: KEYRING_SERVICE.to_string(),
            #[cfg(target_os = "linux")]
            session: Mutex::new(None),
        }
    }
}

impl KeyringStore {
    fn entry(&self, account: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, account).map_err(keyring_error)
    }
}

const KEYRING_HELP: &str = "Hangar keeps credentials only in the OS keyring. On Linux, run a Secret Service \
     provider (gnome-keyring or KeePassXC) in your desktop session and unlock it, then try again.";

fn keyring_error(e: keyring::Error) -> Error {
    let why = match &e {
        keyring::Error::NoStorageAccess(_) => "the keyring is locked or refused access",
        keyring::Error::PlatformFailure(_) => "no keyring service is available",
        keyring::Error::BadEncoding(_) => "the stored item is not readable",
        keyring::Error::TooLong(..) | keyring::Error::Invalid(..) => "the item name was refused",
        keyring::Error::Ambiguous(_) => "several items match this account",
        _ => "the keyring failed",
    };
    tracing::debug!(error = %e, "keyring failure");
    Error::SecretStore(format!("Secret store unavailable: {why}. {KEYRING_HELP}"))
}

#[cfg(target_os = "linux")]
impl KeyringStore {
    /// The `keyring` crate opens a new D-Bus connection and negotiates a new encrypted session
    /// (a Diffie-Hellman exchange) for every read: with a handful of accounts that is most of
    /// `hangarctl ls`. This reads the same item (the attributes `keyring` gives it) over one
    /// session kept open. It answers only the plain case, one unlocked item; anything else
    /// (no item, several, a locked one, any error) returns `None` and the read goes through
    /// `keyring`, which owns every other path: prompts, old items, error reporting.
    fn session_read(&self, account: &str) -> Option<String> {
        use dbus_secret_service::{EncryptionType, SecretService};
        let mut session = self.session.lock().ok()?;
        if session.is_none() {
            *session = SecretService::connect(EncryptionType::Dh).ok();
        }
        let read = read_one_unlocked(session.as_ref()?, &self.service, account);
        if read.is_err() {
            // The bus or the keyring went away: a new session next time.
            *session = None;
        }
        read.ok().flatten()
    }
}

#[cfg(target_os = "linux")]
fn read_one_unlocked(
    ss: &dbus_secret_service::SecretService,
    service: &str,
    account: &str,
) -> std::result::Result<Option<String>, dbus_secret_service::Error> {
    let attributes = HashMap::from([("target", "default"), ("service", service), ("username", account)]);
    let found = ss.search_items(attributes)?;
    match (found.unlocked.as_slice(), found.locked.is_empty()) {
        ([item], true) => Ok(String::from_utf8(item.get_secret()?).ok()),
        _ => Ok(None),
    }
}

impl SecretStore for KeyringStore {
    fn load(&self, account: &str) -> Result<Option<Credentials>> {
        #[cfg(target_os = "linux")]
        let text = self.session_read(account);
        #[cfg(not(target_os = "linux"))]
        let text: Option<String> = None;
        let text = match text {
            Some(text) => text,
            None => match self.entry(account)?.get_password() {
                Ok(text) => text,
                Err(keyring::Error::NoEntry) => return Ok(None),
                Err(e) => return Err(keyring_error(e)),
            },
        };
        let text = SecretString::from(text);
        let map: BTreeMap<String, String> = serde_json::from_str(text.expose_secret())
            .map_err(|_| Error::SecretStore(format!("the keyring item for '{account}' is not Hangar's")))?;
        Ok(Some(Credentials::from_map(map)))
    }

    fn save(&self, account: &str, creds: &Credentials) -> Result<()> {
        self.entry(account)?.set_password(creds.to_json().expose_secret()).map_err(keyring_error)
    }

    fn remove(&self, account: &str) -> Result<()> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }
}

/// Demo mode's store: the demo clouds' tokens are made up at start and die with the process.
#[derive(Default)]
pub struct MemoryStore(Mutex<HashMap<String, Credentials>>);

impl SecretStore for MemoryStore {
    fn load(&self, account: &str) -> Result<Option<Credentials>> {
        Ok(self.0.lock().map_err(|_| poisoned())?.get(account).cloned())
    }

    fn save(&self, account: &str, creds: &Credentials) -> Result<()> {
        self.0.lock().map_err(|_| poisoned())?.insert(account.to_string(), creds.clone());
        Ok(())
    }

    fn remove(&self, account: &str) -> Result<()> {
        self.0.lock().map_err(|_| poisoned())?.remove(account);
        Ok(())
    }
}

fn poisoned() -> Error {
    Error::Internal("secret store lock poisoned".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_a_value() {
        let c = Credentials::single("token", "tok-very-secret");
        assert!(!format!("{c:?}").contains("tok-very-secret"));
    }

    #[test]
    fn equal_means_the_same_fields_and_values() {
        let a = Credentials::from_map(BTreeMap::from([("k".into(), "v".into()), ("x".into(), "y".into())]));
        let mut b = a.clone();
        assert_eq!(a, b);
        b.set("x", "z");
        assert_ne!(a, b);
        assert_ne!(a, Credentials::single("k", "v"));
        assert_eq!(a.to_json().expose_secret(), r#"{"k":"v","x":"y"}"#);
    }

    #[test]
    fn parse_input_takes_a_line_or_json() {
        assert_eq!(Credentials::parse_input("abc\n", "token").unwrap().get("token"), Some("abc"));
        let c = Credentials::parse_input(r#"{"api_key":"k","email":"e"}"#, "token").unwrap();
        assert_eq!(c.get("api_key"), Some("k"));
        assert!(Credentials::parse_input("", "token").is_err());
        let bad = Credentials::parse_input("{\"a\": sec-ret", "token").unwrap_err();
        assert!(!bad.to_string().contains("sec-ret"), "{bad}");
    }
}
