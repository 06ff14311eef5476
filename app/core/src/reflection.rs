//! A reflection's text, checked once at the edge.
//!
//! The same rule runs in the browser (to say so before sending) and on the
//! server (which is the one that decides), so the two can never disagree.
//! The words are cleaned first, as all words are (see `clean`).

use crate::clean::{self, TextError};
use serde::{Deserialize, Serialize};

/// The most characters a reflection may have.
pub const REFLECTION_MAX_CHARS: usize = 500;

/// Text a participant wrote: cleaned, not empty, at most 500 characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReflectionText(String);

/// Why a reflection cannot be kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ReflectionError {
    #[error("a reflection cannot be empty")]
    Empty,
    #[error("a reflection has at most {REFLECTION_MAX_CHARS} characters")]
    TooLong,
}

impl ReflectionText {
    pub fn parse(text: &str) -> Result<Self, ReflectionError> {
        match clean::bounded(text, REFLECTION_MAX_CHARS) {
            Ok(text) => Ok(Self(text)),
            Err(TextError::Empty) => Err(ReflectionError::Empty),
            Err(TextError::TooLong) => Err(ReflectionError::TooLong),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ReflectionText {
    type Error = ReflectionError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ReflectionText> for String {
    fn from(value: ReflectionText) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_keeps_text() {
        assert_eq!(
            ReflectionText::parse("  hello \r\nthere ")
                .unwrap()
                .as_str(),
            "hello \nthere"
        );
    }

    #[test]
    fn refuses_empty_and_whitespace() {
        assert_eq!(ReflectionText::parse(""), Err(ReflectionError::Empty));
        assert_eq!(ReflectionText::parse(" \n\t "), Err(ReflectionError::Empty));
    }

    #[test]
    fn words_are_cleaned_before_they_are_measured() {
        assert_eq!(
            ReflectionText::parse("\u{202E}cafe\u{301}\u{0}")
                .unwrap()
                .as_str(),
            "caf\u{e9}"
        );
        assert_eq!(
            ReflectionText::parse("\u{0}\u{2066}"),
            Err(ReflectionError::Empty)
        );
    }

    #[test]
    fn counts_characters_not_bytes() {
        let five_hundred = "é".repeat(REFLECTION_MAX_CHARS);
        assert!(ReflectionText::parse(&five_hundred).is_ok());
        let too_long = "é".repeat(REFLECTION_MAX_CHARS + 1);
        assert_eq!(
            ReflectionText::parse(&too_long),
            Err(ReflectionError::TooLong)
        );
    }
}
