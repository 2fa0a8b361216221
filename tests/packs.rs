//! Jurisdiction packs: the real `workflows/` folder loads and verifies; malformed packs are refused
//! with a message naming the file and what is wrong — never a panic; the command line reports
//! them and draws the graph.

use std::path::PathBuf;
use std::process::Command;

use juece::procedure::state::{stage, Attributes, Category};
use juece::procedure::{graph, PackError, PackSet};
use serde_json::{json, Value};

use crate::support::{national, national_json, national_text, root, stage_json};

/// The errors of loading `files` (name, text); panics if they load.
fn errors(files: &[(&str, String)]) -> Vec<PackError> {
    let sources: Vec<(PathBuf, String)> = files
        .iter()
        .map(|(name, text)| (PathBuf::from(name), text.clone()))
        .collect();
    match PackSet::from_sources(&sources) {
        Ok(_) => panic!("the packs loaded; expected them to be refused"),
        Err(e) => e,
    }
}

/// Assert that loading `files` is refused with an error on `file` whose message contains every
/// one of `needles`.
fn refused(files: &[(&str, String)], file: &str, needles: &[&str]) -> PackError {
    let errs = errors(files);
    let hit = errs.iter().find(|e| {
        e.file == std::path::Path::new(file) && needles.iter().all(|n| e.message.contains(n))
    });
    match hit {
        Some(e) => {
            // The displayed error names the file too.
            assert!(e.to_string().starts_with(file), "{e}");
            e.clone()
        }
        None => panic!("expected an error on {file} containing {needles:?}; got {errs:#?}"),
    }
}

/// national.json, changed by `f`.
fn national_with(f: impl FnOnce(&mut Value)) -> Vec<(&'static str, String)> {
    let mut v = national_json();
    f(&mut v);
    vec![("national.json", v.to_string())]
}

/// national.json as is, and a small pack extending it, changed by `f`.
fn extending(f: impl FnOnce(&mut Value)) -> Vec<(&'static str, String)> {
    let mut v = json!({
        "id": "testprov",
        "version": "2026.1",
        "effective_from": "2026-01-01",
        "title": { "zh": "测试省重大行政决策程序", "en": "Test province" },
        "sources": [{ "title": "《测试省重大行政决策程序规定》" }],
        "extends": "national"
    });
    f(&mut v);
    vec![
        ("national.json", national_text()),
        ("testprov.json", v.to_string()),
    ]
}

// ---- the real packs

#[test]
fn the_workflows_folder_loads_and_every_pack_verifies() {
    let set = match juece::files::load_packs(&root().join("workflows")) {
        Ok(set) => set,
        Err(e) => panic!("{e:#?}"),
    };
    assert!(set.latest("national").is_some());
    for p in set.all() {
        let mut again = p.clone();
        if let Err(issues) = graph::verify(&mut again) {
            panic!("{}: {issues:#?}", p.key());
        }
        // Every pack rests on the national procedure.
        assert!(p.has(stage::LEGALITY_REVIEW) && p.has(stage::COLLECTIVE_DECISION));
    }
}

#[test]
fn the_national_graph_passes_its_checks_and_orders_the_stages() {
    let mut pack = national().clone();
    if let Err(issues) = graph::verify(&mut pack) {
        panic!("{issues:#?}");
    }
    let pos = |id: &str| pack.stages.iter().position(|s| s.id.as_str() == id);
    assert!(pos(stage::LEGALITY_REVIEW) < pos(stage::COLLECTIVE_DECISION));
    assert!(pos(stage::COLLECTIVE_DECISION) < pos(stage::PARTY_REPORT));
    assert!(pos(stage::PARTY_REPORT) < pos(stage::PUBLICATION));
    for s in [
        stage::PUBLIC_PARTICIPATION,
        stage::EXPERT_REVIEW,
        stage::RISK_ASSESSMENT,
        stage::LEGALITY_REVIEW,
    ] {
        assert!(pack.precedes(
            &juece::procedure::state::StageId::new(s),
            &pack.decision_stage
        ));
    }
}

#[test]
fn an_extending_pack_changes_only_what_it_says_and_cites_its_basis() {
    let files = extending(|v| {
        v["stages"] = json!([{
            "id": "hearing",
            "required": { "all": [{ "attr": "public_interest" }, { "not": { "attr": "not_public" } }] },
            "basis": "《测试省重大行政决策程序规定》第二十条"
        }]);
        v["parameters"] = json!({
            "expert_minimum": { "value": 5, "basis": "《测试省重大行政决策程序规定》第二十二条" }
        });
    });
    let sources: Vec<(PathBuf, String)> = files
        .iter()
        .map(|(n, t)| (PathBuf::from(n), t.clone()))
        .collect();
    let set = match PackSet::from_sources(&sources) {
        Ok(set) => set,
        Err(e) => panic!("{e:#?}"),
    };
    let Some(p) = set.latest("testprov") else {
        panic!("no testprov");
    };
    assert_eq!(p.extends.as_deref(), Some("national@2019.1"));
    let Some(hearing) = p.stage(stage::HEARING) else {
        panic!("no hearing");
    };
    assert_eq!(hearing.defined_in, "testprov@2026.1");
    let attrs = Attributes::new(Category::PublicPolicy).with("public_interest", true);
    assert!(hearing.required.eval(&attrs));
    assert!(!hearing.required.eval(&attrs.with("not_public", true)));
    assert_eq!(p.parameters.expert_minimum.value, 5);
    // Everything else is inherited.
    assert_eq!(p.parameters.comment_period_days.value, 30);
    assert_eq!(
        p.stage(stage::LEGALITY_REVIEW)
            .map(|s| s.defined_in.as_str()),
        Some("national@2019.1")
    );
}

#[test]
fn a_decision_keeps_the_pack_version_in_force_when_it_started() {
    let mut files = extending(|_| {});
    let mut later: Value = match serde_json::from_str(&files[1].1) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    };
    later["version"] = json!("2027.1");
    later["effective_from"] = json!("2027-01-01");
    files.push(("testprov-2027.json", later.to_string()));
    let sources: Vec<(PathBuf, String)> = files
        .iter()
        .map(|(n, t)| (PathBuf::from(n), t.clone()))
        .collect();
    let set = match PackSet::from_sources(&sources) {
        Ok(set) => set,
        Err(e) => panic!("{e:#?}"),
    };
    let on = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(
        set.in_force("testprov", on(2026, 6, 1))
            .map(|p| p.version.as_str()),
        Some("2026.1")
    );
    assert_eq!(
        set.in_force("testprov", on(2027, 3, 1))
            .map(|p| p.version.as_str()),
        Some("2027.1")
    );
    assert!(set.in_force("testprov", on(2025, 12, 31)).is_none());
}

// ---- malformed packs

#[test]
fn an_unknown_stage_id_is_refused() {
    let files = national_with(|v| {
        v["stages"].as_array_mut().unwrap().push(json!({
            "id": "public_hearing",
            "name": { "zh": "公开听证", "en": "Public hearing" },
            "required": false,
            "after": ["drafting"],
            "basis": "《重大行政决策程序暂行条例》第十六条"
        }));
    });
    refused(
        &files,
        "national.json",
        &["\"public_hearing\"", "unknown stage id"],
    );
}

#[test]
fn after_naming_an_unknown_stage_is_refused() {
    let files = national_with(|v| {
        stage_json(v, stage::HEARING)["after"] = json!(["drafting", "consultation"]);
    });
    refused(
        &files,
        "national.json",
        &[
            "stage \"hearing\"",
            "\"after\" names unknown stage \"consultation\"",
        ],
    );
}

#[test]
fn an_undeclared_cycle_is_refused_naming_its_stages() {
    let files = national_with(|v| {
        stage_json(v, stage::DRAFTING)["after"] = json!(["initiation", "legality_review"]);
    });
    refused(
        &files,
        "national.json",
        &["undeclared cycle", "drafting", "legality_review", "returns"],
    );
}

#[test]
fn a_stage_without_a_prerequisite_is_refused_as_unanchored() {
    let files = national_with(|v| {
        stage_json(v, stage::HEARING)["after"] = json!([]);
    });
    refused(
        &files,
        "national.json",
        &["stage \"hearing\"", "has no prerequisite"],
    );
}

#[test]
fn a_terminal_or_decision_stage_that_does_not_exist_is_refused() {
    let files = national_with(|v| {
        v["terminal"] = json!("filing");
        v["decision_stage"] = json!("meeting");
    });
    refused(
        &files,
        "national.json",
        &["terminal names unknown stage \"filing\""],
    );
    refused(
        &files,
        "national.json",
        &["decision_stage names unknown stage \"meeting\""],
    );
}

#[test]
fn a_required_stage_that_does_not_dominate_the_meeting_is_refused_with_the_path_that_skips_it() {
    let files = national_with(|v| {
        stage_json(v, stage::LEGALITY_REVIEW)["after"] = json!([
            "public_participation",
            "group_consultation",
            "hearing",
            "risk_assessment"
        ]);
    });
    let e = refused(
        &files,
        "national.json",
        &[
            "stage \"expert_review\"",
            "technical=true",
            "does not dominate \"collective_decision\"",
            "→",
        ],
    );
    let path = e
        .message
        .split("the path ")
        .nth(1)
        .and_then(|rest| rest.split(" skips").next())
        .unwrap_or_default();
    assert!(
        path.starts_with("initiation → drafting")
            && path.ends_with("legality_review → collective_decision")
            && !path.contains("expert_review"),
        "{path}"
    );
}

#[test]
fn a_condition_reading_an_undeclared_attribute_is_refused() {
    let files = national_with(|v| {
        stage_json(v, stage::HEARING)["required"] = json!({ "attr": "vital_interests" });
    });
    refused(
        &files,
        "national.json",
        &[
            "stage \"hearing\"",
            "\"vital_interests\"",
            "does not declare",
        ],
    );
}

#[test]
fn an_unknown_condition_operator_is_refused_with_its_position() {
    let files = national_with(|v| {
        stage_json(v, stage::HEARING)["required"] =
            json!({ "some": [{ "attr": "public_interest" }] });
    });
    refused(
        &files,
        "national.json",
        &["line", "column", "unknown condition operator \"some\""],
    );
}

#[test]
fn an_unknown_category_in_a_condition_is_refused() {
    let files = national_with(|v| {
        stage_json(v, stage::HEARING)["required"] = json!({ "category": ["macro_policy"] });
    });
    refused(
        &files,
        "national.json",
        &["unknown category \"macro_policy\""],
    );
}

#[test]
fn an_unknown_parameter_is_refused() {
    let files = national_with(|v| {
        v["parameters"]["comment_days"] =
            json!({ "value": 30, "basis": "《重大行政决策程序暂行条例》第十五条" });
    });
    refused(
        &files,
        "national.json",
        &["unknown parameter \"comment_days\"", "comment_period_days"],
    );
}

#[test]
fn a_parameter_of_the_wrong_type_is_refused() {
    let files = national_with(|v| {
        v["parameters"]["comment_period_days"]["value"] = json!("thirty");
        v["parameters"]["expert_odd_number"]["value"] = json!(1);
    });
    refused(
        &files,
        "national.json",
        &[
            "parameter \"comment_period_days\" must be a whole number of days",
            "\"thirty\"",
        ],
    );
    refused(
        &files,
        "national.json",
        &["parameter \"expert_odd_number\" must be true or false"],
    );
}

#[test]
fn a_missing_parameter_is_refused_in_a_pack_that_extends_nothing() {
    let files = national_with(|v| {
        v["parameters"]
            .as_object_mut()
            .unwrap()
            .remove("legality_review_working_days");
    });
    refused(
        &files,
        "national.json",
        &["parameter \"legality_review_working_days\" is missing"],
    );
}

#[test]
fn invalid_json_is_refused_with_line_and_column() {
    let text = "{\n  \"id\": \"broken\"\n  \"version\": \"1\"\n}\n".to_string();
    refused(
        &[("broken.json", text)],
        "broken.json",
        &["not a valid pack at line 3 column 3"],
    );
    // A pack cut short.
    let cut = national_text();
    let half = (0..=cut.len() / 2)
        .rev()
        .find(|&i| cut.is_char_boundary(i))
        .unwrap_or(0);
    let cut = cut[..half].to_string();
    refused(
        &[("national.json", cut)],
        "national.json",
        &["line", "column"],
    );
}

#[test]
fn an_unknown_field_is_refused() {
    let files = national_with(|v| {
        v["stagez"] = json!([]);
    });
    refused(&files, "national.json", &["unknown field `stagez`"]);
    let files = national_with(|v| {
        stage_json(v, stage::HEARING)["requried"] = json!(true);
    });
    refused(&files, "national.json", &["unknown field `requried`"]);
}

#[test]
fn extending_a_missing_pack_is_refused() {
    let files = extending(|v| v["extends"] = json!("guangdong"));
    refused(&files, "testprov.json", &["extends \"guangdong\""]);
    let files = extending(|v| v["extends"] = json!("national@2030.1"));
    refused(&files, "testprov.json", &["extends \"national@2030.1\""]);
}

#[test]
fn an_extension_cycle_is_refused_for_every_pack_in_it() {
    let pack = |id: &str, parent: &str| {
        json!({
            "id": id,
            "version": "1",
            "effective_from": "2026-01-01",
            "title": { "zh": id, "en": id },
            "sources": [],
            "extends": parent
        })
        .to_string()
    };
    let files = [("a.json", pack("a", "b")), ("b.json", pack("b", "a"))];
    refused(&files, "a.json", &["extends \"b\"", "cycle"]);
    refused(&files, "b.json", &["extends \"a\"", "cycle"]);
}

#[test]
fn a_change_in_an_extending_pack_without_its_basis_is_refused() {
    let files = extending(|v| {
        v["stages"] = json!([{ "id": "hearing", "required": true }]);
    });
    refused(
        &files,
        "testprov.json",
        &["stage \"hearing\"", "must cite its basis"],
    );
}

#[test]
fn a_new_stage_in_an_extending_pack_needs_a_name_and_basis() {
    let files = extending(|v| {
        v["stages"] = json!([{ "id": "fair_competition_review", "required": true, "after": ["collective_decision"] }]);
    });
    refused(
        &files,
        "testprov.json",
        &[
            "stage \"fair_competition_review\"",
            "a new stage needs name",
            "basis",
        ],
    );
}

#[test]
fn an_extending_pack_in_force_before_its_parent_is_refused() {
    let files = extending(|v| {
        v["effective_from"] = json!("2019-01-01");
        v["extends"] = json!("national@2019.1");
    });
    refused(
        &files,
        "testprov.json",
        &["effective_from 2019-01-01 is before", "national@2019.1"],
    );
}

#[test]
fn a_return_edge_that_does_not_go_back_is_refused() {
    let files = national_with(|v| {
        v["returns"].as_array_mut().unwrap().push(json!({
            "from": "drafting",
            "to": "legality_review",
            "on": "legality_unlawful",
            "basis": "《重大行政决策程序暂行条例》第二十八条"
        }));
    });
    refused(
        &files,
        "national.json",
        &[
            "stage \"drafting\"",
            "return edge to \"legality_review\" does not go back",
        ],
    );
}

#[test]
fn the_same_pack_id_and_version_twice_is_refused() {
    let files = [
        ("national.json", national_text()),
        ("national-copy.json", national_text()),
    ];
    let errs = errors(&files);
    assert!(
        errs.iter()
            .any(|e| e.message.contains("pack national@2019.1 is defined twice")),
        "{errs:#?}"
    );
}

#[test]
fn a_stage_required_where_it_is_not_allowed_is_refused() {
    // The hearing is held in public, so not allowed for matters lawfully not public; a pack
    // cannot also require it always.
    let files = national_with(|v| {
        stage_json(v, stage::HEARING)["required"] = json!(true);
    });
    refused(
        &files,
        "national.json",
        &[
            "stage \"hearing\"",
            "is required but not allowed when",
            "not_public=true",
        ],
    );
}

#[test]
fn every_problem_of_a_pack_is_reported_not_just_the_first() {
    let files = national_with(|v| {
        v["parameters"]["comment_days"] = json!({ "value": 30, "basis": "x" });
        v["parameters"]["hearing_materials_days"]["value"] = json!(-7);
        v["stages"].as_array_mut().unwrap().push(json!({
            "id": "appeal", "name": { "zh": "申诉", "en": "Appeal" }, "required": false, "basis": "x"
        }));
    });
    let errs = errors(&files);
    assert!(errs.len() >= 3, "{errs:#?}");
    assert!(errs
        .iter()
        .all(|e| e.file == std::path::Path::new("national.json")));
}

// ---- the command line

fn juece(args: &[&str]) -> std::process::Output {
    match Command::new(env!("CARGO_BIN_EXE_juece"))
        .args(args)
        .current_dir(root())
        .env("RUST_LOG", "error")
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!("cannot run juece: {e}"),
    }
}

#[test]
fn workflows_check_passes_on_the_real_folder() {
    let dir = root().join("workflows");
    let out = juece(&["workflows", "check", dir.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("national@2019.1"), "{stdout}");
}

#[test]
fn workflows_check_fails_on_a_bad_folder_naming_the_file_and_the_stage() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("national.json"), national_text()).unwrap();
    let mut bad = national_json();
    bad["id"] = json!("badprov");
    stage_json(&mut bad, stage::LEGALITY_REVIEW)["after"] = json!([
        "public_participation",
        "group_consultation",
        "hearing",
        "expert_review"
    ]);
    std::fs::write(dir.path().join("badprov.json"), bad.to_string()).unwrap();

    let out = juece(&["workflows", "check", dir.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "accepted a bad folder: {stderr}");
    assert!(stderr.contains("badprov.json"), "{stderr}");
    assert!(stderr.contains("risk_assessment"), "{stderr}");
    assert!(
        !stderr.contains("national.json:"),
        "the good pack is blamed: {stderr}"
    );
}

#[test]
fn workflows_graph_prints_dot() {
    let dir = root().join("workflows");
    let out = juece(&[
        "workflows",
        "graph",
        "national",
        "--dir",
        dir.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("digraph \"national@2019.1\""),
        "{stdout}"
    );
    assert!(stdout.contains("\"legality_review\" -> \"collective_decision\";"));
    // Return edges are drawn in red.
    assert!(stdout.contains("\"legality_review\" -> \"drafting\" [color=red"));
    let out = juece(&[
        "workflows",
        "graph",
        "nowhere",
        "--dir",
        dir.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
}

#[test]
fn article_29_is_cited_by_item_not_by_a_paragraph_it_does_not_have() {
    // 第二十九条 has one paragraph: its items are cited 第二十九条第（X）项.
    for entry in std::fs::read_dir(root().join("workflows")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("第二十九条第一款"),
            "{} cites 第二十九条第一款",
            path.display()
        );
    }
    let basis = &national()
        .attributes
        .iter()
        .find(|a| a.id == "market_activity")
        .unwrap()
        .basis;
    assert!(basis.contains("第二十九条第（一）项"), "{basis}");
}
