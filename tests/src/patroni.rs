//! A highly available PostgreSQL for tests (issue 24 item 4): etcd and two Patroni nodes from
//! Debian's packages (`patroni`, `etcd-server`; `scripts/deps.sh test`), on free ports of
//! 127.0.0.1 in a temporary directory — a primary and a synchronous standby, as a state's central
//! runs them on two machines. Killing a node kills its Patroni and its PostgreSQL at once (a
//! machine that died); Patroni promotes the standby when the leader key expires. As with
//! [`crate::pg::Postgres`], PostgreSQL runs as the `postgres` user under root.

use crate::pg::{is_root, server_binaries};
use atalaia_backend::store::db::{Db, PgConn};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the leader key lives without its holder renewing it (Patroni's minimum): the
/// standby is promoted about this long after the primary's machine dies.
pub const LEADER_TTL_S: u32 = 20;

struct Node {
    patroni: Child,
    data: PathBuf,
}

/// etcd and two Patroni nodes, alive while this value is.
pub struct Patroni {
    dir: tempfile::TempDir,
    etcd: Child,
    nodes: Vec<Option<Node>>,
    ports: Vec<u16>,
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    l.local_addr().expect("address").port()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

impl Patroni {
    /// Starts etcd, then the first node (it bootstraps the cluster and leads), then the second
    /// (cloned from the first); returns once the second is the synchronous standby.
    pub fn start() -> Self {
        let dir = tempfile::Builder::new().prefix("atalaia-patroni-").tempdir().expect("temporary directory");
        let (client, peer) = (free_port(), free_port());
        let etcd_data = dir.path().join("etcd");
        let etcd = Command::new("etcd")
            .args(["--name", "etcd", "--data-dir", s(&etcd_data)])
            .args(["--listen-client-urls", &format!("http://127.0.0.1:{client}")])
            .args(["--advertise-client-urls", &format!("http://127.0.0.1:{client}")])
            .args(["--listen-peer-urls", &format!("http://127.0.0.1:{peer}")])
            .args(["--initial-advertise-peer-urls", &format!("http://127.0.0.1:{peer}")])
            .args(["--initial-cluster", &format!("etcd=http://127.0.0.1:{peer}")])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("etcd.log")).expect("log"))
            .spawn()
            .expect("etcd (apt-get install etcd-server)");
        let nodes_dir = dir.path().join("nodes");
        std::fs::create_dir(&nodes_dir).expect("nodes directory");
        if is_root() {
            let ok = Command::new("chown").args(["-R", "postgres:postgres"]).arg(&nodes_dir).status();
            assert!(ok.is_ok_and(|s| s.success()), "could not give the nodes' directory to postgres");
        }
        let mut cluster = Self { dir, etcd, nodes: Vec::new(), ports: vec![free_port(), free_port()] };
        for i in 0..2 {
            let node = cluster.start_node(i, client);
            cluster.nodes.push(Some(node));
            if i == 0 {
                cluster.wait("the first node to lead", |c| c.primary() == Some(0));
            }
        }
        cluster.wait("the second node to be the synchronous standby", |c| c.synchronous_standbys() == 1);
        cluster
    }

    fn start_node(&self, i: usize, etcd: u16) -> Node {
        let name = format!("node{i}");
        let base = self.dir.path().join("nodes");
        let data = base.join(&name);
        let config = base.join(format!("{name}.yml"));
        let (rest, port) = (free_port(), self.ports[i]);
        let yaml = format!(
            r#"scope: atalaia
name: {name}
restapi:
  listen: 127.0.0.1:{rest}
  connect_address: 127.0.0.1:{rest}
etcd3:
  hosts: 127.0.0.1:{etcd}
bootstrap:
  dcs:
    ttl: {LEADER_TTL_S}
    loop_wait: 1
    retry_timeout: 5
    synchronous_mode: true
    postgresql:
      use_pg_rewind: false
      parameters:
        max_connections: 200
  initdb:
    - encoding: UTF8
    - locale: C
  pg_hba:
    - host all all 127.0.0.1/32 trust
    - host replication all 127.0.0.1/32 trust
    - local all all trust
postgresql:
  listen: 127.0.0.1:{port}
  connect_address: 127.0.0.1:{port}
  data_dir: {data}
  bin_dir: {bin}
  pgpass: {base}/{name}.pgpass
  authentication:
    replication: {{username: postgres, password: atalaia}}
    superuser: {{username: postgres, password: atalaia}}
  parameters:
    unix_socket_directories: {base}
"#,
            data = s(&data),
            bin = s(&server_binaries()),
            base = s(&base),
        );
        std::fs::write(&config, yaml).expect("node configuration");
        let log = std::fs::File::create(base.join(format!("{name}.log"))).expect("log");
        let mut cmd = if is_root() {
            let _ = Command::new("chown").args(["postgres:postgres"]).arg(&config).status();
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--", "patroni"]);
            c
        } else {
            Command::new("patroni")
        };
        // A group of its own: killing the node kills Patroni and what it started.
        use std::os::unix::process::CommandExt;
        let patroni = cmd
            .arg(&config)
            .process_group(0)
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("patroni (apt-get install patroni)");
        Node { patroni, data }
    }

    fn wait(&self, what: &str, done: impl Fn(&Self) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(90);
        while !done(self) {
            assert!(Instant::now() < deadline, "waited 90 s for {what}:\n{}", self.logs());
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// The URL the servers use: both nodes, the one that accepts writes chosen at each connection.
    pub fn url(&self) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{},127.0.0.1:{}/postgres?target_session_attrs=read-write&connect_timeout=2",
            self.ports[0], self.ports[1]
        )
    }

    fn node_url(&self, i: usize) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres?connect_timeout=2", self.ports[i])
    }

    /// The node that accepts writes now, if one does.
    pub fn primary(&self) -> Option<usize> {
        (0..self.ports.len()).filter(|i| self.nodes.get(*i).is_some_and(Option::is_some)).find(|i| {
            PgConn::connect(&self.node_url(*i)).ok().is_some_and(|c| {
                Db::from(&c)
                    .query_opt("SELECT pg_is_in_recovery()", &[])
                    .ok()
                    .flatten()
                    .and_then(|r| r.get::<bool>(0).ok())
                    == Some(false)
            })
        })
    }

    /// Standbys the primary waits for at each commit.
    pub fn synchronous_standbys(&self) -> i64 {
        let Some(p) = self.primary() else { return 0 };
        let Ok(c) = PgConn::connect(&self.node_url(p)) else { return 0 };
        Db::from(&c)
            .query_opt("SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'", &[])
            .ok()
            .flatten()
            .and_then(|r| r.get::<i64>(0).ok())
            .unwrap_or(0)
    }

    /// Kills node `i` the hard way — Patroni and PostgreSQL at once, as when its machine dies.
    pub fn kill(&mut self, i: usize) {
        if let Some(node) = self.nodes[i].take() {
            kill_node(node);
        }
    }

    /// Waits until a node other than `dead` accepts writes; which one.
    pub fn wait_for_promotion(&self, dead: usize) -> usize {
        self.wait("a standby to be promoted", |c| c.primary().is_some_and(|p| p != dead));
        self.primary().expect("a primary")
    }

    /// The last lines of each node's log and etcd's (for a failing test's message).
    pub fn logs(&self) -> String {
        let base = self.dir.path().join("nodes");
        ["node0.log", "node1.log"]
            .iter()
            .map(|f| {
                let text = std::fs::read_to_string(base.join(f)).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(12).collect();
                format!("--- {f}\n{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn kill_node(mut node: Node) {
    let group = node.patroni.id();
    let _ = Command::new("kill").args(["-KILL", "--", &format!("-{group}")]).status();
    // PostgreSQL may have left Patroni's group: its postmaster's pid is in its data directory.
    if let Ok(pidfile) = std::fs::read_to_string(node.data.join("postmaster.pid"))
        && let Some(pid) = pidfile.lines().next().map(str::trim).filter(|p| !p.is_empty())
    {
        let _ = Command::new("kill").args(["-KILL", pid]).status();
    }
    let _ = node.patroni.wait();
}

impl Drop for Patroni {
    fn drop(&mut self) {
        for node in self.nodes.iter_mut().filter_map(Option::take) {
            kill_node(node);
        }
        let _ = self.etcd.kill();
        let _ = self.etcd.wait();
    }
}
