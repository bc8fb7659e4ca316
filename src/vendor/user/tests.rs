//! Loading definitions (and every problem a file can have), and detecting, decoding and
//! validating payloads as a user vendor.

use std::path::Path;

use super::*;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The problems loading `text` as a definition gives, as `line: message`.
fn problems(text: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "v.toml", text);
    match load_file(&file) {
        Ok(_) => Vec::new(),
        Err(problems) => problems
            .iter()
            .map(|p| {
                format!(
                    "{}: {}",
                    p.line.map_or("-".into(), |l| l.to_string()),
                    p.message
                )
            })
            .collect(),
    }
}

const MINIMAL: &str = r#"
id = "acme"
name = "Acme"
[detect]
headers = ["X-Acme-Event"]
"#;

#[test]
fn a_minimal_definition_loads() {
    assert_eq!(problems(MINIMAL), Vec::<String>::new());
}

#[test]
fn every_problem_names_its_line_and_what_to_change() {
    let typo = problems(&format!("{MINIMAL}hedline = \"x\"\n"));
    assert_eq!(typo.len(), 1);
    assert!(typo[0].starts_with("6: unknown key `hedline`"), "{typo:?}");

    let syntax = problems("id = \"acme\nname = \"x\"\n");
    assert!(syntax[0].starts_with("1: "), "{syntax:?}");

    let glob = problems("id = \"acme\"\nname = \"Acme\"\n[detect]\npath = \"/hooks/[acme\"\n");
    assert_eq!(glob.len(), 1);
    assert!(
        glob[0].starts_with("4: the path glob `/hooks/[acme` is not a valid glob"),
        "{glob:?}"
    );

    let pointer = problems("id = \"acme\"\nname = \"Acme\"\n[detect]\npointers = [\"event\"]\n");
    assert!(
        pointer[0].starts_with("4: `event` is not a JSON Pointer"),
        "{pointer:?}"
    );

    let built_in = problems("id = \"octopus\"\nname = \"x\"\n[detect]\nheaders = [\"X\"]\n");
    assert!(built_in[0].contains("is a built-in vendor"), "{built_in:?}");

    let upper = problems("id = \"Acme\"\nname = \"x\"\n[detect]\nheaders = [\"X\"]\n");
    assert!(
        upper[0].starts_with("1: `id = \"Acme\"`: use lower-case"),
        "{upper:?}"
    );

    let no_rule = problems("id = \"acme\"\nname = \"Acme\"\n[detect]\n");
    assert!(
        no_rule[0].contains("would claim every payload"),
        "{no_rule:?}"
    );

    let placeholder = problems(&format!("headline = \"{{kind}} {{repo}}\"\n{MINIMAL}"));
    assert!(
        placeholder[0].starts_with("1: `{repo}` in the headline"),
        "{placeholder:?}"
    );

    let kind = problems(&format!(
        "{MINIMAL}[kind]\nheader = \"X\"\npointer = \"/t\"\n"
    ));
    assert!(
        kind[0].contains("a header or a pointer, not both"),
        "{kind:?}"
    );

    // MINIMAL's lines, then `[signature]` on line 6.
    let signature = problems(&format!(
        "{MINIMAL}[signature]\nscheme = \"hmac-sha256\"\nsecret_env = \"A\"\nsecret_file = \"b\"\n"
    ));
    assert_eq!(signature.len(), 2, "{signature:?}");
    assert!(
        signature[0].starts_with("6: [signature]: scheme \"hmac-sha256\" needs `header`"),
        "{signature:?}"
    );
    assert!(
        signature[1].starts_with("6: [signature]: give either `secret_env` or `secret_file`"),
        "{signature:?}"
    );
    let scheme = problems(&format!("{MINIMAL}[signature]\nscheme = \"hmac-sha1\"\n"));
    assert!(
        scheme[0].starts_with("7: unknown variant `hmac-sha1`"),
        "{scheme:?}"
    );
}

#[test]
fn schema_problems_name_the_schema_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.json", "{\n  \"type\": \n}");
    write(dir.path(), "wrong.json", "{\"type\": 12}");
    let a = write(
        dir.path(),
        "a.toml",
        &format!("schema = \"bad.json\"\n{MINIMAL}"),
    );
    let b = write(
        dir.path(),
        "b.toml",
        &format!(
            "schema = \"wrong.json\"\n{}",
            MINIMAL.replace("acme", "acme2")
        ),
    );
    let c = write(
        dir.path(),
        "c.toml",
        &format!(
            "schema = \"gone.json\"\n{}",
            MINIMAL.replace("acme", "acme3")
        ),
    );
    let a = load_file(&a).unwrap_err();
    assert!(
        a[0].file.ends_with("bad.json") && a[0].line == Some(3),
        "{a:?}"
    );
    assert!(a[0].message.starts_with("not JSON"), "{a:?}");
    let b = load_file(&b).unwrap_err();
    assert!(
        b[0].message.starts_with("the schema does not compile"),
        "{b:?}"
    );
    let c = load_file(&c).unwrap_err();
    assert!(
        c[0].message.starts_with("cannot read the schema") && c[0].line == Some(1),
        "{c:?}"
    );
}

#[test]
fn a_broken_file_does_not_stop_the_others_and_ids_are_unique() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.toml", MINIMAL);
    write(dir.path(), "b.toml", "id = ");
    write(dir.path(), "c.toml", MINIMAL);
    write(dir.path(), "notes.txt", "not a definition");
    let loaded = load_dir(dir.path());
    assert_eq!(loaded.vendors.len(), 1);
    assert_eq!(loaded.problems.len(), 2, "{:?}", loaded.problems);
    assert!(loaded.problems[1].message.contains("already defined in"));
    assert!(load_dir(&dir.path().join("missing")).problems.is_empty());
}
