//! Where hookscope keeps its files, following the XDG base directories on Linux (and the
//! platform's conventions elsewhere).

use std::path::PathBuf;

use directories::ProjectDirs;

fn project_dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "hookscope")
}

/// The store used when `--db` is not given: `$XDG_DATA_HOME/hookscope/captures.sqlite3`.
pub fn default_store() -> anyhow::Result<PathBuf> {
    project_dirs()
        .map(|dirs| dirs.data_dir().join("captures.sqlite3"))
        .ok_or_else(|| {
            anyhow::anyhow!("cannot find your home folder to keep the store in; pass --db PATH")
        })
}

/// Where the log file goes: `$XDG_STATE_HOME/hookscope/`.
pub fn log_dir() -> Option<PathBuf> {
    let dirs = project_dirs()?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .to_owned(),
    )
}

/// The interface's key bindings: `$XDG_CONFIG_HOME/hookscope/keymap.toml`.
pub fn keymap_file() -> Option<PathBuf> {
    Some(project_dirs()?.config_dir().join("keymap.toml"))
}

/// The settings file: `$XDG_CONFIG_HOME/hookscope/config.toml`, beside the keymap.
pub fn config_file() -> Option<PathBuf> {
    Some(project_dirs()?.config_dir().join("config.toml"))
}
