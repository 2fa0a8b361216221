//! The annual catalog's rules (第三条第三款), pure: each rule accepted and refused, the fold of
//! items through drafts, consent, publication and adjustment, the procedures an item requires,
//! and the standing (obliged, deadline, overdue) under each pack.

use chrono::NaiveDate;
use juece::procedure::catalog::{
    item_procedures, judge, standing, Catalog, CatalogCommand, CatalogStatus, ChangeKind, ItemSpec,
    ItemStatus,
};
use juece::procedure::state::{Attributes, Category, OrganKind, StageId};
use juece::procedure::Violation;

use crate::support::{assert_rule, national, packs};

const ART3: &str = "《重大行政决策程序暂行条例》第三条第三款";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 20).unwrap()
}

fn item(title: &str) -> ItemSpec {
    ItemSpec {
        title: title.into(),
        undertaking_unit: "某市城市管理局".into(),
        attributes: Attributes::new(Category::PublicPolicy).with("technical", true),
        procedures: Vec::new(),
        planned_by: NaiveDate::from_ymd_opt(2026, 12, 31),
        note: None,
    }
}

/// A catalog and the ids its items got.
struct Book {
    c: Catalog,
    n: u32,
}

impl Book {
    fn new() -> Book {
        let mut c = Catalog::default();
        c.apply(&juece::procedure::catalog::CatalogEvent::Opened {
            organ_id: "gov".into(),
            year: 2026,
        });
        Book { c, n: 0 }
    }

    fn try_(&mut self, cmd: CatalogCommand) -> Result<(), Vec<Violation>> {
        self.n += 1;
        let events = judge(national(), &self.c, &cmd, today(), &format!("i{}", self.n))?;
        for e in &events {
            self.c.apply(e);
        }
        Ok(())
    }

    fn ok(&mut self, cmd: CatalogCommand) {
        if let Err(v) = self.try_(cmd) {
            panic!("refused: {v:?}");
        }
    }

    fn refused(&mut self, cmd: CatalogCommand) -> Vec<Violation> {
        let before = self.c.clone();
        let v = self.try_(cmd).expect_err("should be refused");
        assert_eq!(self.c, before, "a refused command changes nothing");
        v
    }

    fn consent(&mut self) {
        self.ok(CatalogCommand::RecordConsent {
            body: "中共某市委员会".into(),
            consented_on: today(),
            document_number: "某委〔2026〕1号".into(),
        });
    }
}

fn add(title: &str) -> CatalogCommand {
    CatalogCommand::AddItem {
        item: item(title),
        reason: None,
    }
}

#[test]
fn a_catalog_is_published_after_the_party_committee_consents_to_it_as_it_stands() {
    let mut b = Book::new();
    b.ok(add("垃圾分类实施意见"));
    assert_eq!(b.c.status, CatalogStatus::Draft);
    let v = b.refused(CatalogCommand::Publish {});
    assert_rule(&v, "catalog.not_consented", ART3);
    b.consent();
    assert_eq!(b.c.status, CatalogStatus::Consented);
    // Changed after the consent: the consent no longer covers it.
    b.ok(add("停车收费管理办法"));
    assert_eq!(b.c.status, CatalogStatus::Draft);
    let v = b.refused(CatalogCommand::Publish {});
    assert_rule(&v, "catalog.consent_outdated", ART3);
    b.consent();
    b.ok(CatalogCommand::Publish {});
    assert_eq!(b.c.status, CatalogStatus::Published);
    assert_eq!(b.c.revision, 1);
    assert_eq!(b.c.first_published_on, Some(today()));
    assert_eq!(b.c.revisions[0].changes.len(), 2);
    assert!(b
        .c
        .items
        .values()
        .all(|i| i.status == ItemStatus::Published && i.published.is_some()));
}

#[test]
fn the_consent_names_the_committee_and_its_document_and_is_not_dated_ahead() {
    let mut b = Book::new();
    let v = b.refused(CatalogCommand::RecordConsent {
        body: " ".into(),
        consented_on: today(),
        document_number: "".into(),
    });
    assert_rule(&v, "catalog.consent_incomplete", ART3);
    assert_eq!(v.len(), 2, "both the committee and the number: {v:?}");
    let v = b.refused(CatalogCommand::RecordConsent {
        body: "中共某市委员会".into(),
        consented_on: today().succ_opt().unwrap(),
        document_number: "某委〔2026〕1号".into(),
    });
    assert_rule(&v, "catalog.consent_in_future", ART3);
}

#[test]
fn an_adjustment_of_a_published_catalog_states_its_reason_and_is_published_as_a_new_revision() {
    let mut b = Book::new();
    b.ok(add("垃圾分类实施意见"));
    b.consent();
    b.ok(CatalogCommand::Publish {});
    let v = b.refused(CatalogCommand::Publish {});
    assert_rule(&v, "catalog.no_changes", ART3);

    let v = b.refused(add("养老服务设施布局专项规划"));
    assert_rule(&v, "catalog.adjustment_reason_missing", ART3);
    let v = b.refused(CatalogCommand::ChangeItem {
        item_id: "i1".into(),
        item: item("垃圾分类实施意见（修订）"),
        reason: Some("  ".into()),
    });
    assert_rule(&v, "catalog.adjustment_reason_missing", ART3);
    let v = b.refused(CatalogCommand::WithdrawItem {
        item_id: "i1".into(),
        reason: None,
    });
    assert_rule(&v, "catalog.adjustment_reason_missing", ART3);

    b.ok(CatalogCommand::ChangeItem {
        item_id: "i1".into(),
        item: item("垃圾分类实施意见（修订）"),
        reason: Some("国家出台新规定".into()),
    });
    assert_eq!(b.c.status, CatalogStatus::Adjusting);
    // Until it is published, the public still sees the published content.
    let i1 = &b.c.items["i1"];
    assert_eq!(
        i1.published.as_ref().unwrap().spec.title,
        "垃圾分类实施意见"
    );
    assert_eq!(i1.current.spec.title, "垃圾分类实施意见（修订）");
    assert_eq!(i1.pending, Some(ChangeKind::Changed));
    // The national pack ties the consent to publication only: an adjustment needs none.
    b.ok(CatalogCommand::Publish {});
    assert_eq!(b.c.status, CatalogStatus::Adjusted);
    assert_eq!(b.c.revision, 2);
    let r2 = &b.c.revisions[1];
    assert_eq!(r2.changes[0].kind, ChangeKind::Changed);
    assert_eq!(r2.changes[0].reason.as_deref(), Some("国家出台新规定"));
    assert_eq!(
        b.c.items["i1"].published.as_ref().unwrap().spec.title,
        "垃圾分类实施意见（修订）"
    );

    // A withdrawal, then nothing more can be done to the item.
    b.ok(CatalogCommand::WithdrawItem {
        item_id: "i1".into(),
        reason: Some("决策事项已由上级统一部署".into()),
    });
    let v = b.refused(CatalogCommand::ChangeItem {
        item_id: "i1".into(),
        item: item("x"),
        reason: Some("r".into()),
    });
    assert_rule(&v, "catalog.item_withdrawn", ART3);
    b.ok(CatalogCommand::Publish {});
    assert_eq!(b.c.items["i1"].status, ItemStatus::Withdrawn);
    let v = b.refused(CatalogCommand::WithdrawItem {
        item_id: "i1".into(),
        reason: Some("r".into()),
    });
    assert_rule(&v, "catalog.item_withdrawn", ART3);
}

#[test]
fn a_draft_item_withdrawn_before_publication_is_simply_removed() {
    let mut b = Book::new();
    b.ok(add("a"));
    b.ok(add("b"));
    b.ok(CatalogCommand::WithdrawItem {
        item_id: "i1".into(),
        reason: None,
    });
    assert!(!b.c.items.contains_key("i1"));
    assert_eq!(b.c.pending.len(), 1);
    let v = b.refused(CatalogCommand::WithdrawItem {
        item_id: "i1".into(),
        reason: None,
    });
    assert_rule(&v, "catalog.item_unknown", ART3);
}

#[test]
fn an_item_names_a_matter_in_scope_its_unit_and_procedures_the_pack_allows() {
    let mut b = Book::new();
    let mut bad = item(" ");
    bad.undertaking_unit = String::new();
    bad.attributes = Attributes::new(Category::Legislation).with("no_such_flag", true);
    bad.procedures = vec![StageId::new("archiving"), StageId::new("nonsense")];
    let v = b.refused(CatalogCommand::AddItem {
        item: bad,
        reason: None,
    });
    assert_rule(&v, "catalog.item_title_missing", ART3);
    assert_rule(&v, "catalog.item_unit_missing", ART3);
    assert_rule(
        &v,
        "scope.out_of_scope_category",
        "《重大行政决策程序暂行条例》第三条第二款",
    );
    assert!(
        v.iter().any(|x| x.rule == "scope.unknown_attribute"),
        "{v:?}"
    );
    assert_eq!(
        v.iter()
            .filter(|x| x.rule == "catalog.procedure_unknown")
            .count(),
        2,
        "{v:?}"
    );

    // A matter lawfully not public cannot name public participation (第十四条第一款).
    let mut secret = item("涉密事项");
    secret.attributes = secret.attributes.with("not_public", true);
    secret.procedures = vec![StageId::new("public_participation")];
    let v = b.refused(CatalogCommand::AddItem {
        item: secret,
        reason: None,
    });
    assert!(
        v.iter()
            .any(|x| x.rule == "catalog.procedure_not_allowed" && x.basis.contains("第十四条")),
        "{v:?}"
    );
}

#[test]
fn the_procedures_an_item_requires_follow_its_attributes_and_go_only_upward() {
    let pack = national();
    let mut spec = item("规划");
    spec.attributes = Attributes::new(Category::Plan).with("technical", true);
    let ids: Vec<String> = item_procedures(pack, &spec)
        .into_iter()
        .map(|s| s.0)
        .collect();
    assert!(ids.contains(&"expert_review".to_string()), "{ids:?}");
    assert!(ids.contains(&"legality_review".to_string()), "{ids:?}");
    assert!(!ids.contains(&"risk_assessment".to_string()), "{ids:?}");
    // The organ adds a risk assessment: listed; it cannot take the expert review away.
    spec.procedures = vec![StageId::new("risk_assessment")];
    let ids: Vec<String> = item_procedures(pack, &spec)
        .into_iter()
        .map(|s| s.0)
        .collect();
    assert!(ids.contains(&"risk_assessment".to_string()), "{ids:?}");
    assert!(ids.contains(&"expert_review".to_string()), "{ids:?}");
}

#[test]
fn who_must_keep_a_catalog_and_by_when_follows_the_pack() {
    let day = |m, d| NaiveDate::from_ymd_opt(2027, m, d).unwrap();
    let zj = packs().latest("zhejiang").unwrap();
    // 浙江: governments and departments, published by 31 March.
    let s = standing(zj, OrganKind::Government, 2027, None, day(3, 31));
    assert!(s.obliged && s.items_required);
    assert_eq!(s.deadline, Some(day(3, 31)));
    assert!(!s.overdue, "31 March is still in time");
    let s = standing(zj, OrganKind::Department, 2027, None, day(4, 1));
    assert!(s.overdue);
    assert!(
        s.basis.iter().any(|b| b.contains("五、（十五）")),
        "{:?}",
        s.basis
    );
    let s = standing(zj, OrganKind::Government, 2027, Some(day(4, 2)), day(5, 1));
    assert!(!s.overdue && s.published_late);
    let s = standing(zj, OrganKind::Township, 2027, None, day(5, 1));
    assert!(!s.obliged && !s.overdue && s.deadline.is_none());
    // 贵州: governments must keep one, no date; departments need not.
    let gz = packs().latest("guizhou").unwrap();
    let s = standing(gz, OrganKind::Government, 2027, None, day(12, 1));
    assert!(s.obliged && s.items_required && !s.overdue);
    assert!(!standing(gz, OrganKind::Department, 2027, None, day(12, 1)).obliged);
    // National: optional (可以); 昆明: a coverage target, not a bar.
    let s = standing(national(), OrganKind::Government, 2027, None, day(12, 1));
    assert!(!s.obliged && !s.items_required && !s.overdue);
    let km = packs().latest("kunming").unwrap();
    let s = standing(km, OrganKind::Government, 2027, None, day(12, 1));
    assert_eq!(s.coverage_target, Some(100));
    assert!(!s.items_required);
}
