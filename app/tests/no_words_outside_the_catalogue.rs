//! Every word a view shows comes from the catalogue (`i18n.rs`), where a
//! language that lacks it does not compile. This reads the `view!` macros
//! of every source file and fails on a string literal with letters in it
//! that a person would read: a text between tags, or the value of an
//! attribute that is read aloud or shown (`aria-label`, `alt`, `title`,
//! `placeholder`). Attribute values that are code (`class`, `type`,
//! `name`…) are not words and are left alone.

use std::fs;
use std::path::{Path, PathBuf};

/// Attributes whose values people read or hear.
const READ_ATTRIBUTES: [&str; 5] = [
    "aria-label",
    "alt",
    "title",
    "placeholder",
    "aria-description",
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir)
        .expect("the source folder reads")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The bodies of the `view! { … }` macros in a file.
fn views(source: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("view! {") {
        let body = &rest[at + "view! {".len()..];
        let mut depth = 1;
        let mut end = body.len();
        let mut in_string = false;
        let mut previous = ' ';
        for (i, c) in body.char_indices() {
            match c {
                '"' if previous != '\\' => in_string = !in_string,
                '{' if !in_string => depth += 1,
                '}' if !in_string => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
            previous = c;
        }
        found.push(&body[..end]);
        rest = &body[end..];
    }
    found
}

/// Literals in a view body that are words a person reads.
fn words_in(view: &str) -> Vec<String> {
    let mut found = Vec::new();
    let bytes = view.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while end < bytes.len() && !(bytes[end] == b'"' && bytes[end - 1] != b'\\') {
            end += 1;
        }
        let literal = &view[start..end.min(view.len())];
        let before = view[..i].trim_end();
        let attribute = before.strip_suffix('=').map(|b| {
            b.rsplit(|c: char| c.is_whitespace() || c == '<')
                .next()
                .unwrap_or("")
                .to_owned()
        });
        // `format!("…")`, `.map(|…| "…")`, `Live => "live"` and friends
        // are code inside braces; a literal straight after a tag, a brace
        // or another literal is text.
        let is_code_arrow = before.ends_with("=>") || before.ends_with("->");
        let is_text = attribute.is_none()
            && !is_code_arrow
            && (before.ends_with('>') || before.ends_with('}') || before.ends_with('"'));
        let is_read = attribute
            .as_deref()
            .is_some_and(|a| READ_ATTRIBUTES.contains(&a));
        if (is_text || is_read) && literal.chars().any(char::is_alphabetic) {
            found.push(literal.to_owned());
        }
        i = end + 1;
    }
    found
}

#[test]
fn views_show_no_words_of_their_own() {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(files.len() > 10, "the sources were found");
    let mut words = Vec::new();
    let mut checked = 0;
    for file in files {
        let source = fs::read_to_string(&file).expect("a source file reads");
        for view in views(&source) {
            checked += 1;
            for literal in words_in(view) {
                words.push(format!("{}: {literal:?}", file.display()));
            }
        }
    }
    assert!(checked > 50, "the views were found ({checked})");
    assert!(
        words.is_empty(),
        "words outside the catalogue:\n{}",
        words.join("\n")
    );
}

#[test]
fn the_check_finds_words_where_they_hide() {
    let view = r#"
        <p class="hint">"Hello there"</p>
        <img alt="A tree" src=x/>
        <p>{i18n.t(Msg::X)} " · " {n}</p>
        <button aria-label="Close">"×"</button>
        <input type="text" name="code" data-state=move || match s { On => "on", Off => "off" }/>
    "#;
    assert_eq!(words_in(view), ["Hello there", "A tree", "Close"]);
}
