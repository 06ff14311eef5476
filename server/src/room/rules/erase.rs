//! Taking words and device hashes away, everywhere they were kept.
//!
//! A participant is the authority on their own words: a withdrawn
//! reflection is gone from the cards, the marks on it, the event that
//! revealed it and every event that showed it again (rewritten without it),
//! the catch-up ring (cut past those frames) and the last checkpoint
//! (replaced in the same commit). And the end of a gathering is when its
//! participants' device hashes go: cards lose their authors, marks keep
//! only their totals, and participants' applied actions are forgotten.

use super::{emit, remember, Decision, Refusal, Turn};
use crate::secrets;
use crate::storage::Op;
use hearth_core::error::ErrorCode;
use hearth_core::gathering::{Card, Event};
use hearth_core::ids::CardId;
use hearth_core::marks::Target;
use hearth_core::protocol::Outcome;
use std::collections::HashMap;

/// Withdraws one of the author's own reflections, revealed or not.
pub fn withdraw(t: &mut Turn<'_>, card: CardId) -> Result<Decision, Refusal> {
    let author = t.by.actor;
    let Some(meta) = t.state.cards.get(&card).filter(|c| c.author == author) else {
        // A card on a small group's board, never sent to the room.
        let mut d = Decision::to(Outcome::Withdrawn { card: card.clone() });
        if !super::groups::withdraw(t.state, author, &card, &mut d) {
            return Err(ErrorCode::UnknownCard.into());
        }
        remember(&mut d, t.by)?;
        return Ok(d);
    };
    let (step, revealed_seq) = (meta.step, meta.revealed_seq);
    let mut d = Decision::to(Outcome::Withdrawn { card: card.clone() });
    d.ops.push(Op::DeleteCard {
        id: card.as_str().to_owned(),
    });
    let on_card = [
        Target::Vote(card.clone()),
        Target::Resonate(card.clone()),
        Target::Place(card.clone()),
        Target::Answer(card.clone()),
    ];
    d.ops.push(Op::DeleteMarksOn {
        targets: on_card.iter().map(Target::key).collect(),
    });
    remember(&mut d, t.by)?;
    if let Some(seq) = revealed_seq {
        // Cut the words out of the event that revealed them, so the log
        // keeps no copy.
        let remaining: Vec<Card> = t
            .state
            .reveals
            .get(&seq)
            .into_iter()
            .flatten()
            .filter(|c| **c != card)
            .filter_map(|c| Some(t.state.cards.get(c)?.public(c)))
            .collect();
        d.ops.push(Op::ReplaceEvent {
            seq,
            body: serde_json::to_string(&Event::CardsRevealed { cards: remaining })?,
        });
        // And out of every "show again", which carried them too.
        let wordless = meta.public(&card).without_words();
        for shown in t.state.shown.get(&card).into_iter().flatten() {
            d.ops.push(Op::ReplaceEvent {
                seq: *shown,
                body: serde_json::to_string(&Event::CardShown {
                    card: wordless.clone(),
                })?,
            });
        }
        emit(t.state, &mut d, Event::CardWithdrawn { card: card.clone() })?;
        // The last checkpoint holds the words: a fresh one, without them,
        // replaces it in this commit.
        d.checkpoint = seq <= t.state.checkpointed;
        if let Some(batch) = t.state.reveals.get_mut(&seq) {
            batch.retain(|c| *c != card);
        }
        // The ring still holds the words in the frames that revealed and
        // showed them: drop those and everything older, so a view that
        // missed them is sent a snapshot, which no longer has the card.
        let last_shown = t.state.shown.remove(&card).into_iter().flatten().max();
        d.cut_at(last_shown.unwrap_or(seq).max(seq));
    }
    for marks in t.state.marks.values_mut() {
        for target in &on_card {
            marks.remove(target);
        }
    }
    if let Some(counts) = t.state.counts.get_mut(&step) {
        counts.forget(&card);
    }
    if let Some(due) = t.state.totals_due.get_mut(&step) {
        due.remove(&card);
    }
    t.state.cards.remove(&card);
    t.state.arrival.retain(|c| *c != card);
    t.state.waiting.retain(|c| *c != card);
    // Brought back from a small group: it leaves the group's board too.
    super::groups::withdraw(t.state, author, &card, &mut d);
    Ok(d)
}

/// Ends the gathering. The end is when participants' device hashes go:
/// nothing is theirs to change any more.
pub fn end(t: &mut Turn<'_>) -> Result<Decision, Refusal> {
    let mut d = Decision::to(Outcome::Done);
    d.ops.push(Op::ForgetParticipants);
    remember(&mut d, t.by)?;
    super::statements::end(t, &mut d)?;
    emit(t.state, &mut d, Event::Ended)?;
    forget_participants(t);
    // The groups hold device hashes and private words: they go, and the
    // checkpoint that kept them is rewritten without them.
    super::groups::forget(t.state, &mut d);
    d.checkpoint |= t.state.groups_dirty;
    Ok(d)
}

/// Drops every participant's hash from memory, as `ForgetParticipants`
/// does from storage: cards lose their authors, marks keep their totals
/// under a stand-in each, and participants' applied actions are gone.
fn forget_participants(t: &mut Turn<'_>) {
    t.state.joined.clear();
    for card in t.state.cards.values_mut() {
        card.author.clear();
    }
    t.state
        .applied
        .retain(|key| key.starts_with("facilitator/") || key.starts_with("screen/"));
    for (_, marks) in std::mem::take(&mut t.state.marks) {
        for (target, value) in marks {
            let stand_in = secrets::token_from(&mut *t.rng, 16);
            t.state
                .marks
                .insert(stand_in, HashMap::from([(target, value)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{events, Gathering};
    use super::*;
    use hearth_core::exercise::ExerciseKind;
    use hearth_core::marks::Mark;
    use hearth_core::protocol::{Action, Moderation};

    fn withdraw(g: &mut Gathering, who: usize, card: &CardId) -> Result<Decision, ErrorCode> {
        let action = Action::Withdraw { card: card.clone() };
        g.act(&Gathering::person(who), action)
    }

    /// A gathering with a card by person 0 that persons 1 and 2 resonate
    /// with.
    fn resonated() -> (Gathering, CardId) {
        let mut g = Gathering::of(ExerciseKind::Board, 3);
        let card = g.shown(0, "the sea");
        for who in [1, 2] {
            resonate(&mut g, who, &card).expect("resonated");
        }
        (g, card)
    }

    fn resonate(g: &mut Gathering, who: usize, card: &CardId) -> Result<Decision, ErrorCode> {
        let mark = Mark::Resonate {
            card: card.clone(),
            on: true,
        };
        g.act(&Gathering::person(who), Action::Mark { mark })
    }

    /// The event a `ReplaceEvent` op writes at `seq`, if the decision has one.
    fn rewritten(d: &Decision, at: u64) -> Option<Event> {
        d.ops.iter().find_map(|op| match op {
            Op::ReplaceEvent { seq, body } if *seq == at => serde_json::from_str(body).ok(),
            _ => None,
        })
    }

    #[test]
    fn a_card_withdrawn_before_the_reveal_leaves_nothing_to_cut() {
        let mut g = Gathering::of(ExerciseKind::Board, 3);
        let card = g.write(0, "the sea");
        let d = withdraw(&mut g, 0, &card).expect("withdrawn");
        assert_eq!(d.outcome, Outcome::Withdrawn { card: card.clone() });
        assert!(matches!(&d.ops[0], Op::DeleteCard { id } if id == card.as_str()));
        assert!(d.events.is_empty(), "the room never saw it");
        assert_eq!((d.cut, d.checkpoint), (None, false));
        assert!(g.state.cards.is_empty() && g.state.waiting.is_empty());
        assert!(g.state.arrival.is_empty());
    }

    #[test]
    fn only_its_author_can_withdraw_a_card_and_only_once() {
        let mut g = Gathering::of(ExerciseKind::Board, 3);
        let card = g.write(0, "the sea");
        assert_eq!(
            withdraw(&mut g, 1, &card).err(),
            Some(ErrorCode::UnknownCard)
        );
        withdraw(&mut g, 0, &card).expect("withdrawn");
        assert_eq!(
            withdraw(&mut g, 0, &card).err(),
            Some(ErrorCode::UnknownCard)
        );
    }

    #[test]
    fn a_withdrawn_card_is_cut_out_of_its_reveal_and_the_ring() {
        let mut g = Gathering::of(ExerciseKind::Board, 3);
        let mine = g.write(0, "the sea");
        let others = [g.write(1, "the hills"), g.write(2, "the town")];
        let (revealed_at, _) = g.reveal().events[0];
        let d = withdraw(&mut g, 0, &mine).expect("withdrawn");
        let Some(Event::CardsRevealed { cards }) = rewritten(&d, revealed_at) else {
            panic!("the reveal is rewritten: {:?}", d.ops);
        };
        let left: Vec<&CardId> = cards.iter().map(|c| &c.id).collect();
        assert_eq!(left.len(), 2);
        assert!(others.iter().all(|c| left.contains(&c)));
        assert!(!format!("{:?}", d.ops).contains("the sea"));
        assert!(matches!(events(&d)[..], [Event::CardWithdrawn { card }] if *card == mine));
        assert_eq!(
            d.cut,
            Some(revealed_at),
            "the ring drops the reveal's frame"
        );
        assert!(g.state.view.card(&mine).is_none());
        assert_eq!(g.state.reveals[&revealed_at].len(), 2);
    }

    #[test]
    fn every_show_again_of_a_withdrawn_card_is_rewritten_without_its_words() {
        let mut g = Gathering::of(ExerciseKind::Board, 3);
        let card = g.shown(0, "the sea");
        g.moderate(&card, Moderation::Hide).expect("hidden");
        let (shown_at, _) = g.moderate(&card, Moderation::Unhide).expect("shown").events[0];
        g.moderate(&card, Moderation::Blur).expect("blurred");
        let d = withdraw(&mut g, 0, &card).expect("withdrawn");
        let Some(Event::CardShown { card: wordless }) = rewritten(&d, shown_at) else {
            panic!("the show again is rewritten: {:?}", d.ops);
        };
        assert_eq!((wordless.id, wordless.text.as_str()), (card.clone(), ""));
        assert_eq!(d.cut, Some(shown_at), "the ring drops up to the last show");
        assert!(!g.state.shown.contains_key(&card));
    }

    #[test]
    fn a_checkpoint_holding_withdrawn_words_is_replaced_in_the_same_commit() {
        let mut g = Gathering::of(ExerciseKind::Board, 3);
        let before = g.shown(0, "in the checkpoint");
        g.state.checkpointed = g.state.seq;
        let after = g.shown(0, "after it");
        assert!(!withdraw(&mut g, 0, &after).expect("withdrawn").checkpoint);
        assert!(withdraw(&mut g, 0, &before).expect("withdrawn").checkpoint);
    }

    #[test]
    fn marks_on_a_withdrawn_card_go_with_it() {
        let (mut g, card) = resonated();
        let d = withdraw(&mut g, 0, &card).expect("withdrawn");
        assert!(d.ops.iter().any(|op| matches!(
            op,
            Op::DeleteMarksOn { targets } if targets.contains(&Target::Resonate(card.clone()).key())
        )));
        assert!(g.state.marks.values().all(|m| m.is_empty()));
        assert!(!g.state.totals_due[&g.step()].contains(&card));
        // Nothing more can be said of it.
        assert_eq!(
            resonate(&mut g, 1, &card).err(),
            Some(ErrorCode::UnknownCard)
        );
        let hide = g.moderate(&card, Moderation::Hide);
        assert_eq!(hide.err(), Some(ErrorCode::UnknownCard));
    }

    #[test]
    fn the_end_forgets_every_participant_but_keeps_the_totals() {
        let (mut g, card) = resonated();
        let counts = g.state.counts.clone();
        let d = g.run(Action::End).expect("ended");
        assert!(matches!(d.ops[0], Op::ForgetParticipants));
        assert!(matches!(events(&d)[..], [Event::Ended]));
        assert!(g.state.joined.is_empty());
        assert!(g.state.cards.values().all(|c| c.author.is_empty()));
        assert!(g
            .state
            .applied
            .iter()
            .all(|k| k.starts_with("facilitator/")));
        assert!(
            !g.state.applied.is_empty(),
            "the facilitator's actions stay"
        );
        assert!(!g.state.marks.contains_key("person-1"));
        assert_eq!(g.state.marks.len(), 2, "a stand-in for each mark");
        assert_eq!(g.state.counts, counts);
        // Nothing is theirs to change any more.
        assert_eq!(
            withdraw(&mut g, 0, &card).err(),
            Some(ErrorCode::NotAllowed)
        );
    }
}
