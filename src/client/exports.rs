//! Export files on the user's machine: named by format and time, written 0600, never over
//! an existing file unless asked.

use std::path::Path;

use super::outbox::write_private;
use crate::wire::ExportFormat;

/// The default file name: the format's extension, stamped with the local time.
pub fn default_name(format: ExportFormat, now: chrono::DateTime<chrono::Local>) -> String {
    let extension = match format {
        ExportFormat::Csv => "csv",
        ExportFormat::Json => "json",
    };
    format!("cims-export-{}.{extension}", now.format("%Y%m%d-%H%M%S"))
}

pub fn refuse_existing(path: &Path, force: bool) -> Result<(), String> {
    if !force && path.exists() {
        return Err(format!(
            "{} exists: choose another --out, or add --force to replace it",
            path.display()
        ));
    }
    Ok(())
}

/// Write an export where it was asked for, 0600, never over an existing file unless
/// `force`. Returns what was written, for the user.
pub fn save(path: &Path, bytes: &[u8], rows: usize, force: bool) -> Result<String, String> {
    refuse_existing(path, force)?;
    write_private(path, bytes).map_err(|e| format!("writing {}: {e}", path.display()))?;
    Ok(format!(
        "{rows} row{} written to {} (0600: only you can read it)",
        if rows == 1 { "" } else { "s" },
        path.display()
    ))
}
