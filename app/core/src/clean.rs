//! Words as people send them, cleaned once at the boundary.
//!
//! Every piece of text a person gives Hearth (a reflection, a prompt, a
//! label, a gathering's name) is read by `ReflectionText::parse` or
//! `Words::parse`, whichever path it came by (a form, the live socket or
//! an imported file), and both read it through `bounded` here. So there
//! is one rule for what words may hold, and it runs before anything is
//! stored or shown.
//!
//! The rule:
//! - line endings become `\n`, the only one stored;
//! - control characters other than newline and tab are removed, and so are
//!   the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
//!   U+2066–U+2069);
//! - the text is put in Unicode's composed form (NFC), so the same words
//!   typed on two keyboards are the same characters, and are counted alike;
//! - it is trimmed, and then must be neither empty nor over its limit.
//!
//! Why remove and not refuse: none of these characters can be seen. A phone
//! or a paste can slip one in unnoticed (some apps wrap copied text in
//! direction marks), and an error about something invisible is one a
//! person cannot act on. Removing them changes nothing a reader sees, except
//! that a bidirectional override can no longer make words on the shared
//! screen display in another order than they were written.

/// Why cleaned words cannot be kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("there are no words")]
    Empty,
    #[error("the words are over their length limit")]
    TooLong,
}

/// `raw` cleaned (see the module's rule), and at most `max` characters.
pub fn bounded(raw: &str, max: usize) -> Result<String, TextError> {
    let text = clean(raw);
    if text.is_empty() {
        Err(TextError::Empty)
    } else if text.chars().count() > max {
        Err(TextError::TooLong)
    } else {
        Ok(text)
    }
}

/// `raw` with one kind of line ending, without invisible control and
/// direction characters, composed (NFC) and trimmed.
pub fn clean(raw: &str) -> String {
    let kept: String = raw
        .replace("\r\n", "\n")
        .chars()
        .map(|c| if c == '\r' { '\n' } else { c })
        .filter(|c| !unseen(*c))
        .collect();
    composed(&kept).trim().to_owned()
}

/// A character that is removed: a control character other than newline
/// and tab, or a bidirectional embedding, override or isolate.
fn unseen(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// The text in Unicode's composed form (NFC). The browser has this built
/// in, which keeps Unicode's tables out of the WebAssembly it downloads.
#[cfg(all(feature = "browser", target_arch = "wasm32"))]
fn composed(text: &str) -> String {
    js_sys::JsString::from(text).normalize("NFC").into()
}

/// The text in Unicode's composed form (NFC).
#[cfg(not(all(feature = "browser", target_arch = "wasm32")))]
fn composed(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_removed_but_newlines_and_tabs_kept() {
        assert_eq!(clean("a\u{0}b\u{7}c\u{1b}[31m\u{7f}d\u{85}"), "abc[31md");
        assert_eq!(clean("one\ttwo\nthree"), "one\ttwo\nthree");
    }

    #[test]
    fn line_endings_become_newlines() {
        assert_eq!(clean("one\r\ntwo\rthree\n"), "one\ntwo\nthree");
    }

    #[test]
    fn direction_overrides_and_isolates_are_removed() {
        for c in ('\u{202A}'..='\u{202E}').chain('\u{2066}'..='\u{2069}') {
            assert_eq!(clean(&format!("safe{c}txt.exe")), "safetxt.exe", "{c:?}");
        }
        // The marks that only nudge neutral characters stay.
        assert_eq!(clean("a\u{200E}b\u{200F}c"), "a\u{200E}b\u{200F}c");
        // Right-to-left writing itself is untouched.
        assert_eq!(clean("שלום, مرحبا"), "שלום, مرحبا");
    }

    #[test]
    fn text_is_composed() {
        // "é" typed as e + combining acute becomes the one character.
        assert_eq!(clean("cafe\u{301}"), "caf\u{e9}");
        assert_eq!(bounded("e\u{301}", 1), Ok("\u{e9}".to_owned()));
        // Removing a control character between them still composes them.
        assert_eq!(clean("e\u{0}\u{301}"), "\u{e9}");
    }

    #[test]
    fn what_is_left_is_trimmed_and_measured() {
        assert_eq!(clean("\u{202E} \u{0} hello \u{2069}"), "hello");
        assert_eq!(bounded("\u{0}\u{202E}\n", 10), Err(TextError::Empty));
        assert_eq!(bounded("abc", 2), Err(TextError::TooLong));
        assert_eq!(bounded("ab\u{0}", 2), Ok("ab".to_owned()));
    }
}
