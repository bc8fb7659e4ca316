//! Edit, then replay: the request goes into a temporary file, the user's editor opens it
//! (`$VISUAL`, else `$EDITOR`, else `vi`), and what was saved is read back. The caller hands
//! the terminal over first and takes it back after.

use std::io::Write;
use std::process::Command;
use std::time::SystemTime;

/// What the editor left.
#[derive(Debug, PartialEq, Eq)]
pub enum Edited {
    Saved(Vec<u8>),
    /// The file was not written: quit without saving.
    NotSaved,
}

/// The editor command as the user set it; may carry arguments (`code --wait`).
pub fn editor_command() -> String {
    ["VISUAL", "EDITOR"]
        .into_iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.trim().is_empty())
        .unwrap_or_else(|| "vi".to_owned())
}

/// Opens `text` in `editor` and waits for it to exit. Runs through `sh`, so an editor
/// given with arguments works as it does in git.
pub fn edit(text: &[u8], editor: &str) -> Result<Edited, String> {
    let mut file = tempfile::Builder::new()
        .prefix("hookscope-request-")
        .suffix(".http")
        .tempfile()
        .map_err(|e| format!("cannot create a file to edit: {e}"))?;
    file.write_all(text)
        .and_then(|()| file.flush())
        .map_err(|e| format!("cannot write the file to edit: {e}"))?;
    let path = file.path().to_owned();
    let written_at = modified(&path);
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&path)
        .status()
        .map_err(|e| format!("cannot start the editor ({editor}): {e}"))?;
    if !status.success() {
        return Err(format!(
            "the editor ({editor}) exited with {status}; nothing was sent"
        ));
    }
    if modified(&path) == written_at {
        return Ok(Edited::NotSaved);
    }
    let saved = std::fs::read(&path).map_err(|e| format!("cannot read the edited file: {e}"))?;
    Ok(Edited::Saved(without_added_newline(text, saved)))
}

fn modified(path: &std::path::Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Editors end a file with a newline. When the text given had none, the one the editor
/// added is not part of the body.
fn without_added_newline(original: &[u8], mut saved: Vec<u8>) -> Vec<u8> {
    if !original.ends_with(b"\n") && saved.ends_with(b"\n") {
        saved.pop();
        if saved.ends_with(b"\r") && !original.ends_with(b"\r") {
            saved.pop();
        }
    }
    saved
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(body: &str) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("editor.sh");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        (dir, format!("sh {}", path.display()))
    }

    #[test]
    fn a_saved_edit_is_read_back_without_the_newline_the_editor_added() {
        // Sleeps past the file system's timestamp granularity before writing.
        let (_dir, editor) =
            script("sleep 0.02; sed -i 's/ok/changed/' \"$1\"; printf '\\n' >> \"$1\"");
        let edited = edit(b"POST / HTTP/1.1\r\n\r\n{\"ok\":1}", &editor).unwrap();
        assert_eq!(
            edited,
            Edited::Saved(b"POST / HTTP/1.1\r\n\r\n{\"changed\":1}".to_vec())
        );
    }

    #[test]
    fn quitting_without_saving_is_not_an_edit() {
        let (_dir, editor) = script("true");
        assert_eq!(
            edit(b"GET / HTTP/1.1\r\n\r\n", &editor).unwrap(),
            Edited::NotSaved
        );
    }

    #[test]
    fn an_editor_that_fails_says_so() {
        let (_dir, editor) = script("exit 3");
        let error = edit(b"x", &editor).unwrap_err();
        assert!(
            error.contains("exited") && error.contains("nothing was sent"),
            "{error}"
        );
    }
}
