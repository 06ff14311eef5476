//! The shared screen: the code, the prompt and the board, read from the
//! back of a room. Read-only, and never anything that identifies anyone.
//! It speaks and looks as the console sets it (`ScreenSettings`), not as
//! the browser that opened it would choose.

use super::param;
use super::screen_groups::ScreenGroups;
use crate::api::load_screen;
use crate::i18n::{use_i18n, I18n, Msg};
use crate::live::{Live, Start};
use crate::wall::StepWall;
use crate::widgets::{Announcer, LinkBanner, PageProblem, TimerDisplay};
use hearth_core::gathering::StepView;
use hearth_core::page::{Entry, ScreenPage as Data};
use leptos::prelude::*;

#[component]
pub fn ScreenPage() -> impl IntoView {
    let secret = param("secret");
    let data = Resource::new(
        {
            let secret = secret.clone();
            move || secret.clone()
        },
        load_screen,
    );
    view! {
        <Suspense>
            {move || {
                let secret = secret.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(page) => view! { <Screen page secret/> }.into_any(),
                        Err(error) => view! { <PageProblem error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Screen(page: Data, secret: String) -> impl IntoView {
    let live = Live::start(
        format!("/ws/screen/{secret}"),
        Start {
            at: page.at,
            gathering: page.gathering,
            now: page.now,
            queue: Vec::new(),
        },
    );
    view! { <ScreenFace live entry=page.entry/> }
}

/// The screen as the room sees it, in the language and colours the console
/// set. The shared screen is this, whole; the console shows the same face
/// scaled down (`preview`), inert, so the facilitator sees exactly what
/// the room sees without a second live link or a frame.
#[component]
pub fn ScreenFace(
    live: Live,
    entry: Entry,
    /// A picture of the screen inside the console: not a page's main part,
    /// nothing in it to reach or to hear.
    #[prop(optional)]
    preview: bool,
) -> impl IntoView {
    let g = live.gathering;
    let settings = Memo::new(move |_| g.read().screen);
    let language = Memo::new(move |_| settings.get().language);
    let theme = move || settings.get().theme.slug();
    let step = Memo::new(move |_| g.read().current_step().cloned());
    let kind = move || step.read().as_ref().map(|s| s.exercise.kind().slug());
    // The join panel steps aside (to a strip) once the room's words are up.
    let join = move || {
        let g = g.read();
        let shown = g.visible_cards(g.current).next().is_some();
        if shown {
            "strip"
        } else {
            "panel"
        }
    };
    // The screen speaks the gathering's screen language, whatever the
    // language of whoever opened it: everything inside is rebuilt in the
    // new language when the facilitator changes it (rarely, and calmly).
    let body = move || {
        provide_context(I18n(language.get()));
        let entry = entry.clone();
        view! { <ScreenBody live step entry preview/> }
    };
    if preview {
        view! {
            <div class="screen preview-face" inert=true data-kind=kind data-join=join data-theme=theme lang=move || language.get().tag()>
                {body}
            </div>
        }
        .into_any()
    } else {
        view! {
            <main id="main" class="screen" data-kind=kind data-join=join data-theme=theme lang=move || language.get().tag()>
                {body}
            </main>
        }
        .into_any()
    }
}

/// Everything on the screen, in the language provided around it.
#[component]
fn ScreenBody(
    live: Live,
    step: Memo<Option<StepView>>,
    entry: Entry,
    preview: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let g = live.gathering;
    view! {
        <aside class="screen-join" aria-label=i18n.t(Msg::ScreenJoinAt)>
            <p class="join-at">
                {i18n.t(Msg::ScreenJoinAt)} " " <strong class="short-url">{entry.short_url.clone()}</strong>
            </p>
            <p class="code-label">{i18n.t(Msg::ScreenCodeLabel)}</p>
            <p class="big-code" data-testid=(!preview).then_some("join-code")>{entry.code.to_string()}</p>
            <img class="qr" src=entry.qr_path.clone() alt=i18n.t(Msg::ScreenQrAlt) width="240" height="240"/>
            // How many have written, once enough have that the count
            // points at nobody (the server says nothing before then).
            {move || g.read().tally.writers.map(|n| view! {
                <p class="screen-writers" data-testid=(!preview).then_some("writers")>
                    {i18n.plural(Msg::ScreenWriters, n as usize)}
                </p>
            })}
            <TimerDisplay live/>
        </aside>
        <div class="screen-main">
            {move || {
                let prompt = step.read().as_ref().map(|s| s.prompt.to_string()).unwrap_or_default();
                if preview {
                    view! { <p class="screen-prompt">{prompt}</p> }.into_any()
                } else {
                    view! { <h1 class="screen-prompt">{prompt}</h1> }.into_any()
                }
            }}
            {move || g.read().ended.then(|| view! { <p class="note">{i18n.t(Msg::ErrEnded)}</p> })}
            <ScreenGroups gathering=g step/>
            <StepWall gathering=g step/>
        </div>
        {(!preview).then(|| view! {
            <Announcer gathering=g/>
            <LinkBanner status=live.status room=true/>
        })}
    }
    .into_any()
}
