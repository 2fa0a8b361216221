//! Engine benchmarks: evaluating a command against a decision with every stage's evidence, and
//! loading and checking every pack in `workflows/`. Run: `cargo bench --bench engine`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::Path;

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use juece::procedure::script;
use juece::procedure::state::{Category, Command, Fact, StageId};
use juece::procedure::{evaluate, next_steps, Calendar, Decision, PackSet};

fn setup() -> (PackSet, Calendar, Decision, chrono::DateTime<Utc>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let packs = juece::files::load_packs(&root.join("workflows")).unwrap();
    let cal = juece::files::load_calendar(&root.join("seeds/holidays")).unwrap();
    let pack = packs.latest("national").unwrap().clone();
    let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    let attrs = script::all_conditions_on(Category::PublicPolicy);
    let mut state = Decision::default();
    let mut last = t0;
    for s in script::full_walk(&pack, &attrs, t0) {
        for e in evaluate(&pack, &cal, &state, &s.command, s.at).unwrap() {
            state.apply(&e);
        }
        last = s.at;
    }
    (packs, cal, state, last)
}

fn engine(c: &mut Criterion) {
    let (packs, cal, state, now) = setup();
    let pack = packs.latest("national").unwrap();
    let accepted = Command::Record {
        fact: Fact::ExecutionReport {
            summary: "第二季度执行情况".into(),
            problems: None,
            milestone: None,
        },
    };
    let refused = Command::StartStage {
        stage: StageId::new("collective_decision"),
    };
    let archive_check = Command::CompleteStage {
        stage: StageId::new("execution"),
    };
    c.bench_function("evaluate accepted command, full evidence", |b| {
        b.iter(|| evaluate(pack, &cal, black_box(&state), black_box(&accepted), now))
    });
    c.bench_function("evaluate refused command, full evidence", |b| {
        b.iter(|| evaluate(pack, &cal, black_box(&state), black_box(&refused), now))
    });
    c.bench_function("evaluate stage completion, full evidence", |b| {
        b.iter(|| {
            evaluate(
                pack,
                &cal,
                black_box(&state),
                black_box(&archive_check),
                now,
            )
        })
    });
    c.bench_function("next steps, full evidence", |b| {
        b.iter(|| next_steps(pack, &cal, black_box(&state), now))
    });
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("workflows");
    c.bench_function("load and check every pack in workflows/", |b| {
        b.iter(|| juece::files::load_packs(black_box(&dir)).unwrap())
    });
}

criterion_group!(benches, engine);
criterion_main!(benches);
