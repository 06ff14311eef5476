//! The shared screen: the code, the prompt and the board, read from the
//! back of a room. Read-only, and never anything that identifies anyone.

use super::param;
use crate::api::{load_screen, ScreenPage as Data};
use crate::i18n::{use_i18n, Msg};
use crate::live::Live;
use crate::widgets::{Board, LinkBanner, PageProblem};
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
    let i18n = use_i18n();
    let live = Live::start(
        format!("/ws/screen/{secret}"),
        page.at,
        page.gathering,
        Vec::new(),
    );
    let g = live.gathering;
    let cards = Signal::derive(move || {
        let g = g.read();
        g.current_step()
            .map(|s| g.cards_of(s.id).cloned().collect())
            .unwrap_or_default()
    });
    let entry = page.entry;
    view! {
        <main id="main" class="screen">
            <aside class="screen-join" aria-label=i18n.t(Msg::ScreenJoinAt)>
                <p class="join-at">
                    {i18n.t(Msg::ScreenJoinAt)} " " <strong class="short-url">{entry.short_url.clone()}</strong>
                </p>
                <p class="code-label">{i18n.t(Msg::ScreenCodeLabel)}</p>
                <p class="big-code" data-testid="join-code">{entry.code.to_string()}</p>
                <img class="qr" src=entry.qr_path.clone() alt=i18n.t(Msg::ScreenQrAlt) width="240" height="240"/>
            </aside>
            <div class="screen-main">
                <h1 class="screen-prompt">{move || g.read().current_step().map(|s| s.prompt.to_string()).unwrap_or_default()}</h1>
                <Board cards/>
            </div>
            <LinkBanner status=live.status/>
        </main>
    }
}
