//! One live gathering: its state, its log, and the only place it changes.
//!
//! Each gathering in use has one `Room` task. Every action for it arrives
//! through the room's queue and is applied one at a time, so there are no
//! locks around the state and no two actions can interleave. The room keeps
//! what it needs to decide in memory (the public view, who has joined, and
//! each card with its author), so deciding never waits on the database. An
//! action is checked, turned into one `Batch` of writes (events, cards, the
//! applied-action record), committed durably by storage, and only then
//! applied in memory, broadcast and acknowledged: an acknowledged action
//! survives a crash, and a refused one leaves nothing behind.
//!
//! Each event is serialised once into a `Frame` and fanned out through a
//! bounded broadcast channel. A connection that falls behind loses its place
//! in the channel (not the server's memory) and is resynchronised from a
//! snapshot. The last frames are kept in a `Ring` so a reconnecting view
//! gets exactly what it missed (see `ring.rs`, with its privacy rule), and
//! the state is checkpointed now and then so that loading a room after a
//! restart reads a checkpoint and the events after it, not the whole log
//! (see `checkpoint.rs`).

mod checkpoint;
mod made;
mod ring;

pub use checkpoint::EVERY as CHECKPOINT_EVERY;

use crate::storage::{Batch, GatheringRow, Op, RoomRows, StorageError, Store};
use axum::extract::ws::Utf8Bytes;
pub use checkpoint::Checkpoint;
use hearth_core::anonymity::LIVE_MIN_AUTHORS;
use hearth_core::error::ErrorCode;
use hearth_core::exercise::{Exercise, Place, MAX_STEPS};
use hearth_core::gathering::{
    Card, Event, GatheringView, Joining, LogPosition, StepSpec, StepView, Tally,
};
use hearth_core::ids::{ActionId, CardId, StepId};
use hearth_core::map::{Arrangement, MapChange};
use hearth_core::marks::{dots_fit, Counts, Mark, Target, SPECTRUM_MAX};
use hearth_core::protocol::{Action, Moderation, Outcome, OwnCard, Role, ServerMsg};
use hearth_core::timer::Timer;
use rand::seq::SliceRandom;
use ring::Ring;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc, oneshot};

/// How often a room sends its live figures, when they changed. Coalescing
/// them keeps a burst of posts in a large room from becoming a burst of
/// messages to every phone.
const TALLY_EVERY: std::time::Duration = std::time::Duration::from_millis(250);
/// How long a room with nobody connected stays in memory.
const IDLE: std::time::Duration = std::time::Duration::from_secs(600);
/// The most commands decided and committed together.
const ROUND: usize = 256;
/// Commands that may wait for a room before senders wait too.
const QUEUE: usize = 1024;

/// One serialised server message, shared by every receiver.
#[derive(Clone, Debug)]
pub struct Frame {
    pub seq: u64,
    pub json: Utf8Bytes,
    /// Whether the frame is a step in the log (an event or a snapshot).
    /// Live figures are not: they are sent whatever a view has seen.
    pub sequenced: bool,
}

/// Who is acting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    Facilitator,
    Screen,
    /// A participant, by the salted hash of their device token.
    Participant(String),
}

impl Actor {
    pub fn role(&self) -> Role {
        match self {
            Actor::Facilitator => Role::Facilitator,
            Actor::Screen => Role::Screen,
            Actor::Participant(_) => Role::Participant,
        }
    }

    /// The key under which this actor's action ids are remembered.
    fn key(&self) -> &str {
        match self {
            Actor::Facilitator => "facilitator",
            Actor::Screen => "screen",
            Actor::Participant(author) => author,
        }
    }
}

/// Why a room refused to let someone in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("the gathering has ended")]
    Ended,
    #[error("joining is locked")]
    Locked,
    #[error("the room is not available")]
    Unavailable,
}

/// What a new connection starts from.
pub struct Subscription {
    /// Frames to send first: the missed events, or one snapshot.
    pub catch_up: Vec<Frame>,
    /// The log position the catch-up brings the view to.
    pub seq: u64,
    pub events: broadcast::Receiver<Frame>,
    /// The participant's own cards and marks (empty for other roles).
    pub mine: Vec<OwnCard>,
    pub marks: Vec<Mark>,
}

enum Command {
    Subscribe {
        actor: Actor,
        since: Option<LogPosition>,
        reply: oneshot::Sender<Result<Subscription, EntryError>>,
    },
    Join {
        author: String,
        reply: oneshot::Sender<Result<(), EntryError>>,
    },
    Act {
        actor: Actor,
        id: ActionId,
        action: Action,
        reply: oneshot::Sender<Result<Outcome, ErrorCode>>,
    },
    Snapshot {
        role: Role,
        reply: oneshot::Sender<Frame>,
    },
    View {
        actor: Actor,
        reply: oneshot::Sender<Result<PageView, EntryError>>,
    },
    /// The gathering was deleted: end every connection.
    Close,
}

/// The state a page renders from: the room as this role may see it, and
/// for a participant their own cards and marks.
pub struct PageView {
    pub at: LogPosition,
    /// Shared by every page of the same audience until the room changes:
    /// made once, and copied (if at all) by the page, not the room.
    pub gathering: Arc<GatheringView>,
    pub mine: Vec<OwnCard>,
    pub marks: Vec<Mark>,
    /// The server's clock (ms), for the timer.
    pub now: u64,
}

/// How every room of an instance is tuned.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// How many frames a connection may fall behind before it is
    /// resynchronised with a snapshot (the fan-out channel's capacity).
    pub lag_limit: usize,
    /// Events between two checkpoints (see `checkpoint.rs`).
    pub checkpoint_every: u64,
}

/// A cheap handle on a running room.
#[derive(Clone)]
pub struct RoomHandle {
    tx: mpsc::Sender<Command>,
}

impl RoomHandle {
    async fn ask<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Command) -> Option<T> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(make(reply)).await.ok()?;
        answer.await.ok()
    }

    pub async fn subscribe(
        &self,
        actor: Actor,
        since: Option<LogPosition>,
    ) -> Result<Subscription, EntryError> {
        self.ask(|reply| Command::Subscribe {
            actor,
            since,
            reply,
        })
        .await
        .unwrap_or(Err(EntryError::Unavailable))
    }

    /// Lets a participant in, if they are already in or joining is open.
    pub async fn join(&self, author: String) -> Result<(), EntryError> {
        self.ask(|reply| Command::Join { author, reply })
            .await
            .unwrap_or(Err(EntryError::Unavailable))
    }

    pub async fn act(
        &self,
        actor: Actor,
        id: ActionId,
        action: Action,
    ) -> Result<Outcome, ErrorCode> {
        self.ask(|reply| Command::Act {
            actor,
            id,
            action,
            reply,
        })
        .await
        .unwrap_or(Err(ErrorCode::Internal))
    }

    /// The current state as `role` may see it, as a ready-to-send
    /// snapshot frame.
    pub async fn snapshot(&self, role: Role) -> Option<Frame> {
        self.ask(|reply| Command::Snapshot { role, reply }).await
    }

    /// What a page shows now; for a participant, joins them first (if they
    /// are in already or joining is open) and includes their own cards.
    pub async fn view(&self, actor: Actor) -> Result<PageView, EntryError> {
        self.ask(|reply| Command::View { actor, reply })
            .await
            .unwrap_or(Err(EntryError::Unavailable))
    }

    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// Ends every connection to the room (its gathering was deleted). The
    /// room itself stops once the last handle on it is gone.
    pub async fn close(&self) {
        let _ = self.tx.send(Command::Close).await;
    }
}

/// What the room remembers of one card. Only the room and its author's
/// own view ever see `author`.
struct CardMeta {
    step: StepId,
    author: String,
    text: String,
    place: Place,
    sensitive: bool,
    revealed_seq: Option<u64>,
}

impl CardMeta {
    /// The card as the room sees it once revealed.
    fn public(&self, id: &CardId) -> Card {
        Card {
            id: id.clone(),
            step: self.step,
            text: self.text.clone(),
            place: self.place.clone(),
            hidden: false,
            blurred: self.sensitive,
        }
    }
}

/// The state a room task owns.
struct Room {
    id: String,
    store: Store,
    epoch: u64,
    seq: u64,
    view: GatheringView,
    joined: HashSet<String>,
    cards: HashMap<CardId, CardMeta>,
    /// Card ids in the order they arrived (for a participant's own list).
    arrival: Vec<CardId>,
    /// Cards not yet revealed, in arrival order.
    waiting: Vec<CardId>,
    /// Each reveal's cards in their shuffled order, by event sequence, so a
    /// withdrawn card can be cut out of the event that revealed it.
    reveals: HashMap<u64, Vec<CardId>>,
    /// The events that showed a hidden card again (they carry its words),
    /// by card, so a withdrawal can cut the words out of them too.
    shown: HashMap<CardId, Vec<u64>>,
    ring: Ring,
    fanout: broadcast::Sender<Frame>,
    /// The live figures changed since they were last sent.
    tally_due: bool,
    /// Each participant's marks, by author.
    marks: HashMap<String, HashMap<Target, u16>>,
    /// The counts behind each step's totals.
    counts: HashMap<StepId, Counts>,
    /// Steps whose totals changed since they were last sent, with the
    /// cards whose totals changed.
    totals_due: HashMap<StepId, BTreeSet<CardId>>,
    /// Every action already applied, by `applied_key`, so that telling a
    /// retry from a new action never waits on the database.
    applied: HashSet<String>,
    /// The gathering as stored, to reload from if a round fails.
    row: GatheringRow,
    settings: Settings,
    /// The position of the last checkpoint stored.
    checkpointed: u64,
    /// A checkpoint must go with this round's commit: the last one holds
    /// words that were withdrawn in it.
    checkpoint_now: bool,
    /// Counts the changes to `view`, so frames made from it can be reused
    /// until it changes again.
    version: u64,
    /// Snapshots and totals made since the last change: a room that two
    /// thousand phones reconnect to at once serialises its state once, not
    /// two thousand times.
    made: made::Made,
    /// The round in progress: its writes, the frames it will publish, and
    /// the answers it owes once it is committed.
    round: Batch,
    round_frames: Vec<Frame>,
    round_outcomes: HashMap<String, Outcome>,
    replies: Vec<Reply>,
}

/// An answer owed to a caller once the round it belongs to is committed.
enum Reply {
    Act(
        oneshot::Sender<Result<Outcome, ErrorCode>>,
        Result<Outcome, ErrorCode>,
    ),
    Join(
        oneshot::Sender<Result<(), EntryError>>,
        Result<(), EntryError>,
    ),
    Subscribe(
        oneshot::Sender<Result<Subscription, EntryError>>,
        Actor,
        Option<LogPosition>,
        Result<(), EntryError>,
    ),
    Snapshot(oneshot::Sender<Frame>, Role),
    View(
        oneshot::Sender<Result<PageView, EntryError>>,
        Actor,
        Result<(), EntryError>,
    ),
}

fn applied_key(actor: &str, action: &str) -> String {
    format!("{actor}/{action}")
}

/// Loads a gathering and starts its room task.
pub async fn start(
    store: Store,
    row: GatheringRow,
    settings: Settings,
) -> Result<RoomHandle, StorageError> {
    let (fanout, _) = broadcast::channel(settings.lag_limit.max(1));
    let started = std::time::Instant::now();
    let room = load(store, row, fanout, settings).await?;
    tracing::info!(
        gathering = %room.id,
        events_replayed = room.seq - room.checkpointed,
        cards = room.cards.len(),
        marks = room.marks.values().map(HashMap::len).sum::<usize>(),
        "room loaded in {} ms",
        started.elapsed().as_millis()
    );
    let (tx, rx) = mpsc::channel(QUEUE);
    tokio::spawn(room.run(rx));
    Ok(RoomHandle { tx })
}

/// Builds a room's memory from storage: the last checkpoint (or the
/// gathering as created), the events after it, and the cards, marks,
/// participants and applied actions.
async fn load(
    store: Store,
    row: GatheringRow,
    fanout: broadcast::Sender<Frame>,
    settings: Settings,
) -> Result<Room, StorageError> {
    let RoomRows {
        checkpoint,
        events,
        participants,
        cards: stored_cards,
        applied: applied_keys,
        marks: stored_marks,
    } = store.load_room(&row.id).await?;
    let (checkpointed, mut view, mut reveals, mut shown) = match checkpoint {
        Some(c) => (
            c.seq,
            c.view,
            c.reveals.into_iter().collect(),
            c.shown.into_iter().collect(),
        ),
        None => (0, row.genesis.clone(), HashMap::new(), HashMap::new()),
    };
    let mut seq = checkpointed;
    let mut ring = Ring::above(checkpointed);
    for (s, event) in events {
        view.apply(&event);
        seq = s;
        match &event {
            Event::CardsRevealed { cards } => {
                reveals.insert(s, cards.iter().map(|c| c.id.clone()).collect());
            }
            Event::CardShown { card } => shown.entry(card.id.clone()).or_default().push(s),
            _ => {}
        }
        ring.replay(event_frame(s, &event), &event);
    }
    let joined = participants.into_iter().collect();
    let mut cards = HashMap::new();
    let mut arrival = Vec::new();
    let mut waiting = Vec::new();
    for card in stored_cards {
        arrival.push(card.id.clone());
        if card.revealed_seq.is_none() {
            waiting.push(card.id.clone());
        }
        let meta = CardMeta {
            step: card.step,
            author: card.author,
            text: card.text,
            place: card.place,
            sensitive: card.sensitive,
            revealed_seq: card.revealed_seq,
        };
        cards.insert(card.id, meta);
    }
    let applied = applied_keys
        .iter()
        .map(|(actor, action)| applied_key(actor, action))
        .collect();
    let mut marks: HashMap<String, HashMap<Target, u16>> = HashMap::new();
    let mut counts: HashMap<StepId, Counts> = HashMap::new();
    for (author, target, value) in stored_marks {
        if let Some(step) = target_step(&view, &cards, &target) {
            counts
                .entry(step)
                .or_default()
                .change(&target, None, Some(value));
            marks.entry(author).or_default().insert(target, value);
        }
    }
    for (step, c) in &counts {
        if let Some(s) = view.step(*step) {
            let totals = c.publish(&s.exercise);
            view.totals.insert(*step, totals);
        }
    }
    let mut room = Room {
        id: row.id.clone(),
        store,
        epoch: row.epoch,
        seq,
        view,
        joined,
        cards,
        arrival,
        waiting,
        reveals,
        shown,
        ring,
        fanout,
        tally_due: false,
        marks,
        counts,
        totals_due: HashMap::new(),
        applied,
        round: Batch {
            gathering: row.id.clone(),
            ops: Vec::new(),
        },
        row,
        settings,
        checkpointed,
        checkpoint_now: false,
        version: 0,
        made: made::Made::default(),
        round_frames: Vec::new(),
        round_outcomes: HashMap::new(),
        replies: Vec::new(),
    };
    room.refresh_tally();
    Ok(room)
}

/// The step a mark's target belongs to, if it still exists.
fn target_step(
    view: &GatheringView,
    cards: &HashMap<CardId, CardMeta>,
    target: &Target,
) -> Option<StepId> {
    let step = match target {
        Target::Spectrum(step) | Target::Tag(step, _) => *step,
        // Imported cards are in the view only (they have no author here).
        Target::Vote(card) | Target::Resonate(card) | Target::Place(card) => cards
            .get(card)
            .map(|m| m.step)
            .or_else(|| view.card(card).map(|c| c.step))?,
    };
    view.step(step).map(|s| s.id)
}

/// The server's clock in milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn frame(seq: u64, msg: &ServerMsg) -> Frame {
    // Our own types always serialise; an empty frame would be ignored.
    let json = serde_json::to_string(msg).unwrap_or_default();
    Frame {
        seq,
        json: json.into(),
        sequenced: true,
    }
}

/// A frame outside the log (live figures, totals): sent whatever a view
/// has seen.
fn live_frame(seq: u64, msg: &ServerMsg) -> Frame {
    Frame {
        sequenced: false,
        ..frame(seq, msg)
    }
}

fn event_frame(seq: u64, event: &Event) -> Frame {
    frame(
        seq,
        &ServerMsg::Event {
            seq,
            event: event.clone(),
        },
    )
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, StorageError> {
    Ok(serde_json::to_string(value)?)
}

impl Room {
    /// Serves commands, and flushes the live figures a few times a second,
    /// until the room has been idle with nobody watching for `IDLE`; then it
    /// closes its queue, finishes what was already sent, and ends, and the
    /// hub starts it afresh from storage when needed. A long-running
    /// instance thus holds only the gatherings in use.
    async fn run(mut self, mut rx: mpsc::Receiver<Command>) {
        let mut flush = tokio::time::interval(TALLY_EVERY);
        flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_command = tokio::time::Instant::now();
        loop {
            tokio::select! {
                command = rx.recv() => match command {
                    Some(command) => {
                        // Everything already waiting joins this round.
                        self.handle(command).await;
                        while self.replies.len() < ROUND {
                            match rx.try_recv() {
                                Ok(command) => self.handle(command).await,
                                Err(_) => break,
                            }
                        }
                        if !self.finish_round().await {
                            break;
                        }
                        last_command = tokio::time::Instant::now();
                    }
                    None => break,
                },
                _ = flush.tick() => {
                    self.flush_live();
                    if last_command.elapsed() > IDLE && self.fanout.receiver_count() == 0 {
                        rx.close();
                        while let Some(command) = rx.recv().await {
                            self.handle(command).await;
                            if !self.finish_round().await {
                                break;
                            }
                        }
                        break;
                    }
                }
            }
        }
    }

    /// Decides one command against the round's state, staging its writes;
    /// its answer waits for the round's commit.
    async fn handle(&mut self, command: Command) {
        let reply = match command {
            Command::Subscribe {
                actor,
                since,
                reply,
            } => {
                let joined = match &actor {
                    Actor::Participant(author) => self.join(author.clone()),
                    _ => Ok(()),
                };
                Reply::Subscribe(reply, actor, since, joined)
            }
            Command::Join { author, reply } => {
                let joined = self.join(author);
                Reply::Join(reply, joined)
            }
            Command::Act {
                actor,
                id,
                action,
                reply,
            } => {
                let result = self.act(actor, id, action).await;
                Reply::Act(reply, result)
            }
            Command::Snapshot { role, reply } => Reply::Snapshot(reply, role),
            Command::View { actor, reply } => {
                let joined = match &actor {
                    Actor::Participant(author) => self.join(author.clone()),
                    _ => Ok(()),
                };
                Reply::View(reply, actor, joined)
            }
            Command::Close => {
                // A fresh channel in place of the one every connection
                // listens on: their streams end, and so do they.
                self.fanout = broadcast::channel(1).0;
                return;
            }
        };
        self.replies.push(reply);
    }

    /// Commits the round in one batch, then publishes its frames and
    /// answers everyone in it. If the commit fails, nothing of the round was
    /// stored or shown: the room reloads itself from storage and refuses the
    /// round's changes. Returns false if the room cannot go on.
    async fn finish_round(&mut self) -> bool {
        let checkpoint = self.checkpoint_now
            || checkpoint::due(self.seq, self.checkpointed, self.settings.checkpoint_every);
        if checkpoint {
            match json(&Checkpoint::of(
                self.seq,
                &self.view,
                &self.reveals,
                &self.shown,
            )) {
                Ok(body) => self.round.ops.push(Op::Checkpoint {
                    seq: self.seq,
                    body,
                }),
                Err(e) => {
                    tracing::error!(gathering = %self.id, "a checkpoint could not be made: {e}")
                }
            }
        }
        let empty = self.batch();
        let batch = std::mem::replace(&mut self.round, empty);
        let frames = std::mem::take(&mut self.round_frames);
        self.round_outcomes.clear();
        let committed = if batch.ops.is_empty() {
            Ok(())
        } else {
            self.store.commit(batch).await
        };
        let failed = committed.is_err();
        if checkpoint && !failed {
            self.checkpointed = self.seq;
            self.checkpoint_now = false;
        }
        if let Err(e) = committed {
            tracing::error!(gathering = %self.id, "a round of changes failed and was not stored: {e}");
            match load(
                self.store.clone(),
                self.row.clone(),
                self.fanout.clone(),
                self.settings,
            )
            .await
            {
                Ok(fresh) => {
                    let replies = std::mem::take(&mut self.replies);
                    *self = fresh;
                    self.replies = replies;
                }
                Err(e) => {
                    tracing::error!(gathering = %self.id, "reloading the room failed: {e}");
                    self.replies.clear();
                    return false;
                }
            }
        } else {
            for frame in frames {
                self.ring.push(frame.clone());
                // No receivers is fine: nobody is watching right now.
                let _ = self.fanout.send(frame);
            }
        }
        self.refresh_tally();
        for reply in std::mem::take(&mut self.replies) {
            match reply {
                Reply::Act(tx, result) => {
                    let result = match result {
                        Ok(_) if failed => Err(ErrorCode::Internal),
                        other => other,
                    };
                    let _ = tx.send(result);
                }
                Reply::Join(tx, joined) => {
                    let _ = tx.send(if failed {
                        Err(EntryError::Unavailable)
                    } else {
                        joined
                    });
                }
                Reply::Subscribe(tx, actor, since, joined) => {
                    let answer = match joined {
                        _ if failed => Err(EntryError::Unavailable),
                        Ok(()) => Ok(self.subscription(&actor, since)),
                        Err(e) => Err(e),
                    };
                    let _ = tx.send(answer);
                }
                Reply::Snapshot(tx, role) => {
                    let _ = tx.send(self.snapshot_frame(role));
                }
                Reply::View(tx, actor, joined) => {
                    let answer = match joined {
                        _ if failed => Err(EntryError::Unavailable),
                        Ok(()) => Ok(PageView {
                            at: self.position(),
                            gathering: self.shared_view(actor.role()),
                            mine: self.own_cards(&actor),
                            marks: self.own_marks(&actor),
                            now: now_ms(),
                        }),
                        Err(e) => Err(e),
                    };
                    let _ = tx.send(answer);
                }
            }
        }
        true
    }

    fn position(&self) -> LogPosition {
        LogPosition {
            epoch: self.epoch,
            seq: self.seq,
        }
    }

    /// The public state as a role may see it: facilitators see hidden
    /// cards (to show them again); nobody else receives their words.
    fn visible_to(&self, role: Role) -> GatheringView {
        match role {
            Role::Facilitator => self.view.clone(),
            Role::Screen | Role::Participant => self.view.redacted(),
        }
    }

    /// The whole state as `role` may see it, made once per change of the
    /// room for everyone who needs it.
    fn snapshot_frame(&self, role: Role) -> Frame {
        let audience = usize::from(role != Role::Facilitator);
        self.made.remember(
            self.version,
            |made| &mut made.snapshots[audience],
            || {
                frame(
                    self.seq,
                    &ServerMsg::Snapshot {
                        at: self.position(),
                        gathering: self.visible_to(role),
                        now: now_ms(),
                    },
                )
            },
        )
    }

    /// The state as `role` may see it, for pages: made once per change
    /// of the room, shared by every page until then.
    fn shared_view(&self, role: Role) -> Arc<GatheringView> {
        let audience = usize::from(role != Role::Facilitator);
        self.made.remember(
            self.version,
            |made| &mut made.views[audience],
            || Arc::new(self.visible_to(role)),
        )
    }

    /// Every step's totals, one frame each, made once per change of the
    /// room.
    fn totals_frames(&self) -> Vec<Frame> {
        self.made.remember(
            self.version,
            |made| &mut made.totals,
            || {
                self.view
                    .totals
                    .iter()
                    .map(|(step, totals)| {
                        live_frame(
                            self.seq,
                            &ServerMsg::Totals {
                                step: *step,
                                totals: totals.clone(),
                            },
                        )
                    })
                    .collect()
            },
        )
    }

    fn batch(&self) -> Batch {
        Batch {
            gathering: self.id.clone(),
            ops: Vec::new(),
        }
    }

    /// What a new connection starts from, once its round is committed.
    fn subscription(&self, actor: &Actor, since: Option<LogPosition>) -> Subscription {
        let mut catch_up = self.catch_up(since, actor.role());
        catch_up.push(self.tally_frame());
        // Totals are outside the log: a view that caught up on events gets
        // them whole (a snapshot already holds them).
        if catch_up.len() > 1 || since.is_some() {
            catch_up.extend(self.totals_frames());
        }
        Subscription {
            catch_up,
            seq: self.seq,
            events: self.fanout.subscribe(),
            mine: self.own_cards(actor),
            marks: self.own_marks(actor),
        }
    }

    fn own_cards(&self, actor: &Actor) -> Vec<OwnCard> {
        let Actor::Participant(author) = actor else {
            return Vec::new();
        };
        self.arrival
            .iter()
            .filter_map(|id| {
                let card = self.cards.get(id).filter(|c| &c.author == author)?;
                Some(OwnCard {
                    id: id.clone(),
                    step: card.step,
                    text: card.text.clone(),
                    place: card.place.clone(),
                    sensitive: card.sensitive,
                    revealed: card.revealed_seq.is_some(),
                })
            })
            .collect()
    }

    fn own_marks(&self, actor: &Actor) -> Vec<Mark> {
        let Actor::Participant(author) = actor else {
            return Vec::new();
        };
        let mut marks: Vec<Mark> = self
            .marks
            .get(author)
            .into_iter()
            .flatten()
            .filter_map(|(target, value)| Mark::from_parts(target, *value))
            .collect();
        marks.sort_by_key(|m| m.target());
        marks
    }

    /// Exactly the frames a view at `since` missed, or a snapshot when the
    /// ring no longer holds them or the epoch changed.
    fn catch_up(&self, since: Option<LogPosition>, role: Role) -> Vec<Frame> {
        since
            .and_then(|at| self.ring.since(at, self.position()))
            .unwrap_or_else(|| vec![self.snapshot_frame(role)])
    }

    fn join(&mut self, author: String) -> Result<(), EntryError> {
        if self.joined.contains(&author) {
            return Ok(());
        }
        if self.view.ended {
            return Err(EntryError::Ended);
        }
        if self.view.joining == Joining::Locked {
            return Err(EntryError::Locked);
        }
        self.round.ops.push(Op::AddParticipant {
            author: author.clone(),
        });
        self.joined.insert(author);
        Ok(())
    }

    /// Recomputes the live figures; they go out with the next flush.
    /// Only the current step's cards count: its waiting ones are the ones
    /// Reveal would show, and its writers are the ones the screen counts.
    fn refresh_tally(&mut self) {
        let step = self.view.current;
        let waiting = self
            .waiting
            .iter()
            .filter(|c| self.cards.get(*c).is_some_and(|m| m.step == step))
            .count();
        let writers = self
            .cards
            .values()
            .filter(|m| m.step == step)
            .map(|m| m.author.as_str())
            .collect::<HashSet<_>>()
            .len();
        let tally = Tally::publish(self.joined.len() as u32, writers as u32, waiting as u32);
        if tally != self.view.tally {
            self.view.tally = tally;
            self.tally_due = true;
            self.version += 1;
        }
    }

    /// Sends the live figures and the totals that changed since last time.
    fn flush_live(&mut self) {
        if std::mem::take(&mut self.tally_due) {
            let _ = self.fanout.send(self.tally_frame());
        }
        for (step, cards) in std::mem::take(&mut self.totals_due) {
            let (Some(counts), Some(s)) = (self.counts.get(&step), self.view.step(step)) else {
                continue;
            };
            let update = counts.publish_cards(&s.exercise, cards.iter());
            self.view
                .totals
                .entry(step)
                .or_default()
                .merge(update.clone());
            self.version += 1;
            let _ = self.fanout.send(live_frame(
                self.seq,
                &ServerMsg::Totals {
                    step,
                    totals: update,
                },
            ));
        }
    }

    fn tally_frame(&self) -> Frame {
        live_frame(
            self.seq,
            &ServerMsg::Tally {
                tally: self.view.tally,
            },
        )
    }

    /// Adds an action's writes and events to the round. The events are
    /// applied to the view at once (later actions in the round decide on
    /// them) but shown to nobody until the round is committed.
    fn stage(&mut self, batch: Batch, events: Vec<Event>) -> Result<(), StorageError> {
        self.round.ops.extend(batch.ops);
        for event in events {
            self.seq += 1;
            self.round.ops.push(Op::AppendEvent {
                seq: self.seq,
                body: json(&event)?,
            });
            self.view.apply(&event);
            if let Some(at) = ring::cut_for(self.seq, &event) {
                self.ring.cut(at);
            }
            self.round_frames.push(event_frame(self.seq, &event));
            self.version += 1;
        }
        Ok(())
    }

    async fn act(
        &mut self,
        actor: Actor,
        id: ActionId,
        action: Action,
    ) -> Result<Outcome, ErrorCode> {
        if !action.allowed_for(actor.role()) {
            return Err(ErrorCode::NotAllowed);
        }
        if let Actor::Participant(author) = &actor {
            if !self.joined.contains(author) {
                return Err(ErrorCode::NotAllowed);
            }
        }
        let key = applied_key(actor.key(), id.as_str());
        if let Some(outcome) = self.round_outcomes.get(&key) {
            return Ok(outcome.clone());
        }
        if self.applied.contains(&key) {
            // A retry: answer with what the first attempt produced.
            return match self
                .store
                .applied_outcome(&self.id, actor.key(), id.as_str())
                .await
            {
                Ok(Some(outcome)) => Ok(self.restored(outcome)),
                Ok(None) => Err(ErrorCode::Internal),
                Err(e) => {
                    tracing::error!(gathering = %self.id, "reading an applied action failed: {e}");
                    Err(ErrorCode::Internal)
                }
            };
        }
        if self.view.ended {
            return Err(ErrorCode::Ended);
        }
        let result = self.decide(&actor, &id, action);
        if let Ok(outcome) = &result {
            self.round_outcomes.insert(key.clone(), outcome.clone());
            self.applied.insert(key);
        }
        result.map_err(|e| match e {
            Refusal::Code(code) => code,
            Refusal::Store(e) => {
                tracing::error!(gathering = %self.id, "an action failed and changed nothing: {e}");
                ErrorCode::Internal
            }
        })
    }

    /// Checks one action against the room and stages what it changes.
    fn decide(&mut self, actor: &Actor, id: &ActionId, action: Action) -> Result<Outcome, Refusal> {
        let done = Outcome::Done;
        match (action, actor) {
            (
                Action::AddReflection {
                    step,
                    text,
                    place,
                    sensitive,
                },
                Actor::Participant(author),
            ) => {
                let added = self.add_reflection(author, id, step, text.into(), place, sensitive)?;
                self.release_live()?;
                Ok(added)
            }
            (Action::Withdraw { card }, Actor::Participant(author)) => {
                self.withdraw(author, id, card)
            }
            (Action::Mark { mark }, Actor::Participant(author)) => self.mark(author, id, mark),
            (Action::Reveal, _) => self.reveal(actor, id),
            (Action::SetCollecting { step, open }, _) => {
                self.known(step)?;
                self.record(actor, id, done, vec![Event::CollectingSet { step, open }])
            }
            (Action::SetJoiningLocked { locked }, _) => {
                let joining = if locked {
                    Joining::Locked
                } else {
                    Joining::Open
                };
                self.record(actor, id, done, vec![Event::JoiningSet { joining }])
            }
            (Action::GoTo { step }, _) => {
                self.known(step)?;
                let mut events = vec![Event::StepChanged { step }];
                // A timer that ran out belonged to the step being left:
                // its "Time" would greet the next prompt.
                if self.view.timer.left(now_ms()) == Some(0) {
                    events.push(Event::TimerSet { timer: Timer::Off });
                }
                self.record(actor, id, Outcome::Done, events)?;
                self.release_live()?;
                Ok(Outcome::Done)
            }
            (Action::SetLive { step, live }, _) => {
                if !self.known(step)?.exercise.takes_reflections() {
                    return Err(ErrorCode::NoReflections.into());
                }
                self.record(
                    actor,
                    id,
                    Outcome::Done,
                    vec![Event::LiveSet { step, live }],
                )?;
                self.release_live()?;
                Ok(Outcome::Done)
            }
            (Action::ShowLines { step, count }, _) => {
                if usize::from(count) > self.known(step)?.exercise.line_count() {
                    return Err(ErrorCode::UnknownLine.into());
                }
                self.record(actor, id, done, vec![Event::LinesShown { step, count }])
            }
            (Action::Moderate { card, change }, _) => self.moderate(actor, id, card, change),
            (Action::Timer { timer }, _) => {
                let timer = self.view.timer.after(timer, now_ms())?;
                self.record(actor, id, done, vec![Event::TimerSet { timer }])
            }
            (Action::AddStep { at, spec }, _) => {
                spec.exercise.check()?;
                if self.view.steps.len() >= MAX_STEPS {
                    return Err(ErrorCode::BadSettings.into());
                }
                let step = StepView::fresh(self.view.next_step_id(), spec);
                let at = at.min(self.view.steps.len() as u32);
                self.record(actor, id, done, vec![Event::StepAdded { at, step }])
            }
            (Action::EditStep { step, spec }, _) => {
                spec.exercise.check()?;
                let reshaped = !self.known(step)?.exercise.same_shape(&spec.exercise);
                if reshaped && self.in_use(step) {
                    return Err(ErrorCode::StepInUse.into());
                }
                self.record(actor, id, done, vec![Event::StepEdited { step, spec }])
            }
            (Action::MoveStep { step, to }, _) => {
                self.known(step)?;
                let to = to.min(self.view.steps.len().saturating_sub(1) as u32);
                self.record(actor, id, done, vec![Event::StepMoved { step, to }])
            }
            (Action::RemoveStep { step }, _) => {
                self.known(step)?;
                if self.view.steps.len() <= 1 {
                    return Err(ErrorCode::LastStep.into());
                }
                if self.in_use(step) {
                    return Err(ErrorCode::StepInUse.into());
                }
                self.record(actor, id, done, vec![Event::StepRemoved { step }])
            }
            (Action::SaveTemplate { name }, _) => {
                let agenda: Vec<StepSpec> = self.view.steps.iter().map(StepView::spec).collect();
                let mut batch = self.batch();
                batch.ops.push(Op::SaveTemplate {
                    id: crate::secrets::token(8),
                    name: name.into(),
                    agenda: json(&agenda)?,
                    created_at: crate::storage::unix_now(),
                });
                batch.ops.push(Self::applied_op(actor.key(), id, &done)?);
                self.stage(batch, Vec::new())?;
                Ok(done)
            }
            (Action::Arrange { step, change }, _) => {
                self.arrangeable(step)?
                    .check(&change, |c| self.on_map(step, c))?;
                self.record(actor, id, done, vec![Event::MapArranged { step, change }])
            }
            (Action::NewTheme { step, name, cards }, _) => {
                let arrangement = self.arrangeable(step)?;
                let theme = arrangement.next_theme();
                let mut changes = vec![MapChange::Name { theme, name }];
                changes.extend(cards.into_iter().map(|card| MapChange::Gather {
                    card,
                    theme: Some(theme),
                }));
                // Each change is checked against the arrangement as the
                // ones before it leave it.
                let mut after = arrangement.clone();
                for change in &changes {
                    after.check(change, |c| self.on_map(step, c))?;
                    after.apply(change);
                }
                let events = changes
                    .into_iter()
                    .map(|change| Event::MapArranged { step, change })
                    .collect();
                self.record(actor, id, done, events)
            }
            (Action::End, _) => {
                // The end is when participants' device hashes go: nothing
                // is theirs to change any more.
                let mut batch = self.batch();
                batch.ops.push(Op::ForgetParticipants);
                batch.ops.push(Self::applied_op(actor.key(), id, &done)?);
                self.stage(batch, vec![Event::Ended])?;
                self.forget_participants();
                Ok(done)
            }
            (Action::SetScreen { screen }, _) => {
                self.record(actor, id, done, vec![Event::ScreenSet { screen }])
            }
            // `allowed_for` has already refused every other pairing.
            _ => Err(ErrorCode::NotAllowed.into()),
        }
    }

    /// Drops every participant's hash from memory, as `ForgetParticipants`
    /// does from storage: cards lose their authors, marks keep their totals
    /// under a stand-in each, and participants' applied actions are gone.
    fn forget_participants(&mut self) {
        self.joined.clear();
        for card in self.cards.values_mut() {
            card.author.clear();
        }
        self.applied
            .retain(|key| key.starts_with("facilitator/") || key.starts_with("screen/"));
        for (_, marks) in std::mem::take(&mut self.marks) {
            for (target, value) in marks {
                let stand_in = crate::secrets::token(16);
                self.marks
                    .insert(stand_in, HashMap::from([(target, value)]));
            }
        }
    }

    /// A step of this gathering, or the reason there is none.
    fn known(&self, step: StepId) -> Result<&StepView, ErrorCode> {
        self.view.step(step).ok_or(ErrorCode::UnknownStep)
    }

    /// The current step, if `step` is it and people may add to it now.
    fn open_step(&self, step: StepId) -> Result<&StepView, ErrorCode> {
        let s = self.known(step)?;
        if s.id != self.view.current {
            Err(ErrorCode::StepNotOpen)
        } else if !s.collecting {
            Err(ErrorCode::NotCollecting)
        } else {
            Ok(s)
        }
    }

    /// A revealed card the room can see on the current step: what votes
    /// and resonances may be given to.
    fn respondable(&self, card: &CardId) -> Result<&StepView, ErrorCode> {
        let c = self
            .view
            .card(card)
            .filter(|c| !c.hidden)
            .ok_or(ErrorCode::UnknownCard)?;
        if c.step != self.view.current {
            return Err(ErrorCode::StepNotOpen);
        }
        self.known(c.step)
    }

    /// A map step's arrangement, or why the step has none.
    fn arrangeable(&self, step: StepId) -> Result<&Arrangement, ErrorCode> {
        let s = self.known(step)?;
        s.exercise.axes().ok_or(ErrorCode::WrongPlace)?;
        Ok(&s.arrangement)
    }

    /// Whether a card is one the room can see on this map step.
    fn on_map(&self, step: StepId, card: &CardId) -> bool {
        self.view
            .card(card)
            .is_some_and(|c| c.step == step && !c.hidden)
    }

    /// Whether anyone has added anything to a step: then it may be reworded
    /// but not reshaped or removed.
    fn in_use(&self, step: StepId) -> bool {
        self.cards.values().any(|c| c.step == step)
            || self.view.cards_of(step).next().is_some()
            || self
                .marks
                .values()
                .flat_map(|m| m.keys())
                .any(|t| matches!(t, Target::Spectrum(s) | Target::Tag(s, _) if *s == step))
    }

    /// The op that remembers an action's outcome, so a retry gets it again.
    /// A reflection's words are not kept with it: they live only in the
    /// card, so withdrawing the card removes them everywhere.
    /// `actor` is the key the action was made under (`Actor::key`: for a
    /// participant, their author hash).
    fn applied_op(actor: &str, id: &ActionId, outcome: &Outcome) -> Result<Op, StorageError> {
        let stored = match outcome {
            Outcome::Added { card } => Outcome::Added {
                card: OwnCard {
                    text: String::new(),
                    place: card.place.without_words(),
                    ..card.clone()
                },
            },
            other => other.clone(),
        };
        Ok(Op::RecordApplied {
            actor: actor.to_owned(),
            action: id.as_str().to_owned(),
            outcome: json(&stored)?,
        })
    }

    /// An outcome read back for a retry, with a reflection's words filled
    /// in from the card again (if it has not been withdrawn since).
    fn restored(&self, outcome: Outcome) -> Outcome {
        match outcome {
            Outcome::Added { mut card } => {
                if let Some(meta) = self.cards.get(&card.id) {
                    card.text = meta.text.clone();
                    card.place = meta.place.clone();
                }
                Outcome::Added { card }
            }
            other => other,
        }
    }

    /// Stores an outcome and its events, with nothing else to write.
    fn record(
        &mut self,
        actor: &Actor,
        id: &ActionId,
        outcome: Outcome,
        events: Vec<Event>,
    ) -> Result<Outcome, Refusal> {
        let mut batch = self.batch();
        batch.ops.push(Self::applied_op(actor.key(), id, &outcome)?);
        self.stage(batch, events)?;
        Ok(outcome)
    }

    fn add_reflection(
        &mut self,
        author: &str,
        id: &ActionId,
        step: StepId,
        text: String,
        place: Place,
        sensitive: bool,
    ) -> Result<Outcome, Refusal> {
        let s = self.open_step(step)?;
        let view = &self.view;
        let story = |card: &CardId| {
            view.card(card)
                .is_some_and(|c| c.step == step && !c.hidden && c.under().is_none())
        };
        s.exercise.accepts(&place, story)?;
        let card = OwnCard {
            id: CardId::from_random(crate::secrets::random_u64()),
            step,
            text,
            place,
            sensitive,
            revealed: false,
        };
        let outcome = Outcome::Added { card: card.clone() };
        let mut batch = self.batch();
        batch.ops.push(Op::AddCard {
            id: card.id.as_str().to_owned(),
            step: step.0,
            author: author.to_owned(),
            text: card.text.clone(),
            place: json(&card.place)?,
            sensitive,
        });
        batch.ops.push(Self::applied_op(author, id, &outcome)?);
        self.stage(batch, Vec::new())?;
        self.arrival.push(card.id.clone());
        self.waiting.push(card.id.clone());
        self.cards.insert(
            card.id,
            CardMeta {
                step,
                author: author.to_owned(),
                text: card.text,
                place: card.place,
                sensitive,
                revealed_seq: None,
            },
        );
        Ok(outcome)
    }

    fn withdraw(&mut self, author: &str, id: &ActionId, card: CardId) -> Result<Outcome, Refusal> {
        let Some(meta) = self.cards.get(&card).filter(|c| c.author == author) else {
            return Err(ErrorCode::UnknownCard.into());
        };
        let (step, revealed_seq) = (meta.step, meta.revealed_seq);
        let outcome = Outcome::Withdrawn { card: card.clone() };
        let mut batch = self.batch();
        batch.ops.push(Op::DeleteCard {
            id: card.as_str().to_owned(),
        });
        let on_card = [
            Target::Vote(card.clone()),
            Target::Resonate(card.clone()),
            Target::Place(card.clone()),
        ];
        batch.ops.push(Op::DeleteMarksOn {
            targets: on_card.iter().map(Target::key).collect(),
        });
        batch.ops.push(Self::applied_op(author, id, &outcome)?);
        let events = match revealed_seq {
            Some(seq) => {
                // Cut the words out of the event that revealed them, so the
                // log keeps no copy.
                let remaining: Vec<Card> = self
                    .reveals
                    .get(&seq)
                    .into_iter()
                    .flatten()
                    .filter(|c| **c != card)
                    .filter_map(|c| Some(self.cards.get(c)?.public(c)))
                    .collect();
                batch.ops.push(Op::ReplaceEvent {
                    seq,
                    body: json(&Event::CardsRevealed { cards: remaining })?,
                });
                // And out of every "show again", which carried them too.
                for shown in self.shown.get(&card).into_iter().flatten() {
                    let wordless = meta.public(&card).without_words();
                    batch.ops.push(Op::ReplaceEvent {
                        seq: *shown,
                        body: json(&Event::CardShown { card: wordless })?,
                    });
                }
                vec![Event::CardWithdrawn { card: card.clone() }]
            }
            None => Vec::new(),
        };
        self.stage(batch, events)?;
        if revealed_seq.is_some_and(|seq| seq <= self.checkpointed) {
            // The last checkpoint holds the words: a fresh one, without
            // them, replaces it in this commit.
            self.checkpoint_now = true;
        }
        if let Some(seq) = revealed_seq {
            if let Some(batch) = self.reveals.get_mut(&seq) {
                batch.retain(|c| *c != card);
            }
            // The ring still holds the words in the frames that revealed and
            // showed them: drop those and everything older, so a view that
            // missed them is sent a snapshot, which no longer has the card.
            let last_shown = self.shown.remove(&card).into_iter().flatten().max();
            self.ring.cut(last_shown.unwrap_or(seq).max(seq));
        }
        for marks in self.marks.values_mut() {
            for target in &on_card {
                marks.remove(target);
            }
        }
        if let Some(counts) = self.counts.get_mut(&step) {
            counts.forget(&card);
        }
        if let Some(due) = self.totals_due.get_mut(&step) {
            due.remove(&card);
        }
        self.cards.remove(&card);
        self.arrival.retain(|c| *c != card);
        self.waiting.retain(|c| *c != card);
        Ok(outcome)
    }

    fn mark(&mut self, author: &str, id: &ActionId, mark: Mark) -> Result<Outcome, Refusal> {
        let target = mark.target();
        let held = self.marks.get(author).and_then(|m| m.get(&target)).copied();
        let step = match &mark {
            Mark::Spectrum { step, at } => {
                let s = self.open_step(*step)?;
                if !matches!(s.exercise, Exercise::Spectrum { .. }) {
                    return Err(ErrorCode::WrongPlace.into());
                }
                if at.is_some_and(|at| at > SPECTRUM_MAX) {
                    return Err(ErrorCode::BadSettings.into());
                }
                s.id
            }
            Mark::Tag { step, line, .. } => {
                let s = self.open_step(*step)?;
                if !matches!(s.exercise, Exercise::Scenario { .. }) {
                    return Err(ErrorCode::WrongPlace.into());
                }
                if *line >= s.shown {
                    return Err(ErrorCode::UnknownLine.into());
                }
                s.id
            }
            Mark::Vote { card, dots } => {
                let s = self.respondable(card)?;
                let Exercise::MovingTowards { budget } = s.exercise else {
                    return Err(ErrorCode::WrongPlace.into());
                };
                let step = s.id;
                let spent: u32 = self
                    .marks
                    .get(author)
                    .into_iter()
                    .flatten()
                    .filter(|(t, _)| {
                        matches!(t, Target::Vote(c) if self.cards.get(c).is_some_and(|m| m.step == step))
                    })
                    .map(|(_, v)| u32::from(*v))
                    .sum();
                let held = held.and_then(|v| u8::try_from(v).ok()).unwrap_or(0);
                if !dots_fit(budget, spent, held, *dots) {
                    return Err(ErrorCode::OverBudget.into());
                }
                step
            }
            Mark::Resonate { card, .. } => {
                let s = self.respondable(card)?;
                if matches!(s.exercise, Exercise::MovingTowards { .. }) {
                    return Err(ErrorCode::WrongPlace.into());
                }
                s.id
            }
            Mark::Place { card, at } => {
                let s = self.respondable(card)?;
                let axes = s.exercise.axes().ok_or(ErrorCode::WrongPlace)?;
                if at.is_some_and(|spot| !axes.holds(spot)) {
                    return Err(ErrorCode::OutsideMap.into());
                }
                s.id
            }
        };
        let value = mark.value();
        let outcome = Outcome::Marked { mark };
        let mut batch = self.batch();
        batch.ops.push(match value {
            Some(value) => Op::SetMark {
                author: author.to_owned(),
                target: target.key(),
                value,
            },
            None => Op::DeleteMark {
                author: author.to_owned(),
                target: target.key(),
            },
        });
        batch.ops.push(Self::applied_op(author, id, &outcome)?);
        self.stage(batch, Vec::new())?;
        let own = self.marks.entry(author.to_owned()).or_default();
        match value {
            Some(v) => own.insert(target.clone(), v),
            None => own.remove(&target),
        };
        let changed = self
            .counts
            .entry(step)
            .or_default()
            .change(&target, held, value);
        let due = self.totals_due.entry(step).or_default();
        due.extend(changed);
        Ok(outcome)
    }

    fn moderate(
        &mut self,
        actor: &Actor,
        id: &ActionId,
        card: CardId,
        change: Moderation,
    ) -> Result<Outcome, Refusal> {
        let Some(current) = self.view.card(&card) else {
            return Err(ErrorCode::UnknownCard.into());
        };
        let card_id = card.clone();
        let event = match change {
            Moderation::Hide => Event::CardHidden { card },
            Moderation::Unhide => Event::CardShown {
                card: Card {
                    hidden: false,
                    ..current.clone()
                },
            },
            Moderation::Blur => Event::CardBlurred {
                card,
                blurred: true,
            },
            Moderation::Unblur => Event::CardBlurred {
                card,
                blurred: false,
            },
        };
        let showing = matches!(event, Event::CardShown { .. });
        // Hiding cuts the catch-up ring as it is staged (`ring::cut_for`).
        let outcome = self.record(actor, id, Outcome::Done, vec![event])?;
        if showing {
            self.shown.entry(card_id).or_default().push(self.seq);
        }
        Ok(outcome)
    }

    fn reveal(&mut self, actor: &Actor, id: &ActionId) -> Result<Outcome, Refusal> {
        let mut batch = self.batch();
        batch
            .ops
            .push(Self::applied_op(actor.key(), id, &Outcome::Done)?);
        self.reveal_with(batch)?;
        Ok(Outcome::Done)
    }

    /// In a live step, releases the waiting cards once at least
    /// `LIVE_MIN_AUTHORS` different people wrote them: a batch then always
    /// holds several people's words, shuffled.
    fn release_live(&mut self) -> Result<(), Refusal> {
        let Some(step) = self.view.current_step().filter(|s| s.live).map(|s| s.id) else {
            return Ok(());
        };
        let authors: HashSet<&str> = self
            .waiting
            .iter()
            .filter_map(|c| self.cards.get(c))
            .filter(|m| m.step == step)
            .map(|m| m.author.as_str())
            .collect();
        if authors.len() >= LIVE_MIN_AUTHORS {
            self.reveal_with(self.batch())?;
        }
        Ok(())
    }

    /// Stages `batch` together with the current step's waiting cards
    /// revealed, in shuffled order.
    fn reveal_with(&mut self, mut batch: Batch) -> Result<(), Refusal> {
        let step = self.view.current;
        let mut ids: Vec<CardId> = self
            .waiting
            .iter()
            .filter(|c| self.cards.get(*c).is_some_and(|m| m.step == step))
            .cloned()
            .collect();
        // Shuffled, so the order on the board says nothing about who wrote first.
        ids.shuffle(&mut rand::rng());
        let mut events = Vec::new();
        let seq = self.seq + 1;
        if !ids.is_empty() {
            let mut cards = Vec::with_capacity(ids.len());
            for c in &ids {
                if let Some(m) = self.cards.get(c) {
                    batch.ops.push(Op::MarkRevealed {
                        id: c.as_str().to_owned(),
                        seq,
                    });
                    cards.push(m.public(c));
                }
            }
            events.push(Event::CardsRevealed { cards });
        }
        self.stage(batch, events)?;
        for c in &ids {
            if let Some(m) = self.cards.get_mut(c) {
                m.revealed_seq = Some(seq);
            }
        }
        let revealed: HashSet<&CardId> = ids.iter().collect();
        self.waiting.retain(|c| !revealed.contains(c));
        if !ids.is_empty() {
            self.reveals.insert(seq, ids);
        }
        Ok(())
    }
}

/// Why an action did not apply.
enum Refusal {
    Code(ErrorCode),
    Store(StorageError),
}

impl From<StorageError> for Refusal {
    fn from(e: StorageError) -> Self {
        Refusal::Store(e)
    }
}

impl From<ErrorCode> for Refusal {
    fn from(code: ErrorCode) -> Self {
        Refusal::Code(code)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::Frame;

    /// A sequenced frame of the log for the room's unit tests.
    pub fn frame(seq: u64) -> Frame {
        Frame {
            seq,
            json: format!("{{\"seq\":{seq}}}").into(),
            sequenced: true,
        }
    }
}
