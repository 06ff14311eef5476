//! Several nodes behind a round-robin proxy (`--nodes N`), and the owner
//! killed in the middle of the run (`--kill-owner-after S`).
//!
//! The tool starts `N` Hearth nodes on one fresh PostgreSQL database (the
//! cluster `HEARTH_TEST_POSTGRES` names, as the tests use) and Debian's
//! nginx in front of them as a plain round-robin load balancer: no sticky
//! sessions, each request and each WebSocket to the next node, nginx's
//! default retry of a request a dead node refused. Phones reach only
//! nginx, so most of what they do lands on a node that does not own their
//! gathering and is relayed to the owner.
//!
//! With `--kill-owner-after S`, `S` seconds into the posting the node that
//! holds the gathering's lease is killed (SIGKILL). Phones carry on as the
//! script does (posts with no answer sent again under the same id, links
//! reconnecting through nginx); another node takes the lease once it runs
//! out. The run's own checks then say whether every acknowledged post is
//! in the room exactly once (`lost`, `dup`), and this module adds the
//! longest time no post was acknowledged after the kill (`outage_ms`).

use super::{Error, Target};
use hearth_tests::TestServer;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The nodes and the proxy in front of them.
pub struct Cluster {
    pub nodes: Vec<TestServer>,
    proxy: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.proxy.kill();
        let _ = self.proxy.wait();
    }
}

/// Starts `count` nodes of `bin` on one database and nginx before them;
/// the target is nginx.
pub async fn start(bin: PathBuf, count: usize) -> Result<Target, Error> {
    if !hearth_tests::store::on_postgres() {
        return Err(
            "--nodes needs PostgreSQL: set HEARTH_TEST_POSTGRES to an administrator's \
                    URL (scripts/lib.sh's start_test_postgres starts a throw-away one)"
                .into(),
        );
    }
    let first = TestServer::start(&bin).await?;
    let mut nodes = vec![first];
    for _ in 1..count {
        let next = nodes[0].beside().await?;
        nodes.push(next);
    }
    let dir = tempfile::tempdir()?;
    let port = free_port()?;
    let upstreams: String = nodes
        .iter()
        .map(|n| format!("    server {};\n", n.addr))
        .collect();
    let root = dir.path().display();
    // Running as root, nginx's workers would drop to `nobody`, who cannot
    // write the temporary folder.
    let user = if is_root() { "user root;\n" } else { "" };
    let conf = format!(
        "{user}worker_processes 1;
error_log {root}/error.log warn;
pid {root}/nginx.pid;
events {{ worker_connections 16384; }}
http {{
  access_log off;
  client_body_temp_path {root}/body;
  proxy_temp_path {root}/proxy;
  fastcgi_temp_path {root}/fastcgi;
  uwsgi_temp_path {root}/uwsgi;
  scgi_temp_path {root}/scgi;
  upstream hearth {{
{upstreams}  }}
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  server {{
    listen 127.0.0.1:{port};
    # Between the nodes only: never from outside.
    location /internal/ {{ return 404; }}
    location / {{
      proxy_pass http://hearth;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_read_timeout 3600s;
      proxy_buffering off;
    }}
  }}
}}
"
    );
    let conf_path = dir.path().join("nginx.conf");
    std::fs::write(&conf_path, conf)?;
    let proxy = Command::new(nginx()?)
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&conf_path)
        .args(["-g", "daemon off;"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?;
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    wait_for_port(addr).await?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()?;
    println!(
        "started {count} nodes ({}) on one PostgreSQL database, nginx round-robin on {addr}",
        nodes
            .iter()
            .map(|n| n.addr.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(Target {
        addr,
        base: format!("http://{addr}"),
        http,
        pid: None,
        own: None,
        cluster: Some(Cluster {
            nodes,
            proxy,
            _dir: dir,
        }),
    })
}

/// Kills the node that holds the lease of the gathering with this join
/// token now; answers which.
pub async fn kill_owner(cluster: &Cluster, join_token: &str) -> Result<String, Error> {
    let store = cluster.nodes[0].store();
    let owners = store
        .strings(
            "SELECT n.address FROM leases l JOIN nodes n ON n.id = l.node
             JOIN gatherings g ON g.id = l.gathering_id
             WHERE l.expires_at > now() AND g.join_token = $1",
            &[join_token],
        )
        .await?;
    let [address] = owners.as_slice() else {
        return Err(format!("not exactly one owner to kill: {owners:?}").into());
    };
    let node = cluster
        .nodes
        .iter()
        .find(|n| &n.base == address)
        .ok_or_else(|| format!("the owner {address} is none of the nodes"))?;
    let pid = node.pid().ok_or("the owner is not running")?;
    let status = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()?;
    if !status.success() {
        return Err(format!("kill -KILL {pid}: {status}").into());
    }
    Ok(address.clone())
}

/// The longest stretch without an acknowledgement from the kill at
/// `killed_ns` on (times as the posts' `ack_ns`: nanoseconds since the
/// start, plus one; zero for never): how long the gathering stood still.
pub fn outage_ms(acks_ns: impl Iterator<Item = u64>, killed_ns: u64) -> Option<f64> {
    let mut after: Vec<u64> = acks_ns.filter(|&t| t > killed_ns).collect();
    after.sort_unstable();
    let mut last = killed_ns;
    let mut longest = None;
    for t in after {
        let gap = t - last;
        longest = Some(longest.map_or(gap, |l: u64| l.max(gap)));
        last = t;
    }
    longest.map(|ns| ns as f64 / 1e6)
}

fn nginx() -> Result<PathBuf, Error> {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .ok_or_else(|| "nginx is not installed (apt-get install nginx-light)".into())
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// A port nothing listens on now (nginx binds it next).
fn free_port() -> Result<u16, Error> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?.port())
}

async fn wait_for_port(addr: std::net::SocketAddr) -> Result<(), Error> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        if Instant::now() > deadline {
            return Err(format!("nginx never listened on {addr}").into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}
