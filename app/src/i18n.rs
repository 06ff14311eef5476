//! The translation catalogue: every word a person reads in Hearth.
//!
//! Each message is a variant of `Msg`, and each language is a column of the
//! `catalogue!` table below. A language that lacks a message does not
//! compile, so a missing string is caught before anyone can see it.
//! Placeholders are written `{name}` and filled by `Msg::fill`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The languages Hearth speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    En,
}

impl Locale {
    /// The language tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
        }
    }
}

macro_rules! catalogue {
    ($($key:ident { en: $en:literal })*) => {
        /// A message in the catalogue.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Msg { $($key),* }

        impl Msg {
            /// Every message, for tests that check the catalogue.
            pub const ALL: &'static [Msg] = &[$(Msg::$key),*];

            /// The message in one language.
            pub fn text(self, locale: Locale) -> &'static str {
                match locale {
                    Locale::En => match self { $(Msg::$key => $en),* },
                }
            }
        }
    };
}

catalogue! {
    AppName { en: "Hearth" }
    SkipToContent { en: "Skip to content" }

    LinkConnecting { en: "Connecting…" }
    LinkReconnecting { en: "Reconnecting… your words are safe here and will be sent when we're back." }

    ErrNotFound { en: "We couldn't find that gathering. Check the link, or ask the facilitator for a new one." }
    ErrEnded { en: "This gathering has ended. Thank you for being part of it." }
    ErrLocked { en: "Joining is closed for now. If you'd like to come in, let the facilitator know." }
    ErrUnavailable { en: "Something went wrong on our side. Please try again in a moment." }
    BackHome { en: "Back to the start" }

    HomeTitle { en: "Join a gathering" }
    HomeIntro { en: "No name, no account. What you write is anonymous." }
    HomeCodeLabel { en: "Join code" }
    HomeCodeHint { en: "The 6 letters and numbers on the shared screen." }
    HomeJoin { en: "Join" }
    HomeFacilitate { en: "Facilitating? Start a gathering" }
    JoinErrUnknown { en: "We couldn't find a gathering with that code. Check it and try again." }
    JoinErrFormat { en: "A join code has 6 letters and numbers, like K7M2QX. Check it and try again." }
    JoinErrClosed { en: "That gathering isn't open for joining right now. Ask the facilitator." }
    JoinErrBusy { en: "Lots of tries just now. Wait a moment, then try again." }

    StartTitle { en: "Start a gathering" }
    StartIntro { en: "You'll get a private console link for you, a screen link for the projector, and a join code for the room." }
    StartNameLabel { en: "Name of the gathering" }
    StartNameDefault { en: "Our gathering" }
    StartPromptLabel { en: "First prompt" }
    StartPromptDefault { en: "What's bringing you here today?" }
    StartSubmit { en: "Start gathering" }
    StartErrMissing { en: "Please give the gathering a name and a first prompt." }
    StartErrTooLong { en: "That's a little long. A name has at most 120 characters and a prompt at most 300." }

    ConsoleTitle { en: "Facilitator console" }
    ConsoleKeepPrivate { en: "This page's address is your key to the console. Keep it private; bookmark it to come back." }
    ConsoleLinks { en: "Links" }
    ConsoleScreenLink { en: "Screen link, for the projector or a shared screen" }
    ConsoleParticipantLink { en: "Link for participants" }
    ConsoleOpenScreen { en: "Open the shared screen" }
    ConsoleJoinCode { en: "Join code" }
    ConsolePrompt { en: "Prompt" }
    ConsoleReveal { en: "Reveal reflections" }
    ConsoleNothingWaiting { en: "No reflections waiting to be revealed." }
    ConsoleSomeWaiting { en: "Some reflections are waiting to be revealed." }
    ConsoleOneWaiting { en: "1 reflection is waiting to be revealed." }
    ConsoleManyWaiting { en: "{n} reflections are waiting to be revealed." }
    ConsoleSmallRoom { en: "Fewer than 5 people here, so no counts are shown." }
    ConsolePeople { en: "{n} people have joined." }
    ConsoleCollecting { en: "Participants can add reflections." }
    ConsolePaused { en: "Reflections are paused." }
    ConsolePause { en: "Pause reflections" }
    ConsoleResume { en: "Open reflections" }
    ConsoleJoiningOpen { en: "Joining is open." }
    ConsoleJoiningLocked { en: "Joining is locked." }
    ConsoleLock { en: "Lock joining" }
    ConsoleUnlock { en: "Unlock joining" }

    BoardTitle { en: "The board" }
    BoardEmpty { en: "Nothing revealed yet." }

    ScreenJoinAt { en: "Join at" }
    ScreenCodeLabel { en: "Code" }
    ScreenQrAlt { en: "QR code that opens this gathering on a phone" }

    PartPromptLabel { en: "The prompt" }
    PartYourReflection { en: "Your reflection" }
    PartHint { en: "Anonymous. Up to 500 characters." }
    PartCharsLeft { en: "{n} characters left" }
    PartAdd { en: "Add reflection" }
    PartPass { en: "Pass" }
    PartPassed { en: "That's fine. Passing is always a choice. You can add a reflection any time." }
    PartSending { en: "Sending…" }
    PartReceived { en: "Received. Thank you." }
    PartPaused { en: "Reflections are paused for now. You can read along." }
    PartMine { en: "Your reflections" }
    PartMineHint { en: "Only you can see this list." }
    PartMineEmpty { en: "You haven't added any yet." }
    PartWaitingReveal { en: "Waiting to be revealed" }
    PartOnBoard { en: "On the board" }
    PartWithdraw { en: "Withdraw" }
    PartWithdrawn { en: "Withdrawn. It's gone from every view." }

    ReceivedTitle { en: "Your reflection was received" }
    ReceivedBody { en: "It's stored safely and will appear when the facilitator reveals the board." }
    ReceivedBack { en: "Back to the gathering" }

    ErrCodeMalformed { en: "That didn't reach us properly. Please try again." }
    ErrCodeNotAllowed { en: "That isn't something this view can do." }
    ErrCodeNotCollecting { en: "Reflections are paused right now, so this wasn't added." }
    ErrCodeUnknownStep { en: "That step isn't part of this gathering." }
    ErrCodeUnknownCard { en: "That reflection isn't there any more." }
    ErrCodeEmpty { en: "Write something first, or choose Pass." }
    ErrCodeTooLong { en: "That's more than 500 characters. Could you shorten it a little?" }
    ErrCodeEnded { en: "This gathering has ended." }
    ErrCodeRateLimited { en: "That was a lot at once. Wait a moment, then try again." }
    ErrCodeInternal { en: "Something went wrong on our side, and nothing was changed. Please try again." }

    StartPassphraseLabel { en: "Organiser passphrase" }
    StartPassphraseHint { en: "Whoever runs Hearth for your organisation can give it to you." }
    StartErrPassphrase { en: "That passphrase doesn't match. Check it and try again; nothing was started." }
    StartErrPassphraseBusy { en: "Lots of tries just now. Wait a minute, then try again." }
    StartDeleted { en: "The gathering is deleted, with everything in it." }
    StartGone { en: "There's nothing at that link any more. It may already have been deleted." }
    StartErrDeleteFailed { en: "We couldn't delete that gathering just now, and nothing was changed. Please try again from its console." }
}

impl Msg {
    /// The message with `{name}` placeholders filled in.
    pub fn fill(self, locale: Locale, values: &[(&str, &str)]) -> String {
        values
            .iter()
            .fold(self.text(locale).to_owned(), |text, (name, value)| {
                text.replace(&format!("{{{name}}}"), value)
            })
    }
}

/// The words for a refused action.
pub fn error_msg(code: crate::protocol::ErrorCode) -> Msg {
    use crate::protocol::ErrorCode as E;
    match code {
        E::Malformed | E::TooLarge => Msg::ErrCodeMalformed,
        E::NotAllowed => Msg::ErrCodeNotAllowed,
        E::NotCollecting => Msg::ErrCodeNotCollecting,
        E::UnknownStep => Msg::ErrCodeUnknownStep,
        E::UnknownCard => Msg::ErrCodeUnknownCard,
        E::Empty => Msg::ErrCodeEmpty,
        E::TooLong => Msg::ErrCodeTooLong,
        E::Ended => Msg::ErrCodeEnded,
        E::RateLimited => Msg::ErrCodeRateLimited,
        E::Internal => Msg::ErrCodeInternal,
    }
}

/// The language a view speaks, provided once at the top of the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct I18n(pub Locale);

impl I18n {
    pub fn t(self, msg: Msg) -> &'static str {
        msg.text(self.0)
    }

    pub fn fill(self, msg: Msg, values: &[(&str, &str)]) -> String {
        msg.fill(self.0, values)
    }
}

/// The current view's language.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or(I18n(Locale::En))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_words_in_every_language() {
        for locale in [Locale::En] {
            for msg in Msg::ALL {
                assert!(
                    !msg.text(locale).trim().is_empty(),
                    "{msg:?} is empty in {locale:?}"
                );
            }
        }
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            Msg::PartCharsLeft.fill(Locale::En, &[("n", "12")]),
            "12 characters left"
        );
    }
}
