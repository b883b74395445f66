//! Files Hangar keeps: the account list and local labels in the config dir, the last known
//! workspaces in the cache dir. Never a secret. Every write goes to a temp file of its own
//! first and is renamed into place, so a crash leaves the old file or the new one, never half
//! of one. Files are the user's alone (0600, in 0700 directories): they name the user's
//! accounts and workspaces.
//!
//! The account list and labels are read again only when their file changed on disk (another
//! process, `hangarctl`, may change them), so a poll that changed nothing reads no file; the
//! storage counts what it reads and writes so a test can hold it to that.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::SystemTime;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::history::ledger::Ledger;
use crate::model::{Account, Workspace};
use crate::settings::Settings;

#[derive(Debug, Clone)]
pub struct Paths {
    pub config: PathBuf,
    pub cache: PathBuf,
}

impl Paths {
    /// `--config-dir` / `$HANGAR_CONFIG_DIR` (cache beneath it), else the platform's dirs.
    pub fn resolve(explicit: Option<PathBuf>) -> Result<Paths> {
        if let Some(dir) = explicit.or_else(|| std::env::var_os("HANGAR_CONFIG_DIR").map(PathBuf::from)) {
            return Ok(Paths { cache: dir.join("cache"), config: dir });
        }
        let config = dirs::config_dir().ok_or_else(|| Error::Internal("no config directory on this system".into()))?;
        let cache = dirs::cache_dir().unwrap_or_else(|| config.clone());
        Ok(Paths { config: config.join("hangar"), cache: cache.join("hangar") })
    }
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct AccountsFile {
    accounts: Vec<Account>,
}

/// Labels a user gave workspaces of providers that have no names: account → id → label.
type Labels = BTreeMap<String, BTreeMap<String, String>>;

/// Files read and written since the storage was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileCounts {
    pub reads: u64,
    pub writes: u64,
}

/// What identifies one version of a file: every write replaces it (a rename), so a new
/// version has a new inode as well as a new time.
#[derive(Debug, Clone, PartialEq)]
struct Version {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

fn version_of(path: &Path) -> Option<Version> {
    let m = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let inode = 0;
    Some(Version { modified: m.modified().ok(), len: m.len(), inode })
}

/// A file's parsed content, kept while the file is unchanged.
struct Cached<T> {
    version: Option<Version>,
    value: T,
}

/// The account list and labels: on disk for a real profile, in memory for demo mode.
pub struct Storage {
    paths: Option<Paths>,
    memory: Mutex<(AccountsFile, Labels)>,
    settings: Mutex<Settings>,
    accounts_file: Mutex<Option<Cached<AccountsFile>>>,
    labels_file: Mutex<Option<Cached<Labels>>>,
    ledger_file: Mutex<Option<Cached<Ledger>>>,
    settings_file: Mutex<Option<Cached<Settings>>>,
    ledger_memory: Mutex<Ledger>,
    /// The workspace ids each account listed last (files derived from them change only with them).
    listed: Mutex<BTreeMap<String, Vec<String>>>,
    reads: AtomicU64,
    writes: AtomicU64,
}

impl Storage {
    pub fn on_disk(paths: Paths) -> Storage {
        Storage { paths: Some(paths), ..Storage::in_memory() }
    }

    pub fn in_memory() -> Storage {
        Storage {
            paths: None,
            memory: Mutex::default(),
            settings: Mutex::default(),
            accounts_file: Mutex::default(),
            labels_file: Mutex::default(),
            ledger_file: Mutex::default(),
            settings_file: Mutex::default(),
            ledger_memory: Mutex::default(),
            listed: Mutex::default(),
            reads: AtomicU64::new(0),
            writes: AtomicU64::new(0),
        }
    }

    /// How many files this storage read and wrote so far.
    pub fn file_counts(&self) -> FileCounts {
        FileCounts { reads: self.reads.load(Ordering::Relaxed), writes: self.writes.load(Ordering::Relaxed) }
    }

    /// Records the ids an account just listed; true when they differ from the last listing.
    pub fn listed_changed(&self, account: &str, ids: Vec<String>) -> bool {
        let mut listed = self.listed.lock().unwrap_or_else(|p| p.into_inner());
        if listed.get(account) == Some(&ids) {
            return false;
        }
        listed.insert(account.to_string(), ids);
        true
    }

    /// Forgets what an account listed (it was removed or signed out).
    pub fn forget_listed(&self, account: &str) {
        self.listed.lock().unwrap_or_else(|p| p.into_inner()).remove(account);
    }

    fn read<T: DeserializeOwned + Default>(&self, path: &Path) -> Result<T> {
        let value = read_json(path);
        if path.exists() {
            self.reads.fetch_add(1, Ordering::Relaxed);
        }
        value
    }

    fn write<T: Serialize>(&self, path: &Path, value: &T) -> Result<()> {
        self.writes.fetch_add(1, Ordering::Relaxed);
        write_json(path, value)
    }

    /// A file's content, read again only when the file changed since the last read.
    fn read_cached<T: DeserializeOwned + Default + Clone>(
        &self,
        path: &Path,
        cache: &Mutex<Option<Cached<T>>>,
    ) -> Result<T> {
        let version = version_of(path);
        let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.as_ref().filter(|c| c.version == version) {
            return Ok(c.value.clone());
        }
        let value: T = self.read(path)?;
        *cache = Some(Cached { version, value: value.clone() });
        Ok(value)
    }

    pub fn paths(&self) -> Option<&Paths> {
        self.paths.as_ref()
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, (AccountsFile, Labels)>> {
        self.memory.lock().map_err(|_| Error::Internal("storage lock poisoned".into()))
    }

    pub fn accounts(&self) -> Result<Vec<Account>> {
        match &self.paths {
            Some(p) => Ok(self.read_cached(&p.config.join("accounts.json"), &self.accounts_file)?.accounts),
            None => Ok(self.lock()?.0.accounts.clone()),
        }
    }

    /// Read-modify-write of the account list; re-reads the file so another process's change
    /// made since our last read is kept.
    pub fn update_accounts(&self, change: impl FnOnce(&mut Vec<Account>) -> Result<()>) -> Result<()> {
        match &self.paths {
            Some(p) => {
                let _lock = lock_config(&p.config)?;
                let path = p.config.join("accounts.json");
                let mut file: AccountsFile = self.read(&path)?;
                change(&mut file.accounts)?;
                self.write(&path, &file)
            }
            None => change(&mut self.lock()?.0.accounts),
        }
    }

    pub fn labels(&self, account: &str) -> Result<BTreeMap<String, String>> {
        let all: Labels = match &self.paths {
            Some(p) => self.read_cached(&p.config.join("labels.json"), &self.labels_file)?,
            None => self.lock()?.1.clone(),
        };
        Ok(all.get(account).cloned().unwrap_or_default())
    }

    pub fn update_labels(&self, change: impl FnOnce(&mut Labels)) -> Result<()> {
        match &self.paths {
            Some(p) => {
                let _lock = lock_config(&p.config)?;
                let path = p.config.join("labels.json");
                let mut all: Labels = self.read(&path)?;
                change(&mut all);
                self.write(&path, &all)
            }
            None => {
                change(&mut self.lock()?.1);
                Ok(())
            }
        }
    }

    /// What Hangar has seen of each workspace (`history`): read again only when the file changed.
    /// A file that does not parse (a disk fault, an edit) is set aside, not fatal.
    pub fn ledger(&self) -> Ledger {
        match &self.paths {
            Some(p) => {
                let path = p.config.join(LEDGER_FILE);
                self.read_cached(&path, &self.ledger_file).unwrap_or_else(|e| set_aside(&path, &e))
            }
            None => self.ledger_memory.lock().map(|l| l.clone()).unwrap_or_default(),
        }
    }

    /// Read-modify-write of the ledger under the config lock (the app and `hangarctl` both keep
    /// it); written only when `change` says it changed. Returns the ledger as it now is.
    pub fn update_ledger(&self, change: impl FnOnce(&mut Ledger) -> bool) -> Result<Ledger> {
        match &self.paths {
            Some(p) => {
                let _lock = lock_config(&p.config)?;
                let path = p.config.join(LEDGER_FILE);
                let mut ledger: Ledger = self.read(&path).unwrap_or_else(|e| set_aside(&path, &e));
                if change(&mut ledger) {
                    self.write(&path, &ledger)?;
                }
                Ok(ledger)
            }
            None => {
                let mut l = self.ledger_memory.lock().map_err(|_| Error::Internal("ledger lock poisoned".into()))?;
                change(&mut l);
                Ok(l.clone())
            }
        }
    }

    pub fn settings(&self) -> Settings {
        match &self.paths {
            // Every listing prices with the rate table: read again only when the file changed.
            Some(p) => self.read_cached(&p.config.join("settings.json"), &self.settings_file).unwrap_or_default(),
            None => self.settings.lock().map(|s| s.clone()).unwrap_or_default(),
        }
    }

    pub fn save_settings(&self, settings: &Settings) -> Result<()> {
        match &self.paths {
            Some(p) => self.write(&p.config.join("settings.json"), settings),
            None => {
                *self.settings.lock().map_err(|_| Error::Internal("settings lock poisoned".into()))? = settings.clone();
                Ok(())
            }
        }
    }

    /// Last known workspaces, shown at launch before the first refresh answers.
    pub fn cached_workspaces(&self) -> Vec<Workspace> {
        self.paths.as_ref().and_then(|p| self.read(&p.cache.join("workspaces.json")).ok()).unwrap_or_default()
    }

    /// Keeps the last snapshot for the next launch, without links: a link may carry a
    /// workspace's own access token (some vendors' previews), and links come back with the first refresh.
    pub fn cache_workspaces(&self, workspaces: &[Workspace]) -> Result<()> {
        let Some(p) = &self.paths else { return Ok(()) };
        let without_links: Vec<Workspace> =
            workspaces.iter().map(|w| Workspace { links: Vec::new(), ..w.clone() }).collect();
        self.write(&p.cache.join("workspaces.json"), &without_links)
    }
}

const LEDGER_FILE: &str = "history.json";

/// Moves a file that does not parse out of the way (kept beside it for whoever wants to look)
/// and starts over.
fn set_aside<T: Default>(path: &Path, e: &Error) -> T {
    let aside = path.with_extension(format!("json.bad-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S")));
    tracing::warn!(code = e.code(), file = %path.display(), "unreadable; set aside, starting over");
    let _ = std::fs::rename(path, aside);
    T::default()
}

/// Holds the config dir's lock file while a read-modify-write runs, so the app and
/// `hangarctl` changing accounts at the same time never lose each other's change.
fn lock_config(dir: &Path) -> Result<std::fs::File> {
    crate::platform::make_private_dir(dir)?;
    let file =
        crate::platform::private_file_options().create(true).truncate(false).write(true).open(dir.join(".lock"))?;
    file.lock().map_err(|e| Error::Internal(format!("cannot lock {}: {e}", dir.display())))?;
    Ok(file)
}

fn read_json<T: DeserializeOwned + Default>(path: &Path) -> Result<T> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| Error::Internal(format!("{} is not valid ({e}); fix or remove it", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(Error::Internal(format!("cannot read {}: {e}", path.display()))),
    }
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(value).map_err(|e| Error::Internal(format!("serialize: {e}")))?;
    write_atomic(path, &bytes)
}

/// Writes a whole file or nothing: a temp file of its own (random name, 0600, so two writers
/// in one process never share one), synced, then renamed over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().ok_or_else(|| Error::Internal(format!("{} has no parent", path.display())))?;
    crate::platform::make_private_dir(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let mut tmp = tempfile::Builder::new().prefix(&format!(".{name}.")).suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| Error::Internal(format!("cannot write {}: {}", path.display(), e.error)))?;
    Ok(())
}

/// Budget alerts already raised (`budget_alerts.json` beside the settings), so a restart
/// does not raise them again; demo mode keeps them in the Node only.
impl Storage {
    pub fn budget_alerts(&self) -> crate::budget::Alerted {
        self.paths.as_ref().and_then(|p| self.read(&p.config.join("budget_alerts.json")).ok()).unwrap_or_default()
    }

    pub fn save_budget_alerts(&self, alerted: &crate::budget::Alerted) -> Result<()> {
        match &self.paths {
            Some(p) => self.write(&p.config.join("budget_alerts.json"), alerted),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProviderId;

    /// The ledger survives a kill -9 mid-write (the temp file it left is ignored) and a file
    /// that does not parse is set aside, not fatal.
    #[test]
    fn the_ledger_survives_a_torn_write_and_sets_a_bad_file_aside() {
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::on_disk(Paths::resolve(Some(dir.path().into())).unwrap());
        let at = chrono::Utc::now();
        s.update_ledger(|l| {
            l.caused("a", "w", crate::history::Cause::Tray, at);
            true
        })
        .unwrap();
        let file = dir.path().join(LEDGER_FILE);
        #[cfg(unix)]
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&file).unwrap().permissions()) & 0o777,
            0o600
        );
        // What a write killed before its rename leaves behind.
        std::fs::write(dir.path().join(".history.json.x1y2.tmp"), b"{\"workspaces\": {\"a/w\": {\"sta").unwrap();
        let fresh = Storage::on_disk(Paths::resolve(Some(dir.path().into())).unwrap());
        assert!(fresh.ledger().record("a", "w").is_some_and(|r| r.cause.is_some()), "the last whole write is read");

        std::fs::write(&file, b"{\"workspaces\": {\"a/w\": {\"sta").unwrap();
        let after = Storage::on_disk(Paths::resolve(Some(dir.path().into())).unwrap());
        assert!(after.ledger().workspaces.is_empty(), "a torn file starts the ledger over");
        let aside = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("history.json.bad-"));
        assert!(aside, "and is kept aside for whoever wants to look");
        after
            .update_ledger(|l| {
                l.caused("a", "w", crate::history::Cause::You, at);
                true
            })
            .unwrap();
        assert!(after.ledger().record("a", "w").is_some(), "and recording goes on");
    }

    #[test]
    fn accounts_round_trip_through_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::on_disk(Paths::resolve(Some(dir.path().into())).unwrap());
        s.update_accounts(|a| {
            a.push(Account {
                name: "a".into(),
                provider: ProviderId::ALL[0],
                base_url: None,
                options: Default::default(),
            });
            Ok(())
        })
        .unwrap();
        let again = Storage::on_disk(Paths::resolve(Some(dir.path().into())).unwrap());
        assert_eq!(again.accounts().unwrap().len(), 1);
        assert!(dir.path().join("accounts.json").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn files_are_the_users_alone() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("hangar");
        let s = Storage::on_disk(Paths::resolve(Some(dir.clone())).unwrap());
        s.update_accounts(|_| Ok(())).unwrap();
        s.save_settings(&Settings::default()).unwrap();
        s.cache_workspaces(&[]).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        for file in ["accounts.json", "settings.json", ".lock", "cache/workspaces.json"] {
            assert_eq!(mode(&dir.join(file)), 0o600, "{file}");
        }
        for d in [dir.clone(), dir.join("cache")] {
            assert_eq!(mode(&d), 0o700, "{}", d.display());
        }
    }

    #[test]
    fn parallel_writes_in_one_process_never_share_a_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("workspaces.json");
        let writers: Vec<_> = (0..8)
            .map(|n| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let body = vec![b'a' + n; 256 * 1024];
                    for _ in 0..20 {
                        write_atomic(&path, &body).unwrap();
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        let last = std::fs::read(&path).unwrap();
        assert_eq!(last.len(), 256 * 1024, "a whole file, never two writes mixed");
        assert!(last.iter().all(|b| *b == last[0]), "one writer's bytes only");
    }

    #[test]
    fn the_account_list_is_read_again_only_when_its_file_changed() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::resolve(Some(dir.path().into())).unwrap();
        let s = Storage::on_disk(paths.clone());
        let other = Storage::on_disk(paths);
        s.update_accounts(|_| Ok(())).unwrap();
        s.accounts().unwrap();
        let before = s.file_counts();
        for _ in 0..5 {
            s.accounts().unwrap();
            s.labels("a").unwrap();
        }
        assert_eq!(s.file_counts().reads, before.reads, "nothing changed on disk: nothing read");
        other
            .update_accounts(|a| {
                a.push(Account {
                    name: "b".into(),
                    provider: ProviderId::ALL[0],
                    base_url: None,
                    options: Default::default(),
                });
                Ok(())
            })
            .unwrap();
        assert_eq!(s.accounts().unwrap().len(), 1, "another process's change is seen");
    }

    #[test]
    fn the_cache_holds_no_links() {
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::on_disk(Paths::resolve(Some(dir.path().into())).unwrap());
        let w = Workspace {
            account: "a".into(),
            provider: ProviderId::ALL[0],
            id: "w".into(),
            name: "w".into(),
            state: crate::model::WorkspaceState::Running,
            raw_state: "running".into(),
            hardware: Default::default(),
            created_at: None,
            started_at: None,
            cost: Default::default(),
            links: vec![crate::model::Link {
                kind: crate::model::LinkKind::Browser,
                url: "https://3000-abcd1234-ptk0secret0token0abcdefghijklmnop.preview.example".into(),
                label: None,
                ssh_alias: None,
            }],
            actions: vec![],
            details: Default::default(),
            error: None,
        };
        s.cache_workspaces(&[w]).unwrap();
        let text = std::fs::read_to_string(dir.path().join("cache/workspaces.json")).unwrap();
        assert!(!text.contains("ptk0secret"), "{text}");
        assert_eq!(s.cached_workspaces().len(), 1);
    }
}

#[cfg(test)]
mod budget_alert_tests {
    use super::*;
    use crate::budget::{Alert, Alerted};

    #[test]
    fn budget_alerts_survive_a_restart_in_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::resolve(Some(dir.path().into())).unwrap();
        let alert = Alert { scope: "all".into(), unit: "USD".into(), period: "day:2026-12-04".into(), percent: 80 };
        let alerted = Alerted { alerts: [alert].into() };
        Storage::on_disk(paths.clone()).save_budget_alerts(&alerted).unwrap();
        assert_eq!(Storage::on_disk(paths).budget_alerts(), alerted);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("budget_alerts.json")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(Storage::in_memory().budget_alerts(), Alerted::default());
    }
}
