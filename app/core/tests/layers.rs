//! The core's layers, kept: each module imports only modules listed above
//! it in `lib.rs`, so there is no cycle and the order there reads as the
//! design (names and text first, the protocol and pages last).

use std::path::Path;

/// The modules in the order `lib.rs` declares them.
fn declared() -> Vec<String> {
    let lib = include_str!("../src/lib.rs");
    lib.lines()
        .filter_map(|line| line.trim().strip_prefix("pub mod "))
        .map(|rest| rest.trim_end_matches(';').to_owned())
        .collect()
}

/// The core modules a source file names through `crate::`.
fn imports(source: &str, modules: &[String]) -> Vec<String> {
    let mut found: Vec<String> = source
        .match_indices("crate::")
        .map(|(at, _)| {
            source[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|name| modules.contains(name))
        .collect();
    found.sort();
    found.dedup();
    found
}

#[test]
fn each_module_imports_only_what_is_declared_above_it() {
    let modules = declared();
    assert!(modules.len() > 10, "lib.rs lists the modules: {modules:?}");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (at, module) in modules.iter().enumerate() {
        let source = std::fs::read_to_string(src.join(format!("{module}.rs")))
            .unwrap_or_else(|e| panic!("{module}.rs: {e}"));
        for used in imports(&source, &modules) {
            let below = modules
                .iter()
                .position(|m| *m == used)
                .is_some_and(|i| i < at);
            if used != *module && !below {
                wrong.push(format!("{module} imports {used}, which is not above it"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_check_sees_an_import_from_above_and_below() {
    let modules: Vec<String> = ["ids", "map"].map(String::from).to_vec();
    assert_eq!(
        imports(
            "use crate::ids::CardId;\nlet x = crate::map::Spot::new();",
            &modules
        ),
        ["ids", "map"]
    );
    assert!(imports("use serde::Serialize;", &modules).is_empty());
}
