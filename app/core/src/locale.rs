//! The languages Hearth speaks. A gathering has one; the words for each
//! live in the views' translation catalogue, not here.

use serde::{Deserialize, Serialize};

/// The languages Hearth speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    #[default]
    En,
    Es,
}

impl Locale {
    /// Every language, for tests that check the catalogue.
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Es];

    /// The language tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Es => "es",
        }
    }

    /// The language of a tag such as `es`, `es-MX` or `EN_gb` (its first
    /// part, in any case), if Hearth speaks it.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?;
        Locale::ALL
            .into_iter()
            .find(|l| l.tag().eq_ignore_ascii_case(primary))
    }

    /// The language's name in itself, as a language switch shows it: a
    /// Spanish speaker looks for "Español" whatever the page speaks, so
    /// these are the same in every language and not in the catalogue.
    pub fn name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Es => "Español",
        }
    }

    /// A whole number as this language writes it: English groups thousands
    /// with commas (12,500); Spanish leaves four digits together (2000) and
    /// groups longer numbers with a no-break space (12 500), as the RAE
    /// recommends.
    pub fn number(self, n: usize) -> String {
        let digits = n.to_string();
        let (separator, from) = match self {
            Locale::En => (",", 4),
            Locale::Es => ("\u{a0}", 5),
        };
        if digits.len() < from {
            return digits;
        }
        let mut out = String::new();
        for (i, d) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(separator);
            }
            out.push(d);
        }
        out
    }
}
