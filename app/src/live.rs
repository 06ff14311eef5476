//! A view's live link to its gathering: one WebSocket, kept alive.
//!
//! The page renders from the state the server put in the HTML; once the
//! WebAssembly runs (the console, the co-facilitator's console and the
//! screen), `Live` opens the WebSocket, follows the event log, and
//! reconnects by itself (backoff with jitter, and at once when the device
//! wakes or comes back online), resuming from the last event it saw.
//! Actions wait in an outbox until the server acknowledges them, and are
//! sent again with the same id after a reconnect, so nothing typed is lost
//! and nothing is stored twice. On the server this is inert: pages render
//! from their data. A participant's page does not use it at all: it is
//! rendered once from plain values, and the phone stays live through its
//! own small script, `app/script/phone.js`.

use hearth_core::error::ErrorCode;
use hearth_core::gathering::{GatheringView, LogPosition};
use hearth_core::ids::{ActionId, CardId};
use hearth_core::protocol::{Action, Outcome};
use leptos::prelude::*;

/// Whether the view is in touch with the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkStatus {
    Connecting,
    Live,
    Reconnecting,
}

/// What happened to one action.
pub type Reply = Result<Outcome, ErrorCode>;

/// Where a view starts: the state its page was rendered from.
pub struct Start {
    pub at: LogPosition,
    pub gathering: GatheringView,
    /// The server's clock when the page was made (ms).
    pub now: u64,
    /// The console's pre-screen queue as its page had it (empty for the
    /// screen, which is never sent one).
    pub queue: Vec<(CardId, String)>,
}

/// The signals a view renders from, kept current by the live link.
#[derive(Clone, Copy)]
pub struct Live {
    pub gathering: RwSignal<GatheringView>,
    pub status: RwSignal<LinkStatus>,
    /// The server's clock now (ms), ticking twice a second in the browser:
    /// what the timer counts down against.
    pub clock: RwSignal<u64>,
    /// The console's alone: the statements waiting to be let in, with
    /// their words, as the server last sent them (`ServerMsg::Queue`).
    pub queue: RwSignal<Vec<(CardId, String)>>,
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    link: LinkSlot,
}

/// Where the browser keeps its connection. The socket is not `Send`, so it
/// lives in local (single-thread) storage; on the server there is nothing to
/// hold, and nothing must be: the server renders across threads, and local
/// storage dropped on another thread would panic.
#[cfg(feature = "hydrate")]
type LinkSlot = StoredValue<Option<client::Link>, LocalStorage>;
#[cfg(not(feature = "hydrate"))]
type LinkSlot = ();

#[cfg(feature = "hydrate")]
fn empty_slot() -> LinkSlot {
    StoredValue::new_local(None)
}
#[cfg(not(feature = "hydrate"))]
fn empty_slot() -> LinkSlot {}

impl Live {
    /// Starts from the server-rendered state and, in the browser, connects
    /// to `path` (e.g. `/ws/screen/<secret>`).
    pub fn start(path: String, start: Start) -> Self {
        let live = Self {
            gathering: RwSignal::new(start.gathering),
            status: RwSignal::new(LinkStatus::Connecting),
            clock: RwSignal::new(start.now),
            queue: RwSignal::new(start.queue),
            link: empty_slot(),
        };
        #[cfg(feature = "hydrate")]
        {
            let link = client::Link::open(path, start.at, start.now, live);
            live.link.set_value(Some(link));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (path, start.at);
        live
    }

    /// Sends an action; `done` is called once with the server's answer.
    pub fn act(&self, action: Action, done: impl FnOnce(Reply) + 'static) -> ActionId {
        let id = new_action_id();
        self.act_with_id(id.clone(), action, done);
        id
    }

    /// Sends an action under an id the caller chose (a form's id).
    pub fn act_with_id(&self, id: ActionId, action: Action, done: impl FnOnce(Reply) + 'static) {
        #[cfg(feature = "hydrate")]
        self.link.with_value(|link| {
            if let Some(link) = link {
                link.send(id, action, Box::new(done));
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (id, action, done);
    }
}

/// A fresh random action id.
pub fn new_action_id() -> ActionId {
    #[cfg(feature = "hydrate")]
    {
        let mut bits: u128 = 0;
        for _ in 0..4 {
            bits = (bits << 32) | ((js_sys::Math::random() * 4_294_967_296.0) as u128);
        }
        ActionId::from_random(bits)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        ActionId::from_random(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef)
    }
}

#[cfg(feature = "hydrate")]
mod client {
    use super::*;
    use hearth_core::protocol::{ClientMsg, ServerMsg};
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{CloseEvent, MessageEvent, WebSocket};

    /// The longest wait between reconnection attempts.
    const MAX_BACKOFF_MS: f64 = 15_000.0;

    type Done = Box<dyn FnOnce(Reply)>;

    struct Pending {
        id: ActionId,
        text: String,
        done: Option<Done>,
    }

    /// How often the clock ticks.
    const TICK_MS: u32 = 500;

    struct Inner {
        path: String,
        at: LogPosition,
        /// Server clock minus this browser's clock (ms).
        skew: f64,
        live: Live,
        socket: Option<WebSocket>,
        outbox: Vec<Pending>,
        attempt: u32,
        retry_scheduled: bool,
        // Closures must outlive the socket that calls them.
        handlers: Vec<Box<dyn std::any::Any>>,
    }

    /// A shared handle on the connection.
    #[derive(Clone)]
    pub struct Link(Rc<RefCell<Inner>>);

    impl Link {
        pub fn open(path: String, at: LogPosition, now: u64, live: Live) -> Self {
            let link = Link(Rc::new(RefCell::new(Inner {
                path,
                at,
                skew: now as f64 - js_sys::Date::now(),
                live,
                socket: None,
                outbox: Vec::new(),
                attempt: 0,
                retry_scheduled: false,
                handlers: Vec::new(),
            })));
            link.watch_wakeups();
            link.tick();
            link.connect();
            link
        }

        /// Keeps `live.clock` on the server's time.
        fn tick(&self) {
            let link = self.clone();
            let tick = Closure::<dyn FnMut()>::new(move || {
                let (skew, live) = {
                    let inner = link.0.borrow();
                    (inner.skew, inner.live)
                };
                live.clock.set((js_sys::Date::now() + skew).max(0.0) as u64);
            });
            if let Some(window) = web_sys::window() {
                let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
                    tick.as_ref().unchecked_ref(),
                    TICK_MS as i32,
                );
            }
            // Lives as long as the page.
            tick.forget();
        }

        pub fn send(&self, id: ActionId, action: Action, done: Done) {
            let msg = ClientMsg::Act {
                id: id.clone(),
                action,
            };
            let Ok(text) = serde_json::to_string(&msg) else {
                done(Err(ErrorCode::Malformed));
                return;
            };
            let socket = {
                let mut inner = self.0.borrow_mut();
                inner.outbox.push(Pending {
                    id,
                    text: text.clone(),
                    done: Some(done),
                });
                inner.socket.clone()
            };
            if let Some(socket) = socket {
                if socket.ready_state() == WebSocket::OPEN {
                    let _ = socket.send_with_str(&text);
                }
            }
        }

        fn url(&self) -> Option<String> {
            let inner = self.0.borrow();
            let location = web_sys::window()?.location();
            let scheme = if location.protocol().ok()? == "https:" {
                "wss"
            } else {
                "ws"
            };
            let host = location.host().ok()?;
            Some(format!(
                "{scheme}://{host}{}?epoch={}&seq={}",
                inner.path, inner.at.epoch, inner.at.seq
            ))
        }

        fn connect(&self) {
            self.0.borrow_mut().retry_scheduled = false;
            if let Some(old) = self.0.borrow_mut().socket.take() {
                old.set_onclose(None);
                let _ = old.close();
            }
            let Some(url) = self.url() else { return };
            let Ok(socket) = WebSocket::new(&url) else {
                self.schedule_retry();
                return;
            };

            let on_open = {
                let link = self.clone();
                Closure::<dyn FnMut()>::new(move || link.opened())
            };
            let on_message = {
                let link = self.clone();
                Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                    if let Some(text) = e.data().as_string() {
                        link.received(&text);
                    }
                })
            };
            let on_close = {
                let link = self.clone();
                Closure::<dyn FnMut(CloseEvent)>::new(move |_: CloseEvent| link.closed())
            };
            socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
            socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));

            let mut inner = self.0.borrow_mut();
            inner.socket = Some(socket);
            inner.handlers = vec![Box::new(on_open), Box::new(on_message), Box::new(on_close)];
        }

        fn opened(&self) {
            let (socket, texts, live) = {
                let mut inner = self.0.borrow_mut();
                inner.attempt = 0;
                let texts: Vec<String> = inner.outbox.iter().map(|p| p.text.clone()).collect();
                (inner.socket.clone(), texts, inner.live)
            };
            live.status.set(LinkStatus::Live);
            if let Some(socket) = socket {
                for text in texts {
                    let _ = socket.send_with_str(&text);
                }
            }
        }

        fn closed(&self) {
            let live = self.0.borrow().live;
            live.status.set(LinkStatus::Reconnecting);
            self.0.borrow_mut().socket = None;
            self.schedule_retry();
        }

        fn schedule_retry(&self) {
            let delay = {
                let mut inner = self.0.borrow_mut();
                if inner.retry_scheduled {
                    return;
                }
                inner.retry_scheduled = true;
                inner.attempt = inner.attempt.saturating_add(1);
                let base = (250.0 * 2f64.powi(inner.attempt.min(8) as i32)).min(MAX_BACKOFF_MS);
                // Full jitter keeps a room of phones from returning in lockstep.
                base * (0.5 + 0.5 * js_sys::Math::random())
            };
            let link = self.clone();
            set_timeout(
                move || link.connect(),
                std::time::Duration::from_millis(delay as u64),
            );
        }

        /// A phone that wakes or comes back online reconnects at once.
        fn watch_wakeups(&self) {
            let Some(window) = web_sys::window() else {
                return;
            };
            let wake = {
                let link = self.clone();
                Closure::<dyn FnMut()>::new(move || link.wake())
            };
            let _ =
                window.add_event_listener_with_callback("online", wake.as_ref().unchecked_ref());
            if let Some(document) = window.document() {
                let _ = document.add_event_listener_with_callback(
                    "visibilitychange",
                    wake.as_ref().unchecked_ref(),
                );
            }
            // Lives as long as the page.
            wake.forget();
        }

        fn wake(&self) {
            let hidden = web_sys::window()
                .and_then(|w| w.document())
                .map(|d| d.hidden())
                .unwrap_or(false);
            let open = self
                .0
                .borrow()
                .socket
                .as_ref()
                .is_some_and(|s| s.ready_state() <= WebSocket::OPEN);
            if !hidden && !open {
                self.0.borrow_mut().attempt = 0;
                self.connect();
            }
        }

        fn received(&self, text: &str) {
            let Ok(msg) = serde_json::from_str::<ServerMsg>(text) else {
                return;
            };
            let live = self.0.borrow().live;
            match msg {
                ServerMsg::Snapshot { at, gathering, now } => {
                    {
                        let mut inner = self.0.borrow_mut();
                        inner.at = at;
                        inner.skew = now as f64 - js_sys::Date::now();
                    }
                    live.gathering.set(gathering);
                }
                ServerMsg::Event { seq, event } => {
                    let expected = self.0.borrow().at.seq + 1;
                    if seq == expected {
                        self.0.borrow_mut().at.seq = seq;
                        live.gathering.update(|g| g.apply(&event));
                    } else if seq > expected {
                        // A gap: start again from a fresh snapshot.
                        self.connect();
                    }
                }
                ServerMsg::Tally { tally } => live.gathering.update(|g| g.tally = tally),
                ServerMsg::Totals { step, totals } => live
                    .gathering
                    .update(|g| g.totals.entry(step).or_default().merge(totals)),
                ServerMsg::Landscape { step, landscape } => live.gathering.update(|g| {
                    g.statements.entry(step).or_default().landscape = landscape;
                }),
                ServerMsg::Queue { queue } => live.queue.set(queue),
                // A participant's own cards and marks: sent only on a
                // phone's link, which a phone's script follows, not this.
                ServerMsg::Mine { .. } => {}
                // A small group's board changed: for its phones, whose
                // script fetches their own part; never sent to these views.
                ServerMsg::Group { .. } => {}
                ServerMsg::Ack { id, outcome } => self.settle(&id, Ok(outcome)),
                ServerMsg::Error { id: Some(id), code } => self.settle(&id, Err(code)),
                ServerMsg::Error { id: None, .. } => {}
            }
        }

        fn settle(&self, id: &ActionId, reply: Reply) {
            let done = {
                let mut inner = self.0.borrow_mut();
                let index = inner.outbox.iter().position(|p| &p.id == id);
                index.and_then(|i| inner.outbox.remove(i).done)
            };
            if let Some(done) = done {
                done(reply);
            }
        }
    }
}
