//! Who a frame of the room is for, decided once by the room and checked by
//! every connection (`ws.rs`), on the owner's node and on every node that
//! relays it (`wire.rs` carries it across).
//!
//! Most frames are everyone's: the log, the live figures. Some are not:
//! a statements step's landscape is the screen's and the console's (a
//! phone is told its own place in its page, and two thousand copies of
//! the whole every two seconds would cost a hall's Wi-Fi for nothing);
//! the news that a small group's board changed is for that group's phones
//! alone, so no phone learns when another group writes, the console and
//! the screen included; the pre-screen queue (statements not let in yet,
//! with their words) is the facilitators' alone.

use super::Actor;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The connections a frame is sent to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "OnWire", into = "OnWire")]
pub enum Audience {
    /// Every view: the console, the screen and every phone.
    #[default]
    Everyone,
    /// The console and the screen, never a phone.
    NotPhones,
    /// Only the phones of these participants, by their device hashes
    /// (a small group's members): shared by every connection's copy of
    /// the frame, so fanning it out copies no list.
    Members(Arc<[String]>),
    /// The facilitators' consoles only (the co-facilitator's among them):
    /// words nobody else may read yet.
    Facilitators,
}

impl Audience {
    /// Whether a connection of `actor` is sent the frame.
    pub fn admits(&self, actor: &Actor) -> bool {
        match (self, actor) {
            (Audience::Everyone, _) => true,
            (Audience::NotPhones, actor) => !matches!(actor, Actor::Participant(_)),
            (Audience::Members(members), Actor::Participant(author)) => {
                members.iter().any(|m| m == author)
            }
            (Audience::Members(_), _) => false,
            (Audience::Facilitators, actor) => matches!(actor, Actor::Facilitator),
        }
    }
}

/// An audience as it travels between nodes in JSON (`wire::WireFrame`).
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum OnWire {
    Everyone,
    NotPhones,
    Members(Vec<String>),
    Facilitators,
}

impl From<OnWire> for Audience {
    fn from(a: OnWire) -> Self {
        match a {
            OnWire::Everyone => Audience::Everyone,
            OnWire::NotPhones => Audience::NotPhones,
            OnWire::Members(members) => Audience::Members(members.into()),
            OnWire::Facilitators => Audience::Facilitators,
        }
    }
}

impl From<Audience> for OnWire {
    fn from(a: Audience) -> Self {
        match a {
            Audience::Everyone => OnWire::Everyone,
            Audience::NotPhones => OnWire::NotPhones,
            Audience::Members(members) => OnWire::Members(members.to_vec()),
            Audience::Facilitators => OnWire::Facilitators,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_audience_admits_exactly_its_own() {
        let (console, screen) = (Actor::Facilitator, Actor::Screen);
        let (member, other) = (
            Actor::Participant("a1".into()),
            Actor::Participant("b2".into()),
        );
        let members = Audience::Members(vec!["a1".to_owned(), "c3".to_owned()].into());
        let cases = [
            (Audience::Everyone, [true, true, true, true]),
            (Audience::NotPhones, [true, true, false, false]),
            (members, [false, false, true, false]),
            (Audience::Members(Vec::new().into()), [false; 4]),
            (Audience::Facilitators, [true, false, false, false]),
        ];
        for (audience, expected) in cases {
            let admitted = [&console, &screen, &member, &other].map(|a| audience.admits(a));
            assert_eq!(admitted, expected, "{audience:?}");
        }
    }

    #[test]
    fn an_audience_survives_its_json() {
        for audience in [
            Audience::Everyone,
            Audience::NotPhones,
            Audience::Members(vec!["a1".to_owned(), "b2".to_owned()].into()),
            Audience::Facilitators,
        ] {
            let json = serde_json::to_string(&audience).expect("json");
            let back: Audience = serde_json::from_str(&json).expect("read back");
            assert_eq!(back, audience, "{json}");
        }
    }
}
