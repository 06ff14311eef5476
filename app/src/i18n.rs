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
    /// Every language, for tests that check the catalogue.
    pub const ALL: [Locale; 1] = [Locale::En];

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
    StartAgendaLabel { en: "Begin with" }
    StartTemplateSteps { en: "{n} step|{n} steps" }
    StartSubmit { en: "Start gathering" }
    StartErrMissing { en: "Please give the gathering a name." }
    StartErrTooLong { en: "That's a little long. A name has at most 120 characters." }
    StartImportTitle { en: "Or start from an export" }
    StartImportFile { en: "A gathering exported from Hearth (the JSON file)" }
    StartImportName { en: "Name (leave empty to keep the export's)" }
    StartImportCards { en: "Bring its cards too, already revealed" }
    StartImportSubmit { en: "Start from this file" }
    StartErrImportForeign { en: "That file isn't a gathering exported from Hearth. Nothing was created." }
    StartErrImportVersion { en: "That export comes from a newer Hearth than this one. Nothing was created." }
    StartErrImportInvalid { en: "Part of that export can't be used here, so nothing was created." }
    StartErrAgenda { en: "We couldn't find that agenda. Please choose another one." }

    ConsoleTitle { en: "Facilitator console" }
    ConsoleKeepPrivate { en: "This page's address is your key to the console. Keep it private; bookmark it to come back." }
    ConsoleLinks { en: "Links" }
    ConsoleScreenLink { en: "Screen link, for the projector or a shared screen" }
    ConsoleParticipantLink { en: "Link for participants" }
    ConsoleOpenScreen { en: "Open the shared screen" }
    ConsoleJoinCode { en: "Join code" }
    ConsoleReveal { en: "Reveal reflections" }
    ConsoleNothingWaiting { en: "No reflections waiting to be revealed." }
    ConsoleSomeWaiting { en: "Some reflections are waiting to be revealed." }
    ConsoleWaiting { en: "{n} reflection is waiting to be revealed.|{n} reflections are waiting to be revealed." }
    ConsoleSmallRoom { en: "Fewer than 5 people here, so no counts are shown." }
    ConsolePeople { en: "{n} people have joined." }
    ConsoleCollecting { en: "Participants can add to this step." }
    ConsolePaused { en: "Adding is paused." }
    ConsolePause { en: "Pause adding" }
    ConsoleResume { en: "Open for adding" }
    ConsoleJoiningOpen { en: "Joining is open." }
    ConsoleJoiningLocked { en: "Joining is locked." }
    ConsoleLock { en: "Lock joining" }
    ConsoleUnlock { en: "Unlock joining" }
    ConsoleLive { en: "Reveal by itself" }
    ConsoleLiveOn { en: "Live: cards appear by themselves, shuffled, once at least 3 different people have written." }
    ConsoleLiveOff { en: "Cards appear when you reveal them." }
    ConsoleStepOf { en: "Step {n} of {total}" }
    ConsolePrev { en: "Previous step" }
    ConsoleNext { en: "Next step" }
    ConsoleLinesShown { en: "{n} of {total} lines shown" }
    ConsoleShowNextLine { en: "Show the next line" }
    ConsoleShowAllLines { en: "Show all lines" }
    ConsoleHideLastLine { en: "Hide the last line" }
    ConsoleNote { en: "Facilitator note" }
    ConsoleTimer { en: "Timer" }
    ConsoleTimerMinutes { en: "Minutes" }
    ConsoleTimerStart { en: "Start the timer" }
    ConsoleTimerPause { en: "Pause" }
    ConsoleTimerResume { en: "Resume" }
    ConsoleTimerAddMinute { en: "Add a minute" }
    ConsoleTimerClear { en: "Clear" }
    ConsoleModeration { en: "Cards on this step" }
    ConsoleModerationHint { en: "Hide a card to take it off the screen and the phones; blur it to cover its words on the screen. Nobody, you included, can see who wrote a card." }
    ConsoleHiddenMark { en: "Hidden from the room" }
    ConsoleBlurredMark { en: "Blurred on the screen" }
    ConsoleHide { en: "Hide" }
    ConsoleUnhide { en: "Show again" }
    ConsoleBlur { en: "Blur" }
    ConsoleUnblur { en: "Unblur" }
    ConsoleEnd { en: "End the gathering" }
    ConsoleEndConfirm { en: "End now? Joining and adding close for everyone." }
    ConsoleEndYes { en: "Yes, end it" }
    ConsoleCancel { en: "Cancel" }
    ConsoleEnded { en: "This gathering has ended. What the group made stays here to read." }
    ConsoleRoomSees { en: "What the room sees" }
    ConsoleCoFacilitatorLink { en: "Co-facilitator link (the same powers as yours)" }
    ConsoleAgenda { en: "Agenda" }
    ConsoleNow { en: "Now" }
    ConsoleGoTo { en: "Go to this step" }
    ConsoleEdit { en: "Edit" }
    ConsoleMoveUp { en: "Move up" }
    ConsoleMoveDown { en: "Move down" }
    ConsoleRemove { en: "Remove" }
    ConsoleAddFromLibrary { en: "Add a step from the library" }
    ConsoleAdd { en: "Add" }
    ConsoleTemplateName { en: "Keep this agenda as a template, named" }
    ConsoleTemplate { en: "Save template" }
    ConsoleTemplateSaved { en: "Saved. It's on the start page for your next gathering." }
    ConsoleEditStep { en: "Edit step" }
    ConsolePromptField { en: "Prompt" }
    ConsoleColumnsField { en: "Columns, one per line (leave empty for none)" }
    ConsoleLeftPole { en: "Left end" }
    ConsoleRightPole { en: "Right end" }
    ConsoleLinesField { en: "Dialogue, one line each, written as Speaker: words" }
    ConsoleBudgetField { en: "Dots per person (1 to 10)" }
    ConsoleOfferField { en: "Offer side" }
    ConsoleLearnField { en: "Learn side" }
    ConsoleSave { en: "Save" }
    ConsoleSaved { en: "Saved." }
    ConsoleExport { en: "Export" }
    ConsoleExportHint { en: "What the group has made so far, to keep or share. Nothing in it says who wrote what; hidden cards stay out unless you include them." }
    ConsoleExportMarkdown { en: "Summary (Markdown)" }
    ConsoleExportCsv { en: "Cards (CSV, for a spreadsheet)" }
    ConsoleExportJson { en: "The whole gathering (JSON)" }
    ConsoleExportWithHidden { en: "with hidden cards" }
    ConsoleHarvest { en: "Harvest: a printable summary, one page per step" }
    HarvestTitle { en: "Harvest" }
    HarvestHint { en: "Print this page (or save it as a PDF) to keep what the group made. Nothing in it says who wrote what." }
    HarvestStep { en: "Step {n}" }
    ConsoleDeleteTitle { en: "Delete this gathering" }
    ConsoleDeleteHint { en: "Deletes everything in it now: the agenda, every card and every total, for everyone. It can't be undone. Otherwise it is deleted by itself after the time this Hearth keeps gatherings." }
    ConsoleDeleteConfirm { en: "I understand: delete everything now" }
    ConsoleDelete { en: "Delete now" }

    BoardTitle { en: "The board" }
    BoardEmpty { en: "Nothing revealed yet." }

    ScreenContentNote { en: "Content note" }
    ScreenAwayFrom { en: "Moving away from:" }
    ScreenDots { en: "{n} dot|{n} dots" }
    ScreenResonates { en: "Resonates with {n}|Resonates with {n}" }
    ScreenReframes { en: "Reframes" }
    ScreenSpread { en: "Where the room stands" }
    ScreenSpreadWaiting { en: "The spread appears once a few people have placed themselves." }
    ScreenDialogue { en: "The dialogue" }
    ScreenDialogueWaiting { en: "The dialogue will appear here, a line at a time." }
    ScreenNoTags { en: "No tags yet" }
    TimerLabel { en: "Time left" }
    TimerDone { en: "Time. Let's gently bring this to a close." }
    TimerPaused { en: "paused" }
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

    PartMarked { en: "Saved. The room sees only totals." }
    PartColumnLabel { en: "Where does it go?" }
    PartAway { en: "What I want to stop or avoid (optional)" }
    PartToward { en: "What I want to move towards" }
    PartSensitive { en: "Content note: blur it on the shared screen until the facilitator shows it" }
    PartNotShown { en: "Not shown to the room" }
    PartSpectrumLabel { en: "Where are you, between {left} and {right}?" }
    PartSpectrumPlace { en: "Place me here" }
    PartSpectrumTakeBack { en: "Take my place back" }
    PartSpectrumPlaced { en: "You're placed. The room sees only the spread." }
    PartSpectrumPrivate { en: "Nobody sees your point, only the spread of the whole room." }
    PartTagLine { en: "Tag this line" }
    PartNoTag { en: "No tag" }
    PartDotsLeft { en: "You have {n} of {total} dots left." }
    PartYourDots { en: "Your dots" }
    PartRemoveDot { en: "Remove a dot" }
    PartAddDot { en: "Add a dot" }
    PartDotsHere { en: "{n} of yours" }
    PartResonates { en: "This resonates" }
    PartBlurred { en: "Content note. Tap to read." }
    PartAddReframe { en: "Add a reframe" }
    PartReframeLabel { en: "What happened? Your reframe" }

    ReceivedTitle { en: "Your reflection was received" }
    ReceivedBody { en: "It's stored safely and will appear when the facilitator reveals the board." }
    ReceivedBack { en: "Back to the gathering" }

    KindBoard { en: "Board" }
    KindReframe { en: "Reframe: what happened?" }
    KindSpectrum { en: "Spectrum" }
    KindScenario { en: "Scenario" }
    KindMovingTowards { en: "Moving towards" }
    KindGiveReceive { en: "Give and receive" }

    NoteBoard { en: "Connection. A board lets everyone speak at once, and nobody has to go first. Open by saying there are no right answers and that Pass is always fine. After the reveal, read a few cards aloud slowly. Close by naming what you notice together, never who said what." }
    NoteReframe { en: "Worldview. Many of us were handed words for our experience: a label, a diagnosis, a problem. Invite people to write one in the words they were given. After the reveal, invite reframes under a card: what happened, rather than what's wrong. Close by asking what shifted when the question changed." }
    NoteSpectrum { en: "A shift in motion: from helping to learning, from the individual to the relationship, from fear to hope. Everyone places themselves privately; the room sees only the spread. Open by saying every point on the line makes sense from somewhere. Close by wondering about the spread together, never about one point." }
    NoteScenario { en: "Connection, and the ways it breaks. Show the dialogue a line at a time and let people tag where connection happens or a disconnect creeps in. Noticing a disconnect is part of the practice, not a failure: we all do these things. Close with: what might have kept the connection?" }
    NoteMovingTowards { en: "Moving towards. Fear asks what we must stop; hope asks what we want to create. Invite people to name something to move away from, then turn it into what they want instead. After the reveal, everyone places a few dots on the statements that speak to them. Close on what the room wants to build, not on a winner." }
    NoteGiveReceive { en: "Mutuality. In a mutual relationship both people give and both receive, and both have something to learn. Invite an offer and a hope to learn as two separate cards, so neither is tied to a person. Close by noticing how much the room holds between you." }

    PromptCheckIn { en: "What's bringing you here today?" }
    PromptReframe { en: "A label or story about yourself, in the words you were given." }
    PromptSpectrum { en: "Right now, I feel closer to…" }
    PromptHelpingLearning { en: "When someone I care about is struggling, my first move is closer to…" }
    PromptScenario { en: "Read along. Where does connection happen, and where does it break?" }
    PromptScenarioMeeting { en: "A conversation at a community meeting. Where does connection happen, and where does it break?" }
    PromptMovingTowards { en: "Something I want to move away from, and what I want to move towards instead." }
    PromptGiveReceive { en: "Something I can offer, and something I hope to learn." }
    PromptLearningTogether { en: "What are we learning together?" }
    PromptTonight { en: "What brings you here tonight?" }
    PromptCommunityHope { en: "When I think about our community right now, I feel closer to…" }
    PromptCommunityStory { en: "Something people often say about our neighbourhood." }
    PromptCommunityTowards { en: "What do we want to create together here?" }
    PromptCommunityGive { en: "What I can bring to our community, and what I hope to learn from others." }
    PromptTakingHome { en: "One thing I'm taking home tonight." }
    PoleFear { en: "Fear" }
    PoleHope { en: "Hope" }
    PoleHelping { en: "Helping" }
    PoleLearning { en: "Learning" }
    ColumnOffer { en: "I can offer" }
    ColumnLearn { en: "I hope to learn" }
    ColumnBring { en: "I can bring" }
    ColumnLearnFromOthers { en: "I hope to learn from others" }

    TagAgenda { en: "Pushing an agenda" }
    TagLecturing { en: "Lecturing" }
    TagProbing { en: "Probing" }
    TagJoking { en: "Joking" }
    TagChangingSubject { en: "Changing the subject" }
    TagCautioning { en: "Cautioning" }
    TagConnection { en: "Connection" }

    DialogueHardWeek { en: "After a hard week" }
    DialogueCommunityMeeting { en: "At the community meeting" }
    SpeakerAlex { en: "Alex" }
    SpeakerSam { en: "Sam" }
    SpeakerRosa { en: "Rosa" }
    SpeakerDev { en: "Dev" }
    HardWeek1 { en: "It's been a rough week. I nearly didn't come today." }
    HardWeek2 { en: "You should really try going to bed earlier. Sleep fixes most things." }
    HardWeek3 { en: "Maybe. It's more that everything felt heavy." }
    HardWeek4 { en: "Heavy how? Is it your medication? Have you told your doctor?" }
    HardWeek5 { en: "I'd rather not get into that." }
    HardWeek6 { en: "Fair enough. I'm glad you came anyway. What made you decide to come?" }
    HardWeek7 { en: "Honestly? I wanted to be somewhere I didn't have to pretend." }
    HardWeek8 { en: "I know that feeling. I've had weeks like that too. We don't have to fix anything right now." }
    Meeting1 { en: "The new housing plan scares me. People on my street are worried they'll have to leave." }
    Meeting2 { en: "Ha, at least you'd finally get a new kitchen!" }
    Meeting3 { en: "It's not really funny for us." }
    Meeting4 { en: "Sorry. Anyway, has everyone seen the new bus timetable?" }
    Meeting5 { en: "I'd like to stay with the housing question." }
    Meeting6 { en: "Careful who you say that to. The council people are listening." }
    Meeting7 { en: "That's exactly why I'm saying it here." }
    Meeting8 { en: "You're right. Tell me what people on your street are saying. What matters most to them?" }

    AgendaIntroduction { en: "Introduction to the four tasks (90 minutes)" }
    AgendaIntroductionAbout { en: "Connection, worldview, mutuality and moving towards, one exercise each, between a check-in and a closing round." }
    AgendaCommunity { en: "Community dialogue evening" }
    AgendaCommunityAbout { en: "For a hall of neighbours: where we stand, the stories told about us, and what we want to create together." }
    AgendaBlank { en: "One board to build from" }
    AgendaBlankAbout { en: "A single check-in board. Add steps from the library in the console." }
    AgendaTemplate { en: "Saved template" }

    ErrCodeMalformed { en: "That didn't reach us properly. Please try again." }
    ErrCodeNotAllowed { en: "That isn't something this view can do." }
    ErrCodeNotCollecting { en: "Reflections are paused right now, so this wasn't added." }
    ErrCodeUnknownStep { en: "That step isn't part of this gathering." }
    ErrCodeUnknownCard { en: "That reflection isn't there any more." }
    ErrCodeEmpty { en: "Write something first, or choose Pass." }
    ErrCodeTooLong { en: "That's more than 500 characters. Could you shorten it a little?" }
    ErrCodeStepNotOpen { en: "The room has moved on to another step, so this wasn't added." }
    ErrCodeUnknownLine { en: "That line isn't part of the dialogue yet." }
    ErrCodeWordsMissing { en: "Every prompt and label needs some words." }
    ErrCodeWordsTooLong { en: "That's a little long: a prompt or line has at most 300 characters, a label at most 60." }
    ErrCodeBadSettings { en: "Those settings don't fit this exercise. Check the numbers and try again." }
    ErrCodeNoReflections { en: "This step doesn't take written reflections." }
    ErrCodeWrongPlace { en: "That doesn't fit this step. Choose where it goes and try again." }
    ErrCodeOverBudget { en: "You've placed all your dots. Take one from another statement first." }
    ErrCodeStepInUse { en: "People have added to this step, so it can be reworded but not reshaped or removed." }
    ErrCodeLastStep { en: "An agenda needs at least one step." }
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
    /// A count in words: the message holds a singular and a plural form
    /// split by `|` (English and Spanish both use one form for exactly 1
    /// and the other for every other number), with `{n}` filled in.
    pub fn plural(self, locale: Locale, n: usize) -> String {
        let text = self.text(locale);
        let form = match text.split_once('|') {
            Some((one, _)) if n == 1 => one,
            Some((_, other)) => other,
            None => text,
        };
        form.replace("{n}", &n.to_string())
    }

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
        E::StepNotOpen => Msg::ErrCodeStepNotOpen,
        E::UnknownLine => Msg::ErrCodeUnknownLine,
        E::WordsMissing => Msg::ErrCodeWordsMissing,
        E::WordsTooLong => Msg::ErrCodeWordsTooLong,
        E::BadSettings => Msg::ErrCodeBadSettings,
        E::NoReflections => Msg::ErrCodeNoReflections,
        E::WrongPlace => Msg::ErrCodeWrongPlace,
        E::OverBudget => Msg::ErrCodeOverBudget,
        E::StepInUse => Msg::ErrCodeStepInUse,
        E::LastStep => Msg::ErrCodeLastStep,
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

    pub fn plural(self, msg: Msg, n: usize) -> String {
        msg.plural(self.0, n)
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
        for locale in Locale::ALL {
            for msg in Msg::ALL {
                assert!(
                    !msg.text(locale).trim().is_empty(),
                    "{msg:?} is empty in {locale:?}"
                );
            }
        }
    }

    #[test]
    fn plurals_choose_their_form() {
        assert_eq!(Msg::StartTemplateSteps.plural(Locale::En, 1), "1 step");
        assert_eq!(Msg::StartTemplateSteps.plural(Locale::En, 0), "0 steps");
        assert_eq!(Msg::StartTemplateSteps.plural(Locale::En, 7), "7 steps");
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            Msg::PartCharsLeft.fill(Locale::En, &[("n", "12")]),
            "12 characters left"
        );
    }
}
