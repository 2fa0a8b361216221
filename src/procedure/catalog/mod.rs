//! 年度重大行政决策事项目录 — the annual decision catalog (第三条第三款: 决策机关可以……确定决策事项
//! 目录、标准，经同级党委同意后向社会公布，并根据实际情况调整).
//!
//! Pure, like the decision engine: a catalog is the fold of its events; a command is judged
//! against the catalog, its organ's pack and the day (all passed in) and yields the events to
//! append, or every rule it would break with its basis. The store keeps the events in the same
//! hash-chained record as decisions'.

mod rules;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::pack::Pack;
use super::state::{stage, Attributes, OrganKind, StageId};

pub use rules::{judge, standing, Standing};

/// The procedures a catalog item may name (浙江 五、（十五）: 公众参与、专家论证、风险评估等决策程序):
/// the stages before the decision that a matter may or may not need.
pub const PROCEDURES: [&str; 8] = [
    stage::PUBLIC_PARTICIPATION,
    stage::GROUP_CONSULTATION,
    stage::HEARING,
    stage::EXPERT_REVIEW,
    stage::RISK_ASSESSMENT,
    stage::FAIR_COMPETITION_REVIEW,
    stage::LEGALITY_REVIEW,
    stage::NPC_REPORT,
];

/// A catalog item as the organ's staff write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemSpec {
    /// The matter (决策事项名称).
    pub title: String,
    /// The undertaking unit (承办单位), as the catalog names it.
    pub undertaking_unit: String,
    /// The matter's category (第三条第一款) and attributes, as the pack declares them: they decide
    /// which procedures the item requires.
    pub attributes: Attributes,
    /// Procedures the organ commits to beyond those the attributes require (only upward: the
    /// required ones are always listed).
    #[serde(default)]
    pub procedures: Vec<StageId>,
    /// Planned completion (计划完成时间).
    #[serde(default)]
    pub planned_by: Option<NaiveDate>,
    /// A remark.
    #[serde(default)]
    pub note: Option<String>,
}

/// A command on a catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum CatalogCommand {
    /// Add an item. After publication, an adjustment: `reason` required.
    AddItem {
        /// The item.
        item: ItemSpec,
        /// Why (required once the catalog is published: 根据实际情况调整).
        #[serde(default)]
        reason: Option<String>,
    },
    /// Change an item. After publication, an adjustment: `reason` required.
    ChangeItem {
        /// The item's id.
        item_id: String,
        /// Its new content.
        item: ItemSpec,
        /// Why (required once the item is published).
        #[serde(default)]
        reason: Option<String>,
    },
    /// Withdraw an item (a draft item is simply removed). After publication: `reason` required.
    WithdrawItem {
        /// The item's id.
        item_id: String,
        /// Why (required once the item is published).
        #[serde(default)]
        reason: Option<String>,
    },
    /// Record the consent of the party committee at the same level (经同级党委同意).
    RecordConsent {
        /// The committee (e.g. 中共某市委员会).
        body: String,
        /// The date of its consent.
        consented_on: NaiveDate,
        /// The document that records it (文号).
        document_number: String,
    },
    /// Publish the catalog (向社会公布): the first revision, or the next one with the adjustments.
    Publish {},
}

impl CatalogCommand {
    /// The command's name, as recorded.
    pub fn name(&self) -> &'static str {
        match self {
            CatalogCommand::AddItem { .. } => "add_item",
            CatalogCommand::ChangeItem { .. } => "change_item",
            CatalogCommand::WithdrawItem { .. } => "withdraw_item",
            CatalogCommand::RecordConsent { .. } => "record_consent",
            CatalogCommand::Publish {} => "publish",
        }
    }
}

/// The party committee's consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Consent {
    /// The committee.
    pub body: String,
    /// When it consented.
    pub consented_on: NaiveDate,
    /// Its document number.
    pub document_number: String,
}

/// What happened to a catalog: the payload of each event in its chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum CatalogEvent {
    /// The catalog was opened for an organ and year.
    Opened {
        /// The organ.
        organ_id: String,
        /// The year.
        year: i32,
    },
    /// An item was added.
    ItemAdded {
        /// Its id (the server's).
        item_id: String,
        /// Its content.
        item: ItemSpec,
        /// The procedures it requires: those the pack requires for its attributes and those
        /// the organ added, in the pack's order.
        procedures: Vec<StageId>,
        /// The reason, for an adjustment.
        reason: Option<String>,
    },
    /// An item was changed.
    ItemChanged {
        /// Its id.
        item_id: String,
        /// Its new content.
        item: ItemSpec,
        /// The procedures it now requires.
        procedures: Vec<StageId>,
        /// The reason, for an adjustment.
        reason: Option<String>,
    },
    /// An item was withdrawn (or, never published, removed).
    ItemWithdrawn {
        /// Its id.
        item_id: String,
        /// The reason, for an adjustment.
        reason: Option<String>,
    },
    /// The party committee consented.
    ConsentRecorded(Consent),
    /// The catalog was published as a revision.
    Published {
        /// 1 for the first publication, then one more for each adjustment published.
        revision: u32,
        /// The day (the server's clock, China time).
        published_on: NaiveDate,
    },
}

impl CatalogEvent {
    /// The event's kind, as stored in the record.
    pub fn kind(&self) -> &'static str {
        match self {
            CatalogEvent::Opened { .. } => "catalog_opened",
            CatalogEvent::ItemAdded { .. } => "item_added",
            CatalogEvent::ItemChanged { .. } => "item_changed",
            CatalogEvent::ItemWithdrawn { .. } => "item_withdrawn",
            CatalogEvent::ConsentRecorded(_) => "consent_recorded",
            CatalogEvent::Published { .. } => "published",
        }
    }
}

/// Where a catalog stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum CatalogStatus {
    /// Being drafted; not yet consented, or changed since.
    #[default]
    Draft,
    /// The party committee consented to the content as it stands; not yet published.
    Consented,
    /// Published (revision 1), no adjustment since.
    Published,
    /// Published, with adjustments not yet published.
    Adjusting,
    /// Published again after adjustments (revision 2 or later).
    Adjusted,
}

/// Where an item stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ItemStatus {
    /// Not in any published revision yet.
    Draft,
    /// In the latest published revision.
    Published,
    /// Withdrawn in a published revision.
    Withdrawn,
}

/// An adjustment or addition since the last publication.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ChangeKind {
    /// Added.
    Added,
    /// Changed.
    Changed,
    /// Withdrawn.
    Withdrawn,
}

/// One change, as a revision lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Change {
    /// The item.
    pub item_id: String,
    /// Its number in the catalog.
    pub number: u32,
    /// Its title (after the change).
    pub title: String,
    /// What changed.
    pub kind: ChangeKind,
    /// The reason given.
    pub reason: Option<String>,
}

/// A published revision: when, under which consent, with which changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Revision {
    /// Its number.
    pub revision: u32,
    /// The day of publication.
    pub published_on: NaiveDate,
    /// The consent it was published under (the latest one recorded before it).
    pub consent: Option<Consent>,
    /// The changes it published (every item, for the first revision).
    pub changes: Vec<Change>,
}

/// An item's content and the procedures it requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ItemContent {
    /// As written.
    pub spec: ItemSpec,
    /// The procedures it requires, in the pack's order.
    pub procedures: Vec<StageId>,
}

/// An item of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Item {
    /// Its id.
    pub id: String,
    /// Its number (序号), in the order items were added.
    pub number: u32,
    /// Where it stands.
    pub status: ItemStatus,
    /// Its working content (what the next publication shows).
    pub current: ItemContent,
    /// Its content as last published (what the public sees now).
    pub published: Option<ItemContent>,
    /// A change not yet published.
    pub pending: Option<ChangeKind>,
}

/// A catalog: the fold of its events.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Catalog {
    /// The organ.
    pub organ_id: String,
    /// The year.
    pub year: i32,
    /// Where it stands.
    pub status: CatalogStatus,
    /// The latest published revision (0: never published).
    pub revision: u32,
    /// The first publication's day.
    pub first_published_on: Option<NaiveDate>,
    /// Items by id.
    pub items: BTreeMap<String, Item>,
    /// The latest consent.
    pub consent: Option<Consent>,
    /// Whether the latest consent covers the content as it stands.
    pub consent_current: bool,
    /// Changes since the last publication.
    pub pending: Vec<Change>,
    /// Published revisions, oldest first.
    pub revisions: Vec<Revision>,
}

impl Catalog {
    /// The catalog its events build.
    pub fn fold<'a>(events: impl IntoIterator<Item = &'a CatalogEvent>) -> Catalog {
        let mut c = Catalog::default();
        for e in events {
            c.apply(e);
        }
        c
    }

    /// Apply one event.
    pub fn apply(&mut self, event: &CatalogEvent) {
        match event {
            CatalogEvent::Opened { organ_id, year } => {
                self.organ_id = organ_id.clone();
                self.year = *year;
            }
            CatalogEvent::ItemAdded {
                item_id,
                item,
                procedures,
                reason,
            } => {
                let number = self.items.values().map(|i| i.number).max().unwrap_or(0) + 1;
                self.items.insert(
                    item_id.clone(),
                    Item {
                        id: item_id.clone(),
                        number,
                        status: ItemStatus::Draft,
                        current: ItemContent {
                            spec: item.clone(),
                            procedures: procedures.clone(),
                        },
                        published: None,
                        pending: Some(ChangeKind::Added),
                    },
                );
                self.note(item_id, ChangeKind::Added, reason);
            }
            CatalogEvent::ItemChanged {
                item_id,
                item,
                procedures,
                reason,
            } => {
                if let Some(i) = self.items.get_mut(item_id) {
                    i.current = ItemContent {
                        spec: item.clone(),
                        procedures: procedures.clone(),
                    };
                    if i.pending.is_none() {
                        i.pending = Some(ChangeKind::Changed);
                    }
                }
                self.note(item_id, ChangeKind::Changed, reason);
            }
            CatalogEvent::ItemWithdrawn { item_id, reason } => {
                let never_published = self
                    .items
                    .get(item_id)
                    .is_some_and(|i| i.published.is_none());
                if never_published {
                    self.items.remove(item_id);
                    self.pending.retain(|c| &c.item_id != item_id);
                    self.consent_current = false;
                    self.settle_status();
                } else {
                    if let Some(i) = self.items.get_mut(item_id) {
                        i.pending = Some(ChangeKind::Withdrawn);
                    }
                    self.note(item_id, ChangeKind::Withdrawn, reason);
                }
            }
            CatalogEvent::ConsentRecorded(consent) => {
                self.consent = Some(consent.clone());
                self.consent_current = true;
                self.settle_status();
            }
            CatalogEvent::Published {
                revision,
                published_on,
            } => {
                for i in self.items.values_mut() {
                    match i.pending.take() {
                        Some(ChangeKind::Withdrawn) => i.status = ItemStatus::Withdrawn,
                        Some(_) => {
                            i.status = ItemStatus::Published;
                            i.published = Some(i.current.clone());
                        }
                        None => {}
                    }
                }
                self.revisions.push(Revision {
                    revision: *revision,
                    published_on: *published_on,
                    consent: self.consent.clone(),
                    changes: std::mem::take(&mut self.pending),
                });
                self.revision = *revision;
                self.first_published_on.get_or_insert(*published_on);
                self.consent_current = false;
                self.settle_status();
            }
        }
    }

    /// Record a change among the pending ones: one entry per item, the latest kind and reason (an
    /// item added since the last publication stays "added", whatever changes follow).
    fn note(&mut self, item_id: &str, kind: ChangeKind, reason: &Option<String>) {
        let Some(item) = self.items.get(item_id) else {
            return;
        };
        let (number, title) = (item.number, item.current.spec.title.clone());
        match self.pending.iter().position(|c| c.item_id == item_id) {
            Some(at) if self.pending[at].kind == ChangeKind::Added => {
                self.pending[at].title = title
            }
            at => {
                if let Some(at) = at {
                    self.pending.remove(at);
                }
                self.pending.push(Change {
                    item_id: item_id.to_string(),
                    number,
                    title,
                    kind,
                    reason: reason.clone(),
                });
            }
        }
        self.consent_current = false;
        self.settle_status();
    }

    fn settle_status(&mut self) {
        self.status = match (self.revision, self.pending.is_empty()) {
            (0, _) if self.consent_current => CatalogStatus::Consented,
            (0, _) => CatalogStatus::Draft,
            (_, false) => CatalogStatus::Adjusting,
            (1, true) => CatalogStatus::Published,
            (_, true) => CatalogStatus::Adjusted,
        };
    }

    /// The items of the latest published revision, by number (withdrawn ones included, marked).
    pub fn published_items(&self) -> Vec<&Item> {
        let mut v: Vec<&Item> = self
            .items
            .values()
            .filter(|i| i.published.is_some())
            .collect();
        v.sort_by_key(|i| i.number);
        v
    }

    /// Every item, by number.
    pub fn items_in_order(&self) -> Vec<&Item> {
        let mut v: Vec<&Item> = self.items.values().collect();
        v.sort_by_key(|i| i.number);
        v
    }
}

/// The catalog events a stored event's payload holds (`{"command": …, "events": [...]}`).
pub fn events_in_payload(payload: &str) -> Result<Vec<CatalogEvent>, String> {
    #[derive(Deserialize)]
    struct Payload {
        events: Vec<CatalogEvent>,
    }
    serde_json::from_str::<Payload>(payload)
        .map(|p| p.events)
        .map_err(|e| format!("the payload holds no catalog events: {e}"))
}

/// The procedures an item requires, in the pack's order: those the pack requires for its
/// attributes, and those the organ adds.
pub fn item_procedures(pack: &Pack, spec: &ItemSpec) -> Vec<StageId> {
    pack.stages
        .iter()
        .filter(|s| PROCEDURES.contains(&s.id.as_str()))
        .filter(|s| s.required.eval(&spec.attributes) || spec.procedures.contains(&s.id))
        .map(|s| s.id.clone())
        .collect()
}

/// Whether the organ kind must keep a catalog under this pack.
pub fn obliged(pack: &Pack, kind: OrganKind) -> bool {
    pack.parameters.catalog_organ_kinds.value.contains(&kind)
}
