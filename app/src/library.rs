//! The exercise library: what each kind is called, the facilitator's note
//! on why it is there, a ready-made step of each kind, our two sample
//! dialogues, and the ready agendas a gathering can start from.
//!
//! Every word comes from the catalogue, so a gathering started in Spanish
//! starts with Spanish prompts. Once a gathering has its agenda, the words
//! are its own and the facilitator edits them freely.

use crate::i18n::Msg;
use hearth_core::exercise::{Exercise, ExerciseKind, Line};
use hearth_core::gathering::StepSpec;
use hearth_core::groups::{Colour, GroupSize, Role, RoleSet, Sign};
use hearth_core::locale::Locale;
use hearth_core::map::Axis;
use hearth_core::marks::Tag;
use hearth_core::reflection::ReflectionText;
use hearth_core::words::{Label, Words};

/// What a kind is called in the library.
pub fn kind_name(kind: ExerciseKind) -> Msg {
    match kind {
        ExerciseKind::Board => Msg::KindBoard,
        ExerciseKind::Reframe => Msg::KindReframe,
        ExerciseKind::Spectrum => Msg::KindSpectrum,
        ExerciseKind::Scenario => Msg::KindScenario,
        ExerciseKind::MovingTowards => Msg::KindMovingTowards,
        ExerciseKind::GiveReceive => Msg::KindGiveReceive,
        ExerciseKind::Map => Msg::KindMap,
        ExerciseKind::Statements => Msg::KindStatements,
        ExerciseKind::SmallGroups => Msg::KindSmallGroups,
    }
}

/// The facilitator's note: the IPS principle or task a kind serves, and
/// how to open and close it.
pub fn note(kind: ExerciseKind) -> Msg {
    match kind {
        ExerciseKind::Board => Msg::NoteBoard,
        ExerciseKind::Reframe => Msg::NoteReframe,
        ExerciseKind::Spectrum => Msg::NoteSpectrum,
        ExerciseKind::Scenario => Msg::NoteScenario,
        ExerciseKind::MovingTowards => Msg::NoteMovingTowards,
        ExerciseKind::GiveReceive => Msg::NoteGiveReceive,
        ExerciseKind::Map => Msg::NoteMap,
        ExerciseKind::Statements => Msg::NoteStatements,
        ExerciseKind::SmallGroups => Msg::NoteSmallGroups,
    }
}

/// What a ready role set is called.
pub fn role_set_name(set: RoleSet) -> Msg {
    match set {
        RoleSet::IpsTriad => Msg::RoleSetIpsTriad,
        RoleSet::Pairs => Msg::RoleSetPairs,
        RoleSet::NoRoles => Msg::RoleSetNoRoles,
    }
}

/// What a role is called, and its card: what to do this round.
pub fn role_name(role: Role) -> (Msg, Msg) {
    match role {
        Role::Storyteller => (Msg::RoleStoryteller, Msg::RoleCardStoryteller),
        Role::Listener => (Msg::RoleListener, Msg::RoleCardListener),
        Role::Observer => (Msg::RoleObserver, Msg::RoleCardObserver),
        Role::Speaker => (Msg::RoleSpeaker, Msg::RoleCardSpeaker),
    }
}

/// A sign's colour, in words (the core names it only in code).
pub fn colour_name(colour: Colour) -> Msg {
    match colour {
        Colour::Teal => Msg::ColourTeal,
        Colour::Orange => Msg::ColourOrange,
        Colour::Purple => Msg::ColourPurple,
        Colour::Yellow => Msg::ColourYellow,
        Colour::Blue => Msg::ColourBlue,
        Colour::Pink => Msg::ColourPink,
        Colour::Green => Msg::ColourGreen,
        Colour::Red => Msg::ColourRed,
    }
}

/// A group's sign as people say it: "Group 7 · teal · ◆".
pub fn sign_words(sign: Sign, locale: Locale) -> String {
    Msg::GroupSignName.fill(
        locale,
        &[
            ("n", &sign.number.to_string()),
            ("colour", colour_name(sign.colour).text(locale)),
            ("symbol", &sign.symbol.to_string()),
        ],
    )
}

/// What a scenario tag is called.
pub fn tag_name(tag: Tag) -> Msg {
    match tag {
        Tag::Agenda => Msg::TagAgenda,
        Tag::Lecturing => Msg::TagLecturing,
        Tag::Probing => Msg::TagProbing,
        Tag::Joking => Msg::TagJoking,
        Tag::ChangingSubject => Msg::TagChangingSubject,
        Tag::Cautioning => Msg::TagCautioning,
        Tag::Connection => Msg::TagConnection,
    }
}

/// Catalogue words as a prompt or label. The catalogue's own texts are
/// short enough (a test checks every one), so this cannot fail in use; if
/// it ever did, the message's name stands in rather than a panic.
fn words<const MAX: usize>(msg: Msg, locale: Locale) -> Words<MAX> {
    Words::parse(msg.text(locale))
        .or_else(|_| Words::parse(&format!("{msg:?}")))
        .unwrap_or_else(|_| Words::parse("…").expect("an ellipsis is a valid word"))
}

/// The community dialogue's statements to start with: a few a hall can
/// answer at once, so nobody faces an empty room, and none that tells
/// people what to think.
fn community_seeds(locale: Locale) -> Vec<ReflectionText> {
    [Msg::SeedLookOut, Msg::SeedYoungPeople, Msg::SeedHeard]
        .into_iter()
        .filter_map(|m| ReflectionText::parse(m.text(locale)).ok())
        .collect()
}

fn step(prompt: Msg, exercise: Exercise, locale: Locale) -> StepSpec {
    StepSpec {
        prompt: words(prompt, locale),
        exercise,
    }
}

/// The two sample dialogues we wrote for the scenario exercise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialogue {
    /// A peer supporter meets someone after a hard week.
    HardWeek,
    /// Neighbours talk at a community meeting about a housing plan.
    CommunityMeeting,
}

impl Dialogue {
    pub const ALL: [Dialogue; 2] = [Dialogue::HardWeek, Dialogue::CommunityMeeting];

    fn script(self) -> &'static [(Msg, Msg)] {
        use Msg::*;
        match self {
            Dialogue::HardWeek => &[
                (SpeakerAlex, HardWeek1),
                (SpeakerSam, HardWeek2),
                (SpeakerAlex, HardWeek3),
                (SpeakerSam, HardWeek4),
                (SpeakerAlex, HardWeek5),
                (SpeakerSam, HardWeek6),
                (SpeakerAlex, HardWeek7),
                (SpeakerSam, HardWeek8),
            ],
            Dialogue::CommunityMeeting => &[
                (SpeakerRosa, Meeting1),
                (SpeakerDev, Meeting2),
                (SpeakerRosa, Meeting3),
                (SpeakerDev, Meeting4),
                (SpeakerRosa, Meeting5),
                (SpeakerDev, Meeting6),
                (SpeakerRosa, Meeting7),
                (SpeakerDev, Meeting8),
            ],
        }
    }

    pub fn lines(self, locale: Locale) -> Vec<Line> {
        self.script()
            .iter()
            .map(|(speaker, text)| Line {
                speaker: words(*speaker, locale),
                text: words(*text, locale),
            })
            .collect()
    }
}

/// The worldview map's default axes: where a story was learned, across;
/// from fear to hope, up.
pub fn default_map(locale: Locale) -> Exercise {
    let label = |msg: Msg| -> Label { words(msg, locale) };
    Exercise::Map {
        across: Axis::Categories {
            labels: [
                Msg::AxisFamily,
                Msg::AxisSchoolWork,
                Msg::AxisServices,
                Msg::AxisCultureFaith,
                Msg::AxisMedia,
                Msg::AxisOwnExperience,
            ]
            .map(label)
            .to_vec(),
        },
        up: Axis::Scale {
            low: label(Msg::PoleFear),
            high: label(Msg::PoleHope),
        },
    }
}

/// A ready-made step of each kind, for the facilitator to reword.
pub fn default_step(kind: ExerciseKind, locale: Locale) -> StepSpec {
    let label = |msg: Msg| -> Label { words(msg, locale) };
    match kind {
        ExerciseKind::Board => step(
            Msg::PromptCheckIn,
            Exercise::Board { columns: vec![] },
            locale,
        ),
        ExerciseKind::Reframe => step(Msg::PromptReframe, Exercise::Reframe, locale),
        ExerciseKind::Spectrum => step(
            Msg::PromptSpectrum,
            Exercise::Spectrum {
                left: label(Msg::PoleFear),
                right: label(Msg::PoleHope),
            },
            locale,
        ),
        ExerciseKind::Scenario => step(
            Msg::PromptScenario,
            Exercise::Scenario {
                lines: Dialogue::HardWeek.lines(locale),
            },
            locale,
        ),
        ExerciseKind::MovingTowards => step(
            Msg::PromptMovingTowards,
            Exercise::MovingTowards { budget: 3 },
            locale,
        ),
        ExerciseKind::GiveReceive => step(
            Msg::PromptGiveReceive,
            Exercise::GiveReceive {
                offer: label(Msg::ColumnOffer),
                learn: label(Msg::ColumnLearn),
            },
            locale,
        ),
        ExerciseKind::Map => step(Msg::PromptMap, default_map(locale), locale),
        ExerciseKind::Statements => step(
            Msg::PromptStatements,
            Exercise::Statements {
                pre_screen: false,
                seeds: Vec::new(),
            },
            locale,
        ),
        ExerciseKind::SmallGroups => step(
            Msg::PromptSmallGroups,
            Exercise::SmallGroups {
                size: GroupSize::TRIAD,
                rounds: 3,
                minutes: 8,
                roles: RoleSet::IpsTriad,
                prompts: Vec::new(),
                show_sign: false,
            },
            locale,
        ),
    }
}

/// The agendas a gathering can start from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadyAgenda {
    /// A 90-minute introduction to the four tasks.
    Introduction,
    /// An evening of community dialogue.
    CommunityDialogue,
    /// One board step, to build from.
    Blank,
}

impl ReadyAgenda {
    pub const ALL: [ReadyAgenda; 3] = [
        ReadyAgenda::Introduction,
        ReadyAgenda::CommunityDialogue,
        ReadyAgenda::Blank,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ReadyAgenda::Introduction => "introduction",
            ReadyAgenda::CommunityDialogue => "community",
            ReadyAgenda::Blank => "blank",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.slug() == slug)
    }

    pub fn name(self) -> Msg {
        match self {
            ReadyAgenda::Introduction => Msg::AgendaIntroduction,
            ReadyAgenda::CommunityDialogue => Msg::AgendaCommunity,
            ReadyAgenda::Blank => Msg::AgendaBlank,
        }
    }

    pub fn description(self) -> Msg {
        match self {
            ReadyAgenda::Introduction => Msg::AgendaIntroductionAbout,
            ReadyAgenda::CommunityDialogue => Msg::AgendaCommunityAbout,
            ReadyAgenda::Blank => Msg::AgendaBlankAbout,
        }
    }

    pub fn steps(self, locale: Locale) -> Vec<StepSpec> {
        let label = |msg: Msg| -> Label { words(msg, locale) };
        let board = Exercise::Board { columns: vec![] };
        match self {
            ReadyAgenda::Introduction => vec![
                step(Msg::PromptCheckIn, board.clone(), locale),
                step(
                    Msg::PromptHelpingLearning,
                    Exercise::Spectrum {
                        left: label(Msg::PoleHelping),
                        right: label(Msg::PoleLearning),
                    },
                    locale,
                ),
                step(
                    Msg::PromptScenario,
                    Exercise::Scenario {
                        lines: Dialogue::HardWeek.lines(locale),
                    },
                    locale,
                ),
                step(Msg::PromptReframe, Exercise::Reframe, locale),
                step(Msg::PromptMap, default_map(locale), locale),
                step(
                    Msg::PromptGiveReceive,
                    Exercise::GiveReceive {
                        offer: label(Msg::ColumnOffer),
                        learn: label(Msg::ColumnLearn),
                    },
                    locale,
                ),
                step(
                    Msg::PromptMovingTowards,
                    Exercise::MovingTowards { budget: 3 },
                    locale,
                ),
                step(Msg::PromptLearningTogether, board, locale),
                // Last, the practice itself: triads, each trying every seat.
                default_step(ExerciseKind::SmallGroups, locale),
            ],
            ReadyAgenda::CommunityDialogue => vec![
                step(Msg::PromptTonight, board.clone(), locale),
                step(
                    Msg::PromptCommunityHope,
                    Exercise::Spectrum {
                        left: label(Msg::PoleFear),
                        right: label(Msg::PoleHope),
                    },
                    locale,
                ),
                step(Msg::PromptCommunityStory, Exercise::Reframe, locale),
                step(Msg::PromptCommunityMap, default_map(locale), locale),
                step(
                    Msg::PromptStatements,
                    Exercise::Statements {
                        pre_screen: false,
                        seeds: community_seeds(locale),
                    },
                    locale,
                ),
                step(
                    Msg::PromptScenarioMeeting,
                    Exercise::Scenario {
                        lines: Dialogue::CommunityMeeting.lines(locale),
                    },
                    locale,
                ),
                step(
                    Msg::PromptCommunityTowards,
                    Exercise::MovingTowards { budget: 3 },
                    locale,
                ),
                step(
                    Msg::PromptCommunityGive,
                    Exercise::GiveReceive {
                        offer: label(Msg::ColumnBring),
                        learn: label(Msg::ColumnLearnFromOthers),
                    },
                    locale,
                ),
                step(Msg::PromptTakingHome, board, locale),
            ],
            ReadyAgenda::Blank => vec![step(Msg::PromptCheckIn, board, locale)],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_core::words::{LABEL_MAX_CHARS, PROMPT_MAX_CHARS};

    #[test]
    fn every_ready_agenda_is_valid_in_every_language() {
        for locale in Locale::ALL {
            for agenda in ReadyAgenda::ALL {
                let steps = agenda.steps(locale);
                assert!(!steps.is_empty());
                for s in &steps {
                    assert_eq!(s.exercise.check(), Ok(()), "{agenda:?}");
                    assert!(!s.prompt.as_str().starts_with("Prompt"), "{agenda:?}");
                }
            }
            for kind in ExerciseKind::ALL {
                let s = default_step(kind, locale);
                assert_eq!(s.exercise.kind(), kind);
                assert_eq!(s.exercise.check(), Ok(()));
            }
        }
    }

    #[test]
    fn the_ready_agendas_cover_every_kind() {
        let kinds = |agenda: ReadyAgenda| -> std::collections::HashSet<_> {
            agenda
                .steps(Locale::En)
                .iter()
                .map(|s| s.exercise.kind())
                .collect()
        };
        let introduction = kinds(ReadyAgenda::Introduction);
        // Statements are for a hall: the community dialogue has them, a
        // training's introduction to the four tasks does not.
        for kind in ExerciseKind::ALL {
            let expected = kind != ExerciseKind::Statements;
            assert_eq!(introduction.contains(&kind), expected, "{kind:?}");
        }
        assert!(kinds(ReadyAgenda::CommunityDialogue).contains(&ExerciseKind::Statements));
    }

    #[test]
    fn the_community_dialogue_starts_its_statements_with_seeds_in_every_language() {
        for locale in Locale::ALL {
            let steps = ReadyAgenda::CommunityDialogue.steps(locale);
            let seeds = steps.iter().find_map(|s| match &s.exercise {
                Exercise::Statements { seeds, .. } => Some(seeds.len()),
                _ => None,
            });
            // Each fits a statement's limit, or it would be left out.
            assert_eq!(seeds, Some(3), "{locale:?}");
        }
    }

    #[test]
    fn dialogues_fit_their_limits_and_never_fall_back() {
        for locale in Locale::ALL {
            for d in Dialogue::ALL {
                for (speaker, text) in d.script() {
                    assert!(speaker.text(locale).chars().count() <= LABEL_MAX_CHARS);
                    assert!(text.text(locale).chars().count() <= PROMPT_MAX_CHARS);
                }
                assert_eq!(d.lines(locale).len(), 8);
            }
        }
    }

    #[test]
    fn slugs_round_trip() {
        for a in ReadyAgenda::ALL {
            assert_eq!(ReadyAgenda::from_slug(a.slug()), Some(a));
        }
        assert_eq!(ReadyAgenda::from_slug("nope"), None);
    }

    #[test]
    fn a_snapshot_with_totals_reads_back() {
        let mut gathering = hearth_core::gathering::GatheringView::new(
            "t".into(),
            ReadyAgenda::Introduction.steps(Locale::En),
        );
        gathering
            .totals
            .entry(hearth_core::ids::StepId(6))
            .or_default()
            .cards
            .insert(hearth_core::ids::CardId::from_random(3), 3);
        let msg = hearth_core::protocol::ServerMsg::Snapshot {
            at: hearth_core::gathering::LogPosition { epoch: 1, seq: 2 },
            gathering,
            now: 5,
        };
        let json = serde_json::to_string(&msg).unwrap();
        assert_eq!(
            serde_json::from_str::<hearth_core::protocol::ServerMsg>(&json).unwrap(),
            msg
        );
    }
}
