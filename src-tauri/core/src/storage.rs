//! Files Hangar keeps: the account list and local labels in the config dir, the last known
//! workspaces in the cache dir. Never a secret. Every write goes to a temp file of its own
//! first and is renamed into place, so a crash leaves the old file or the new one, never half
//! of one. Files are the user's alone (0600, in 0700 directories): they name the user's
//! accounts and workspaces.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
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

/// The account list and labels: on disk for a real profile, in memory for demo mode.
pub struct Storage {
    paths: Option<Paths>,
    memory: Mutex<(AccountsFile, Labels)>,
    settings: Mutex<Settings>,
}

impl Storage {
    pub fn on_disk(paths: Paths) -> Storage {
        Storage { paths: Some(paths), memory: Mutex::default(), settings: Mutex::default() }
    }

    pub fn in_memory() -> Storage {
        Storage { paths: None, memory: Mutex::default(), settings: Mutex::default() }
    }

    pub fn paths(&self) -> Option<&Paths> {
        self.paths.as_ref()
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, (AccountsFile, Labels)>> {
        self.memory.lock().map_err(|_| Error::Internal("storage lock poisoned".into()))
    }

    pub fn accounts(&self) -> Result<Vec<Account>> {
        match &self.paths {
            Some(p) => Ok(read_json::<AccountsFile>(&p.config.join("accounts.json"))?.accounts),
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
                let mut file: AccountsFile = read_json(&path)?;
                change(&mut file.accounts)?;
                write_json(&path, &file)
            }
            None => change(&mut self.lock()?.0.accounts),
        }
    }

    pub fn labels(&self, account: &str) -> Result<BTreeMap<String, String>> {
        let all: Labels = match &self.paths {
            Some(p) => read_json(&p.config.join("labels.json"))?,
            None => self.lock()?.1.clone(),
        };
        Ok(all.get(account).cloned().unwrap_or_default())
    }

    pub fn update_labels(&self, change: impl FnOnce(&mut Labels)) -> Result<()> {
        match &self.paths {
            Some(p) => {
                let _lock = lock_config(&p.config)?;
                let path = p.config.join("labels.json");
                let mut all: Labels = read_json(&path)?;
                change(&mut all);
                write_json(&path, &all)
            }
            None => {
                change(&mut self.lock()?.1);
                Ok(())
            }
        }
    }

    pub fn settings(&self) -> Settings {
        match &self.paths {
            Some(p) => read_json(&p.config.join("settings.json")).unwrap_or_default(),
            None => self.settings.lock().map(|s| s.clone()).unwrap_or_default(),
        }
    }

    pub fn save_settings(&self, settings: &Settings) -> Result<()> {
        match &self.paths {
            Some(p) => write_json(&p.config.join("settings.json"), settings),
            None => {
                *self.settings.lock().map_err(|_| Error::Internal("settings lock poisoned".into()))? = settings.clone();
                Ok(())
            }
        }
    }

    /// Last known workspaces, shown at launch before the first refresh answers.
    pub fn cached_workspaces(&self) -> Vec<Workspace> {
        self.paths.as_ref().and_then(|p| read_json(&p.cache.join("workspaces.json")).ok()).unwrap_or_default()
    }

    /// Keeps the last snapshot for the next launch, without links: a link may carry a
    /// workspace's own access token (Aether previews), and links come back with the first refresh.
    pub fn cache_workspaces(&self, workspaces: &[Workspace]) -> Result<()> {
        let Some(p) = &self.paths else { return Ok(()) };
        let without_links: Vec<Workspace> =
            workspaces.iter().map(|w| Workspace { links: Vec::new(), ..w.clone() }).collect();
        write_json(&p.cache.join("workspaces.json"), &without_links)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProviderId;

    #[test]
    fn accounts_round_trip_through_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::on_disk(Paths::resolve(Some(dir.path().into())).unwrap());
        s.update_accounts(|a| {
            a.push(Account {
                name: "a".into(),
                provider: ProviderId::Aether,
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
    fn the_cache_holds_no_links() {
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::on_disk(Paths::resolve(Some(dir.path().into())).unwrap());
        let w = Workspace {
            account: "a".into(),
            provider: ProviderId::Aether,
            id: "w".into(),
            name: "w".into(),
            state: crate::model::WorkspaceState::Running,
            raw_state: "running".into(),
            hardware: Default::default(),
            created_at: None,
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
