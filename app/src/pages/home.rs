//! The front door: a participant types the join code (works without script).

use super::query;
use crate::i18n::{use_i18n, Msg};
use hearth_core::ids::{JoinCode, JoinCodeError, JOIN_CODE_LEN};
use leptos::prelude::*;

/// Why a join attempt came back to the front door (`/?error=…`), with
/// what was typed (`&code=…`): a code with a look-alike in it is told
/// which characters codes never use.
fn join_error(code: &str, typed: &str) -> Option<Msg> {
    match code {
        "unknown" => Some(Msg::JoinErrUnknown),
        "format" => Some(match JoinCode::parse(typed) {
            Err(JoinCodeError::LookAlike) => Msg::JoinErrLookAlike,
            _ => Msg::JoinErrFormat,
        }),
        "closed" => Some(Msg::JoinErrClosed),
        "busy" => Some(Msg::JoinErrBusy),
        _ => None,
    }
}

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let typed = query("code").unwrap_or_default();
    let error = query("error").and_then(|e| join_error(&e, &typed));
    view! {
        <main id="main" class="page narrow home">
            <h1>{i18n.t(Msg::HomeTitle)}</h1>
            <p>{i18n.t(Msg::HomeIntro)}</p>
            <form class="join" method="get" action="/join">
                <label for="code">{i18n.t(Msg::HomeCodeLabel)}</label>
                <p id="code-hint" class="hint">{i18n.t(Msg::HomeCodeHint)}</p>
                {error.map(|msg| view! { <p id="code-error" class="problem" role="alert">{i18n.t(msg)}</p> })}
                <input
                    id="code"
                    name="code"
                    class="code-input"
                    value=typed
                    autocomplete="off"
                    autocapitalize="characters"
                    spellcheck="false"
                    inputmode="text"
                    maxlength=JOIN_CODE_LEN + 4
                    aria-describedby=if error.is_some() { "code-hint code-error" } else { "code-hint" }
                    aria-invalid=error.is_some().then_some("true")
                    autofocus=true
                />
                <button type="submit" class="primary">{i18n.t(Msg::HomeJoin)}</button>
            </form>
            <p class="aside"><a href="/start">{i18n.t(Msg::HomeFacilitate)}</a></p>
        </main>
    }
}
