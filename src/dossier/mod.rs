//! The dossier of a decision (决策档案, 第三十三条): one zip archive that leaves the system intact
//! and can be checked offline. It holds a printable HTML rendering of the record
//! (`dossier.html`), the raw events as JSON Lines (`events.jsonl`, each line the stored row with
//! its payload text as hashed), each draft's text (`drafts/N.txt`) and `manifest.json`: every
//! file with its SHA-256, the chain head, the volumes and the daily digests that cover the
//! decision.
//!
//! Volumes: volume 1 (the archive) holds the events up to the archive's seal — its head is the
//! seal the `archive_sealed` fact recorded (the chain head at sealing, 第三十三条); what happens
//! after (the sealing itself, execution, evaluation, adjustment) goes into supplementary
//! volumes, each ending at the decision's head in a daily digest (sealed by that digest), the
//! last one open while no digest covers it yet. Each volume's first event follows the previous
//! volume's head in the chain.
//!
//! Pure: no database, no clock. [`build`] writes an archive from a [`Record`]; [`verify`] checks
//! one with the same hashing the store uses (`crate::chain`).

mod html;
mod verify;

use std::collections::BTreeMap;
use std::io::Write;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::chain::{self, GENESIS};
use crate::db::rows::{DailyDigest, DecisionRow, DraftVersion, EventRow};
use crate::procedure::state::{EventKind, Fact};
use crate::procedure::Event;

pub use verify::{verify, Finding, Report};

/// The format this module writes and reads.
pub const FORMAT: &str = "juece-dossier/1";
/// The manifest's name in the archive.
pub const MANIFEST: &str = "manifest.json";
/// The events' file.
pub const EVENTS: &str = "events.jsonl";
/// The printable rendering.
pub const HTML: &str = "dossier.html";

/// What a dossier is made of, as the store holds it.
#[derive(Debug, Clone)]
pub struct Record {
    /// The decision's row.
    pub decision: DecisionRow,
    /// The decision organ's name.
    pub organ_name: String,
    /// The lead undertaking unit's name.
    pub lead_unit_name: String,
    /// The chain, in order.
    pub events: Vec<EventRow>,
    /// Every draft version with its text, in order.
    pub drafts: Vec<DraftVersion>,
    /// The daily digests whose heads name the decision, by day.
    pub digests: Vec<DailyDigest>,
    /// The decisions whose major adjustment this decision is (第三十七条).
    pub adjusts: Vec<String>,
    /// The Chinese names of the pack's stages, by id.
    pub stage_names: BTreeMap<String, String>,
    /// When the dossier was made (server time).
    pub exported_at: NaiveDateTime,
}

/// The manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// The decision.
    pub decision: DecisionInfo,
    /// When it was exported (RFC 3339, UTC).
    pub exported_at: String,
    /// The chain's last event.
    pub chain_head: Head,
    /// The archive's seal (第三十三条), once sealed.
    pub archive_seal: Option<Seal>,
    /// The volumes, in order; together they hold every event once.
    pub volumes: Vec<Volume>,
    /// Each draft version: its file and hash.
    pub drafts: Vec<DraftEntry>,
    /// The daily digests in which the decision's head first appears, by day.
    pub daily_digests: Vec<DigestEntry>,
    /// Every file of the archive but this manifest, with its SHA-256.
    pub files: Vec<FileEntry>,
    /// What the dossier leaves out, and why (zh-CN, then English).
    pub left_out: Vec<String>,
    /// The Chinese names of the pack's stages, by id (for the page).
    pub stage_names: BTreeMap<String, String>,
    /// What rendered `dossier.html` (the template's hash): `verify` renders the page again from
    /// the events and compares it when it has the same template.
    pub renderer: String,
}

/// The decision, as the dossier names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionInfo {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The decision organ.
    pub organ_id: String,
    /// Its name.
    pub organ_name: String,
    /// The lead undertaking unit.
    pub lead_unit_id: String,
    /// Its name.
    pub lead_unit_name: String,
    /// The pack it is pinned to (`id@version`).
    pub pack: String,
    /// Its status at export.
    pub status: String,
    /// The new decision of its major adjustment, if any (第三十七条).
    pub adjusted_by: Vec<String>,
    /// The original decisions this one adjusts, if any.
    pub adjusts: Vec<String>,
}

/// An event of the chain: sequence number and hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Head {
    /// Sequence number (0: none).
    pub seq: i64,
    /// Its hash.
    pub hash: String,
}

/// The archive's seal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seal {
    /// The event that recorded it.
    pub event_seq: i64,
    /// The seal: the chain's head at sealing.
    pub seal: String,
}

/// What closed a volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case", deny_unknown_fields)]
pub enum SealedBy {
    /// The `archive_sealed` fact of this event (volume 1).
    ArchiveSealed {
        /// Its sequence number.
        event_seq: i64,
    },
    /// The daily digest of this day, whose heads hold the volume's head.
    DailyDigest {
        /// `YYYY-MM-DD`.
        day: String,
    },
}

/// A volume: a run of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Volume {
    /// 1 for the archive, then the supplementary volumes.
    pub number: u32,
    /// Its first event.
    pub first_seq: i64,
    /// Its last event.
    pub last_seq: i64,
    /// The head of the volume before it (the chain's genesis for volume 1).
    pub prev_head: String,
    /// Its last event's hash.
    pub head: String,
    /// What sealed it; none while it is open.
    pub sealed_by: Option<SealedBy>,
}

/// A draft version in the dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftEntry {
    /// Its number.
    pub number: i32,
    /// The file that holds its text.
    pub file: String,
    /// SHA-256 of its text, as the record names it.
    pub hash: String,
    /// When it was recorded (RFC 3339, UTC).
    pub created_at: String,
    /// Who recorded it (user id).
    pub created_by: String,
}

/// A daily digest, whole, so that it can be recomputed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigestEntry {
    /// `YYYY-MM-DD` (China time).
    pub day: String,
    /// The previous day's digest.
    pub prev_digest: String,
    /// Every chain's head at the end of the day, as the digest hashed it (JSON text).
    pub heads: String,
    /// The digest.
    pub digest: String,
}

/// A file of the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Its path in the archive.
    pub path: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// An event as one line of `events.jsonl`: the stored row, its time as hashed, its payload the
/// stored JSON text (so that the hash can be recomputed byte for byte).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventLine {
    /// The decision.
    pub decision_id: String,
    /// Sequence number.
    pub seq: i64,
    /// Server time, RFC 3339 UTC to the microsecond.
    pub at: String,
    /// Who acted.
    pub actor_user_id: String,
    /// In which role.
    pub actor_role: String,
    /// For which organ.
    pub actor_organ_id: String,
    /// The command's name.
    pub command: String,
    /// The payload, as stored and hashed.
    pub payload: String,
    /// The draft the event names, if any.
    pub draft_hash: Option<String>,
    /// The previous event's hash.
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}

impl EventLine {
    fn of(e: &EventRow) -> EventLine {
        EventLine {
            decision_id: e.decision_id.clone(),
            seq: e.seq,
            at: chain::timestamp(e.at),
            actor_user_id: e.actor_user_id.clone(),
            actor_role: e.actor_role.clone(),
            actor_organ_id: e.actor_organ_id.clone(),
            command: e.command.clone(),
            payload: e.payload.clone(),
            draft_hash: e.draft_hash.clone(),
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        }
    }

    /// The row again; `None` when the time is not as hashed.
    pub fn row(&self) -> Option<EventRow> {
        let at = chrono::DateTime::parse_from_rfc3339(&self.at)
            .ok()?
            .naive_utc();
        (chain::timestamp(at) == self.at).then(|| EventRow {
            decision_id: self.decision_id.clone(),
            seq: self.seq,
            actor_user_id: self.actor_user_id.clone(),
            actor_role: self.actor_role.clone(),
            actor_organ_id: self.actor_organ_id.clone(),
            command: self.command.clone(),
            payload: self.payload.clone(),
            draft_hash: self.draft_hash.clone(),
            at,
            prev_hash: self.prev_hash.clone(),
            hash: self.hash.clone(),
        })
    }
}

/// The decision events an event row's payload holds (none when unreadable).
pub fn events_in(payload: &str) -> Option<Vec<Event>> {
    #[derive(Deserialize)]
    struct Payload {
        events: Vec<Event>,
    }
    serde_json::from_str::<Payload>(payload)
        .ok()
        .map(|p| p.events)
}

/// The first `archive_sealed` fact of the chain: (its event's seq, the seal).
fn archive_seal(events: &[EventRow]) -> Option<Seal> {
    events.iter().find_map(|e| {
        events_in(&e.payload)?.iter().find_map(|ev| match &ev.kind {
            EventKind::Recorded {
                fact: Fact::ArchiveSealed { seal },
            } => Some(Seal {
                event_seq: e.seq,
                seal: seal.clone(),
            }),
            _ => None,
        })
    })
}

/// The new decisions a chain's major adjustments name (第三十七条).
fn adjusted_by(events: &[EventRow]) -> Vec<String> {
    let mut out: Vec<String> = events
        .iter()
        .filter_map(|e| events_in(&e.payload))
        .flatten()
        .filter_map(|ev| match ev.kind {
            EventKind::Recorded {
                fact: Fact::Changed { new_decision, .. },
            } => Some(new_decision),
            _ => None,
        })
        .collect();
    out.dedup();
    out
}

/// The decision's head (seq, hash) in a digest's heads, if named.
fn head_in(heads: &str, decision: &str) -> Option<Head> {
    let map: BTreeMap<String, (i64, String)> = serde_json::from_str(heads).ok()?;
    map.get(decision).map(|(seq, hash)| Head {
        seq: *seq,
        hash: hash.clone(),
    })
}

/// The volumes of a chain, given its archive seal and the digests (in day order) that name it.
fn volumes(events: &[EventRow], seal: Option<&Seal>, digests: &[DigestEntry]) -> Vec<Volume> {
    let Some(last) = events.last() else {
        return Vec::new();
    };
    let hash_at = |seq: i64| {
        events
            .iter()
            .find(|e| e.seq == seq)
            .map(|e| e.hash.clone())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    let Some(seal) = seal.filter(|s| s.event_seq > 1) else {
        out.push(Volume {
            number: 1,
            first_seq: 1,
            last_seq: last.seq,
            prev_head: GENESIS.into(),
            head: last.hash.clone(),
            sealed_by: None,
        });
        return out;
    };
    out.push(Volume {
        number: 1,
        first_seq: 1,
        last_seq: seal.event_seq - 1,
        prev_head: GENESIS.into(),
        head: hash_at(seal.event_seq - 1),
        sealed_by: Some(SealedBy::ArchiveSealed {
            event_seq: seal.event_seq,
        }),
    });
    let mut done = seal.event_seq - 1;
    let cuts = digests
        .iter()
        .filter_map(|d| head_in(&d.heads, &last.decision_id).map(|h| (d.day.clone(), h.seq)));
    for (day, seq) in cuts {
        if seq > done && seq <= last.seq {
            out.push(supplementary(&out, done + 1, seq, hash_at(seq), Some(day)));
            done = seq;
        }
    }
    if done < last.seq {
        out.push(supplementary(
            &out,
            done + 1,
            last.seq,
            last.hash.clone(),
            None,
        ));
    }
    out
}

fn supplementary(
    before: &[Volume],
    first_seq: i64,
    last_seq: i64,
    head: String,
    day: Option<String>,
) -> Volume {
    Volume {
        number: u32::try_from(before.len()).unwrap_or(u32::MAX) + 1,
        first_seq,
        last_seq,
        prev_head: before.last().map(|v| v.head.clone()).unwrap_or_default(),
        head,
        sealed_by: day.map(|day| SealedBy::DailyDigest { day }),
    }
}

/// The digests in which the decision's head first appears (a day without its events repeats
/// the head before: left out).
fn digests_of(decision: &str, digests: &[DailyDigest]) -> Vec<DigestEntry> {
    let mut seen: Option<Head> = None;
    let mut out = Vec::new();
    for d in digests {
        let head = head_in(&d.heads, decision);
        if head.is_some() && head != seen {
            out.push(DigestEntry {
                day: d.day.clone(),
                prev_digest: d.prev_digest.clone(),
                heads: d.heads.clone(),
                digest: d.digest.clone(),
            });
            seen = head;
        }
    }
    out
}

/// SHA-256, hex.
pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// What is not in a dossier, and why.
pub const LEFT_OUT: &[&str] = &[
    "公众的个人信息不收入本卷宗：提交意见者的姓名、联系方式和意见原文，听证报名人的联系方式和未被抽中者的报名，记录中只有意见批次的摘要；这些仍在系统内按个人信息规则查阅。被抽中的听证参加人姓名随记录收入，与听证公开页所公布的一致。 / The public's personal data is left out: commenters' names, contacts and comments, hearing applicants' contacts and the applications not drawn (the record holds only each comment batch's digest); they stay in the system under its personal-data rules. The names of the hearing participants drawn are in the record, as the hearing's public page shows them.",
    "他人决策的事件不收入：日摘要中的各链头（heads）仅供复算摘要。 / Other decisions' events are not included: the heads in the daily digests are there only to recompute each digest.",
];

/// Write the dossier of `r` as a zip archive.
pub fn build(r: &Record) -> Result<Vec<u8>, String> {
    let d = &r.decision;
    let seal = archive_seal(&r.events);
    let digests = digests_of(&d.id, &r.digests);
    let volumes = volumes(&r.events, seal.as_ref(), &digests);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut events = String::new();
    for e in &r.events {
        events.push_str(&serde_json::to_string(&EventLine::of(e)).map_err(|e| e.to_string())?);
        events.push('\n');
    }
    files.push((EVENTS.into(), events.into_bytes()));
    let drafts: Vec<DraftEntry> = r
        .drafts
        .iter()
        .map(|v| DraftEntry {
            number: v.number,
            file: format!("drafts/{}.txt", v.number),
            hash: v.hash.clone(),
            created_at: chain::timestamp(v.created_at),
            created_by: v.created_by.clone(),
        })
        .collect();
    for (entry, v) in drafts.iter().zip(&r.drafts) {
        files.push((entry.file.clone(), v.content.clone().into_bytes()));
    }
    let mut manifest = Manifest {
        format: FORMAT.into(),
        decision: DecisionInfo {
            id: d.id.clone(),
            title: d.title.clone(),
            organ_id: d.organ_id.clone(),
            organ_name: r.organ_name.clone(),
            lead_unit_id: d.lead_unit_id.clone(),
            lead_unit_name: r.lead_unit_name.clone(),
            pack: format!("{}@{}", d.pack_id, d.pack_version),
            status: d.status.clone(),
            adjusted_by: adjusted_by(&r.events),
            adjusts: r.adjusts.clone(),
        },
        exported_at: chain::timestamp(r.exported_at),
        chain_head: r
            .events
            .last()
            .map(|e| Head {
                seq: e.seq,
                hash: e.hash.clone(),
            })
            .unwrap_or(Head {
                seq: 0,
                hash: GENESIS.into(),
            }),
        archive_seal: seal,
        volumes,
        drafts,
        daily_digests: digests,
        files: Vec::new(),
        left_out: LEFT_OUT.iter().map(|s| (*s).to_string()).collect(),
        stage_names: r.stage_names.clone(),
        renderer: html::renderer(),
    };
    let texts: Vec<String> = r.drafts.iter().map(|v| v.content.clone()).collect();
    let page = html::render(&manifest, &r.events, &texts)?;
    files.insert(0, (HTML.into(), page.into_bytes()));
    manifest.files = files
        .iter()
        .map(|(path, bytes)| FileEntry {
            path: path.clone(),
            sha256: sha256(bytes),
            bytes: bytes.len() as u64,
        })
        .collect();
    let json = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    files.push((MANIFEST.into(), json.into_bytes()));
    zip_of(&files)
}

/// A zip archive of `files` (deflated; fixed times, so the same record gives the same bytes).
pub fn zip_of(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (path, bytes) in files {
        zip.start_file(path.as_str(), options)
            .map_err(|e| e.to_string())?;
        zip.write_all(bytes).map_err(|e| e.to_string())?;
    }
    let cursor = zip.finish().map_err(|e| e.to_string())?;
    Ok(cursor.into_inner())
}

/// The most an archive may unpack to (a dossier is text: far less; a zip bomb is refused).
pub const MAX_UNPACKED: u64 = 1 << 30;

/// The files of a zip archive, by path.
pub fn unzip(bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, String> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a zip archive: {e}"))?;
    let mut out = BTreeMap::new();
    let mut left = MAX_UNPACKED;
    for i in 0..archive.len() {
        let f = archive.by_index(i).map_err(|e| e.to_string())?;
        let name = f.name().to_string();
        let mut buf = Vec::new();
        f.take(left + 1)
            .read_to_end(&mut buf)
            .map_err(|e| format!("{name}: {e}"))?;
        left = left
            .checked_sub(buf.len() as u64)
            .ok_or_else(|| format!("the archive unpacks to more than {MAX_UNPACKED} bytes"))?;
        if out.insert(name.clone(), buf).is_some() {
            return Err(format!("{name}: twice in the archive"));
        }
    }
    Ok(out)
}
