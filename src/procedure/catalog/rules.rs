//! The rules of the catalog, each with its basis: what may be added, changed, withdrawn and
//! published, and when an organ's catalog is due.

use chrono::NaiveDate;
use serde::Serialize;

use super::{
    item_procedures, obliged, Catalog, CatalogCommand, CatalogEvent, ChangeKind, Consent, ItemSpec,
    ItemStatus, PROCEDURES,
};
use crate::procedure::pack::Pack;
use crate::procedure::rules::{check_scope, required_text};
use crate::procedure::state::OrganKind;
use crate::procedure::violation::{law, Violation};

fn basis() -> String {
    law("第三条第三款")
}

/// Judge a command against the catalog as it stands, its organ's pack and the day (China time).
/// `new_item_id` is the id the server gives an item the command adds. Yields the events to append,
/// or every rule the command would break.
pub fn judge(
    pack: &Pack,
    catalog: &Catalog,
    command: &CatalogCommand,
    today: NaiveDate,
    new_item_id: &str,
) -> Result<Vec<CatalogEvent>, Vec<Violation>> {
    let mut out = Vec::new();
    let published = catalog.revision > 0;
    let event = match command {
        CatalogCommand::AddItem { item, reason } => {
            check_item(pack, item, &mut out);
            if published {
                check_reason(reason, &mut out);
            }
            CatalogEvent::ItemAdded {
                item_id: new_item_id.to_string(),
                item: item.clone(),
                procedures: item_procedures(pack, item),
                reason: clean(reason),
            }
        }
        CatalogCommand::ChangeItem {
            item_id,
            item,
            reason,
        } => {
            if let Some(existing) = live_item(catalog, item_id, &mut out) {
                if existing.published.is_some() {
                    check_reason(reason, &mut out);
                }
            }
            check_item(pack, item, &mut out);
            CatalogEvent::ItemChanged {
                item_id: item_id.clone(),
                item: item.clone(),
                procedures: item_procedures(pack, item),
                reason: clean(reason),
            }
        }
        CatalogCommand::WithdrawItem { item_id, reason } => {
            if let Some(existing) = live_item(catalog, item_id, &mut out) {
                if existing.published.is_some() {
                    check_reason(reason, &mut out);
                }
            }
            CatalogEvent::ItemWithdrawn {
                item_id: item_id.clone(),
                reason: clean(reason),
            }
        }
        CatalogCommand::RecordConsent {
            body,
            consented_on,
            document_number,
        } => {
            let b = basis();
            required_text(
                body,
                "catalog.consent_incomplete",
                b.clone(),
                "同意的党委",
                "the consenting party committee",
                &mut out,
            );
            required_text(
                document_number,
                "catalog.consent_incomplete",
                b.clone(),
                "党委同意的文号",
                "the consent's document number",
                &mut out,
            );
            if *consented_on > today {
                out.push(Violation::new(
                    "catalog.consent_in_future",
                    b,
                    format!("党委同意的日期{consented_on}晚于今天（{today}）"),
                    format!("the consent is dated {consented_on}, after today ({today})"),
                ));
            }
            CatalogEvent::ConsentRecorded(Consent {
                body: body.trim().to_string(),
                consented_on: *consented_on,
                document_number: document_number.trim().to_string(),
            })
        }
        CatalogCommand::Publish {} => {
            check_publish(pack, catalog, &mut out);
            CatalogEvent::Published {
                revision: catalog.revision + 1,
                published_on: today,
            }
        }
    };
    if out.is_empty() {
        Ok(vec![event])
    } else {
        Err(out)
    }
}

fn clean(reason: &Option<String>) -> Option<String> {
    reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string)
}

/// The item named, if it is in the catalog and not withdrawn.
fn live_item<'a>(
    catalog: &'a Catalog,
    item_id: &str,
    out: &mut Vec<Violation>,
) -> Option<&'a super::Item> {
    match catalog.items.get(item_id) {
        None => {
            out.push(Violation::new(
                "catalog.item_unknown",
                basis(),
                format!("目录中没有事项{item_id}"),
                format!("the catalog has no item {item_id}"),
            ));
            None
        }
        Some(i)
            if i.status == ItemStatus::Withdrawn || i.pending == Some(ChangeKind::Withdrawn) =>
        {
            out.push(Violation::new(
                "catalog.item_withdrawn",
                basis(),
                format!("事项{}（{}）已撤出目录", i.number, i.current.spec.title),
                format!("item {} ({}) is withdrawn", i.number, i.current.spec.title),
            ));
            None
        }
        Some(i) => Some(i),
    }
}

/// An adjustment of a published catalog states why (根据实际情况调整).
fn check_reason(reason: &Option<String>, out: &mut Vec<Violation>) {
    if clean(reason).is_none() {
        out.push(Violation::new(
            "catalog.adjustment_reason_missing",
            basis(),
            "已公布的目录根据实际情况调整，须说明调整理由（reason）",
            "a published catalog is adjusted according to circumstances: give the reason (reason)",
        ));
    }
}

/// An item names a matter in scope, its unit, and procedures the pack knows and allows.
fn check_item(pack: &Pack, item: &ItemSpec, out: &mut Vec<Violation>) {
    required_text(
        &item.title,
        "catalog.item_title_missing",
        basis(),
        "决策事项名称",
        "the matter's title",
        out,
    );
    required_text(
        &item.undertaking_unit,
        "catalog.item_unit_missing",
        basis(),
        "承办单位",
        "the undertaking unit",
        out,
    );
    check_scope(pack, &item.attributes, out);
    for p in &item.procedures {
        match pack.stage(p.as_str()) {
            Some(s) if PROCEDURES.contains(&p.as_str()) => {
                if !s.allowed.eval(&item.attributes) {
                    out.push(Violation::new(
                        "catalog.procedure_not_allowed",
                        s.basis.clone(),
                        format!("本事项不得履行“{}”程序", s.name.zh),
                        format!("the matter may not go through {}", s.name.en),
                    ));
                }
            }
            _ => out.push(Violation::new(
                "catalog.procedure_unknown",
                format!("{}（{}）", pack.title.zh, pack.key()),
                format!("“{p}”不是目录可载明的决策程序"),
                format!(
                    "\"{p}\" is not a procedure a catalog item can name (one of: {})",
                    PROCEDURES
                        .iter()
                        .filter(|id| pack.has(id))
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
}

/// Publication: first with the party committee's consent to the content as it stands (经同级
/// 党委同意后向社会公布); an adjustment with something to publish, and with a fresh consent where
/// the pack asks for one.
fn check_publish(pack: &Pack, catalog: &Catalog, out: &mut Vec<Violation>) {
    let first = catalog.revision == 0;
    let p = &pack.parameters.catalog_adjustment_consent;
    if !first && catalog.pending.is_empty() {
        out.push(Violation::new(
            "catalog.no_changes",
            basis(),
            format!("目录第{}版公布后没有调整，无需再次公布", catalog.revision),
            format!(
                "nothing was adjusted since revision {} was published",
                catalog.revision
            ),
        ));
        return;
    }
    if first || p.value {
        let b = if first { basis() } else { p.basis.clone() };
        let (zh, en) = if first {
            ("目录", "catalog")
        } else {
            ("目录调整", "adjustment")
        };
        let consented = if first {
            catalog.consent.is_some()
        } else {
            consent_since_publication(catalog)
        };
        if !consented {
            out.push(Violation::new(
                "catalog.not_consented",
                b,
                format!("{zh}须经同级党委同意后向社会公布，尚未记录党委同意"),
                format!("the {en} is published after the party committee at the same level consents; no consent is recorded"),
            ));
        } else if !catalog.consent_current {
            out.push(Violation::new(
                "catalog.consent_outdated",
                b,
                format!("党委同意后{zh}又有改动，须就改动后的内容重新取得同意"),
                format!("the {en} changed after the party committee consented; record its consent to the content as it stands"),
            ));
        }
    }
}

/// Whether a consent was recorded since the last publication.
fn consent_since_publication(catalog: &Catalog) -> bool {
    let last = catalog.revisions.last().and_then(|r| r.consent.as_ref());
    catalog.consent.is_some() && catalog.consent.as_ref() != last
}

/// An organ's standing for a year's catalog under its pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Standing {
    /// Whether the organ must keep and publish a catalog (`catalog_organ_kinds`).
    pub obliged: bool,
    /// Whether every decision of the organ must be a catalog item (`catalog_required`).
    pub items_required: bool,
    /// The publication deadline for the year, where the pack sets one.
    pub deadline: Option<NaiveDate>,
    /// Not published and the deadline has passed.
    pub overdue: bool,
    /// Published after the deadline.
    pub published_late: bool,
    /// The share of decisions that should be catalog items, in percent (a target).
    pub coverage_target: Option<u32>,
    /// The basis of each of the above that applies.
    pub basis: Vec<String>,
}

/// The standing of an organ of `kind` for `year`'s catalog on `today`, given when (if ever) the
/// catalog was first published.
pub fn standing(
    pack: &Pack,
    kind: OrganKind,
    year: i32,
    first_published_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Standing {
    let p = &pack.parameters;
    let obliged = obliged(pack, kind);
    let deadline = if obliged {
        p.catalog_publish_by.value.and_then(|d| d.in_year(year))
    } else {
        None
    };
    let mut basis = Vec::new();
    if obliged {
        basis.push(p.catalog_organ_kinds.basis.clone());
    }
    if deadline.is_some() {
        basis.push(p.catalog_publish_by.basis.clone());
    }
    let items_required = obliged && p.catalog_required.value;
    if items_required {
        basis.push(p.catalog_required.basis.clone());
    }
    if p.catalog_coverage_target.value.is_some() {
        basis.push(p.catalog_coverage_target.basis.clone());
    }
    basis.dedup();
    Standing {
        obliged,
        items_required,
        deadline,
        overdue: deadline.is_some_and(|d| first_published_on.is_none() && today > d),
        published_late: matches!((deadline, first_published_on), (Some(d), Some(p)) if p > d),
        coverage_target: p.catalog_coverage_target.value,
        basis,
    }
}
