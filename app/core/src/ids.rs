//! Identifiers that cross the wire.
//!
//! Each one is a newtype that can only be built from valid input, so a
//! handler holding a `JoinCode` or an `ActionId` never has to check it again.
//! Card ids are random, never sequential: a counter would tell the room in
//! which order the cards arrived, and so who had just typed.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Characters a join code is made of: no 0/O, 1/I/L or other look-alikes.
pub const JOIN_CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// What people type for a code's own characters: a code never holds one,
/// so the front door can say exactly that.
pub const JOIN_CODE_LOOK_ALIKES: &str = "0O1IL";
/// How many characters a join code has.
pub const JOIN_CODE_LEN: usize = 6;

/// The short code a participant types to join a gathering.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct JoinCode(String);

/// Why a typed join code cannot be a join code at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JoinCodeError {
    #[error("a join code has {JOIN_CODE_LEN} characters")]
    WrongLength,
    #[error("a join code never uses 0, O, 1, I or L")]
    LookAlike,
    #[error("a join code uses only letters and digits that cannot be mistaken")]
    BadCharacter,
}

impl JoinCode {
    /// Reads what a person typed: case, spaces and dashes do not matter.
    /// Look-alikes (0, O, 1, I, L) are never part of a code, and their
    /// twins are not either (no 0 for an O), so a code holding one is
    /// refused with that reason rather than guessed at.
    pub fn parse(typed: &str) -> Result<Self, JoinCodeError> {
        let cleaned: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if cleaned.chars().any(|c| JOIN_CODE_LOOK_ALIKES.contains(c)) {
            return Err(JoinCodeError::LookAlike);
        }
        if cleaned.chars().count() != JOIN_CODE_LEN {
            return Err(JoinCodeError::WrongLength);
        }
        if !cleaned.bytes().all(|b| JOIN_CODE_ALPHABET.contains(&b)) {
            return Err(JoinCodeError::BadCharacter);
        }
        Ok(Self(cleaned))
    }

    /// Builds a code from a random index per character (the server's dice).
    pub fn from_indices(indices: [usize; JOIN_CODE_LEN]) -> Self {
        let code = indices
            .iter()
            .map(|i| JOIN_CODE_ALPHABET[i % JOIN_CODE_ALPHABET.len()] as char)
            .collect();
        Self(code)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for JoinCode {
    type Error = JoinCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<JoinCode> for String {
    fn from(value: JoinCode) -> Self {
        value.0
    }
}

impl fmt::Display for JoinCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A client-made id that makes an action idempotent: a retry with the same
/// id is answered with the first outcome and never applied twice.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ActionId(String);

/// The longest action id a client may send.
pub const ACTION_ID_MAX: usize = 64;

/// Why a string is not an action id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("an action id is 8 to {ACTION_ID_MAX} letters, digits, '-' or '_'")]
pub struct ActionIdError;

impl ActionId {
    pub fn parse(s: &str) -> Result<Self, ActionIdError> {
        let ok = (8..=ACTION_ID_MAX).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(ActionIdError)
        }
    }

    /// Builds an id from 128 random bits.
    pub fn from_random(bits: u128) -> Self {
        Self(format!("{bits:032x}"))
    }

    /// The id of a form about one card, made from the page's own form id:
    /// as unguessable as it, and different for every card on the page.
    pub fn for_card(&self, card: &CardId) -> Self {
        Self(format!("{}-{}", self.0, card.as_str()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ActionId {
    type Error = ActionIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ActionId> for String {
    fn from(value: ActionId) -> Self {
        value.0
    }
}

/// A card's id: 64 random bits, written as 16 hex digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CardId(String);

/// Why a string is not a card id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a card id is 16 hex digits")]
pub struct CardIdError;

impl CardId {
    pub fn parse(s: &str) -> Result<Self, CardIdError> {
        if s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(s.to_ascii_lowercase()))
        } else {
            Err(CardIdError)
        }
    }

    pub fn from_random(bits: u64) -> Self {
        Self(format!("{bits:016x}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CardId {
    type Error = CardIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CardId> for String {
    fn from(value: CardId) -> Self {
        value.0
    }
}

/// A step of the agenda; stable when steps are reordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct StepId(pub u32);

/// Read from a number, or from a number in a string: JSON writes map keys
/// as strings, and a map inside a tagged message is read without the hint
/// that would turn them back into numbers.
impl<'de> Deserialize<'de> for StepId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = StepId;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a step number")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<StepId, E> {
                u32::try_from(v).map(StepId).map_err(E::custom)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<StepId, E> {
                v.parse().map(StepId).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_ids_read_as_numbers_and_as_map_keys() {
        assert_eq!(serde_json::from_str::<StepId>("7").unwrap(), StepId(7));
        assert_eq!(serde_json::from_str::<StepId>("\"7\"").unwrap(), StepId(7));
        assert!(serde_json::from_str::<StepId>("-1").is_err());
        assert!(serde_json::from_str::<StepId>("\"x\"").is_err());
    }

    #[test]
    fn join_code_reads_what_people_type() {
        assert_eq!(JoinCode::parse("abc 234").unwrap().as_str(), "ABC234");
        assert_eq!(JoinCode::parse("ab-c2-34").unwrap().as_str(), "ABC234");
    }

    #[test]
    fn join_code_refuses_look_alikes_and_wrong_lengths() {
        assert_eq!(JoinCode::parse("ABC0O1"), Err(JoinCodeError::LookAlike));
        assert_eq!(JoinCode::parse("ABCIL2"), Err(JoinCodeError::LookAlike));
        assert_eq!(JoinCode::parse("nnrosr"), Err(JoinCodeError::LookAlike));
        assert_eq!(JoinCode::parse("ABC1234"), Err(JoinCodeError::LookAlike));
        assert_eq!(JoinCode::parse("ABC23"), Err(JoinCodeError::WrongLength));
        assert_eq!(JoinCode::parse(""), Err(JoinCodeError::WrongLength));
        assert_eq!(JoinCode::parse("ÄBC234"), Err(JoinCodeError::BadCharacter));
    }

    #[test]
    fn join_code_from_indices_stays_in_alphabet() {
        let code = JoinCode::from_indices([0, 30, 31, 1000, 7, 12]);
        assert!(JoinCode::parse(code.as_str()).is_ok());
    }

    #[test]
    fn ids_refuse_bad_input_through_serde() {
        assert!(serde_json::from_str::<ActionId>("\"short\"").is_err());
        assert!(serde_json::from_str::<ActionId>("\"has spaces in it\"").is_err());
        assert!(serde_json::from_str::<ActionId>("\"abcdefgh-1234\"").is_ok());
        assert!(serde_json::from_str::<CardId>("\"0123456789abcdeX\"").is_err());
        assert!(serde_json::from_str::<CardId>("\"0123456789abcdef\"").is_ok());
    }

    #[test]
    fn a_cards_form_id_is_an_id_of_its_own() {
        let page = ActionId::from_random(u128::MAX);
        let (a, b) = (
            CardId::parse("0123456789abcdef").unwrap(),
            CardId::parse("fedcba9876543210").unwrap(),
        );
        let (for_a, for_b) = (page.for_card(&a), page.for_card(&b));
        assert_ne!(for_a, for_b);
        assert_ne!(for_a, page);
        assert_eq!(for_a, page.for_card(&a), "the same card, the same id");
        for id in [for_a, for_b] {
            assert_eq!(
                ActionId::parse(id.as_str()),
                Ok(id.clone()),
                "it reads back"
            );
        }
    }
}
