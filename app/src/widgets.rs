//! Small pieces more than one view shows.

use crate::api::PageError;
use crate::gathering::Card;
use crate::i18n::{use_i18n, Msg};
use crate::live::LinkStatus;
use leptos::prelude::*;

/// A calm line saying the view is (re)connecting; silent when all is well.
#[component]
pub fn LinkBanner(status: RwSignal<LinkStatus>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="link-status" role="status" data-status=move || match status.get() {
            LinkStatus::Live => "live",
            LinkStatus::Connecting => "connecting",
            LinkStatus::Reconnecting => "reconnecting",
        }>
            {move || match status.get() {
                LinkStatus::Live => "",
                LinkStatus::Connecting => i18n.t(Msg::LinkConnecting),
                LinkStatus::Reconnecting => i18n.t(Msg::LinkReconnecting),
            }}
        </p>
    }
}

/// The revealed cards of one step, as a list.
#[component]
pub fn Board(#[prop(into)] cards: Signal<Vec<Card>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="board" aria-labelledby="board-title">
            <h2 id="board-title">{i18n.t(Msg::BoardTitle)}</h2>
            <Show
                when=move || !cards.read().is_empty()
                fallback=move || view! { <p class="board-empty">{i18n.t(Msg::BoardEmpty)}</p> }
            >
                <ul class="cards" aria-live="polite">
                    <For each=move || cards.get() key=|c| c.id.clone() let(card)>
                        <li class="card">{card.text}</li>
                    </For>
                </ul>
            </Show>
        </section>
    }
}

/// A page that cannot be shown, said kindly, with a way on.
#[component]
pub fn PageProblem(error: PageError) -> impl IntoView {
    let i18n = use_i18n();
    let msg = match error {
        PageError::NotFound => Msg::ErrNotFound,
        PageError::Ended => Msg::ErrEnded,
        PageError::Locked => Msg::ErrLocked,
        PageError::Unavailable => Msg::ErrUnavailable,
    };
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(match error {
            PageError::NotFound => http::StatusCode::NOT_FOUND,
            PageError::Ended => http::StatusCode::GONE,
            PageError::Locked => http::StatusCode::FORBIDDEN,
            PageError::Unavailable => http::StatusCode::SERVICE_UNAVAILABLE,
        });
    }
    view! {
        <main id="main" class="page narrow">
            <h1>{i18n.t(Msg::AppName)}</h1>
            <p class="problem" role="alert">{i18n.t(msg)}</p>
            <p><a href="/">{i18n.t(Msg::BackHome)}</a></p>
        </main>
    }
}
