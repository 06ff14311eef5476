//! Where a facilitator starts a gathering: a name, and an agenda to begin
//! from (a ready one from the library, or a saved template). A plain form
//! the server answers with a redirect to the new console. It asks for the
//! organiser passphrase only when the instance sets one, and is where a
//! facilitator lands after deleting a gathering. Saved templates can be
//! deleted from here, after a confirmation (`?delete=<id>`), also a plain
//! form.

use super::query;
use crate::api::load_start;
use crate::i18n::{use_i18n, Msg};
use crate::library::ReadyAgenda;
use hearth_core::page::{StartInfo, TemplateSummary};
use leptos::prelude::*;

/// The longest gathering name.
pub const NAME_MAX_CHARS: usize = 120;
/// A gathering's name, checked like every facilitator's words.
pub type GatheringName = hearth_core::words::Words<NAME_MAX_CHARS>;
/// How the start form names a saved template: `template:<id>`.
pub const TEMPLATE_PREFIX: &str = "template:";

#[component]
pub fn StartPage() -> impl IntoView {
    let info = OnceResource::new(load_start());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                // If the server cannot say, the passphrase field is shown:
                // it is checked on the server either way.
                let info = info.await.unwrap_or(StartInfo {
                    passphrase_required: true,
                    templates: Vec::new(),
                });
                view! { <StartForm info/> }
            })}
        </Suspense>
    }
}

#[component]
fn StartForm(info: StartInfo) -> impl IntoView {
    let i18n = use_i18n();
    let error = query("error").and_then(|e| match e.as_str() {
        "missing" => Some(Msg::StartErrMissing),
        "too_long" => Some(Msg::StartErrTooLong),
        // A form that arrived damaged (a field twice, a broken escape).
        "malformed" => Some(Msg::ErrCodeMalformed),
        "agenda" => Some(Msg::StartErrAgenda),
        "unavailable" => Some(Msg::ErrUnavailable),
        "passphrase" => Some(Msg::StartErrPassphrase),
        "passphrase_busy" => Some(Msg::StartErrPassphraseBusy),
        "delete_failed" => Some(Msg::StartErrDeleteFailed),
        "import_foreign" => Some(Msg::StartErrImportForeign),
        "import_version" => Some(Msg::StartErrImportVersion),
        "import_invalid" => Some(Msg::StartErrImportInvalid),
        _ => None,
    });
    let notice = query("notice").and_then(|n| match n.as_str() {
        "deleted" => Some(Msg::StartDeleted),
        "gone" => Some(Msg::StartGone),
        "template_deleted" => Some(Msg::StartTemplateDeleted),
        "template_gone" => Some(Msg::StartTemplateGone),
        _ => None,
    });
    let passphrase = info.passphrase_required;
    // A template whose delete link was followed: asked about before anything
    // else on the page. One that no longer exists is simply not asked about.
    let deleting =
        query("delete").and_then(|id| info.templates.iter().find(|t| t.id == id).cloned());
    view! {
        <main id="main" class="page narrow start">
            {notice.map(|msg| view! { <p class="hint" role="status">{i18n.t(msg)}</p> })}
            {deleting.map(|t| view! { <DeleteTemplate t passphrase/> })}
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
                    {info.templates.into_iter().map(|t| view! { <Template t/> }).collect_view()}
                </fieldset>
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
            <h2>{i18n.t(Msg::StartImportTitle)}</h2>
            <form method="post" action="/start/import" enctype="multipart/form-data" class="stack">
                <label for="import-file">{i18n.t(Msg::StartImportFile)}</label>
                <input id="import-file" name="file" type="file" accept="application/json,.json" required/>
                <label for="import-name">{i18n.t(Msg::StartImportName)}</label>
                <input id="import-name" name="name" maxlength=NAME_MAX_CHARS/>
                <div class="choice">
                    <input type="checkbox" id="import-cards" name="cards" value="on"/>
                    <label for="import-cards">{i18n.t(Msg::StartImportCards)}</label>
                </div>
                {passphrase.then(|| view! {
                    <label for="import-passphrase">{i18n.t(Msg::StartPassphraseLabel)}</label>
                    <input id="import-passphrase" name="passphrase" type="password" required autocomplete="current-password"/>
                })}
                <button type="submit">{i18n.t(Msg::StartImportSubmit)}</button>
            </form>
        </main>
    }
}

#[component]
fn Template(t: TemplateSummary) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("agenda-t-{}", t.id);
    let steps = i18n.plural(Msg::StartTemplateSteps, t.steps);
    let delete = i18n.fill(Msg::StartTemplateDeleteLabel, &[("name", &t.name)]);
    view! {
        <div class="choice">
            <input type="radio" name="agenda" id=id.clone() value=format!("{TEMPLATE_PREFIX}{}", t.id)/>
            <label for=id>
                <strong>{t.name.clone()}</strong>
                <span class="hint">{i18n.t(Msg::AgendaTemplate)} " · " {steps}</span>
            </label>
            // A whole page load, so the page asks again from the top.
            <a class="delete-template" href=format!("/start?delete={}", t.id) rel="external" aria-label=delete>
                {i18n.t(Msg::StartTemplateDelete)}
            </a>
        </div>
    }
}

/// "Delete this template?", with the passphrase when the instance asks for
/// one; keeping it is a link back to the plain start page.
#[component]
fn DeleteTemplate(t: TemplateSummary, passphrase: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="confirm stack" aria-labelledby="delete-template-title">
            <h2 id="delete-template-title">{i18n.fill(Msg::StartTemplateConfirmTitle, &[("name", &t.name)])}</h2>
            <p>{i18n.t(Msg::StartTemplateConfirmText)}</p>
            <form method="post" action="/start/template/delete" class="stack">
                <input type="hidden" name="template" value=t.id/>
                {passphrase.then(|| view! {
                    <label for="delete-passphrase">{i18n.t(Msg::StartPassphraseLabel)}</label>
                    <input id="delete-passphrase" name="passphrase" type="password" required autocomplete="current-password"/>
                })}
                <div class="actions">
                    <button type="submit" class="primary">{i18n.t(Msg::StartTemplateConfirm)}</button>
                    <a class="button" href="/start" rel="external">{i18n.t(Msg::StartTemplateKeep)}</a>
                </div>
            </form>
        </section>
    }
}
