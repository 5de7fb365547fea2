//! Ground truth for the monitoring engine (issue 3): every scenario of `atalaia_backend::scenario`
//! drives a fresh server over its real device sockets and must raise exactly the expected
//! alarms and restores: no false positives, no false negatives.

use atalaia_backend::scenario::{self, NAMES};
use atalaia_core::alarm::AlarmKind;

async fn check(name: &str) -> scenario::Report {
    let report = scenario::run(name).await.expect("scenario ran");
    assert!(
        report.passed(),
        "{name}: expected {:?}\nraised {:?}\nfalse positives {:?}\nfalse negatives {:?}",
        report.expected,
        report.raised,
        report.false_positives,
        report.false_negatives
    );
    report
}

#[tokio::test]
async fn every_scenario_matches_its_ground_truth() {
    assert_eq!(NAMES.len(), 14);
    for name in NAMES {
        check(name).await;
    }
}

#[tokio::test]
async fn a_backlog_replay_is_one_incident_listing_what_happened_inside_it() {
    // 9.7 / 9.37: 118 stored points with a 10-minute trip out of home inside them.
    let report = check("coverage_loss_with_backlog").await;
    let late: Vec<_> = report.alarms.iter().filter(|a| a.kind == AlarmKind::LateData).collect();
    assert_eq!(late.len(), 1);
    let summary = late[0].late.as_ref().expect("summary");
    assert!(summary.points >= 110, "{}", summary.points);
    assert_eq!(summary.episodes.len(), 1, "{:?}", summary.episodes);
    assert_eq!(summary.episodes[0].kind, AlarmKind::InclusionZoneExit);
    let minutes = (summary.episodes[0].to - summary.episodes[0].from).num_minutes();
    assert!((9..=11).contains(&minutes), "trip of {minutes} min");
    // 3 live reports before; of the 118 replayed points only each packet's newest and the last
    // ones younger than 2 minutes (3 packets, 3 recent points); 2 live reports after.
    assert!(
        report.position_events <= 10,
        "{} position events: the replay flooded the feed",
        report.position_events
    );
}
