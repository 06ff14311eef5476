//! Where a facilitator starts a gathering (a plain form the server answers
//! with a redirect to the new console).

use super::query;
use crate::i18n::{use_i18n, Msg};
use leptos::prelude::*;

/// The longest gathering name.
pub const NAME_MAX_CHARS: usize = 120;
/// The longest prompt.
pub const PROMPT_MAX_CHARS: usize = 300;

#[component]
pub fn StartPage() -> impl IntoView {
    let i18n = use_i18n();
    let error = query("error").and_then(|e| match e.as_str() {
        "missing" => Some(Msg::StartErrMissing),
        "too_long" => Some(Msg::StartErrTooLong),
        "unavailable" => Some(Msg::ErrUnavailable),
        _ => None,
    });
    view! {
        <main id="main" class="page narrow start">
            <h1>{i18n.t(Msg::StartTitle)}</h1>
            <p>{i18n.t(Msg::StartIntro)}</p>
            {error.map(|msg| view! { <p class="problem" role="alert">{i18n.t(msg)}</p> })}
            <form method="post" action="/start" class="stack">
                <label for="name">{i18n.t(Msg::StartNameLabel)}</label>
                <input id="name" name="name" required maxlength=NAME_MAX_CHARS value=i18n.t(Msg::StartNameDefault)/>
                <label for="prompt">{i18n.t(Msg::StartPromptLabel)}</label>
                <textarea id="prompt" name="prompt" required maxlength=PROMPT_MAX_CHARS rows=3>
                    {i18n.t(Msg::StartPromptDefault)}
                </textarea>
                <button type="submit" class="primary">{i18n.t(Msg::StartSubmit)}</button>
            </form>
        </main>
    }
}
