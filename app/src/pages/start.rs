//! Where a facilitator starts a gathering (a plain form the server answers
//! with a redirect to the new console). It asks for the organiser
//! passphrase only when the instance sets one, and is where a facilitator
//! lands after deleting a gathering.

use super::query;
use crate::api::load_start;
use crate::i18n::{use_i18n, Msg};
use leptos::prelude::*;

/// The longest gathering name.
pub const NAME_MAX_CHARS: usize = 120;
/// The longest prompt.
pub const PROMPT_MAX_CHARS: usize = 300;

#[component]
pub fn StartPage() -> impl IntoView {
    let info = OnceResource::new(load_start());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                // If the server cannot say, the field is shown: it is
                // checked on the server either way.
                let passphrase = info.await.map(|i| i.passphrase_required).unwrap_or(true);
                view! { <StartForm passphrase/> }
            })}
        </Suspense>
    }
}

#[component]
fn StartForm(passphrase: bool) -> impl IntoView {
    let i18n = use_i18n();
    let error = query("error").and_then(|e| match e.as_str() {
        "missing" => Some(Msg::StartErrMissing),
        "too_long" => Some(Msg::StartErrTooLong),
        "unavailable" => Some(Msg::ErrUnavailable),
        "passphrase" => Some(Msg::StartErrPassphrase),
        "passphrase_busy" => Some(Msg::StartErrPassphraseBusy),
        "delete_failed" => Some(Msg::StartErrDeleteFailed),
        _ => None,
    });
    let notice = query("notice").and_then(|n| match n.as_str() {
        "deleted" => Some(Msg::StartDeleted),
        "gone" => Some(Msg::StartGone),
        _ => None,
    });
    view! {
        <main id="main" class="page narrow start">
            {notice.map(|msg| view! { <p class="hint" role="status">{i18n.t(msg)}</p> })}
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
                {passphrase.then(|| view! {
                    <label for="passphrase">{i18n.t(Msg::StartPassphraseLabel)}</label>
                    <p id="passphrase-hint" class="hint">{i18n.t(Msg::StartPassphraseHint)}</p>
                    <input
                        id="passphrase"
                        name="passphrase"
                        type="password"
                        required
                        autocomplete="current-password"
                        aria-describedby="passphrase-hint"
                    />
                })}
                <button type="submit" class="primary">{i18n.t(Msg::StartSubmit)}</button>
            </form>
        </main>
    }
}
