//! Property tests over what the network feeds us and what the log replays:
//! the message decoder, the event-apply logic and the mark counts. Each
//! runs a fixed number of generated cases (bounded time inside the normal
//! test command), and checks that nothing panics and no invariant breaks.

use app::library::{default_step, ReadyAgenda};
use hearth_core::anonymity::MIN_PEOPLE_SHOWN;
use hearth_core::exercise::Place;
use hearth_core::gathering::{
    Card, Event, GatheringView, Joining, ScreenSettings, ScreenTheme, StepView,
};
use hearth_core::ids::{CardId, StepId};
use hearth_core::locale::Locale;
use hearth_core::map::Spot;
use hearth_core::marks::{band, Counts, Target, SPECTRUM_BANDS};
use hearth_core::protocol::{ClientMsg, Role};
use hearth_core::timer::Timer;
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// JSON that looks like our messages: the right keys and kinds, with
/// values of any shape, so the decoder's deeper paths are reached.
fn message_like() -> impl Strategy<Value = String> {
    let kinds = prop::sample::select(vec![
        "add_reflection",
        "withdraw",
        "mark",
        "reveal",
        "set_collecting",
        "go_to",
        "show_lines",
        "moderate",
        "timer",
        "add_step",
        "edit_step",
        "move_step",
        "remove_step",
        "save_template",
        "end",
        "fly",
    ]);
    let value = prop_oneof![
        Just("null".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        "\\PC{0,40}".prop_map(|s| serde_json::Value::String(s).to_string()),
        Just(r#"{"at":"under","card":"00000000000000zz"}"#.to_owned()),
        Just(r#"{"mark":"vote","card":"0000000000000001","dots":300}"#.to_owned()),
        Just(r#"{"prompt":"p","exercise":{"kind":"scenario","lines":[]}}"#.to_owned()),
        Just(r#"{"do":"set","seconds":-1}"#.to_owned()),
    ];
    let fields = prop::collection::vec(
        (
            prop::sample::select(vec![
                "step",
                "text",
                "place",
                "card",
                "mark",
                "open",
                "count",
                "change",
                "timer",
                "spec",
                "at",
                "to",
                "name",
                "sensitive",
            ]),
            value,
        ),
        0..5,
    );
    (kinds, fields, "[a-z0-9_-]{0,12}").prop_map(|(kind, fields, id)| {
        let fields: String = fields
            .into_iter()
            .map(|(k, v)| format!(r#","{k}":{v}"#))
            .collect();
        format!(r#"{{"type":"act","id":"{id}","action":{{"kind":"{kind}"{fields}}}}}"#)
    })
}

proptest! {
    #![proptest_config(config(3000))]

    /// Whatever arrives, the decoder answers without panicking; what it
    /// accepts encodes and decodes to the same message.
    #[test]
    fn the_decoder_never_panics_and_what_it_reads_round_trips(
        text in prop_oneof!["\\PC{0,200}", message_like()],
        role in prop::sample::select(vec![Role::Participant, Role::Screen, Role::Facilitator]),
    ) {
        if let Ok(msg) = ClientMsg::decode(&text, role) {
            let again = serde_json::to_string(&msg).expect("our messages encode");
            prop_assert_eq!(ClientMsg::decode(&again, role).ok(), Some(msg));
        }
    }
}

/// Events over a small world of ids, so they collide with what exists.
fn event() -> impl Strategy<Value = Event> {
    let step = (1u32..10).prop_map(StepId);
    let card_id = (1u64..12).prop_map(CardId::from_random);
    let card = (card_id.clone(), 1u32..10, "[a-z]{1,8}", any::<bool>()).prop_map(
        |(id, step, text, blurred)| Card {
            id,
            step: StepId(step),
            text,
            place: Place::Board,
            hidden: false,
            blurred,
        },
    );
    let kinds = prop::sample::select(hearth_core::exercise::ExerciseKind::ALL.to_vec());
    prop_oneof![
        prop::collection::vec(card.clone(), 0..4).prop_map(|cards| Event::CardsRevealed { cards }),
        card_id
            .clone()
            .prop_map(|card| Event::CardWithdrawn { card }),
        card_id.clone().prop_map(|card| Event::CardHidden { card }),
        card.prop_map(|card| Event::CardShown { card }),
        (card_id, any::<bool>()).prop_map(|(card, blurred)| Event::CardBlurred { card, blurred }),
        (step.clone(), any::<bool>()).prop_map(|(step, open)| Event::CollectingSet { step, open }),
        any::<bool>().prop_map(|locked| Event::JoiningSet {
            joining: if locked {
                Joining::Locked
            } else {
                Joining::Open
            }
        }),
        step.clone().prop_map(|step| Event::StepChanged { step }),
        (0u32..12, 1u32..12, kinds.clone()).prop_map(|(at, id, kind)| Event::StepAdded {
            at,
            step: StepView::fresh(StepId(id), default_step(kind, Locale::En)),
        }),
        (step.clone(), kinds).prop_map(|(step, kind)| Event::StepEdited {
            step,
            spec: default_step(kind, Locale::En),
        }),
        (step.clone(), 0u32..12).prop_map(|(step, to)| Event::StepMoved { step, to }),
        step.clone().prop_map(|step| Event::StepRemoved { step }),
        (step.clone(), any::<bool>()).prop_map(|(step, live)| Event::LiveSet { step, live }),
        (step, 0u16..30).prop_map(|(step, count)| Event::LinesShown { step, count }),
        (0u64..1_000_000).prop_map(|left| Event::TimerSet {
            timer: Timer::Paused { left }
        }),
        (any::<bool>(), any::<bool>()).prop_map(|(es, contrast)| Event::ScreenSet {
            screen: ScreenSettings {
                language: if es { Locale::Es } else { Locale::En },
                theme: if contrast {
                    ScreenTheme::HighContrast
                } else {
                    ScreenTheme::Standard
                },
            },
        }),
        Just(Event::Ended),
    ]
}

/// What must hold of any state the log can reach.
fn check(view: &GatheringView) -> Result<(), TestCaseError> {
    prop_assert!(!view.steps.is_empty(), "an agenda keeps a step");
    prop_assert!(
        view.step(view.current).is_some(),
        "the room is on a step that exists"
    );
    let steps: HashSet<StepId> = view.steps.iter().map(|s| s.id).collect();
    prop_assert_eq!(steps.len(), view.steps.len(), "step ids are unique");
    let cards: HashSet<&CardId> = view.cards.iter().map(|c| &c.id).collect();
    prop_assert_eq!(cards.len(), view.cards.len(), "card ids are unique");
    for card in &view.cards {
        prop_assert!(steps.contains(&card.step), "every card belongs to a step");
    }
    for step in &view.steps {
        prop_assert!(usize::from(step.shown) <= step.exercise.line_count());
    }
    if view.ended {
        prop_assert!(view.steps.iter().all(|s| !s.collecting));
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(1500))]

    /// Any sequence of events keeps the state valid, and a view that
    /// resumes from a serialised snapshot ends where the live one does.
    #[test]
    fn any_log_keeps_the_state_valid_and_replays_the_same(
        events in prop::collection::vec(event(), 0..40),
        cut in 0usize..40,
    ) {
        let start = GatheringView::new("t".into(), ReadyAgenda::Introduction.steps(Locale::En));
        let mut live = start.clone();
        let mut resumed = start;
        let cut = cut.min(events.len());
        for (i, e) in events.iter().enumerate() {
            live.apply(e);
            check(&live)?;
            if i + 1 == cut {
                let json = serde_json::to_string(&live).expect("a view encodes");
                resumed = serde_json::from_str(&json).expect("a view decodes");
            }
        }
        if cut == 0 {
            for e in &events {
                resumed.apply(e);
            }
        } else {
            for e in &events[cut..] {
                resumed.apply(e);
            }
        }
        prop_assert_eq!(live, resumed);
    }
}

proptest! {
    #![proptest_config(config(1000))]

    /// Counting marks change by change gives what counting them all afresh
    /// gives, and a spectrum or a card's map place shows only with enough
    /// people.
    #[test]
    fn counts_follow_every_change(
        changes in prop::collection::vec((0u8..6, 0u8..5, prop::option::of(0u8..=100)), 0..120),
    ) {
        let mut counts = Counts::default();
        // Each person's current value per target: the model.
        let mut model: HashMap<(u8, u8), u16> = HashMap::new();
        for (person, which, value) in changes {
            let target = match which {
                0 => Target::Spectrum(StepId(1)),
                1 => Target::Tag(StepId(2), 3),
                2 => Target::Vote(CardId::from_random(1)),
                3 => Target::Resonate(CardId::from_random(2)),
                _ => Target::Place(CardId::from_random(3)),
            };
            // Tags are 0..7, dots up to 10, a resonance is 1, a map spot
            // one of six categories and a point on a scale.
            let value = value.map(|v| match which {
                1 => u16::from(v % 7),
                2 => u16::from(v % 10 + 1),
                3 => 1,
                4 => Spot { x: v % 6, y: v }.pack(),
                _ => u16::from(v),
            });
            let old = match value {
                Some(v) => model.insert((person, which), v),
                None => model.remove(&(person, which)),
            };
            counts.change(&target, old, value);
        }
        let map = app::library::default_map(hearth_core::locale::Locale::En);
        let totals = counts.publish(&map);
        let of = |which: u8| model.iter().filter(move |((_, w), _)| *w == which).map(|(_, v)| *v);
        let placed = of(0).count() as u32;
        match totals.spectrum.clone() {
            Some(bands) => {
                prop_assert!(placed >= MIN_PEOPLE_SHOWN);
                let mut expected = vec![0u32; SPECTRUM_BANDS];
                for v in of(0) {
                    expected[band(v as u8)] += 1;
                }
                prop_assert_eq!(bands, expected);
            }
            None => prop_assert!(placed < MIN_PEOPLE_SHOWN),
        }
        let mut tags = [0u32; 7];
        for v in of(1) {
            tags[usize::from(v)] += 1;
        }
        prop_assert_eq!(totals.line(3), tags);
        let dots: u32 = of(2).map(u32::from).sum();
        prop_assert_eq!(totals.card(&CardId::from_random(1)), dots);
        prop_assert_eq!(totals.card(&CardId::from_random(2)), of(3).count() as u32);
        // The map: the place summarised from everyone's spots afresh.
        let mut spots: std::collections::BTreeMap<Spot, u32> = Default::default();
        for v in of(4) {
            *spots.entry(Spot::unpack(v)).or_default() += 1;
        }
        let axes = map.axes().ok_or_else(|| TestCaseError::fail("a map"))?;
        let place = totals.place(&CardId::from_random(3));
        prop_assert_eq!(&place, &axes.summarise(&spots));
        prop_assert_eq!(place.at().is_some(), of(4).count() as u32 >= MIN_PEOPLE_SHOWN);
    }
}
