//! The dossier (第三十三条): exported through the API and the command line, checked offline with
//! no database, refused with the place named when an event, a draft or the manifest is touched.

use std::collections::BTreeMap;
use std::process::Command as Process;

use actix_web::test;
use juece::dossier::{self, Manifest, SealedBy};
use juece::procedure::script;
use juece::procedure::state::{china_date, Position};

use super::*;

/// The dossier's bytes as the API answers them (200, application/zip), else the status.
async fn download<S, B>(app: &S, id: &str, token: &str) -> Vec<u8>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let res = test::call_service(
        app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/dossier"))
            .insert_header(bearer(token))
            .to_request(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers().get("content-type").unwrap(),
        "application/zip"
    );
    assert!(res
        .headers()
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .contains(&format!("dossier-{id}.zip")));
    test::read_body(res).await.to_vec()
}

fn manifest(files: &BTreeMap<String, Vec<u8>>) -> Manifest {
    serde_json::from_slice(&files[dossier::MANIFEST]).unwrap()
}

/// Replace a file and, as a careful forger would, its hash in the manifest.
fn forge(files: &BTreeMap<String, Vec<u8>>, path: &str, bytes: Vec<u8>) -> Vec<u8> {
    let mut files = files.clone();
    let mut m = manifest(&files);
    for f in &mut m.files {
        if f.path == path {
            f.sha256 = dossier::sha256(&bytes);
            f.bytes = bytes.len() as u64;
        }
    }
    files.insert(path.into(), bytes);
    files.insert(
        dossier::MANIFEST.into(),
        serde_json::to_vec_pretty(&m).unwrap(),
    );
    dossier::zip_of(&files.into_iter().collect::<Vec<_>>()).unwrap()
}

fn places(bytes: &[u8]) -> Vec<String> {
    dossier::verify(bytes)
        .unwrap()
        .findings
        .into_iter()
        .map(|f| f.place)
        .collect()
}

fn juece(args: &[&str]) -> (bool, String) {
    let out = Process::new(env!("CARGO_BIN_EXE_juece"))
        .args(args)
        .output()
        .expect("run juece");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// The national walk to the post-decision evaluation, one member of the meeting dissenting.
async fn walk_with_dissent<S, B>(app: &S, t: &TestApp, tokens: &Tokens) -> (String, i64)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let pack = t.state.packs.latest("national").unwrap();
    let mut steps = script::full_walk(pack, &crate::support::all_on(), t.state.clock.now());
    for s in &mut steps {
        if let Command::Record {
            fact:
                Fact::MeetingStatement {
                    member,
                    position,
                    text,
                },
        } = &mut s.command
        {
            if member == "m3" {
                *position = Position::Oppose;
                *text = "不同意：投放点设置不足，建议暂缓实施。".into();
            }
        }
    }
    let (mut id, mut version) = (String::new(), 0);
    for s in &steps {
        let (status, body) = step(app, &t.state, tokens, &mut id, &mut version, s).await;
        assert!(status < 300, "{:?}: {status} {body}", s.command);
    }
    (id, version)
}

#[actix_web::test]
async fn a_dossier_verifies_offline_and_a_touched_event_draft_or_manifest_is_named() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _) = walk_with_dissent(&app, &t, &tokens).await;
    // The daily digests of every whole day but today: the last day stays in an open volume.
    let now = t.state.clock.now();
    let sealed = juece::audit::seal_days(
        &mut t.state.db.write.get().unwrap(),
        china_date(now),
        now.naive_utc(),
    )
    .unwrap();
    assert!(sealed > 0);

    let bytes = download(&app, &id, &tokens.inspector).await;
    let report = dossier::verify(&bytes).unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    assert!(
        report.page_checked,
        "the page is rendered again from the events"
    );
    assert_eq!(report.decision_id, id);
    assert!(report.events > 40 && report.drafts == 1 && report.digests > 0);

    let files = dossier::unzip(&bytes).unwrap();
    let m = manifest(&files);
    // Volume 1 is the archive: its head is the seal the archive_sealed fact recorded.
    let seal = m
        .archive_seal
        .clone()
        .expect("the walk archives the decision");
    let v1 = &m.volumes[0];
    assert_eq!(v1.head, seal.seal);
    assert_eq!(v1.last_seq + 1, seal.event_seq);
    assert_eq!(
        v1.sealed_by,
        Some(SealedBy::ArchiveSealed {
            event_seq: seal.event_seq
        })
    );
    // Then supplementary volumes, each sealed by a daily digest, the last one open.
    assert!(m.volumes.len() >= 3, "{:?}", m.volumes);
    assert!(m.volumes[1..m.volumes.len() - 1]
        .iter()
        .all(|v| matches!(v.sealed_by, Some(SealedBy::DailyDigest { .. }))));
    assert_eq!(m.volumes.last().unwrap().sealed_by, None);
    assert_eq!(m.volumes.last().unwrap().head, m.chain_head.hash);
    for w in m.volumes.windows(2) {
        assert_eq!(w[1].prev_head, w[0].head);
        assert_eq!(w[1].first_seq, w[0].last_seq + 1);
    }
    // Every file is listed with its hash; the page holds the record, dissent verbatim.
    let mut listed: Vec<&str> = m.files.iter().map(|f| f.path.as_str()).collect();
    listed.sort();
    assert_eq!(listed, ["dossier.html", "drafts/1.txt", "events.jsonl"]);
    assert_eq!(
        String::from_utf8_lossy(&files["drafts/1.txt"]),
        script::draft_text(1)
    );
    let html = String::from_utf8_lossy(&files["dossier.html"]).into_owned();
    for needle in [
        "关于推进城市生活垃圾分类的实施意见",
        "不同意：投放点设置不足，建议暂缓实施。",
        "（不同意见）",
        "第一卷　归档卷",
        "补充卷",
        "归档封存",
        "执行情况报告",
        "决策后评估报告",
        "决策公布",
        "合法性审查意见",
    ] {
        assert!(html.contains(needle), "the page lacks {needle}");
    }
    // No contact of the public anywhere (the hearing applicants gave 13800000000), and the
    // manifest says what is left out.
    for (path, content) in &files {
        assert!(
            !String::from_utf8_lossy(content).contains("13800000000"),
            "{path} holds a contact"
        );
    }
    assert!(m.left_out[0].contains("联系方式"));

    // An event edited (its hash in the manifest recomputed): the chain names it.
    let events = String::from_utf8_lossy(&files[dossier::EVENTS]).into_owned();
    let touched = events.replacen("不同意：投放点设置不足", "同意：投放点设置充足", 1);
    assert_ne!(touched, events);
    let seq = events
        .lines()
        .position(|l| l.contains("不同意：投放点设置不足"))
        .unwrap()
        + 1;
    let forged = forge(&files, dossier::EVENTS, touched.into_bytes());
    assert!(
        places(&forged).contains(&format!("events.jsonl event {seq}")),
        "{:?}",
        places(&forged)
    );
    // The same edit without the forger's care: the file's hash too.
    let mut raw = files.clone();
    raw.insert(
        dossier::EVENTS.into(),
        events
            .replacen("不同意：投放点设置不足", "同意：投放点设置充足", 1)
            .into_bytes(),
    );
    let crude = dossier::zip_of(&raw.into_iter().collect::<Vec<_>>()).unwrap();
    let found = places(&crude);
    assert!(found.contains(&"events.jsonl".to_string()), "{found:?}");
    assert!(
        found.contains(&format!("events.jsonl event {seq}")),
        "{found:?}"
    );
    // An event dropped: the chain breaks at the one after it.
    let dropped: String = events
        .lines()
        .enumerate()
        .filter(|(i, _)| *i != 4)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let found = places(&forge(&files, dossier::EVENTS, dropped.into_bytes()));
    assert!(
        found.contains(&"events.jsonl event 6".to_string()),
        "{found:?}"
    );

    // A draft's text edited: the draft is named.
    let forged = forge(&files, "drafts/1.txt", "另一份草案".as_bytes().to_vec());
    // (The page shows the draft's text, so it is no longer the record's rendering either.)
    assert_eq!(places(&forged), ["drafts/1.txt (draft 1)", "dossier.html"]);

    // The printable page edited (its hash recomputed): it is no longer the events' rendering.
    let page =
        String::from_utf8_lossy(&files[dossier::HTML]).replace("不同意：投放点设置不足", "同意");
    let forged = forge(&files, dossier::HTML, page.into_bytes());
    assert_eq!(places(&forged), ["dossier.html"]);

    // The manifest edited: a file's hash, the chain head, volume 1's head.
    let mut m2 = manifest(&files);
    m2.files[0].sha256 = "0".repeat(64);
    m2.chain_head.hash = "1".repeat(64);
    m2.volumes[0].head = "2".repeat(64);
    let mut touched = files.clone();
    touched.insert(
        dossier::MANIFEST.into(),
        serde_json::to_vec_pretty(&m2).unwrap(),
    );
    let found = places(&dossier::zip_of(&touched.into_iter().collect::<Vec<_>>()).unwrap());
    for place in [
        "dossier.html",
        "manifest.json chain_head",
        "manifest.json volume 1",
        "manifest.json volume 2",
    ] {
        assert!(found.contains(&place.to_string()), "{place}: {found:?}");
    }

    // The command line: export from the database, verify offline; a tampered copy exits non-zero
    // naming the place.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dossier.zip");
    let out = out.to_str().unwrap();
    let (ok, said) = juece(&[
        "export",
        "dossier",
        &id,
        "--out",
        out,
        "--database-url",
        &t.db.url,
    ]);
    assert!(ok, "{said}");
    let (ok, said) = juece(&["audit", "verify", "--dossier", out]);
    assert!(ok, "{said}");
    assert!(
        said.contains("the printable page rendered again and the same; 0 finding(s)"),
        "{said}"
    );
    let bad = dir.path().join("bad.zip");
    std::fs::write(&bad, forge(&files, "drafts/1.txt", b"x".to_vec())).unwrap();
    let (ok, said) = juece(&["audit", "verify", "--dossier", bad.to_str().unwrap()]);
    assert!(!ok);
    assert!(said.contains("drafts/1.txt (draft 1)"), "{said}");
    let (ok, said) = juece(&["audit", "verify", "--dossier", "Cargo.toml"]);
    assert!(!ok && said.contains("not a zip archive"), "{said}");
    let (ok, said) = juece(&[
        "export",
        "dossier",
        "no-such-decision",
        "--out",
        out,
        "--database-url",
        &t.db.url,
    ]);
    assert!(!ok && said.contains("no-such-decision not found"), "{said}");
}

#[actix_web::test]
async fn both_dossiers_of_a_major_adjustment_show_the_link_and_outsiders_get_none() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (old, mut version, _) = walk_until(&app, &t.state, &tokens, |_| false).await;
    let post = |id: &str, body: Value| {
        test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/commands"))
            .insert_header(bearer(&tokens.staff))
            .set_json(body)
    };
    let (s, b) = send(&app, post(&old, json!({ "expected_version": version, "command": { "command": "start_stage", "stage": "adjustment" } }))).await;
    assert_eq!(s, 200, "{b}");
    version += 1;
    let (new, _, _) = walk_until(&app, &t.state, &tokens, |c| {
        matches!(
            c,
            Command::Record {
                fact: Fact::HeadDecision { .. }
            }
        )
    })
    .await;
    let (s, b) = send(&app, post(&old, json!({ "expected_version": version, "command": { "command": "record", "fact": { "type": "changed", "new_decision": new, "evaluation_considered": "后评估报告建议调整" } } }))).await;
    assert_eq!(s, 200, "{b}");

    let old_files = dossier::unzip(&download(&app, &old, &tokens.staff).await).unwrap();
    assert_eq!(manifest(&old_files).decision.adjusted_by, [new.as_str()]);
    let html = String::from_utf8_lossy(&old_files["dossier.html"]).into_owned();
    assert!(html.contains("调整后的新决策") && html.contains(&new));
    let new_bytes = download(&app, &new, &tokens.reviewer).await;
    assert!(dossier::verify(&new_bytes).unwrap().findings.is_empty());
    let new_files = dossier::unzip(&new_bytes).unwrap();
    let m = manifest(&new_files);
    assert_eq!(m.decision.adjusts, [old.as_str()]);
    // Not archived yet: one open volume holds the whole chain.
    assert_eq!(m.archive_seal, None);
    assert_eq!(m.volumes.len(), 1);
    assert_eq!(m.volumes[0].sealed_by, None);
    assert!(String::from_utf8_lossy(&new_files["dossier.html"]).contains("尚未归档封存"));

    // Another government's staff: not found (whether it exists is not theirs to know); no
    // sign-in: 401.
    let (s, b) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{old}/dossier"))
            .insert_header(bearer(&tokens.outsider)),
    )
    .await;
    assert_eq!(s, 404, "{b}");
    let (s, _) = send(
        &app,
        test::TestRequest::get().uri(&format!("/api/v1/decisions/{old}/dossier")),
    )
    .await;
    assert_eq!(s, 401);
}
