//! Checking a dossier offline, with no database: every file against the manifest, each event's
//! hash and the chain, the volumes and the archive's seal, the drafts against the hashes the
//! record names, the daily digests. Each finding names its place (a file, an event's sequence
//! number, a draft's number). The printable page is rendered again from the events and drafts
//! and compared, when the verifier has the template that made it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{
    events_in, head_in, sha256, EventLine, Manifest, SealedBy, EVENTS, FORMAT, HTML, MANIFEST,
};
use crate::chain::{digest_of, event_hash, GENESIS};
use crate::db::rows::EventRow;
use crate::procedure::state::DraftHash;
use crate::procedure::Decision;

/// One thing wrong with a dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Where: `manifest.json`, `events.jsonl event 12`, `drafts/2.txt (draft 2)`, `volume 2`…
    pub place: String,
    /// What (zh-CN / English).
    pub detail: String,
}

/// The result of checking a dossier.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// The decision, as the manifest names it.
    pub decision_id: String,
    /// Files checked against the manifest.
    pub files: usize,
    /// Events checked.
    pub events: usize,
    /// Drafts checked.
    pub drafts: usize,
    /// Volumes checked.
    pub volumes: usize,
    /// Daily digests recomputed.
    pub digests: usize,
    /// Whether the printable page was rendered again from the events and found the same.
    pub page_checked: bool,
    /// What was not checked, and why.
    pub notes: Vec<String>,
    /// Everything wrong (empty: sound).
    pub findings: Vec<Finding>,
}

impl Report {
    fn find(&mut self, place: impl Into<String>, detail: impl Into<String>) {
        self.findings.push(Finding {
            place: place.into(),
            detail: detail.into(),
        });
    }
}

/// Check a dossier (the zip archive's bytes). `Err` only when it is not a zip archive.
pub fn verify(bytes: &[u8]) -> Result<Report, String> {
    let files = super::unzip(bytes)?;
    let mut r = Report::default();
    let Some(manifest) = files.get(MANIFEST) else {
        r.find(MANIFEST, "清单缺失 / the manifest is missing");
        return Ok(r);
    };
    let m: Manifest = match serde_json::from_slice(manifest) {
        Ok(m) => m,
        Err(e) => {
            r.find(
                MANIFEST,
                format!("清单无法读取 / the manifest is unreadable: {e}"),
            );
            return Ok(r);
        }
    };
    r.decision_id = m.decision.id.clone();
    if m.format != FORMAT {
        r.find(
            MANIFEST,
            format!("格式为 {}，应为 {FORMAT} / unknown format", m.format),
        );
    }
    check_files(&files, &m, &mut r);
    let events = read_events(files.get(EVENTS).map(Vec::as_slice), &m, &mut r);
    check_chain(&events, &m, &mut r);
    check_volumes(&events, &m, &mut r);
    check_drafts(&files, &events, &m, &mut r);
    check_digests(&events, &m, &mut r);
    check_page(&files, &events, &m, &mut r);
    Ok(r)
}

/// The printable page against a rendering of the events and drafts, by the same template.
fn check_page(
    files: &BTreeMap<String, Vec<u8>>,
    events: &[EventRow],
    m: &Manifest,
    r: &mut Report,
) {
    if m.renderer != super::html::renderer() {
        r.notes.push(format!(
            "{HTML}: 由另一版本的模板生成，未与事件重新比对 / made by another template ({}), not rendered again",
            m.renderer
        ));
        return;
    }
    let texts: Option<Vec<String>> = m
        .drafts
        .iter()
        .map(|d| {
            files
                .get(&d.file)
                .map(|b| String::from_utf8_lossy(b).into_owned())
        })
        .collect();
    let (Some(texts), Some(page)) = (texts, files.get(HTML)) else {
        return;
    };
    match super::html::render(m, events, &texts) {
        Ok(again) if again.as_bytes() == page.as_slice() => r.page_checked = true,
        _ => r.find(
            HTML,
            "打印件与事件记录不一致 / the printable page is not the rendering of the record's events",
        ),
    }
}

/// Every file listed, present and as hashed; nothing unlisted.
fn check_files(files: &BTreeMap<String, Vec<u8>>, m: &Manifest, r: &mut Report) {
    r.files = m.files.len();
    for f in &m.files {
        match files.get(&f.path) {
            None => r.find(&f.path, "清单所列文件缺失 / listed in the manifest, missing"),
            Some(bytes) if sha256(bytes) != f.sha256 => r.find(
                &f.path,
                "文件内容与清单中的 SHA-256 不符 / the file does not match its SHA-256 in the manifest",
            ),
            Some(_) => {}
        }
    }
    for path in files.keys() {
        if path != MANIFEST && !m.files.iter().any(|f| &f.path == path) {
            r.find(
                path,
                "文件不在清单中 / the file is not listed in the manifest",
            );
        }
    }
}

/// The events' lines as rows; a line that cannot be read is a finding.
fn read_events(bytes: Option<&[u8]>, m: &Manifest, r: &mut Report) -> Vec<EventRow> {
    let Some(bytes) = bytes else {
        r.find(EVENTS, "事件文件缺失 / the events' file is missing");
        return Vec::new();
    };
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let place = format!("{EVENTS} line {}", i + 1);
        match serde_json::from_str::<EventLine>(line) {
            Err(e) => r.find(place, format!("无法读取的事件 / unreadable event: {e}")),
            Ok(l) => match l.row() {
                None => r.find(
                    format!("{EVENTS} event {}", l.seq),
                    "事件时间格式不符 / the event's time is not as hashed",
                ),
                Some(row) if row.decision_id != m.decision.id => r.find(
                    format!("{EVENTS} event {}", row.seq),
                    "事件属于另一项决策 / the event belongs to another decision",
                ),
                Some(row) => out.push(row),
            },
        }
    }
    r.events = out.len();
    out
}

/// Each event's hash over its content, each link to the one before, the head.
fn check_chain(events: &[EventRow], m: &Manifest, r: &mut Report) {
    let mut prev = GENESIS.to_string();
    let mut expected = 1i64;
    for e in events {
        let place = format!("{EVENTS} event {}", e.seq);
        if e.seq != expected {
            r.find(
                &place,
                format!("事件序号应为 {expected} / the chain expects event {expected} here"),
            );
        }
        if event_hash(e) != e.hash {
            r.find(
                &place,
                "事件内容与其摘要不符（被改动）/ the event's content does not match its hash (edited)",
            );
        } else if e.prev_hash != prev {
            r.find(
                &place,
                "事件未接续前一事件 / the event does not follow the one before it in the chain",
            );
        }
        prev = e.hash.clone();
        expected = e.seq + 1;
    }
    let head = events
        .last()
        .map_or((0, GENESIS), |e| (e.seq, e.hash.as_str()));
    if (m.chain_head.seq, m.chain_head.hash.as_str()) != head {
        r.find(
            format!("{MANIFEST} chain_head"),
            format!(
                "清单所载链头（事件 {}）与事件链（止于事件 {}）不符 / the manifest's chain head differs from the chain's",
                m.chain_head.seq, head.0
            ),
        );
    }
}

/// The volumes cover the chain once, in order, each following the one before; volume 1 ends at
/// the archive's seal; a digest that seals a volume holds its head.
fn check_volumes(events: &[EventRow], m: &Manifest, r: &mut Report) {
    r.volumes = m.volumes.len();
    let by_seq: BTreeMap<i64, &EventRow> = events.iter().map(|e| (e.seq, e)).collect();
    let mut next = 1i64;
    let mut prev = GENESIS.to_string();
    for v in &m.volumes {
        let place = format!("{MANIFEST} volume {}", v.number);
        if v.first_seq != next || v.last_seq < v.first_seq {
            r.find(
                &place,
                format!(
                    "分卷应自事件 {next} 起 / the volume should start at event {next}, it covers {}..{}",
                    v.first_seq, v.last_seq
                ),
            );
        }
        if v.prev_head != prev {
            r.find(
                &place,
                "分卷未接续前一卷的链头 / the volume does not follow the previous volume's head",
            );
        }
        match by_seq.get(&v.last_seq) {
            Some(e) if e.hash == v.head => {}
            _ => r.find(
                &place,
                format!(
                    "分卷链头不是事件 {} 的摘要 / the volume's head is not the hash of event {}",
                    v.last_seq, v.last_seq
                ),
            ),
        }
        if let Some(first) = by_seq.get(&v.first_seq) {
            if first.prev_hash != v.prev_head {
                r.find(
                    &place,
                    format!(
                        "事件 {} 未接续前一卷 / event {} does not follow the previous volume",
                        v.first_seq, v.first_seq
                    ),
                );
            }
        }
        match &v.sealed_by {
            Some(SealedBy::ArchiveSealed { event_seq }) => {
                let ok = v.number == 1
                    && m.archive_seal.as_ref().is_some_and(|s| {
                        s.event_seq == *event_seq
                            && s.seal == v.head
                            && *event_seq == v.last_seq + 1
                    });
                if !ok {
                    r.find(
                        &place,
                        "第一卷的链头与归档封存值不符 / volume 1's head is not the archive's seal",
                    );
                }
            }
            Some(SealedBy::DailyDigest { day }) => {
                let held = m
                    .daily_digests
                    .iter()
                    .find(|d| &d.day == day)
                    .and_then(|d| head_in(&d.heads, &m.decision.id));
                if held.is_none_or(|h| h.seq != v.last_seq || h.hash != v.head) {
                    r.find(&place, format!("{day} 的日摘要未载明此卷链头 / the digest of {day} does not hold the volume's head"));
                }
            }
            None => {}
        }
        prev = v.head.clone();
        next = v.last_seq + 1;
    }
    if next != m.chain_head.seq + 1 {
        r.find(
            format!("{MANIFEST} volumes"),
            format!(
                "分卷止于事件 {}，事件链止于事件 {} / the volumes do not cover the chain",
                next - 1,
                m.chain_head.seq
            ),
        );
    }
    // The link to the new decision of a major adjustment, as the chain records it.
    if super::adjusted_by(events) != m.decision.adjusted_by {
        r.find(
            format!("{MANIFEST} decision.adjusted_by"),
            "清单所载调整后的新决策与事件链不符 / the manifest's new decision differs from the chain's changed fact",
        );
    }
    // The archive's seal as the chain records it.
    let recorded = super::archive_seal(events);
    if recorded != m.archive_seal {
        r.find(
            format!("{MANIFEST} archive_seal"),
            "清单所载归档封存与事件链中的归档事实不符 / the manifest's archive seal differs from the archive_sealed fact in the chain",
        );
    }
    if let Some(s) = &recorded {
        let sealed = by_seq.get(&(s.event_seq - 1)).map(|e| e.hash.as_str());
        if sealed != Some(s.seal.as_str()) {
            r.find(
                format!("{EVENTS} event {}", s.event_seq),
                "归档封存值不是封存时的链头 / the archive's seal is not the chain's head at sealing",
            );
        }
        if m.volumes.first().map(|v| &v.head) != Some(&s.seal) {
            r.find(
                format!("{MANIFEST} volume 1"),
                "第一卷的链头与归档封存值不符 / volume 1's head is not the archive's seal",
            );
        }
    }
}

/// Each draft's text against its hash and against the draft the record names.
fn check_drafts(
    files: &BTreeMap<String, Vec<u8>>,
    events: &[EventRow],
    m: &Manifest,
    r: &mut Report,
) {
    let mut state = Decision::default();
    for e in events {
        for ev in events_in(&e.payload).unwrap_or_default() {
            state.apply(&ev);
        }
    }
    r.drafts = m.drafts.len();
    for d in &m.drafts {
        let place = format!("{} (draft {})", d.file, d.number);
        match files.get(&d.file) {
            None => r.find(&place, "草案文本缺失 / the draft's text is missing"),
            Some(bytes) => {
                let text = String::from_utf8_lossy(bytes);
                if DraftHash::of(&text).0 != d.hash {
                    r.find(
                        &place,
                        "草案文本与其摘要不符 / the draft's text does not match its hash",
                    );
                }
            }
        }
        let named = usize::try_from(d.number - 1)
            .ok()
            .and_then(|i| state.drafts.get(i));
        if named.map(|h| h.0.as_str()) != Some(d.hash.as_str()) {
            r.find(
                &place,
                "不是事件链所记载的该版草案 / not the draft the record names",
            );
        }
    }
    for n in m.drafts.len()..state.drafts.len() {
        r.find(
            format!("{MANIFEST} drafts"),
            format!(
                "记录中的第 {} 稿不在卷宗中 / draft {} of the record is missing",
                n + 1,
                n + 1
            ),
        );
    }
}

/// Each digest recomputed; the decision's head in it is an event of the chain.
fn check_digests(events: &[EventRow], m: &Manifest, r: &mut Report) {
    r.digests = m.daily_digests.len();
    for d in &m.daily_digests {
        let place = format!("{MANIFEST} daily digest {}", d.day);
        if digest_of(&d.prev_digest, &d.heads) != d.digest {
            r.find(&place, "日摘要无法复算 / the digest does not recompute");
        }
        match head_in(&d.heads, &m.decision.id) {
            None => r.find(
                &place,
                "日摘要未载明本决策 / the digest does not name the decision",
            ),
            Some(h) => {
                if !events.iter().any(|e| e.seq == h.seq && e.hash == h.hash) {
                    r.find(
                        &place,
                        format!("日摘要所载链头（事件 {}）与事件链不符 / the digest's head (event {}) is not in the chain", h.seq, h.seq),
                    );
                }
            }
        }
    }
}
