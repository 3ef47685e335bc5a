//! Where the bearer token lives: the `CIMS_TOKEN` environment variable first, else the file
//! `token` in the platform data directory, readable by its owner only (0600). A token file
//! that others can read is refused, with the fix, rather than used. The server address
//! given at login is kept beside it in `server` (not a secret).

use std::fs;
use std::path::{Path, PathBuf};

use super::outbox::write_private;

/// The environment variable that overrides the token file.
pub const TOKEN_ENV: &str = "CIMS_TOKEN";
/// The environment variable that overrides the saved server address.
pub const SERVER_ENV: &str = "CIMS_SERVER";
/// The server address when none is given or saved: where `cims serve` listens.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:8080";

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("no data directory could be found (is HOME set?); set {TOKEN_ENV} instead")]
    NoDataDir,
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the token file {} can be read by other users (mode {mode:03o}); it is not used. Fix it with `chmod 600 {}` (or log in again after deleting it)",
        path.display(),
        path.display()
    )]
    Exposed { path: PathBuf, mode: u32 },
    #[error("the token in {} is not valid: log in again with `cims login`", path.display())]
    Malformed { path: PathBuf },
}

/// The data directory (`~/.local/share/cims` on Linux).
pub fn data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("au", "cims", "cims").map(|d| d.data_dir().to_path_buf())
}

/// Where the token file is.
pub fn token_path() -> Result<PathBuf, SessionError> {
    data_dir()
        .map(|d| d.join("token"))
        .ok_or(SessionError::NoDataDir)
}

fn server_path() -> Result<PathBuf, SessionError> {
    data_dir()
        .map(|d| d.join("server"))
        .ok_or(SessionError::NoDataDir)
}

fn env_value(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The token to use: `CIMS_TOKEN` if set, else the token file's; `None` if neither.
pub fn load_token() -> Result<Option<String>, SessionError> {
    if let Some(token) = env_value(TOKEN_ENV) {
        return Ok(Some(token));
    }
    load_token_from(&token_path()?)
}

/// The token in the file at `path`; `None` if there is no file. A file others can read is
/// [`SessionError::Exposed`].
pub fn load_token_from(path: &Path) -> Result<Option<String>, SessionError> {
    let io = |source| SessionError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    check_private(path, &meta)?;
    let text = fs::read_to_string(path).map_err(io)?;
    let token = text.trim();
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(SessionError::Malformed {
            path: path.to_path_buf(),
        });
    }
    Ok(Some(token.to_string()))
}

/// Save `token` to the token file (0600); the file's path.
pub fn save_token(token: &str) -> Result<PathBuf, SessionError> {
    let path = token_path()?;
    save_token_to(&path, token)?;
    Ok(path)
}

/// Save `token` to `path` (0600), creating its directory (0700) if needed.
pub fn save_token_to(path: &Path, token: &str) -> Result<(), SessionError> {
    save_private(path, format!("{}\n", token.trim()).as_bytes())
}

/// Delete the token file; false if there was none.
pub fn clear_token() -> Result<bool, SessionError> {
    clear_token_at(&token_path()?)
}

/// Delete the token file at `path`; false if there was none.
pub fn clear_token_at(path: &Path) -> Result<bool, SessionError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(SessionError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The server to talk to: `CIMS_SERVER` if set, else the one saved at login, else
/// [`DEFAULT_SERVER`].
pub fn load_server() -> String {
    env_value(SERVER_ENV)
        .or_else(|| {
            server_path()
                .ok()
                .and_then(|p| fs::read_to_string(p).ok())
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        })
        .unwrap_or_else(|| DEFAULT_SERVER.to_string())
}

/// Remember the server address for next time; the file's path.
pub fn save_server(server: &str) -> Result<PathBuf, SessionError> {
    let path = server_path()?;
    save_private(&path, format!("{}\n", server.trim()).as_bytes())?;
    Ok(path)
}

pub(crate) fn save_private(path: &Path, bytes: &[u8]) -> Result<(), SessionError> {
    let io = |source| SessionError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(dir).map_err(io)?;
    }
    write_private(path, bytes).map_err(io)
}

#[cfg(unix)]
fn check_private(path: &Path, meta: &fs::Metadata) -> Result<(), SessionError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(SessionError::Exposed {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _meta: &fs::Metadata) -> Result<(), SessionError> {
    Ok(())
}
