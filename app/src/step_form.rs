//! The facilitator's step editor, as plain text fields, and turning those
//! fields into a step.
//!
//! An editor holds what was typed, valid or not (a half-written dialogue is
//! a normal state of a form); `StepForm::to_spec` is the one place it
//! becomes a `StepSpec`, with the same checks the server makes, so the
//! console can say what to change before anything is sent.

use hearth_core::error::ErrorCode;
use hearth_core::exercise::{Exercise, ExerciseKind, Line};
use hearth_core::gathering::StepSpec;
use hearth_core::groups::{GroupSize, RoleSet};
use hearth_core::map::Axis;
use hearth_core::reflection::{ReflectionError, ReflectionText};
use hearth_core::words::{Label, Prompt, Words, WordsError};

/// Everything a step editor shows, as text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepForm {
    pub kind: Option<ExerciseKind>,
    pub prompt: String,
    /// Board columns, one per line.
    pub columns: String,
    /// Spectrum poles, or give-and-receive sides.
    pub left: String,
    pub right: String,
    /// A dialogue, one line each, as `Speaker: words`.
    pub lines: String,
    pub budget: String,
    /// A map's axes: categories one per line, or a scale's two ends (low,
    /// then high) when `*_scale` is set.
    pub across: String,
    pub across_scale: bool,
    pub up: String,
    pub up_scale: bool,
    /// A statements step: each statement waits for the facilitator.
    pub pre_screen: bool,
    /// A statements step's own statements to start with, one per line.
    pub seeds: String,
    /// Small groups: people per group, rounds, minutes a round, the role
    /// set's slug, a prompt per round one per line, and whether cards
    /// brought back show their group's sign.
    pub group_size: String,
    pub rounds: String,
    pub minutes: String,
    pub roles: String,
    pub round_prompts: String,
    pub show_sign: bool,
}

impl StepForm {
    /// The fields for an existing step.
    pub fn from_spec(spec: &StepSpec) -> Self {
        let mut form = StepForm {
            kind: Some(spec.exercise.kind()),
            prompt: spec.prompt.to_string(),
            ..Default::default()
        };
        match &spec.exercise {
            Exercise::Board { columns } => {
                form.columns = join(columns.iter().map(Label::as_str));
            }
            Exercise::Reframe => {}
            Exercise::Spectrum { left, right } => {
                form.left = left.to_string();
                form.right = right.to_string();
            }
            Exercise::Scenario { lines } => {
                form.lines = join(lines.iter().map(|l| format!("{}: {}", l.speaker, l.text)));
            }
            Exercise::MovingTowards { budget } => form.budget = budget.to_string(),
            Exercise::GiveReceive { offer, learn } => {
                form.left = offer.to_string();
                form.right = learn.to_string();
            }
            Exercise::Map { across, up } => {
                (form.across, form.across_scale) = axis_fields(across);
                (form.up, form.up_scale) = axis_fields(up);
            }
            Exercise::Statements { pre_screen, seeds } => {
                form.pre_screen = *pre_screen;
                form.seeds = join(seeds.iter().map(ReflectionText::as_str));
            }
            Exercise::SmallGroups {
                size,
                rounds,
                minutes,
                roles,
                prompts,
                show_sign,
            } => {
                form.group_size = size.get().to_string();
                form.rounds = rounds.to_string();
                form.minutes = minutes.to_string();
                form.roles = roles.slug().to_owned();
                form.round_prompts = join(prompts.iter().map(Prompt::as_str));
                form.show_sign = *show_sign;
            }
        }
        form
    }

    /// The step these fields describe, or what to change first.
    pub fn to_spec(&self) -> Result<StepSpec, ErrorCode> {
        let kind = self.kind.ok_or(ErrorCode::BadSettings)?;
        let prompt = Prompt::parse(&self.prompt)?;
        let label = |text: &str| -> Result<Label, ErrorCode> { Ok(Label::parse(text)?) };
        let exercise = match kind {
            ExerciseKind::Board => Exercise::Board {
                columns: rows(&self.columns).map(label).collect::<Result<_, _>>()?,
            },
            ExerciseKind::Reframe => Exercise::Reframe,
            ExerciseKind::Spectrum => Exercise::Spectrum {
                left: label(&self.left)?,
                right: label(&self.right)?,
            },
            ExerciseKind::Scenario => Exercise::Scenario {
                lines: rows(&self.lines).map(line).collect::<Result<_, _>>()?,
            },
            ExerciseKind::MovingTowards => Exercise::MovingTowards {
                budget: self
                    .budget
                    .trim()
                    .parse()
                    .map_err(|_| ErrorCode::BadSettings)?,
            },
            ExerciseKind::GiveReceive => Exercise::GiveReceive {
                offer: label(&self.left)?,
                learn: label(&self.right)?,
            },
            ExerciseKind::Map => Exercise::Map {
                across: axis(&self.across, self.across_scale)?,
                up: axis(&self.up, self.up_scale)?,
            },
            ExerciseKind::Statements => Exercise::Statements {
                pre_screen: self.pre_screen,
                seeds: rows(&self.seeds).map(seed).collect::<Result<_, _>>()?,
            },
            ExerciseKind::SmallGroups => {
                let number = |text: &str| -> Result<u8, ErrorCode> {
                    text.trim().parse().map_err(|_| ErrorCode::BadSettings)
                };
                Exercise::SmallGroups {
                    size: GroupSize::new(number(&self.group_size)?)
                        .map_err(|_| ErrorCode::BadSettings)?,
                    rounds: number(&self.rounds)?,
                    minutes: number(&self.minutes)?,
                    roles: RoleSet::ALL
                        .into_iter()
                        .find(|r| r.slug() == self.roles.trim())
                        .ok_or(ErrorCode::BadSettings)?,
                    prompts: rows(&self.round_prompts)
                        .map(|r| Prompt::parse(r).map_err(ErrorCode::from))
                        .collect::<Result<_, _>>()?,
                    show_sign: self.show_sign,
                }
            }
        };
        exercise.check()?;
        Ok(StepSpec { prompt, exercise })
    }
}

fn join<T: AsRef<str>>(items: impl Iterator<Item = T>) -> String {
    items
        .map(|i| i.as_ref().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The non-empty lines of a field.
fn rows(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// An axis as its text field and whether it is a scale.
fn axis_fields(axis: &Axis) -> (String, bool) {
    match axis {
        Axis::Categories { labels } => (join(labels.iter().map(Label::as_str)), false),
        Axis::Scale { low, high } => (join([low.as_str(), high.as_str()].into_iter()), true),
    }
}

/// The axis a text field describes: categories one per row, or a scale's
/// low and high ends on two rows.
fn axis(text: &str, scale: bool) -> Result<Axis, ErrorCode> {
    let labels: Vec<Label> = rows(text)
        .map(|r| Label::parse(r).map_err(ErrorCode::from))
        .collect::<Result<_, _>>()?;
    if !scale {
        return Ok(Axis::Categories { labels });
    }
    let [low, high] = <[Label; 2]>::try_from(labels).map_err(|_| ErrorCode::BadSettings)?;
    Ok(Axis::Scale { low, high })
}

/// One seed: a statement, whose limit (checked with the others' by
/// `Exercise::check`) is said as a statement's, however long the line.
fn seed(row: &str) -> Result<ReflectionText, ErrorCode> {
    ReflectionText::parse(row).map_err(|e| match e {
        ReflectionError::TooLong => ErrorCode::StatementTooLong,
        other => other.into(),
    })
}

/// `Speaker: words` as a line of dialogue.
fn line(row: &str) -> Result<Line, ErrorCode> {
    let (speaker, text) = row.split_once(':').ok_or(ErrorCode::BadSettings)?;
    Ok(Line {
        speaker: Words::parse(speaker).map_err(ErrorCode::from)?,
        text: Words::parse(text).map_err(|e: WordsError| ErrorCode::from(e))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::default_step;
    use hearth_core::locale::Locale;

    #[test]
    fn every_default_step_survives_the_editor_unchanged() {
        for locale in Locale::ALL {
            for kind in ExerciseKind::ALL {
                let spec = default_step(kind, locale);
                assert_eq!(StepForm::from_spec(&spec).to_spec(), Ok(spec));
            }
        }
    }

    #[test]
    fn columns_and_lines_are_one_per_row() {
        let form = StepForm {
            kind: Some(ExerciseKind::Board),
            prompt: "Where?".into(),
            columns: "Here\n\n  There  \n".into(),
            ..Default::default()
        };
        let Exercise::Board { columns } = form.to_spec().unwrap().exercise else {
            panic!("a board");
        };
        assert_eq!(columns.len(), 2);
        assert_eq!(columns[1].as_str(), "There");

        let scene = StepForm {
            kind: Some(ExerciseKind::Scenario),
            prompt: "Read".into(),
            lines: "A: Hello: there\nB: Hi".into(),
            ..Default::default()
        };
        let Exercise::Scenario { lines } = scene.to_spec().unwrap().exercise else {
            panic!("a scenario");
        };
        assert_eq!(lines[0].text.as_str(), "Hello: there");
        assert_eq!(lines[1].speaker.as_str(), "B");
    }

    #[test]
    fn map_axes_are_categories_or_a_scale() {
        let form = StepForm {
            kind: Some(ExerciseKind::Map),
            prompt: "Where did you learn it?".into(),
            across: "Family\nMedia\nMe".into(),
            up: "Fear\nHope".into(),
            up_scale: true,
            ..Default::default()
        };
        let Exercise::Map { across, up } = form.to_spec().unwrap().exercise else {
            panic!("a map");
        };
        assert!(matches!(across, Axis::Categories { labels } if labels.len() == 3));
        assert!(matches!(up, Axis::Scale { low, .. } if low.as_str() == "Fear"));
        // A scale has two ends; a set of categories at least two.
        let three_ends = StepForm {
            up: "a\nb\nc".into(),
            ..form.clone()
        };
        assert_eq!(three_ends.to_spec(), Err(ErrorCode::BadSettings));
        let one_category = StepForm {
            across: "Family".into(),
            ..form
        };
        assert_eq!(one_category.to_spec(), Err(ErrorCode::BadSettings));
    }

    #[test]
    fn small_groups_round_trip_and_bad_numbers_are_named() {
        let spec = crate::library::default_step(
            ExerciseKind::SmallGroups,
            hearth_core::locale::Locale::En,
        );
        let mut form = StepForm::from_spec(&spec);
        assert_eq!(form.to_spec(), Ok(spec));
        form.round_prompts = "First\nSecond".into();
        form.roles = "pairs".into();
        let Exercise::SmallGroups { prompts, roles, .. } = form.to_spec().unwrap().exercise else {
            panic!("small groups");
        };
        assert_eq!(prompts.len(), 2);
        assert_eq!(roles, RoleSet::Pairs);
        for (size, rounds, minutes, roles) in [
            ("7", "3", "8", "pairs"),
            ("3", "0", "8", "pairs"),
            ("3", "3", "x", "pairs"),
            ("3", "3", "8", "everyone"),
        ] {
            let bad = StepForm {
                group_size: size.into(),
                rounds: rounds.into(),
                minutes: minutes.into(),
                roles: roles.into(),
                ..form.clone()
            };
            assert_eq!(
                bad.to_spec(),
                Err(ErrorCode::BadSettings),
                "{size} {rounds} {minutes} {roles}"
            );
        }
    }

    #[test]
    fn seeds_are_one_statement_per_line_and_a_long_one_is_named_as_a_statement() {
        let spec = default_step(ExerciseKind::Statements, Locale::Es);
        let mut form = StepForm::from_spec(&spec);
        form.seeds = "  Keep the market  \n\nMore buses at night".into();
        let Exercise::Statements { seeds, .. } = form.to_spec().unwrap().exercise else {
            panic!("statements");
        };
        let seeds: Vec<&str> = seeds.iter().map(ReflectionText::as_str).collect();
        assert_eq!(seeds, ["Keep the market", "More buses at night"]);
        for long in [141, 501] {
            let bad = StepForm {
                seeds: format!("fine\n{}", "a".repeat(long)),
                ..form.clone()
            };
            assert_eq!(bad.to_spec(), Err(ErrorCode::StatementTooLong), "{long}");
        }
    }

    #[test]
    fn mistakes_are_named() {
        let base = StepForm {
            kind: Some(ExerciseKind::Scenario),
            prompt: "Read".into(),
            lines: "no speaker here".into(),
            ..Default::default()
        };
        assert_eq!(base.to_spec(), Err(ErrorCode::BadSettings));
        let empty = StepForm {
            lines: String::new(),
            ..base.clone()
        };
        assert_eq!(empty.to_spec(), Err(ErrorCode::BadSettings));
        let long = StepForm {
            prompt: "x".repeat(301),
            lines: "A: b".into(),
            ..base.clone()
        };
        assert_eq!(long.to_spec(), Err(ErrorCode::WordsTooLong));
        let no_pole = StepForm {
            kind: Some(ExerciseKind::Spectrum),
            prompt: "Where?".into(),
            left: "Fear".into(),
            ..Default::default()
        };
        assert_eq!(no_pole.to_spec(), Err(ErrorCode::WordsMissing));
        let budget = StepForm {
            kind: Some(ExerciseKind::MovingTowards),
            prompt: "Towards".into(),
            budget: "eleven".into(),
            ..Default::default()
        };
        assert_eq!(budget.to_spec(), Err(ErrorCode::BadSettings));
        let too_many = StepForm {
            budget: "11".into(),
            ..budget
        };
        assert_eq!(too_many.to_spec(), Err(ErrorCode::BadSettings));
    }
}
