//! The console's view of and say over the shared screen: a scaled picture
//! of what the room sees, and the screen's language and colours. Nobody
//! stands at a projector to change them, so the facilitator does it here
//! and every screen of the gathering follows at once (an `Action` the
//! room records as an event, like any other facilitator decision).

use super::console::Desk;
use super::screen::ScreenFace;
use crate::i18n::{use_i18n, Msg};
use hearth_core::gathering::{ScreenSettings, ScreenTheme};
use hearth_core::locale::Locale;
use hearth_core::page::Entry;
use hearth_core::protocol::Action;
use leptos::prelude::*;

#[component]
pub fn ScreenPanel() -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let g = desk.live.gathering;
    let settings = Memo::new(move |_| g.read().screen);
    let set = move |screen: ScreenSettings| desk.act(Action::SetScreen { screen });
    let ended = move || g.read().ended;
    view! {
        <section class="panel screen-settings" aria-labelledby="screen-settings-title">
            <h2 id="screen-settings-title">{i18n.t(Msg::ConsoleScreenTitle)}</h2>
            <p class="hint" id="screen-settings-hint">{i18n.t(Msg::ConsoleScreenHint)}</p>
            <div class="controls" role="group" aria-labelledby="screen-language-label" aria-describedby="screen-settings-hint">
                <p class="state" id="screen-language-label">{i18n.t(Msg::ConsoleScreenLanguage)}</p>
                {Locale::ALL
                    .into_iter()
                    .map(|language| {
                        view! {
                            <button
                                type="button"
                                lang=language.tag()
                                data-testid=format!("screen-language-{}", language.tag())
                                disabled=ended
                                aria-pressed=move || (settings.get().language == language).to_string()
                                on:click=move |_| set(ScreenSettings { language, ..settings.get_untracked() })
                            >
                                {language.name()}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <div class="controls" role="group" aria-labelledby="screen-theme-label">
                <p class="state" id="screen-theme-label">{i18n.t(Msg::ConsoleScreenTheme)}</p>
                {ScreenTheme::ALL
                    .into_iter()
                    .map(|theme| {
                        let label = match theme {
                            ScreenTheme::Standard => Msg::ThemeStandard,
                            ScreenTheme::HighContrast => Msg::ThemeContrast,
                        };
                        view! {
                            <button
                                type="button"
                                data-testid=format!("screen-theme-{}", theme.slug())
                                disabled=ended
                                aria-pressed=move || (settings.get().theme == theme).to_string()
                                on:click=move |_| set(ScreenSettings { theme, ..settings.get_untracked() })
                            >
                                {i18n.t(label)}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </section>
    }
    .into_any()
}

/// The size the screen is drawn at before it is scaled into the console: a
/// 1080p projector, so the picture is the screen's own layout, small.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const STAGE_WIDTH: f64 = 1920.0;

/// What the room sees, right now: the shared screen's own face, drawn at
/// projector size and scaled to the console's column.
#[component]
pub fn ScreenPreview(entry: Entry) -> impl IntoView {
    let desk = expect_context::<Desk>();
    let frame = NodeRef::<leptos::html::Div>::new();
    let scale = RwSignal::new(0.25_f64);
    #[cfg(feature = "hydrate")]
    {
        let measure = move || {
            if let Some(el) = frame.get_untracked() {
                let width = f64::from(el.client_width());
                if width > 0.0 {
                    scale.set(width / STAGE_WIDTH);
                }
            }
        };
        Effect::new(move |_| {
            if frame.get().is_some() {
                measure();
            }
        });
        let resize = window_event_listener(leptos::ev::resize, move |_| measure());
        on_cleanup(move || resize.remove());
    }
    view! {
        <div class="preview" node_ref=frame data-testid="screen-preview">
            <div class="preview-stage" style=move || format!("transform: scale({:.4})", scale.get())>
                <ScreenFace live=desk.live entry preview=true/>
            </div>
        </div>
    }
}
