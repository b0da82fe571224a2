//! The crate's layering rule (crate docs), checked: every `crate::module` a source
//! file names — in code, not in comments — is a module of a lower layer than its
//! own, or its own. A module added to the crate must be given its layer here.
//! Unit tests (`#[cfg(test)] mod tests` last in a file, `tests.rs`, `tests/`,
//! `proptests.rs`) are not checked: a test may read a file back with another layer's
//! reader.
//!
//! [`KNOWN`] lists the uses that break the rule, each with its reason: none since the
//! records layer (issue 15), so the test fails on any upward use. Should one ever be
//! tolerated, it goes there with its reason; the test also fails on a known one that
//! is gone, so the list only shrinks.

use std::collections::BTreeSet;
use std::path::Path;

/// Layers, lowest first. A module may use the modules of lower layers only.
const LAYERS: &[&[&str]] = &[
    &["csv_lines", "time", "telemetry"],
    &["ess", "spatial", "auth"],
    &["geography", "config"],
    &["records", "mail"],
    // Siblings: the database never sees a file reader, nor a reader the database.
    &["import", "demo", "db"],
    &["indicators"],
    &["tiles", "portraits"],
    &["summary", "operations"],
    &["api"],
    &["server"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// Uses that break the rule today, `file: module uses crate::other`: none.
const KNOWN: &[&str] = &[];

/// `crate::x` names in `text`, comments and the unit-test module stripped.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let text = text
        .find("#[cfg(test)]\nmod tests")
        .map_or(text, |end| &text[..end]);
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
            rest = after;
        }
        // `use crate::{a, b::c}` lists several modules.
        if let Some(i) = code.find("crate::{") {
            let list = &code[i + "crate::{".len()..];
            for item in list.split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The violations of the rule in the tree under `src`.
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut out = Vec::new();
    for file in files {
        let relative = file.strip_prefix(src).expect("under src/");
        let first = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or_default();
        let module = first.trim_end_matches(".rs");
        let test_file = relative.components().any(|c| {
            matches!(
                c.as_os_str().to_str(),
                Some("tests" | "tests.rs" | "proptests.rs")
            )
        });
        if matches!(module, "lib" | "main" | "layering") || test_file {
            continue;
        }
        let Some(own) = layer_of(module) else {
            out.push(format!(
                "{}: module {module} has no layer",
                relative.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("source is readable");
        for used in crate_paths(&text) {
            if used == module {
                continue;
            }
            match layer_of(&used) {
                Some(l) if l < own => {}
                Some(_) => out.push(format!(
                    "{}: {module} uses crate::{used}, which is not below it",
                    relative.display()
                )),
                None => {}
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&src);
    let new: Vec<&String> = found
        .iter()
        .filter(|v| !KNOWN.contains(&v.as_str()))
        .collect();
    assert!(new.is_empty(), "layering violations:\n{new:#?}");
    let gone: Vec<&&str> = KNOWN
        .iter()
        .filter(|k| !found.iter().any(|v| v == *k))
        .collect();
    assert!(gone.is_empty(), "fixed, remove from KNOWN:\n{gone:#?}");
}

#[test]
fn the_check_sees_an_upward_use() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let src = dir.path();
    std::fs::create_dir_all(src.join("db")).expect("mkdir");
    std::fs::write(
        src.join("db/mod.rs"),
        "use crate::api::AppState;\n// crate::cli in a comment\n",
    )
    .expect("write");
    std::fs::write(src.join("time.rs"), "use crate::{db, ess::Family};\n").expect("write");
    std::fs::write(src.join("cli.rs"), "use crate::{api, db::Db};\n").expect("write");
    let found = violations(src);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].contains("db uses crate::api"), "{found:#?}");
    assert!(
        found.iter().any(|v| v.contains("time uses crate::db")),
        "{found:#?}"
    );
    assert!(
        found.iter().any(|v| v.contains("time uses crate::ess")),
        "{found:#?}"
    );
}
