//! Why an action was refused, as a code: the core names errors and the
//! translation catalogue (in the views) words them. Every refusal of every
//! module below the protocol is one of these.

use crate::reflection::ReflectionError;
use crate::words::WordsError;
use serde::{Deserialize, Serialize};

/// Why an action was refused. The view turns the code into kind words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    #[error("the message could not be read")]
    Malformed,
    #[error("the message is too large")]
    TooLarge,
    #[error("this connection may not do that")]
    NotAllowed,
    #[error("that step is not collecting reflections now")]
    NotCollecting,
    #[error("that step is not the one the room is on")]
    StepNotOpen,
    #[error("no such step")]
    UnknownStep,
    #[error("no such card")]
    UnknownCard,
    #[error("no such line")]
    UnknownLine,
    #[error("a reflection cannot be empty")]
    Empty,
    #[error("a reflection has at most 500 characters")]
    TooLong,
    #[error("every prompt and label needs words")]
    WordsMissing,
    #[error("a prompt or label is over its length limit")]
    WordsTooLong,
    #[error("those settings do not fit this exercise")]
    BadSettings,
    #[error("this step does not take written reflections")]
    NoReflections,
    #[error("that reflection does not fit this step")]
    WrongPlace,
    #[error("that is more dots than you have")]
    OverBudget,
    #[error("this step holds reflections or marks")]
    StepInUse,
    #[error("an agenda keeps at least one step")]
    LastStep,
    #[error("the gathering has ended")]
    Ended,
    #[error("slow down a little")]
    RateLimited,
    #[error("something went wrong on our side")]
    Internal,
    #[error("that spot is outside the map")]
    OutsideMap,
    #[error("no such theme")]
    UnknownTheme,
    #[error("a statement has at most 140 characters")]
    StatementTooLong,
    #[error("that statement is not open for votes")]
    NotVotable,
    #[error("the groups have not been dealt")]
    NoGroups,
    #[error("that card is not on your group's board")]
    NotYourGroup,
    #[error("only the observer notes disconnects this round")]
    NotObserver,
    #[error("another member of the group needs to agree")]
    NeedsSecondMember,
    #[error("the groups are in a round: bring everyone back first")]
    MidRound,
    #[error("no such group")]
    NoSuchGroup,
    #[error("that would leave someone alone")]
    WouldLeaveAlone,
    #[error("the groups have written: dealing again forgets what they did not bring back")]
    GroupsWriting,
    #[error("cards go back to the room in the last round")]
    NotLastRound,
    #[error("no such round")]
    UnknownRound,
}

impl From<ReflectionError> for ErrorCode {
    fn from(e: ReflectionError) -> Self {
        match e {
            ReflectionError::Empty => ErrorCode::Empty,
            ReflectionError::TooLong => ErrorCode::TooLong,
        }
    }
}

impl From<WordsError> for ErrorCode {
    fn from(e: WordsError) -> Self {
        match e {
            WordsError::Missing => ErrorCode::WordsMissing,
            WordsError::TooLong => ErrorCode::WordsTooLong,
        }
    }
}
