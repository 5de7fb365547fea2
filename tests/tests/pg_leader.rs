//! The leadership of a cluster of servers on one PostgreSQL (issue 24 item 3, `store::leader`):
//! one server leads at a time — the one whose writer session holds the leader's lock — and a job
//! knows whether it runs on the leader; when the leader's session ends, another server's writer
//! takes the leadership at its next batch, with a new epoch.

use atalaia_backend::store::Store;
use atalaia_tests::pg::Postgres;
use std::sync::Arc;
use std::time::Duration;

/// What a job of `store` is told about the leadership.
async fn job_sees(store: &Store) -> Option<u64> {
    store.write(|ctx| Ok(ctx.leader)).await.expect("write")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_24_one_server_of_a_cluster_leads_and_another_takes_over_when_it_is_gone() {
    let pg = tokio::task::spawn_blocking(Postgres::start).await.expect("cluster");
    let clock = Arc::new(atalaia_core::clock::SystemClock);
    let first = Store::open_postgres(&pg.url(), clock.clone()).expect("first server");
    assert_eq!(job_sees(&first).await, Some(1), "the first to write leads");
    assert_eq!(first.leader(), Some(1));

    let second = Store::open_postgres(&pg.url(), clock).expect("second server");
    for _ in 0..3 {
        assert_eq!(job_sees(&second).await, None, "one leader at a time");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(second.leader(), None);
    assert_eq!(job_sees(&first).await, Some(1), "the leader stays leader");

    // The leader's server stops: its writer session ends, and the lock with it.
    first.close();
    drop(first);
    let mut took = None;
    for _ in 0..50 {
        took = job_sees(&second).await;
        if took.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(took, Some(1), "the second server took the leadership");
    assert_eq!(second.leader(), Some(1));
    second.close();
}

#[tokio::test]
async fn issue_24_the_one_server_of_an_embedded_central_always_leads() {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(&dir.path().join("atalaia.db"), Arc::new(atalaia_core::clock::SystemClock))
        .expect("open");
    assert_eq!(store.leader(), Some(1));
    assert_eq!(job_sees(&store).await, Some(1));
    store.close();
}
