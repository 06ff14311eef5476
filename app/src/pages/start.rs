//! Where a facilitator starts a gathering: a name, and an agenda to begin
//! from (a ready one from the library, or a saved template). A plain form
//! the server answers with a redirect to the new console.

use super::query;
use crate::api::{load_templates, TemplateSummary};
use crate::i18n::{use_i18n, Msg};
use crate::library::ReadyAgenda;
use leptos::prelude::*;

/// The longest gathering name.
pub const NAME_MAX_CHARS: usize = 120;
/// How the start form names a saved template: `template:<id>`.
pub const TEMPLATE_PREFIX: &str = "template:";

#[component]
pub fn StartPage() -> impl IntoView {
    let i18n = use_i18n();
    let error = query("error").and_then(|e| match e.as_str() {
        "missing" => Some(Msg::StartErrMissing),
        "too_long" => Some(Msg::StartErrTooLong),
        "agenda" => Some(Msg::StartErrAgenda),
        "unavailable" => Some(Msg::ErrUnavailable),
        _ => None,
    });
    let templates = Resource::new(|| (), |_| load_templates());
    view! {
        <main id="main" class="page narrow start">
            <h1>{i18n.t(Msg::StartTitle)}</h1>
            <p>{i18n.t(Msg::StartIntro)}</p>
            {error.map(|msg| view! { <p class="problem" role="alert">{i18n.t(msg)}</p> })}
            <form method="post" action="/start" class="stack">
                <label for="name">{i18n.t(Msg::StartNameLabel)}</label>
                <input id="name" name="name" required maxlength=NAME_MAX_CHARS value=i18n.t(Msg::StartNameDefault)/>
                <fieldset class="choices">
                    <legend>{i18n.t(Msg::StartAgendaLabel)}</legend>
                    {ReadyAgenda::ALL
                        .into_iter()
                        .map(|agenda| {
                            let id = format!("agenda-{}", agenda.slug());
                            view! {
                                <div class="choice">
                                    <input
                                        type="radio"
                                        name="agenda"
                                        id=id.clone()
                                        value=agenda.slug()
                                        checked=agenda == ReadyAgenda::Introduction
                                    />
                                    <label for=id>
                                        <strong>{i18n.t(agenda.name())}</strong>
                                        <span class="hint">{i18n.t(agenda.description())}</span>
                                    </label>
                                </div>
                            }
                        })
                        .collect_view()}
                    <Suspense>
                        {move || Suspend::new(async move {
                            let saved = templates.await.unwrap_or_default();
                            saved.into_iter().map(|t| view! { <Template t/> }).collect_view()
                        })}
                    </Suspense>
                </fieldset>
                <button type="submit" class="primary">{i18n.t(Msg::StartSubmit)}</button>
            </form>
        </main>
    }
}

#[component]
fn Template(t: TemplateSummary) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("agenda-t-{}", t.id);
    let steps = i18n.plural(Msg::StartTemplateSteps, t.steps);
    view! {
        <div class="choice">
            <input type="radio" name="agenda" id=id.clone() value=format!("{TEMPLATE_PREFIX}{}", t.id)/>
            <label for=id>
                <strong>{t.name}</strong>
                <span class="hint">{i18n.t(Msg::AgendaTemplate)} " · " {steps}</span>
            </label>
        </div>
    }
}
