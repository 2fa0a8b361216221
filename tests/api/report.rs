//! The annual report figures against counts computed independently, here, from what the API
//! shows of each decision (its stages, its events, its comments), on both backends; and the
//! report read back from its workbook.

use std::collections::BTreeMap;

use actix_web::test;
use chrono::{DateTime, Datelike, FixedOffset, Utc};
use serde_json::Value;

use super::{bearer, send, walk_until, TestApp, Tokens, GOV, OTHER_GOV};
use crate::support::starts;

fn china_year(at: &str) -> i32 {
    DateTime::parse_from_rfc3339(at)
        .unwrap()
        .with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap())
        .year()
}

#[derive(Default, Debug, PartialEq)]
struct Expected {
    started: u64,
    adopted: u64,
    /// procedure → (done, required)
    procedures: BTreeMap<String, (u64, u64)>,
    comments: u64,
    comments_adopted: u64,
    hearings: u64,
    evaluations: u64,
}

#[actix_web::test]
async fn the_report_counts_what_the_record_shows() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let mut ids = Vec::new();
    // Two decisions walked to the end, one stopped before the meeting.
    for stop in [
        starts("no_such_stage"),
        starts("collective_decision"),
        starts("no_such_stage"),
    ] {
        let (id, _, _) = walk_until(&app, &t.state, &tokens, stop).await;
        ids.push(id);
    }

    // Independently: per year, from each decision's view, events and comments.
    let mut by_year: BTreeMap<i32, Expected> = BTreeMap::new();
    for id in &ids {
        let get = |uri: String| {
            test::TestRequest::get()
                .uri(&uri)
                .insert_header(bearer(&tokens.staff))
        };
        let (_, view) = send(&app, get(format!("/api/v1/decisions/{id}"))).await;
        let (_, events) = send(&app, get(format!("/api/v1/decisions/{id}/events"))).await;
        let events = events["items"].as_array().unwrap();
        let started = china_year(events[0]["at"].as_str().unwrap());
        by_year.entry(started).or_default().started += 1;
        let adoption = events.iter().find(|e| {
            e["command"] == "record:head_decision"
                && e["payload"]["command"]["fact"]["outcome"] == "adopted"
        });
        if let Some(e) = adoption {
            let y = china_year(e["at"].as_str().unwrap());
            let x = by_year.entry(y).or_default();
            x.adopted += 1;
            for stage in view["stages"].as_array().unwrap() {
                let sid = stage["id"].as_str().unwrap();
                if [
                    "public_participation",
                    "expert_review",
                    "risk_assessment",
                    "legality_review",
                ]
                .contains(&sid)
                    && stage["required"] == true
                {
                    let p = x.procedures.entry(sid.to_string()).or_default();
                    p.1 += 1;
                    if stage["status"] == "completed" {
                        p.0 += 1;
                    }
                }
            }
        }
        for stage in view["stages"].as_array().unwrap() {
            if stage["status"] == "completed" {
                let y = china_year(stage["completed_at"].as_str().unwrap());
                match stage["id"].as_str().unwrap() {
                    "hearing" => by_year.entry(y).or_default().hearings += 1,
                    "post_evaluation" => by_year.entry(y).or_default().evaluations += 1,
                    _ => {}
                }
            }
        }
        let (_, comments) = send(
            &app,
            get(format!("/api/v1/decisions/{id}/comments?limit=500")),
        )
        .await;
        for c in comments["items"].as_array().unwrap() {
            let x = by_year
                .entry(china_year(c["received_at"].as_str().unwrap()))
                .or_default();
            x.comments += 1;
            if ["adopted", "partly_adopted"].contains(&c["disposition"].as_str().unwrap_or("")) {
                x.comments_adopted += 1;
            }
        }
    }
    assert!(
        by_year.values().map(|x| x.adopted).sum::<u64>() == 2,
        "{by_year:?}"
    );

    for (year, expected) in &by_year {
        let (s, r) = send(
            &app,
            test::TestRequest::get()
                .uri(&format!("/api/v1/reports?organ_id={GOV}&year={year}"))
                .insert_header(bearer(&tokens.reviewer)),
        )
        .await;
        assert_eq!(s, 200, "{r}");
        // The figures in the report's order, however they were counted.
        let order: Vec<&str> = r["figures"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["id"].as_str())
            .collect();
        assert_eq!(
            order[..2],
            ["decisions_started", "decisions_adopted"],
            "{order:?}"
        );
        let fig = |id: &str| -> Value {
            r["figures"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["id"] == id)
                .cloned()
                .unwrap_or_else(|| panic!("figure {id}: {r}"))
        };
        let value = |id: &str| fig(id)["value"].as_u64().unwrap();
        let mut got = Expected {
            started: value("decisions_started"),
            adopted: value("decisions_adopted"),
            comments: value("comments_received"),
            comments_adopted: value("comments_adopted"),
            hearings: value("hearings_held"),
            evaluations: value("post_evaluations"),
            ..Expected::default()
        };
        for p in [
            "public_participation",
            "expert_review",
            "risk_assessment",
            "legality_review",
        ] {
            let f = fig(&format!("{p}_share"));
            let of = f["of"].as_u64().unwrap();
            if of > 0 {
                got.procedures
                    .insert(p.to_string(), (f["value"].as_u64().unwrap(), of));
            }
        }
        assert_eq!(&got, expected, "year {year}: {r}");
        let legality = fig("legality_review_share");
        assert!(legality["definition_zh"]
            .as_str()
            .unwrap()
            .contains("第二十五条"));
    }

    // Others' organs: not found; the workbook reads back as the JSON (in a year with adopted
    // decisions, so that its second sheet has rows).
    let year = *by_year.iter().find(|(_, x)| x.adopted > 0).unwrap().0;
    let (s, _) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/reports?organ_id={GOV}&year={year}"))
            .insert_header(bearer(&tokens.outsider)),
    )
    .await;
    assert_eq!(s, 404);
    let (_, json) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/reports?organ_id={GOV}&year={year}"))
            .insert_header(bearer(&tokens.staff)),
    )
    .await;
    let res = test::call_service(
        &app,
        test::TestRequest::get()
            .uri(&format!(
                "/api/v1/reports?organ_id={GOV}&year={year}&format=xlsx"
            ))
            .insert_header(bearer(&tokens.staff))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), 200);
    let bytes = test::read_body(res).await.to_vec();
    use calamine::{DataType, Reader, Xlsx};
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("a real workbook");
    let figures = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<_> = figures.rows().skip(1).collect();
    assert_eq!(rows.len(), json["figures"].as_array().unwrap().len());
    for (row, f) in rows.iter().zip(json["figures"].as_array().unwrap()) {
        assert_eq!(row[1].to_string(), f["id"].as_str().unwrap());
        assert_eq!(row[2].as_f64(), f["value"].as_f64(), "{f}");
    }
    let adopted = book.worksheet_range_at(1).unwrap().unwrap();
    assert_eq!(
        adopted.rows().count() - 1,
        json["adopted"].as_array().unwrap().len()
    );
    for (row, a) in adopted
        .rows()
        .skip(1)
        .zip(json["adopted"].as_array().unwrap())
    {
        assert_eq!(row[0].to_string(), a["id"].as_str().unwrap());
    }
    // Above, the workbook was written from the report the JSON request kept; asked first, the
    // report is counted while its adopted decisions' sheet is filled on a second thread. Both
    // read back the same, cell by cell.
    let cells = |bytes: Vec<u8>| -> Vec<Vec<Vec<String>>> {
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("a real workbook");
        (0..2)
            .map(|i| {
                let range = book.worksheet_range_at(i).unwrap().unwrap();
                range
                    .rows()
                    .map(|r| r.iter().map(ToString::to_string).collect())
                    .collect()
            })
            .collect()
    };
    let xlsx = || {
        test::TestRequest::get()
            .uri(&format!(
                "/api/v1/reports?organ_id={GOV}&year={year}&format=xlsx"
            ))
            .insert_header(bearer(&tokens.staff))
            .to_request()
    };
    let mut state = t.state.clone();
    state.caches = std::sync::Arc::new(juece::app::Caches::default());
    let fresh = test::init_service(juece::server::app(state)).await;
    let first = test::call_service(&fresh, xlsx()).await;
    assert_eq!(first.status(), 200);
    let first = cells(test::read_body(first).await.to_vec());
    let kept = cells(
        test::read_body(test::call_service(&app, xlsx()).await)
            .await
            .to_vec(),
    );
    assert_eq!(first, kept);
    assert!(first[1].len() > 1, "the year has adopted decisions: {json}");
    let now_year = t.state.clock.now().with_timezone(&Utc).year();
    let (s, _) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!(
                "/api/v1/reports?organ_id={GOV}&year={}",
                now_year + 1
            ))
            .insert_header(bearer(&tokens.staff)),
    )
    .await;
    assert_eq!(s, 400, "a year not begun has no report");
}

#[actix_web::test]
async fn decisions_recorded_before_the_report_columns_are_filled_in_the_same() {
    use diesel::RunQueryDsl;
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    walk_until(&app, &t.state, &tokens, starts("no_such_stage")).await;
    let year = t.state.clock.now().with_timezone(&Utc).year();
    let get = || {
        test::TestRequest::get()
            .uri(&format!("/api/v1/reports?organ_id={GOV}&year={year}"))
            .insert_header(bearer(&tokens.staff))
    };
    let (_, before) = send(&app, get()).await;
    {
        // As a database written before the columns existed would hold it.
        let mut conn = t.state.db.write.get().unwrap();
        for q in [
            "UPDATE decisions SET adopted_on = NULL, procedures_required = NULL, procedures_completed = NULL",
            "UPDATE stage_records SET due_on = NULL, done_on = NULL, organ_id = NULL",
            "UPDATE comments SET organ_id = NULL",
        ] {
            diesel::sql_query(q).execute(&mut *conn).unwrap();
        }
        let engine = juece::service::Engine {
            packs: &t.state.packs,
            calendar: &t.state.calendar,
        };
        assert_eq!(
            juece::service::decisions::backfill(&mut conn, &engine).unwrap(),
            1
        );
        assert_eq!(
            juece::service::decisions::backfill(&mut conn, &engine).unwrap(),
            0,
            "once done, nothing to do"
        );
    }
    // Rows edited behind the service's back: a process that kept the report would not see it
    // (the record's own writes move the organ's last change); a new one counts again.
    let fresh = || {
        let mut state = t.state.clone();
        state.caches = std::sync::Arc::new(juece::app::Caches::default());
        test::init_service(juece::server::app(state))
    };
    let (_, after) = send(&fresh().await, get()).await;
    let values = |r: &Value| -> Vec<(Value, Value, Value)> {
        r["figures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["id"].clone(), f["value"].clone(), f["of"].clone()))
            .collect()
    };
    assert_eq!(values(&before), values(&after));
    assert!(
        values(&before)
            .iter()
            .any(|(id, v, _)| id == "decisions_adopted" && v == 1),
        "{before}"
    );
    let value = |r: &Value, figure: &str| {
        values(r)
            .into_iter()
            .find(|(id, _, _)| id == figure)
            .map(|(_, v, _)| v)
            .unwrap()
    };
    assert_eq!(value(&before, "post_evaluations"), 1, "{before}");
    assert_eq!(value(&before, "stages_on_time"), 1, "{before}");
    // The figures are the organ's: rows of another organ are not counted.
    {
        let mut conn = t.state.db.write.get().unwrap();
        for table in ["comments", "stage_records"] {
            diesel::sql_query(format!("UPDATE {table} SET organ_id = '{OTHER_GOV}'"))
                .execute(&mut *conn)
                .unwrap();
        }
    }
    let (_, moved) = send(&fresh().await, get()).await;
    assert_eq!(value(&moved, "post_evaluations"), 0, "{moved}");
    assert_eq!(value(&moved, "stages_on_time"), 0, "{moved}");
}
