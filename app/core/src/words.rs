//! What a facilitator writes: prompts, lines and labels, each cleaned and
//! held to a length limit when it is read, so words that exist are words
//! that fit. Below everything that carries words (exercises, the map).

use crate::clean;
use serde::{Deserialize, Serialize};

/// The longest prompt or line of dialogue.
pub const PROMPT_MAX_CHARS: usize = 300;
/// The longest label (a column, a pole, a speaker, a template's name).
pub const LABEL_MAX_CHARS: usize = 60;
/// Words a facilitator wrote: cleaned (see `clean`), not empty, at most
/// `MAX` characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Words<const MAX: usize>(String);

/// A prompt or a line of dialogue.
pub type Prompt = Words<PROMPT_MAX_CHARS>;
/// A short label.
pub type Label = Words<LABEL_MAX_CHARS>;

/// Why some words cannot be used. The texts are matched by the protocol's
/// decoder to name the problem, so they are kept distinct.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WordsError {
    #[error("every prompt and label needs words")]
    Missing,
    #[error("a prompt or label is over its length limit")]
    TooLong,
}

impl<const MAX: usize> Words<MAX> {
    pub fn parse(text: &str) -> Result<Self, WordsError> {
        match clean::bounded(text, MAX) {
            Ok(text) => Ok(Self(text)),
            Err(clean::TextError::Empty) => Err(WordsError::Missing),
            Err(clean::TextError::TooLong) => Err(WordsError::TooLong),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> std::fmt::Display for Words<MAX> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<const MAX: usize> TryFrom<String> for Words<MAX> {
    type Error = WordsError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl<const MAX: usize> From<Words<MAX>> for String {
    fn from(value: Words<MAX>) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_trimmed_and_limited() {
        assert_eq!(Prompt::parse("  hi  ").unwrap().as_str(), "hi");
        assert_eq!(Prompt::parse(" \n "), Err(WordsError::Missing));
        assert!(Prompt::parse(&"é".repeat(PROMPT_MAX_CHARS)).is_ok());
        assert_eq!(
            Prompt::parse(&"é".repeat(PROMPT_MAX_CHARS + 1)),
            Err(WordsError::TooLong)
        );
        assert_eq!(
            Label::parse(&"x".repeat(LABEL_MAX_CHARS + 1)),
            Err(WordsError::TooLong)
        );
        let bad: Result<Label, _> = serde_json::from_str(&format!("\"{}\"", "x".repeat(61)));
        assert!(bad.is_err(), "reading checks the limit too");
        let read: Label = serde_json::from_str("\"a\\u0000b\\u202e\\r\\nc\"").unwrap();
        assert_eq!(read.as_str(), "ab\nc", "reading cleans the words too");
    }
}
