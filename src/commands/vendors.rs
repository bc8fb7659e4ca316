//! `hookscope vendors`: the vendors hookscope knows and where each came from; `check` loads
//! every definition and says what to change; `init` copies a shipped example into the
//! user's folder.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{CommandError, exit};
use crate::escape::{json_line, visible_line};
use crate::vendor::Vendor;
use crate::vendor::user::{self, UserVendor};

/// The examples shipped with hookscope: (name, definition, schema file name, schema).
pub const EXAMPLES: [(&str, &str, &str, &str); 2] = [
    (
        "github",
        include_str!("../../assets/vendors/github.toml"),
        "github.schema.json",
        include_str!("../../assets/vendors/github.schema.json"),
    ),
    (
        "stripe",
        include_str!("../../assets/vendors/stripe.toml"),
        "stripe.schema.json",
        include_str!("../../assets/vendors/stripe.schema.json"),
    ),
];

/// One line of `vendors --json`. Field names are a contract for scripts.
#[derive(Serialize)]
struct Listed<'a> {
    id: &'a str,
    name: &'a str,
    /// `built-in`, or the definition file.
    source: String,
    built_in: bool,
    schema: bool,
    /// The signature scheme, when one is configured.
    signature: Option<String>,
    /// Whether the secret to check signatures with can be read now (null without a scheme).
    secret: Option<bool>,
    #[serde(skip)]
    secret_hint: Option<String>,
}

pub fn list(json: bool) -> Result<(), CommandError> {
    let problems = user::load_installed();
    let mut out = std::io::stdout().lock();
    let mut rows = Vec::new();
    for vendor in Vendor::known() {
        let (source, schema, signature, secret, secret_hint) = match vendor {
            Vendor::User(id) => {
                let def = user::get(id);
                let (secret, hint) = secret_state(def);
                (
                    def.source.display().to_string(),
                    def.has_schema(),
                    signature_label(def),
                    secret,
                    hint,
                )
            }
            _ => ("built-in".to_owned(), true, None, None, None),
        };
        rows.push(Listed {
            id: vendor.id(),
            name: vendor.display_name(),
            source,
            built_in: vendor.is_built_in(),
            schema,
            signature,
            secret,
            secret_hint,
        });
    }
    let written = if json {
        rows.iter()
            .try_for_each(|row| writeln!(out, "{}", json_line(row)))
    } else {
        write_table(&mut out, &rows, problems.len())
    };
    super::ignore_broken_pipe(written.and_then(|()| out.flush()))?;
    for problem in problems {
        eprintln!("{}", visible_line(problem.to_string().as_bytes()));
    }
    Ok(())
}

fn write_table(
    out: &mut impl std::io::Write,
    rows: &[Listed],
    broken: usize,
) -> std::io::Result<()> {
    let checks: Vec<String> = rows.iter().map(checks_text).collect();
    let id_width = rows.iter().map(|r| r.id.len()).fold(2, usize::max);
    let name_width = rows
        .iter()
        .map(|r| r.name.chars().count())
        .fold(4, usize::max);
    let checks_width = checks.iter().map(|c| c.chars().count()).fold(6, usize::max);
    writeln!(
        out,
        "{:<id_width$}  {:<name_width$}  {:<checks_width$}  SOURCE",
        "ID", "NAME", "CHECKS"
    )?;
    for (row, checks) in rows.iter().zip(&checks) {
        writeln!(
            out,
            "{:<id_width$}  {:<name_width$}  {:<checks_width$}  {}",
            row.id,
            visible_line(row.name.as_bytes()),
            checks,
            visible_line(row.source.as_bytes())
        )?;
    }
    let unsigned: Vec<&Listed> = rows.iter().filter(|r| r.secret == Some(false)).collect();
    for row in unsigned {
        writeln!(
            out,
            "\n{}: {}",
            row.id,
            visible_line(row.secret_hint.as_deref().unwrap_or_default().as_bytes())
        )?;
    }
    match user::vendors_dir() {
        Some(dir) => writeln!(
            out,
            "\nYour vendors are read from {}{}",
            dir.display(),
            if broken > 0 {
                format!(
                    " ({} could not be loaded: see below, or run `hookscope vendors check`)",
                    crate::units::plural(broken, "problem")
                )
            } else {
                String::new()
            }
        ),
        None => Ok(()),
    }
}

fn checks_text(row: &Listed) -> String {
    let signature = row.signature.as_ref().map(|scheme| match row.secret {
        Some(true) => format!("{scheme} signature"),
        _ => format!("{scheme} signature (no secret)"),
    });
    match (signature, row.schema) {
        (Some(signature), true) => format!("schema, {signature}"),
        (Some(signature), false) => signature,
        (None, true) => "schema".to_owned(),
        (None, false) => "-".to_owned(),
    }
}

/// Whether the vendor's signing secret can be read, and if not, what to do about it.
fn secret_state(vendor: &UserVendor) -> (Option<bool>, Option<String>) {
    let Some(config) = &vendor.signature else {
        return (None, None);
    };
    match config.usable_secret() {
        Ok(_) => (Some(true), None),
        Err(why) => (Some(false), Some(why)),
    }
}

fn signature_label(vendor: &UserVendor) -> Option<String> {
    Some(vendor.signature.as_ref()?.scheme.name().as_str().to_owned())
}

/// Loads every definition in `dir` (default: the user's folder) and reports each problem
/// with its file and line. Exit 1 when there is any.
pub fn check(dir: Option<&Path>) -> Result<(), CommandError> {
    let dir = match dir {
        Some(dir) => dir.to_owned(),
        None => folder()?,
    };
    let loaded = user::load_dir(&dir);
    let mut out = std::io::stdout().lock();
    for vendor in &loaded.vendors {
        let _ = writeln!(
            out,
            "✓ {} ({}): {}",
            vendor.id(),
            visible_line(vendor.name().as_bytes()),
            vendor.source.display()
        );
    }
    for problem in &loaded.problems {
        let _ = writeln!(out, "✗ {}", visible_line(problem.to_string().as_bytes()));
    }
    if loaded.vendors.is_empty() && loaded.problems.is_empty() {
        let _ = writeln!(
            out,
            "no vendor definitions in {} (try `hookscope vendors init github`)",
            dir.display()
        );
    }
    if loaded.problems.is_empty() {
        Ok(())
    } else {
        Err(CommandError::new(
            exit::FAILURE,
            format!(
                "{} in {}",
                crate::units::plural(loaded.problems.len(), "problem"),
                dir.display()
            ),
        ))
    }
}

/// Copies a shipped example (and its schema) into the user's folder.
pub fn init(name: &str, dir: Option<&Path>, force: bool) -> Result<(), CommandError> {
    let Some((_, definition, schema_name, schema)) =
        EXAMPLES.iter().find(|(example, ..)| *example == name)
    else {
        let names: Vec<&str> = EXAMPLES.iter().map(|(n, ..)| *n).collect();
        return Err(CommandError::new(
            exit::USAGE,
            format!(
                "there is no example called `{name}`; there are: {}",
                names.join(", ")
            ),
        ));
    };
    let dir = match dir {
        Some(dir) => dir.to_owned(),
        None => folder()?,
    };
    std::fs::create_dir_all(&dir).map_err(|e| {
        CommandError::new(exit::USAGE, format!("cannot create {}: {e}", dir.display()))
    })?;
    let file = dir.join(format!("{name}.toml"));
    let schema_file = dir.join(schema_name);
    for path in [&file, &schema_file] {
        if path.exists() && !force {
            return Err(CommandError::new(
                exit::USAGE,
                format!(
                    "{} already exists; pass --force to replace it",
                    path.display()
                ),
            ));
        }
    }
    write(&file, definition)?;
    write(&schema_file, schema)?;
    println!("wrote {} and {}", file.display(), schema_file.display());
    println!("edit them to suit, then check them with `hookscope vendors check`");
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), CommandError> {
    std::fs::write(path, text).map_err(|e| {
        CommandError::new(exit::USAGE, format!("cannot write {}: {e}", path.display()))
    })
}

fn folder() -> Result<PathBuf, CommandError> {
    user::vendors_dir().ok_or_else(|| {
        CommandError::new(
            exit::USAGE,
            "cannot find your home folder to read vendor definitions from",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_examples_load_without_problems() {
        let dir = tempfile::tempdir().unwrap();
        for (name, ..) in EXAMPLES {
            init(name, Some(dir.path()), false).unwrap();
        }
        let loaded = user::load_dir(dir.path());
        assert_eq!(loaded.problems, []);
        let ids: Vec<&str> = loaded.vendors.iter().map(|v| v.id()).collect();
        assert_eq!(ids, ["github", "stripe"]);
        assert!(loaded.vendors.iter().all(|v| v.has_schema()));
        let again = init("github", Some(dir.path()), false).unwrap_err();
        assert!(again.message.contains("--force"), "{}", again.message);
        assert!(
            init("gitlab", Some(dir.path()), false)
                .unwrap_err()
                .message
                .contains("github, stripe")
        );
    }
}
