//! Small pieces more than one view shows.

use crate::api::PageError;
use crate::i18n::{use_i18n, I18n, Msg};
use crate::language::SWITCH_PATH;
use crate::live::{LinkStatus, Live};
use hearth_core::gathering::GatheringView;
use hearth_core::ids::StepId;
use hearth_core::locale::Locale;
use hearth_core::timer::{clock, Timer};
use leptos::prelude::*;

/// The language switch at the top of every page but the shared screen
/// (whose language the console sets). A plain form, so it works before
/// and after the script has loaded: the server keeps the choice in a
/// cookie and sends the visitor back to the same page, now in that
/// language.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let location = leptos_router::hooks::use_location();
    let on_screen = move || location.pathname.read().starts_with("/screen/");
    let back = move || {
        let search = location.search.get();
        let path = location.pathname.get();
        if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        }
    };
    move || {
        (!on_screen()).then(|| {
            view! {
                <header class="language-bar no-print">
                    <form class="language" method="post" action=SWITCH_PATH aria-label=i18n.t(Msg::LanguageLabel)>
                        <input type="hidden" name="back" value=back/>
                        {Locale::ALL
                            .into_iter()
                            .map(|l| {
                                view! {
                                    <button
                                        type="submit"
                                        name="lang"
                                        value=l.tag()
                                        lang=l.tag()
                                        aria-pressed=if l == i18n.0 { "true" } else { "false" }
                                    >
                                        {l.name()}
                                    </button>
                                }
                            })
                            .collect_view()}
                    </form>
                </header>
            }
        })
    }
}

/// A calm line saying the view is (re)connecting; silent when all is well.
/// On the shared screen (`room`) it speaks to a room, not to one person.
#[component]
pub fn LinkBanner(status: RwSignal<LinkStatus>, #[prop(optional)] room: bool) -> impl IntoView {
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
                LinkStatus::Reconnecting if room => i18n.t(Msg::ScreenReconnecting),
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
    move || timer_view(i18n, g.read().timer, live.clock.get())
}

/// The timer as it stands at `now` (the server's clock, ms), or nothing
/// when none is set. A phone's page renders it once; its script counts
/// down from `data-left`.
pub fn timer_view(i18n: I18n, timer: Timer, now: u64) -> Option<impl IntoView> {
    let left = timer.left(now)?;
    let paused = matches!(timer, Timer::Paused { .. });
    let state = match (left, paused) {
        (0, _) => "done",
        (_, true) => "paused",
        _ => "running",
    };
    Some(view! {
        <p
            class="timer"
            data-state=state
            data-left=left.to_string()
            data-done=i18n.t(Msg::TimerDone)
            role="timer"
            aria-label=i18n.t(Msg::TimerLabel)
        >
            {if left == 0 { i18n.t(Msg::TimerDone).to_owned() } else { clock(left) }}
            {paused.then(|| view! { " " <span class="timer-paused">{i18n.t(Msg::TimerPaused)}</span> })}
        </p>
    })
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
        response.set_status(error.status());
    }
    view! {
        <main id="main" class="page narrow">
            <h1>{i18n.t(Msg::AppName)}</h1>
            <p class="problem" role="alert">{i18n.t(msg)}</p>
            <p><a href="/">{i18n.t(Msg::BackHome)}</a></p>
        </main>
    }
}

/// What a screen reader needs to notice about the room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glance {
    step: Option<StepId>,
    prompt: String,
    /// Cards of the current step the room can see.
    cards: usize,
}

impl Glance {
    /// The glance as a phone hands it back (`<step>:<cards>`, or `-:0`
    /// before the first step), to be told what changed since.
    pub fn key(&self) -> String {
        match self.step {
            Some(step) => format!("{}:{}", step.0, self.cards),
            None => format!("-:{}", self.cards),
        }
    }

    /// Reads a glance back from its key; the prompt is not in it, and only
    /// the new glance's prompt is ever said.
    pub fn from_key(key: &str) -> Option<Self> {
        let (step, cards) = key.split_once(':')?;
        let step = match step {
            "-" => None,
            step => Some(StepId(step.parse().ok()?)),
        };
        Some(Glance {
            step,
            prompt: String::new(),
            cards: cards.parse().ok()?,
        })
    }

    pub fn of(g: &GatheringView) -> Self {
        let step = g.current_step();
        Glance {
            step: step.map(|s| s.id),
            prompt: step.map(|s| s.prompt.to_string()).unwrap_or_default(),
            cards: step.map_or(0, |s| g.visible_cards(s.id).count()),
        }
    }
}

/// The one line to announce when the room goes from `before` to `now`: a
/// new step by its prompt, or how many cards a reveal brought, as a single
/// summary for the whole batch (never one line per card). Nothing for a
/// card withdrawn or hidden, which is not news to interrupt anyone with.
pub fn announcement(i18n: I18n, before: &Glance, now: &Glance) -> Option<String> {
    if before.step != now.step {
        return now
            .step
            .map(|_| i18n.fill(Msg::AnnounceStep, &[("prompt", &now.prompt)]));
    }
    let new = now.cards.checked_sub(before.cards).filter(|&n| n > 0)?;
    Some(i18n.plural(Msg::AnnounceNewCards, new))
}

/// A polite live region that says, once per change, what just happened in
/// the room. Empty on the server and at first: only changes are news.
#[component]
pub fn Announcer(gathering: RwSignal<GatheringView>) -> impl IntoView {
    let i18n = use_i18n();
    let glance = Memo::new(move |_| gathering.with(Glance::of));
    let said = RwSignal::new(String::new());
    Effect::new(move |before: Option<Glance>| {
        let now = glance.get();
        if let Some(line) = before.and_then(|b| announcement(i18n, &b, &now)) {
            said.set(line);
        }
        now
    });
    view! {
        <p class="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">
            {move || said.get()}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glance(step: u32, cards: usize) -> Glance {
        Glance {
            step: Some(StepId(step)),
            prompt: format!("prompt {step}"),
            cards,
        }
    }

    #[test]
    fn a_batch_is_one_summary_and_a_step_is_its_prompt() {
        let en = I18n(Locale::En);
        let es = I18n(Locale::Es);
        assert_eq!(
            announcement(en, &glance(1, 2), &glance(1, 5)).as_deref(),
            Some("3 new cards on the board")
        );
        assert_eq!(
            announcement(es, &glance(1, 0), &glance(1, 1)).as_deref(),
            Some("1 tarjeta nueva en el tablero")
        );
        assert_eq!(
            announcement(en, &glance(1, 4), &glance(2, 0)).as_deref(),
            Some("New step: prompt 2")
        );
        assert_eq!(
            announcement(es, &glance(1, 4), &glance(2, 3)).as_deref(),
            Some("Nuevo paso: prompt 2"),
            "a new step is the news, not the cards already on it"
        );
    }

    #[test]
    fn a_glance_comes_back_from_its_key() {
        for g in [glance(3, 12), glance(1, 0)] {
            let back = Glance::from_key(&g.key()).expect("its own key");
            assert_eq!((back.step, back.cards), (g.step, g.cards));
        }
        let before = Glance::from_key("-:0").expect("no step yet");
        assert_eq!(before.step, None);
        for bad in ["", "3", "x:1", "3:-1", "3:1:2"] {
            assert_eq!(Glance::from_key(bad), None, "{bad}");
        }
        let en = I18n(Locale::En);
        let back = Glance::from_key(&glance(1, 2).key()).expect("a key");
        assert_eq!(
            announcement(en, &back, &glance(1, 5)).as_deref(),
            Some("3 new cards on the board"),
            "what a phone saw is enough to say what is new"
        );
    }

    #[test]
    fn nothing_is_said_when_nothing_new_appears() {
        let en = I18n(Locale::En);
        assert_eq!(announcement(en, &glance(1, 3), &glance(1, 3)), None);
        assert_eq!(
            announcement(en, &glance(1, 3), &glance(1, 2)),
            None,
            "a withdrawn card is not announced"
        );
    }
}
