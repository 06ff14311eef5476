//! Small pieces more than one view shows.

use crate::api::PageError;
use crate::i18n::{use_i18n, Msg};
use crate::live::{LinkStatus, Live};
use crate::timer::{clock, Timer};
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

/// The room's timer, counting down against the server's clock. It never
/// rings: at zero it says, calmly, that time is up.
#[component]
pub fn TimerDisplay(live: Live) -> impl IntoView {
    let i18n = use_i18n();
    let g = live.gathering;
    move || {
        let timer = g.read().timer;
        let left = timer.left(live.clock.get())?;
        let paused = matches!(timer, Timer::Paused { .. });
        let state = match (left, paused) {
            (0, _) => "done",
            (_, true) => "paused",
            _ => "running",
        };
        Some(view! {
            <p class="timer" data-state=state role="timer" aria-label=i18n.t(Msg::TimerLabel)>
                {if left == 0 { i18n.t(Msg::TimerDone).to_owned() } else { clock(left) }}
                {paused.then(|| view! { " " <span class="timer-paused">{i18n.t(Msg::TimerPaused)}</span> })}
            </p>
        })
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
