//! Hearth's domain, in plain Rust: what a gathering is, what happens in it
//! and what the room may be shown. The views (`app`), the server and the
//! test tools all build on it; it knows nothing of Leptos, storage or the
//! network.
//!
//! Each module imports only what is listed above it here, so the layers
//! read top to bottom: text and names first, then the rules about what
//! people write and mark, then the gathering that holds them, and the
//! protocol and page data that carry it.

// Below everything: names, languages, thresholds, clean text.
pub mod anonymity;
pub mod clean;
pub mod ids;
pub mod locale;
// What people write: a reflection, a facilitator's words.
pub mod reflection;
pub mod words;
// Why an action is refused (names the refusals of the modules above).
pub mod error;
// The map's model and the timer.
pub mod map;
pub mod timer;
// The statements step's landscape: opinion groups and common ground.
pub mod landscape;
// Small groups: dealing phones into groups, their signs and roles.
pub mod groups;
// The exercise library's kinds and their settings.
pub mod exercise;
// Marks people put on cards and lines, and their totals.
pub mod marks;
// The statements step as the room runs it: its limits, the facilitator's
// changes, what the screen and one phone are shown.
pub mod statements;
// The gathering: state and events.
pub mod gathering;
// What travels: messages, then page data.
pub mod protocol;
// The data each view renders from.
pub mod page;
