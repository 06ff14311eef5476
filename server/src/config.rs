//! Configuration: one typed struct, read once at start.
//!
//! The site layout (where the compiled assets live, the asset names, the
//! default address) is read from `Leptos.toml`, the one file the build
//! script reads too, and can be overridden by `LEPTOS_*` environment
//! variables as Leptos defines. Hearth's own settings come from flags, each
//! with an environment variable of the same meaning.

use crate::secrets::Passphrase;
use clap::Parser;
use leptos::config::LeptosOptions;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// Hearth: live, anonymous group exercises with a shared screen.
#[derive(Parser, Debug)]
#[command(name = "hearth", version, about)]
pub struct Args {
    /// Address and port to listen on (default: site-addr in Leptos.toml).
    /// Port 0 takes any free port; the address line at start names it.
    #[arg(long, env = "HEARTH_ADDR")]
    pub addr: Option<SocketAddr>,

    /// Where Hearth stores everything: a SQLite file, created on first
    /// start (a path or a sqlite: URL), or a PostgreSQL database
    /// (postgres://user:password@host:port/database).
    #[arg(
        long,
        env = "HEARTH_DATABASE",
        default_value = "data/hearth.db",
        hide_env_values = true
    )]
    pub database: String,

    /// The address phones use, for links and QR codes, e.g.
    /// http://192.168.1.20:3000 (default: this machine's LAN address).
    #[arg(long, env = "HEARTH_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// The site configuration file.
    #[arg(long, env = "HEARTH_CONFIG", default_value = "Leptos.toml")]
    pub config: PathBuf,

    /// How many messages a connection may fall behind before it is sent a
    /// fresh snapshot instead (bounds the memory a slow phone can hold).
    #[arg(long, env = "HEARTH_LAG_LIMIT", default_value_t = 256, value_parser = clap::value_parser!(u16).range(1..))]
    pub lag_limit: u16,

    /// How many events a gathering's log grows by between two checkpoints
    /// of its state. Loading a gathering after a restart replays at most
    /// this many events.
    #[arg(long, env = "HEARTH_CHECKPOINT_EVERY", default_value_t = crate::room::CHECKPOINT_EVERY, value_parser = clap::value_parser!(u16).range(1..))]
    pub checkpoint_every: u16,

    /// Behind a reverse proxy: count join attempts by the last address the
    /// proxy adds to X-Forwarded-For instead of the proxy's own address.
    /// Only set this when every request comes through that proxy.
    #[arg(long, env = "HEARTH_TRUST_FORWARDED_FOR", value_parser = clap::builder::BoolishValueParser::new())]
    pub trust_forwarded_for: bool,

    /// A passphrase people must give to start a gathering (default: anyone
    /// who can open /start may start one).
    #[arg(long, env = "HEARTH_ORGANISER_PASSPHRASE", hide_env_values = true)]
    pub organiser_passphrase: Option<String>,

    /// With PostgreSQL, where the other Hearth nodes on the same database
    /// reach this one, e.g. http://10.0.0.2:3000 (default: this machine's
    /// LAN address and the port Hearth listens on).
    #[arg(long, env = "HEARTH_NODE_ADDRESS")]
    pub node_address: Option<String>,

    /// Days after which a gathering is deleted with everything in it.
    #[arg(long, env = "HEARTH_RETENTION_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u16).range(1..))]
    pub retention_days: u16,
}

/// Why Hearth cannot start with the configuration it was given.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("could not read the site configuration {path}: {reason}")]
    Site { path: String, reason: String },
    #[error("the public URL {0:?} must start with http:// or https:// and name a host")]
    PublicUrl(String),
    #[error("the node address {0:?} must start with http:// or https:// and name a host")]
    NodeAddress(String),
    #[error("the organiser passphrase is empty: give one, or leave the setting out")]
    EmptyPassphrase,
}

/// Everything Hearth needs to know to run.
#[derive(Clone, Debug)]
pub struct Config {
    pub leptos: LeptosOptions,
    pub database: String,
    /// Base URL for links, without a trailing slash.
    pub public_url: String,
    /// Whether `public_url` was made from the listening address (no
    /// `--public-url` given), so it follows the port actually bound.
    public_url_derived: bool,
    /// How every room is tuned: lag limit and checkpoints.
    pub rooms: crate::room::Settings,
    /// Whether to read the client's address from X-Forwarded-For.
    pub trust_forwarded_for: bool,
    /// What `/start` requires, if anything.
    pub organiser_passphrase: Option<Passphrase>,
    /// How long gatherings are kept.
    pub retention: Duration,
    /// Where the other nodes of a cluster reach this one, if given.
    node_address: Option<String>,
}

impl Config {
    pub fn load(args: Args) -> Result<Self, ConfigError> {
        let path = args.config.display().to_string();
        let conf =
            leptos::config::get_configuration(Some(&path)).map_err(|e| ConfigError::Site {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        let mut leptos = conf.leptos_options;
        crate::assets::use_hashes_if_built(&mut leptos);
        if let Some(addr) = args.addr {
            leptos.site_addr = addr;
        }
        let public_url_derived = args.public_url.is_none();
        let public_url = match args.public_url {
            Some(url) => base_url(&url).ok_or(ConfigError::PublicUrl(url))?,
            None => default_public_url(leptos.site_addr),
        };
        let node_address = match args.node_address {
            Some(url) => Some(base_url(&url).ok_or(ConfigError::NodeAddress(url))?),
            None => None,
        };
        let organiser_passphrase = match args.organiser_passphrase {
            Some(p) if p.trim().is_empty() => return Err(ConfigError::EmptyPassphrase),
            Some(p) => Some(Passphrase::new(&p)),
            None => None,
        };
        Ok(Self {
            leptos,
            database: args.database,
            public_url,
            public_url_derived,
            rooms: crate::room::Settings {
                lag_limit: usize::from(args.lag_limit),
                checkpoint_every: u64::from(args.checkpoint_every),
            },
            trust_forwarded_for: args.trust_forwarded_for,
            organiser_passphrase,
            retention: Duration::from_secs(u64::from(args.retention_days) * 24 * 60 * 60),
            node_address,
        })
    }

    /// Takes in the address Hearth actually listens on. With port 0 the
    /// system chooses a free port as Hearth binds (the tests ask for that,
    /// so that no port is chosen beforehand and released, for another
    /// process to take): the site address, and the public URL when it was
    /// derived from it, then name the port that was bound.
    pub fn listening_on(&mut self, bound: SocketAddr) {
        if self.leptos.site_addr.port() != 0 {
            return;
        }
        self.leptos.site_addr.set_port(bound.port());
        if self.public_url_derived {
            self.public_url = default_public_url(self.leptos.site_addr);
        }
    }

    /// Where the other nodes of a cluster reach this one: as given, or
    /// this machine's address on its network and the port bound.
    pub fn node_address(&self) -> String {
        self.node_address
            .clone()
            .unwrap_or_else(|| default_public_url(self.leptos.site_addr))
    }

    /// The public URL without its scheme: what people type.
    pub fn short_url(&self) -> &str {
        self.public_url
            .strip_prefix("https://")
            .or_else(|| self.public_url.strip_prefix("http://"))
            .unwrap_or(&self.public_url)
    }

    /// Whether links are served over HTTPS (so cookies can be `Secure`).
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// A base URL as given, without a trailing slash, if it is one: http or
/// https, and a host.
fn base_url(url: &str) -> Option<String> {
    let url = url.trim_end_matches('/');
    let host = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    host.is_some_and(|h| !h.is_empty()).then(|| url.to_owned())
}

/// Where phones on the same network can reach us: the LAN address when we
/// listen on all interfaces (see `lan.rs`), otherwise the address we listen
/// on.
fn default_public_url(addr: SocketAddr) -> String {
    let ip = if addr.ip().is_unspecified() {
        crate::lan::detect().unwrap_or_else(|| {
            tracing::warn!(
                "found no network address phones could reach: links use 127.0.0.1; \
                 join a network and restart, or give --public-url"
            );
            IpAddr::from([127, 0, 0, 1])
        })
    } else {
        addr.ip()
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}
