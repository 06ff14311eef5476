//! Throttling of guesses: join codes, and the organiser passphrase.
//!
//! A join code is short enough to type, so someone could try codes until
//! one opens a gathering. Each failed guess costs a token from two buckets:
//! one for the address it came from and one shared by everyone. An empty
//! bucket means "wait a moment" before anything is looked up, so the
//! answers stop telling a guesser anything.
//!
//! A whole hall of phones often shares one venue address, so only failures
//! count: a lookup that finds its gathering gives its token back. And a
//! code that is not a guess any more is let through even while everyone
//! else is throttled, because asking for it again tells nothing new:
//! - a code an address has already got in with (for an hour), so once one
//!   phone at the venue is in, the rest of the room joins with the code;
//! - a code a device has already got in with, or whose gathering it has
//!   opened by its link (for half a day), so a phone that was in before
//!   gets back in from any network.
//!
//! What this cannot do is tell a newcomer from a guesser behind the same
//! address: while that address is throttled, the first person to type a
//! code nobody there has used yet is told to wait, and the message points
//! them to the QR code and the join link. Those carry a 128-bit token and
//! are never throttled: guessing one is hopeless, so they need no guard.
//!
//! Addresses and devices live in memory only: never logged, never stored.
//! The maps are bounded and forget an address once its bucket is full again
//! and it has used no code lately. IPv6 addresses are counted per /64
//! network (one household or phone gets a whole /64), and the codes an
//! address or device used are remembered only as keyed hashes.

use axum::http::HeaderMap;
use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often the map of addresses is swept for ones it can forget.
const SWEEP_EVERY: Duration = Duration::from_secs(60);
/// The most codes remembered for one address (a venue may run a few
/// gatherings at once).
const KNOWN_PER_SOURCE: usize = 8;
/// How long a device's way in stays known: a day's gathering, breaks and all.
const REMEMBER_HOLDER: Duration = Duration::from_secs(12 * 60 * 60);

/// A token bucket's shape: how many at once, and how fast they come back.
#[derive(Clone, Copy, Debug)]
pub struct Rate {
    pub burst: f64,
    pub per_second: f64,
}

/// The limits of one throttle.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Failures one address may make.
    pub per_source: Rate,
    /// Failures everyone together may make: only a guessing attack spread
    /// over many addresses reaches it.
    pub global: Rate,
    /// The most addresses held in memory at once.
    pub max_sources: usize,
    /// The most devices' ways in held in memory at once.
    pub max_holders: usize,
    /// How long an address's successful answers stay known to it.
    pub remember: Duration,
}

impl Limits {
    /// Join codes: a hall of people mistyping stays far below these; a
    /// guesser from one address gets 2 tries a second, and everyone
    /// together 10 (about 5 days for a guesser to find one of 50 open
    /// gatherings among the 887 million codes).
    pub const JOIN: Limits = Limits {
        per_source: Rate {
            burst: 30.0,
            per_second: 2.0,
        },
        global: Rate {
            burst: 600.0,
            per_second: 10.0,
        },
        max_sources: 16_384,
        max_holders: 65_536,
        remember: Duration::from_secs(60 * 60),
    };

    /// The organiser passphrase: a person mistypes it a few times at most.
    pub const PASSPHRASE: Limits = Limits {
        per_source: Rate {
            burst: 10.0,
            per_second: 0.1,
        },
        global: Rate {
            burst: 100.0,
            per_second: 1.0,
        },
        max_sources: 4_096,
        max_holders: 4_096,
        remember: Duration::from_secs(60 * 60),
    };
}

/// Too many failed attempts just now: try again in a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("too many failed attempts just now")]
pub struct Busy;

/// How an allowed attempt went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// It found what it asked for: its token comes back, and the address
    /// may ask for the same again without counting.
    Found,
    /// A wrong guess: its token stays spent.
    Missed,
    /// No answer was given (the server failed): its token comes back.
    Unanswered,
}

/// An attempt the throttle let through; report how it went with `settle`.
#[must_use = "an attempt must be settled, or a success would count as a failure"]
#[derive(Debug)]
pub struct Attempt {
    source: IpAddr,
    asked: u64,
    /// The keyed hash of the device and what it asked, if a device asked.
    held: Option<u64>,
    /// Whether it took tokens (it did not if the answer was known already).
    counted: bool,
}

/// The throttle: a cheap handle (clones share the same buckets).
#[derive(Clone)]
pub struct Throttle {
    limits: Limits,
    /// How many nodes share the limits (1 alone; see `share_among`).
    nodes: Arc<AtomicUsize>,
    inner: Arc<Mutex<Inner>>,
}

struct Inner {
    sources: HashMap<IpAddr, Source>,
    /// Hashes of a device with a code it got in with, and when.
    holders: HashMap<u64, Instant>,
    global: Bucket,
    /// Whether the global bucket ran dry (so it is logged once, not per request).
    global_dry: bool,
    /// The key for hashing what was asked: random for each process.
    keys: RandomState,
    last_sweep: Instant,
}

struct Source {
    bucket: Bucket,
    /// Hashes of what this address asked for and found, with when.
    known: Vec<(u64, Instant)>,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn full(rate: Rate, now: Instant) -> Self {
        Self {
            tokens: rate.burst,
            last: now,
        }
    }

    fn refill(&mut self, rate: Rate, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate.per_second).min(rate.burst);
        self.last = self.last.max(now);
    }

    fn give_back(&mut self, rate: Rate) {
        self.tokens = (self.tokens + 1.0).min(rate.burst);
    }
}

impl Throttle {
    pub fn new(limits: Limits, now: Instant) -> Self {
        Self {
            limits,
            nodes: Arc::new(AtomicUsize::new(1)),
            inner: Arc::new(Mutex::new(Inner {
                sources: HashMap::new(),
                holders: HashMap::new(),
                global: Bucket::full(limits.global, now),
                global_dry: false,
                keys: RandomState::new(),
                last_sweep: now,
            })),
        }
    }

    /// Shares the limits among `nodes` nodes of a cluster, each allowing
    /// its part: however a load balancer spreads a guesser's requests, all
    /// the nodes together allow no more than one node alone would.
    pub fn share_among(&self, nodes: usize) {
        self.nodes.store(nodes.max(1), Ordering::Relaxed);
    }

    /// This node's part of the limits.
    fn limits(&self) -> Limits {
        let share = self.nodes.load(Ordering::Relaxed).max(1) as f64;
        let part = |rate: Rate| Rate {
            burst: rate.burst / share,
            per_second: rate.per_second / share,
        };
        Limits {
            per_source: part(self.limits.per_source),
            global: part(self.limits.global),
            ..self.limits
        }
    }

    /// Asks to look up `asked` for a request from `source`, sent by the
    /// device `holder` if it said which. Refused while the address or
    /// everyone has run out of failures, unless the address or the device
    /// has found `asked` before.
    pub fn attempt(
        &self,
        source: IpAddr,
        holder: Option<&str>,
        asked: &str,
        now: Instant,
    ) -> Result<Attempt, Busy> {
        let limits = self.limits();
        let source = source_key(source);
        let mut inner = self.lock();
        let held = holder.map(|holder| inner.keys.hash_one((holder, asked)));
        let asked = inner.keys.hash_one(asked);
        if now.saturating_duration_since(inner.last_sweep) > SWEEP_EVERY {
            inner.sweep(limits, now);
        }
        let known_here = inner.sources.get(&source).is_some_and(|s| {
            s.known.iter().any(|(hash, at)| {
                *hash == asked && now.saturating_duration_since(*at) < limits.remember
            })
        });
        let known_to_holder = held
            .and_then(|held| inner.holders.get(&held))
            .is_some_and(|at| now.saturating_duration_since(*at) < REMEMBER_HOLDER);
        if known_here || known_to_holder {
            return Ok(Attempt {
                source,
                asked,
                held,
                counted: false,
            });
        }
        inner.global.refill(limits.global, now);
        if inner.global.tokens < 1.0 {
            if !inner.global_dry {
                inner.global_dry = true;
                tracing::warn!("many failed attempts from everywhere at once: slowing everyone's new attempts down");
            }
            return Err(Busy);
        }
        inner.global_dry = false;
        if !inner.sources.contains_key(&source) && inner.sources.len() >= limits.max_sources {
            inner.make_room(limits, now);
        }
        let entry = inner.sources.entry(source).or_insert_with(|| Source {
            bucket: Bucket::full(limits.per_source, now),
            known: Vec::new(),
        });
        entry.bucket.refill(limits.per_source, now);
        if entry.bucket.tokens < 1.0 {
            return Err(Busy);
        }
        // Taken before the lookup, so a thousand guesses sent at once
        // cannot all slip through before the first one is counted.
        entry.bucket.tokens -= 1.0;
        inner.global.tokens -= 1.0;
        Ok(Attempt {
            source,
            asked,
            held,
            counted: true,
        })
    }

    /// Notes that the device `holder` got in to what `asked` finds (by
    /// another way than asking: its gathering's link), so that asking for
    /// it later is not counted as a guess.
    pub fn remember(&self, holder: &str, asked: &str, now: Instant) {
        let limits = self.limits();
        let mut inner = self.lock();
        let held = inner.keys.hash_one((holder, asked));
        inner.hold(limits, held, now);
    }

    /// Reports how an attempt went.
    pub fn settle(&self, attempt: Attempt, answer: Answer, now: Instant) {
        if answer == Answer::Missed {
            return;
        }
        let limits = self.limits();
        let mut inner = self.lock();
        if attempt.counted {
            inner.global.give_back(limits.global);
        }
        if let (Answer::Found, Some(held)) = (answer, attempt.held) {
            inner.hold(limits, held, now);
        }
        let Some(source) = inner.sources.get_mut(&attempt.source) else {
            return;
        };
        if attempt.counted {
            source.bucket.give_back(limits.per_source);
        }
        if answer == Answer::Found {
            source.known.retain(|(hash, _)| *hash != attempt.asked);
            if source.known.len() >= KNOWN_PER_SOURCE {
                source.known.remove(0);
            }
            source.known.push((attempt.asked, now));
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // The critical sections cannot panic half-way through a change that
        // matters; a poisoned lock still holds usable counts.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How many addresses are held in memory (for tests).
    #[cfg(test)]
    fn sources(&self) -> usize {
        self.lock().sources.len()
    }
}

impl Inner {
    /// Remembers a device's way in, making room if the map is full by
    /// forgetting the way in used longest ago.
    fn hold(&mut self, limits: Limits, held: u64, now: Instant) {
        if !self.holders.contains_key(&held) && self.holders.len() >= limits.max_holders {
            self.sweep(limits, now);
        }
        if !self.holders.contains_key(&held) && self.holders.len() >= limits.max_holders {
            let oldest = self.holders.iter().min_by_key(|(_, at)| **at);
            if let Some(oldest) = oldest.map(|(hash, _)| *hash) {
                self.holders.remove(&oldest);
            }
        }
        self.holders.insert(held, now);
    }

    /// Forgets every address whose bucket is full again and that has found
    /// nothing lately: it is as if it had never come. And every device's
    /// way in that has not been used for long.
    fn sweep(&mut self, limits: Limits, now: Instant) {
        self.last_sweep = now;
        self.holders
            .retain(|_, at| now.saturating_duration_since(*at) < REMEMBER_HOLDER);
        self.sources.retain(|_, source| {
            source.bucket.refill(limits.per_source, now);
            source
                .known
                .retain(|(_, at)| now.saturating_duration_since(*at) < limits.remember);
            source.bucket.tokens < limits.per_source.burst || !source.known.is_empty()
        });
    }

    /// Makes space for one more address: sweeps, and if every address is
    /// still in use, forgets the one with the most tokens left (the least
    /// suspicious). Only a guesser with many addresses fills the map, and
    /// the global bucket holds them back meanwhile.
    fn make_room(&mut self, limits: Limits, now: Instant) {
        self.sweep(limits, now);
        if self.sources.len() < limits.max_sources {
            return;
        }
        let calmest = self
            .sources
            .iter()
            .max_by(|a, b| a.1.bucket.tokens.total_cmp(&b.1.bucket.tokens))
            .map(|(ip, _)| *ip);
        if let Some(ip) = calmest {
            self.sources.remove(&ip);
        }
    }
}

/// The key an address is counted under: IPv4 as it is, IPv6 by its /64
/// network (IPv4 written as IPv6 is read as IPv4).
fn source_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(network))
            }
        },
    }
}

/// Where a request came from: the address that connected, or, behind a
/// reverse proxy Hearth is told to trust, the last address the proxy added
/// to `X-Forwarded-For` (earlier entries are whatever the client claimed).
pub fn source(peer: SocketAddr, headers: &HeaderMap, trust_forwarded_for: bool) -> IpAddr {
    if !trust_forwarded_for {
        return peer.ip();
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.rsplit(',').next())
        .map(str::trim)
        .and_then(|hop| {
            hop.parse::<IpAddr>()
                .ok()
                .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        })
        .unwrap_or_else(|| peer.ip())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const TEST: Limits = Limits {
        per_source: Rate {
            burst: 5.0,
            per_second: 1.0,
        },
        global: Rate {
            burst: 12.0,
            per_second: 2.0,
        },
        max_sources: 4,
        max_holders: 3,
        remember: Duration::from_secs(60),
    };

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, n])
    }

    /// Tries `n` wrong guesses; returns how many were let through.
    fn guess(t: &Throttle, from: IpAddr, n: usize, now: Instant) -> usize {
        (0..n)
            .filter(|i| match t.attempt(from, None, &format!("WRONG{i}"), now) {
                Ok(a) => {
                    t.settle(a, Answer::Missed, now);
                    true
                }
                Err(Busy) => false,
            })
            .count()
    }

    #[test]
    fn failures_are_counted_and_come_back_with_time() {
        let now = Instant::now();
        let t = Throttle::new(TEST, now);
        assert_eq!(guess(&t, ip(1), 8, now), 5);
        assert_eq!(guess(&t, ip(1), 1, now + Duration::from_millis(500)), 0);
        assert_eq!(guess(&t, ip(1), 3, now + Duration::from_secs(2)), 2);
    }

    #[test]
    fn nodes_sharing_the_limits_together_allow_what_one_node_alone_does() {
        let now = Instant::now();
        let alone = guess(&Throttle::new(TEST, now), ip(1), 20, now);
        // Three nodes behind one load balancer: a guesser's tries spread
        // over all of them, or all land on one; either way no more get
        // through than on one node alone.
        let nodes: Vec<Throttle> = (0..3).map(|_| Throttle::new(TEST, now)).collect();
        for node in &nodes {
            node.share_among(3);
        }
        let spread: usize = nodes.iter().map(|n| guess(n, ip(1), 20, now)).sum();
        assert!(
            spread <= alone,
            "{spread} through three nodes, {alone} alone"
        );
        assert!(spread > 0, "each node still lets some through");
        let later = now + Duration::from_secs(3);
        let one_node_later = guess(&nodes[0], ip(1), 20, later);
        assert!(
            one_node_later <= 2,
            "a third of the refill: {one_node_later}"
        );
    }

    #[test]
    fn successes_never_use_up_the_allowance() {
        let now = Instant::now();
        let t = Throttle::new(TEST, now);
        for _ in 0..100 {
            let a = t
                .attempt(ip(1), None, "K7M2QX", now)
                .expect("a success is never refused");
            t.settle(a, Answer::Found, now);
        }
        assert_eq!(guess(&t, ip(1), 8, now), 5, "the full allowance is left");
    }

    #[test]
    fn a_code_already_found_gets_through_while_the_address_is_throttled() {
        let now = Instant::now();
        let t = Throttle::new(TEST, now);
        let first = t.attempt(ip(1), None, "K7M2QX", now).expect("allowed");
        t.settle(first, Answer::Found, now);
        assert_eq!(guess(&t, ip(1), 20, now), 5);
        assert_eq!(t.attempt(ip(1), None, "ABCDEF", now).err(), Some(Busy));
        for _ in 0..40 {
            let again = t
                .attempt(ip(1), None, "K7M2QX", now)
                .expect("known codes pass");
            t.settle(again, Answer::Found, now);
        }
        // Known only for a while: later, a throttled address is refused it.
        let later = now + Duration::from_secs(61);
        assert_eq!(guess(&t, ip(1), 20, later), 5);
        assert_eq!(t.attempt(ip(1), None, "K7M2QX", later).err(), Some(Busy));
    }

    #[test]
    fn a_device_that_got_in_before_gets_in_from_any_address() {
        let now = Instant::now();
        let t = Throttle::new(TEST, now);
        let phone = Some("a1b2c3");
        let first = t.attempt(ip(1), phone, "K7M2QX", now).expect("allowed");
        t.settle(first, Answer::Found, now);
        // Later, from another network that someone is guessing from.
        assert_eq!(guess(&t, ip(2), 20, now), 5);
        assert_eq!(t.attempt(ip(2), None, "K7M2QX", now).err(), Some(Busy));
        assert_eq!(
            t.attempt(ip(2), Some("ffff00"), "K7M2QX", now).err(),
            Some(Busy),
            "another device is not let through"
        );
        assert_eq!(
            t.attempt(ip(2), phone, "ABCDEF", now).err(),
            Some(Busy),
            "nor is the device with another code"
        );
        let back = t
            .attempt(ip(2), phone, "K7M2QX", now)
            .expect("the device is known");
        t.settle(back, Answer::Found, now);
        // Its success teaches that address the code, as any success does.
        assert!(t.attempt(ip(2), None, "K7M2QX", now).is_ok());
    }

    #[test]
    fn a_device_that_opened_the_link_is_known_and_the_memory_is_bounded() {
        let now = Instant::now();
        let t = Throttle::new(TEST, now);
        assert_eq!(guess(&t, ip(1), 20, now), 5);
        t.remember("a1b2c3", "K7M2QX", now);
        assert!(t.attempt(ip(1), Some("a1b2c3"), "K7M2QX", now).is_ok());
        // Three more devices fill the memory; the first, oldest, is forgotten.
        for (i, device) in ["d1", "d2", "d3"].into_iter().enumerate() {
            t.remember(device, "K7M2QX", now + Duration::from_secs(i as u64 + 1));
        }
        let later = now + Duration::from_secs(4);
        assert_eq!(guess(&t, ip(1), 20, later), 4);
        assert_eq!(
            t.attempt(ip(1), Some("a1b2c3"), "K7M2QX", later).err(),
            Some(Busy)
        );
        assert!(t.attempt(ip(1), Some("d3"), "K7M2QX", later).is_ok());
        // And after half a day, nobody is remembered.
        let next_day = now + REMEMBER_HOLDER + Duration::from_secs(10);
        assert_eq!(guess(&t, ip(1), 20, next_day), 5);
        assert_eq!(
            t.attempt(ip(1), Some("d3"), "K7M2QX", next_day).err(),
            Some(Busy)
        );
    }

    #[test]
    fn unanswered_attempts_give_their_token_back() {
        let now = Instant::now();
        let t = Throttle::new(TEST, now);
        for _ in 0..20 {
            let a = t.attempt(ip(1), None, "ABCDEF", now).expect("allowed");
            t.settle(a, Answer::Unanswered, now);
        }
        assert_eq!(guess(&t, ip(1), 8, now), 5);
    }

    #[test]
    fn many_addresses_together_meet_the_global_budget() {
        let now = Instant::now();
        let t = Throttle::new(TEST, now);
        let through: usize = (1..=4).map(|n| guess(&t, ip(n), 5, now)).sum();
        assert_eq!(through, 12, "the global bucket holds 12");
        // A fresh address is refused too while everyone is over budget...
        assert_eq!(t.attempt(ip(9), None, "ABCDEF", now).err(), Some(Busy));
        // ...but an address that found its gathering still gets in.
        let t = Throttle::new(TEST, now);
        let a = t.attempt(ip(1), None, "K7M2QX", now).expect("allowed");
        t.settle(a, Answer::Found, now);
        (2..=4).for_each(|n| {
            guess(&t, ip(n), 5, now);
        });
        assert!(t.attempt(ip(1), None, "K7M2QX", now).is_ok());
    }

    #[test]
    fn the_map_stays_bounded_and_forgets_calm_addresses() {
        let now = Instant::now();
        let t = Throttle::new(TEST, now);
        for n in 1..=20 {
            guess(&t, ip(n), 1, now);
        }
        assert!(t.sources() <= TEST.max_sources);
        // Once their buckets are full again, a sweep forgets them all.
        let later = now + Duration::from_secs(120);
        let a = t.attempt(ip(50), None, "ABCDEF", later).expect("allowed");
        t.settle(a, Answer::Missed, later);
        assert_eq!(t.sources(), 1);
    }

    #[test]
    fn ipv6_is_counted_per_network() {
        let now = Instant::now();
        let t = Throttle::new(TEST, now);
        let a: IpAddr = "2001:db8:1:2::1".parse().expect("an address");
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("an address");
        assert_eq!(guess(&t, a, 3, now) + guess(&t, b, 3, now), 5);
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().expect("an address");
        assert_eq!(source_key(mapped), ip(1));
    }

    #[test]
    fn forwarded_for_is_read_only_when_trusted() {
        let peer = SocketAddr::from(([127, 0, 0, 1], 5000));
        let mut headers = HeaderMap::new();
        headers.append(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.7"),
        );
        assert_eq!(source(peer, &headers, false), peer.ip());
        assert_eq!(source(peer, &headers, true), IpAddr::from([203, 0, 113, 7]));
        headers.append(
            "x-forwarded-for",
            HeaderValue::from_static("[2001:db8::1]:443"),
        );
        assert_eq!(
            source(peer, &headers, true),
            "2001:db8::1".parse::<IpAddr>().expect("an address")
        );
        headers.append(
            "x-forwarded-for",
            HeaderValue::from_static("not an address"),
        );
        assert_eq!(source(peer, &headers, true), peer.ip());
    }
}
