//! `postgres-for-tests [--durable] COMMAND…`: starts a PostgreSQL cluster of its own (Debian's packages, in
//! a temporary directory: `atalaia_tests::pg`), runs COMMAND with `ATALAIA_TEST_POSTGRES` naming
//! it — so every `TestServer` of the end-to-end tests runs on PostgreSQL, each in a database of
//! its own — then stops the cluster and exits with COMMAND's status (issue 24: the same tests on
//! both engines). `--durable` keeps PostgreSQL's flushes on (benchmarks); tests run without them.

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    let durable = args.next_if(|a| a == "--durable").is_some();
    let Some(program) = args.next() else {
        eprintln!("usage: postgres-for-tests [--durable] COMMAND [ARGS…]");
        std::process::exit(2);
    };
    let cluster = if durable {
        atalaia_tests::pg::Postgres::start_durable()
    } else {
        atalaia_tests::pg::Postgres::start()
    };
    eprintln!("postgres-for-tests: cluster at {}", cluster.url());
    let status = std::process::Command::new(program)
        .args(args)
        .env(atalaia_tests::pg::CLUSTER_VARIABLE, cluster.url())
        .status();
    if !status.as_ref().is_ok_and(|s| s.success()) {
        // What PostgreSQL refused, with the statement (its log keeps both).
        let log = cluster.log();
        let errors: Vec<&str> =
            log.lines().filter(|l| l.contains("ERROR:") || l.contains("STATEMENT:")).collect();
        let tail = &errors[errors.len().saturating_sub(40)..];
        eprintln!("postgres-for-tests: the cluster's last errors:\n{}", tail.join("\n"));
    }
    drop(cluster);
    match status {
        Ok(s) => std::process::exit(s.code().unwrap_or(1)),
        Err(e) => {
            eprintln!("postgres-for-tests: {e}");
            std::process::exit(1);
        }
    }
}
