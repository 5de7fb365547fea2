use super::*;
use crate::alarm::AlarmKind;
use crate::ids::{DispatchId, UserId};
use chrono::{TimeZone, Utc};

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 3, 0, 0).single().expect("valid")
}

fn dispatch(vehicle: VehicleId, occurrence: OccurrenceId, active: bool) -> Dispatch {
    serde_json::from_value(serde_json::json!({"id": DispatchId::new(), "occurrence_id": occurrence,
        "vehicle_id": vehicle, "committed_at": t0(), "committed_by": UserId::new(), "active": active}))
    .expect("dispatch")
}

fn alarm(subject: Subject) -> Alarm {
    Alarm::new(AlarmKind::Tamper, subject, None, t0(), t0())
}

#[test]
fn issue_23_a_crew_sees_its_vehicle_its_occurrences_and_nothing_of_another_vehicles_work() {
    let (ours, theirs) = (VehicleId::new(), VehicleId::new());
    let (mine, other, done) = (OccurrenceId::new(), OccurrenceId::new(), OccurrenceId::new());
    let helping = dispatch(theirs, mine, true);
    let scope = CrewScope::new(
        Some(ours),
        [&dispatch(ours, mine, true), &dispatch(theirs, other, true), &dispatch(ours, done, false), &helping],
    );
    assert!(scope.occurrence(mine) && !scope.occurrence(other) && !scope.occurrence(done));
    assert!(scope.vehicle(ours) && !scope.vehicle(theirs));
    assert!(scope.dispatch(&helping), "another vehicle on the crew's occurrence (hand-over of a victim)");
    assert!(!scope.dispatch(&dispatch(theirs, other, true)));
    assert!(
        scope.alarm(&alarm(Subject::Occurrence(mine))) && !scope.alarm(&alarm(Subject::Occurrence(other)))
    );
    assert!(scope.alarm(&alarm(Subject::Vehicle(ours))) && !scope.alarm(&alarm(Subject::Vehicle(theirs))));

    // Not signed in to a vehicle: nothing.
    let off = CrewScope::new(None, [&dispatch(ours, mine, true)]);
    assert!(!off.occurrence(mine) && !off.vehicle(ours));
}

#[test]
fn issue_23_the_feed_brings_a_new_assignment_in_and_takes_a_finished_one_out() {
    let ours = VehicleId::new();
    let next = OccurrenceId::new();
    let mut scope = CrewScope::new(Some(ours), []);
    let message = |o: OccurrenceId| {
        EventBody::Message(
            serde_json::from_value(serde_json::json!({"id": crate::ids::MessageId::new(), "occurrence_id": o,
                "from": UserId::new(), "from_name": "Dr. Paulo", "from_role": "regulator", "text": "Como está?", "canned": false,
                "sent_at": t0(), "delivered_at": t0()}))
            .expect("message"),
        )
    };
    assert!(!scope.sees(&message(next)));
    assert!(scope.sees(&EventBody::Dispatch(dispatch(ours, next, true))), "the assignment arrives");
    assert!(scope.sees(&message(next)));
    assert!(scope.sees(&EventBody::Dispatch(dispatch(ours, next, false))), "and its end");
    assert!(!scope.sees(&message(next)), "nothing after it");
}
