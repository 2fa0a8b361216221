//! The figures of the annual law-based-government report (法治政府建设年度报告) on an organ's
//! major administrative decisions, computed from the record: each figure with its definition, the
//! records it counts and, where it is a share, the decisions behind it.

use std::sync::{mpsc, Arc};

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::Serialize;

use super::catalogs::{self as catalog_service, year_window, OrganRef};
use super::ServiceError;
use crate::access::{self, Principal};
use crate::cache::Bounded;
use crate::db::rows::Organ;
use crate::db::{accounts, catalogs, decisions, DbConn};
use crate::export::{self, Book, Filling};
use crate::procedure::state::{china_date, stage, OrganKind};

mod adopted;
mod sheets;
use adopted::{adopted_rows, Chunk, Chunks};
pub use sheets::sheets;
use sheets::{adopted_cells, adopted_columns, figures_sheet, ADOPTED_SHEET};

/// One figure.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Figure {
    /// Stable id, e.g. `risk_assessment_share`.
    pub id: &'static str,
    /// Its name in Chinese.
    pub label_zh: &'static str,
    /// Its name in English.
    pub label_en: &'static str,
    /// What it counts, in Chinese.
    pub definition_zh: &'static str,
    /// What it counts, in English.
    pub definition_en: &'static str,
    /// The records it counts.
    pub counts: &'static str,
    /// The count (for a share: the numerator).
    pub value: u64,
    /// For a share: the denominator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub of: Option<u64>,
    /// For a share: value / of, in percent to one decimal (none when `of` is 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    /// The decisions that fall short (for a share), or that it counts (otherwise), by id.
    pub decisions: Vec<String>,
}

/// One adopted decision and its procedures, as the report lists it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AdoptedRow {
    /// The decision.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The day it was adopted.
    pub adopted_on: Option<String>,
    /// For each of the four procedures: `completed`, `missing` (required, not done),
    /// `done_voluntarily`, or `not_required`.
    pub procedures: Procedures,
}

/// What became of each of the four procedures of an adopted decision.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Procedures {
    /// 公众参与 (第十四条).
    pub public_participation: &'static str,
    /// 专家论证 (第十九条).
    pub expert_review: &'static str,
    /// 风险评估 (第二十二条).
    pub risk_assessment: &'static str,
    /// 合法性审查 (第二十五条).
    pub legality_review: &'static str,
}

impl Procedures {
    /// The word of the `i`-th of [`PROCEDURES`].
    fn get(&self, i: usize) -> &'static str {
        [
            self.public_participation,
            self.expert_review,
            self.risk_assessment,
            self.legality_review,
        ][i]
    }
}

/// The report of an organ for a year.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Report {
    /// The organ.
    pub organ: OrganRef,
    /// The year.
    pub year: i32,
    /// The day the figures were computed (they move until the year's record is complete).
    pub as_of: NaiveDate,
    /// The figures.
    pub figures: Vec<Figure>,
    /// The decisions adopted in the year, with their procedures.
    pub adopted: Vec<AdoptedRow>,
}

impl crate::cache::Weigh for Report {
    fn weight(&self) -> usize {
        let figures: usize = self
            .figures
            .iter()
            .map(|f| 256 + f.decisions.iter().map(|d| d.capacity() + 24).sum::<usize>())
            .sum();
        let adopted: usize = self
            .adopted
            .iter()
            .map(|a| 160 + a.id.capacity() + a.title.capacity())
            .sum();
        256 + figures + adopted
    }
}

/// The four procedures whose share among the decisions requiring them the report gives.
pub const PROCEDURES: [(&str, &str, &str); 4] = [
    (
        stage::PUBLIC_PARTICIPATION,
        "公众参与",
        "public participation",
    ),
    (stage::EXPERT_REVIEW, "专家论证", "expert review"),
    (stage::RISK_ASSESSMENT, "风险评估", "risk assessment"),
    (stage::LEGALITY_REVIEW, "合法性审查", "legality review"),
];

fn figure(
    id: &'static str,
    labels: (&'static str, &'static str),
    definitions: (&'static str, &'static str),
    counts: &'static str,
    value: usize,
    decisions: Vec<String>,
) -> Figure {
    Figure {
        id,
        label_zh: labels.0,
        label_en: labels.1,
        definition_zh: definitions.0,
        definition_en: definitions.1,
        counts,
        value: value as u64,
        of: None,
        share: None,
        decisions,
    }
}

fn with_share(mut f: Figure, of: usize) -> Figure {
    f.share = catalog_service::share(f.value as usize, of);
    f.of = Some(of as u64);
    f
}

/// What an organ's report for a year depends on: the organ, the year, the day, and the last
/// change of the organ's decisions (every command, comment batch and handling moves it) and of
/// its catalogs.
pub type ReportKey = (
    String,
    i32,
    NaiveDate,
    (Option<chrono::NaiveDateTime>, Option<chrono::NaiveDateTime>),
);

/// The report of an organ for a year, for those who may read its catalog (its staff, head,
/// inspectors, its legality unit), kept in `kept` (`AppState::caches`) until the organ's record
/// changes or the day turns: asked again, it is answered at once.
pub fn report_kept(
    conn: &mut DbConn,
    kept: &Bounded<ReportKey, Report>,
    who: &Principal,
    organ_id: &str,
    year: i32,
    now: DateTime<Utc>,
) -> Result<Arc<Report>, ServiceError> {
    let (organ, key) = keyed(conn, who, organ_id, year, now)?;
    Ok(kept_or_counted(conn, kept, &organ, key)?.0)
}

/// [`report_kept`] as the API's JSON, kept serialised beside the report (an organ with 100,000
/// decisions has a report of megabytes: serialising it was most of each request's time).
pub fn report_json_kept(
    conn: &mut DbConn,
    (kept, views): (&Bounded<ReportKey, Report>, &Bounded<ReportKey, Vec<u8>>),
    who: &Principal,
    organ_id: &str,
    year: i32,
    now: DateTime<Utc>,
) -> Result<Arc<Vec<u8>>, ServiceError> {
    let (organ, key) = keyed(conn, who, organ_id, year, now)?;
    if let Some(v) = views.get(&key) {
        return Ok(v);
    }
    let (r, current) = kept_or_counted(conn, kept, &organ, key.clone())?;
    let mut json = serde_json::to_vec(&*r)
        .map_err(|e| ServiceError::Unavailable(format!("the report could not be written: {e}")))?;
    // Kept by what it holds, not by what its growth left spare (up to twice as much).
    json.shrink_to_fit();
    Ok(if current {
        views.put(key, json)
    } else {
        Arc::new(json)
    })
}

/// [`report_kept`] and its workbook (XLSX), both kept as the report is: the
/// workbook of a report already kept is written from it; otherwise both are made together
/// ([`figures_and_workbook`]).
pub fn report_and_workbook_kept(
    conn: &mut DbConn,
    (kept, books): (&Bounded<ReportKey, Report>, &Bounded<ReportKey, Vec<u8>>),
    who: &Principal,
    organ_id: &str,
    year: i32,
    now: DateTime<Utc>,
) -> Result<(Arc<Report>, Arc<Vec<u8>>), ServiceError> {
    let (organ, key) = keyed(conn, who, organ_id, year, now)?;
    let unwritten = ServiceError::Unavailable;
    match (kept.get(&key), books.get(&key)) {
        (Some(r), Some(book)) => Ok((r, book)),
        (Some(r), None) => {
            let book = export::xlsx(&sheets(&r)).map_err(unwritten)?;
            Ok((r, books.put(key, book)))
        }
        (None, _) => {
            let (r, book) = figures_and_workbook(conn, &organ, year, key.2)?;
            let (r, current) = keep(conn, kept, key.clone(), r)?;
            let book = if current {
                books.put(key, book)
            } else {
                Arc::new(book)
            };
            Ok((r, book))
        }
    }
}

/// The organ (checked readable by `who`) and the key of its report for `year` as of `now`.
fn keyed(
    conn: &mut DbConn,
    who: &Principal,
    organ_id: &str,
    year: i32,
    now: DateTime<Utc>,
) -> Result<(Organ, ReportKey), ServiceError> {
    let organ = deciding_organ(conn, organ_id)?;
    if !access::can_read_catalog(who, &organ.id, organ.legality_unit_id.as_deref()) {
        return Err(ServiceError::NotFound(format!("organ {organ_id}")));
    }
    let last = decisions::last_changes(conn, Some(&organ.id))?;
    let key = (organ.id.clone(), year, china_date(now), last);
    Ok((organ, key))
}

/// The report kept under `key`, or counted now and kept; with whether it is current (a report
/// counted while the organ's record changed is answered but not kept, nor what is made of it).
fn kept_or_counted(
    conn: &mut DbConn,
    kept: &Bounded<ReportKey, Report>,
    organ: &Organ,
    key: ReportKey,
) -> Result<(Arc<Report>, bool), ServiceError> {
    if let Some(r) = kept.get(&key) {
        return Ok((r, true));
    }
    let r = figures(conn, organ, key.1, key.2)?;
    keep(conn, kept, key, r)
}

/// Keep `r` under `key` unless the organ's record changed while it was counted (a change then
/// may or may not be in it). Says whether it is current: what is made of it may be kept too.
fn keep(
    conn: &mut DbConn,
    kept: &Bounded<ReportKey, Report>,
    key: ReportKey,
    r: Report,
) -> Result<(Arc<Report>, bool), ServiceError> {
    if decisions::last_changes(conn, Some(&key.0))? != key.3 {
        return Ok((Arc::new(r), false));
    }
    Ok((kept.put(key, r), true))
}

/// An organ that decides, by id.
pub fn deciding_organ(conn: &mut DbConn, organ_id: &str) -> Result<Organ, ServiceError> {
    accounts::organ(conn, organ_id)?
        .filter(|o| OrganKind::of_stored(&o.kind).is_some())
        .ok_or_else(|| ServiceError::NotFound(format!("organ {organ_id} (an organ that decides)")))
}

/// The report's figures for an organ and year as of `today` (the CLI's operator calls this
/// directly: whoever holds the database holds the record).
pub fn figures(
    conn: &mut DbConn,
    organ: &Organ,
    year: i32,
    today: NaiveDate,
) -> Result<Report, ServiceError> {
    count(conn, organ, year, today, None::<fn(Chunks) -> ()>).map(|(r, _)| r)
}

/// [`figures`] and the report's workbook: the adopted decisions' sheet, the large one, is
/// filled on a second thread from the rows as they are read, and while the other figures are
/// counted (issue 10: counted and written one after the other, 10,000 decisions took longer
/// than the 50 ms target).
pub fn figures_and_workbook(
    conn: &mut DbConn,
    organ: &Organ,
    year: i32,
    today: NaiveDate,
) -> Result<(Report, Vec<u8>), ServiceError> {
    let mut book = Book::new();
    let blank = book.blank();
    let fill = |chunks: Chunks| {
        let mut sheet = Filling::start(blank, ADOPTED_SHEET, &adopted_columns())?;
        for chunk in chunks {
            for row in chunk.iter() {
                sheet.row(&adopted_cells(row))?;
            }
        }
        Ok::<_, String>(sheet.done())
    };
    let (r, adopted) = count(conn, organ, year, today, Some(fill))?;
    let unwritten = ServiceError::Unavailable;
    let adopted = adopted.unwrap_or_else(|| Err("the adopted decisions' sheet".into()));
    let figures = export::fill(book.blank(), &figures_sheet(&r.figures)).map_err(unwritten)?;
    let bytes = book
        .finish(vec![figures, adopted.map_err(unwritten)?])
        .map_err(unwritten)?;
    Ok((r, bytes))
}

/// The figures, with `alongside` run on a thread of its own: it receives the adopted
/// decisions' rows as they are read, and works on them while the other figures are counted.
fn count<T: Send>(
    conn: &mut DbConn,
    organ: &Organ,
    year: i32,
    today: NaiveDate,
    alongside: Option<impl FnOnce(Chunks) -> T + Send>,
) -> Result<(Report, Option<T>), ServiceError> {
    check_year(year, today)?;
    let (counted, side) = std::thread::scope(|scope| {
        let (tx, side) = match alongside {
            Some(f) => {
                let (tx, rx) = mpsc::channel();
                (Some(tx), Some(scope.spawn(move || f(rx))))
            }
            None => (None, None),
        };
        let counted = counted_all(conn, organ, year, today, tx);
        (counted, side.map(std::thread::ScopedJoinHandle::join))
    });
    let side = side
        .transpose()
        .map_err(|_| ServiceError::Unavailable("a thread counting the report stopped".into()))?;
    let (figures, chunks) = counted?;
    // The thread beside has let go of every chunk: each is unwrapped, not copied.
    let adopted = chunks
        .into_iter()
        .flat_map(|c| Arc::try_unwrap(c).unwrap_or_else(|c| c.to_vec()))
        .collect();
    Ok((
        Report {
            organ: OrganRef {
                id: organ.id.clone(),
                name: organ.name.clone(),
            },
            year,
            as_of: today,
            figures,
            adopted,
        },
        side,
    ))
}

/// All figures in their order, and the adopted decisions' rows (each chunk also sent to `tx`,
/// which is let go as soon as the last is sent).
fn counted_all(
    conn: &mut DbConn,
    organ: &Organ,
    year: i32,
    today: NaiveDate,
    tx: Option<mpsc::Sender<Chunk>>,
) -> Result<(Vec<Figure>, Vec<Chunk>), ServiceError> {
    let (from, until) = year_window(year);
    let (from_day, until_day) = (format!("{year}-01-01"), format!("{}-01-01", year + 1));

    // The adopted decisions first: the thread beside starts on their rows as they are read,
    // and the decisions started are counted meanwhile (shown first all the same).
    let (chunks, tallies) = adopted_rows(conn, &organ.id, (&from_day, &until_day), tx)?;
    let adopted: usize = chunks.iter().map(|c| c.len()).sum();
    let started = catalogs::started_in(conn, &organ.id, from, until)?;
    let mut figures = vec![
        figure(
            "decisions_started",
            ("启动的重大行政决策", "decisions started"),
            (
                "本年度决策机关决定启动决策程序的事项数（第十一条）",
                "decisions whose procedure the organ started in the year (第十一条)",
            ),
            "decisions (initiation event)",
            started.len(),
            Vec::new(),
        ),
        figure(
            "decisions_adopted",
            ("作出的重大行政决策", "decisions adopted"),
            (
                "本年度经集体讨论决定、行政首长决定通过的决策数（第三十条）",
                "decisions the head adopted at a meeting in the year (第三十条)",
            ),
            "head_decision facts with outcome adopted (decisions.adopted_on; listed in `adopted`)",
            adopted,
            Vec::new(),
        ),
    ];
    for ((p, _, _), (done, required, short)) in PROCEDURES.iter().zip(tallies) {
        let (label, definition) = share_texts(p);
        figures.push(with_share(
            figure(
                label.0,
                (label.1, label.2),
                definition,
                "stage_records of the adopted decisions; the pack's condition on their attributes",
                done,
                short,
            ),
            required,
        ));
    }
    figures.extend(counted_after(
        conn,
        organ,
        (&from_day, &until_day),
        today,
        &started,
    )?);
    Ok((figures, chunks))
}

/// The figures after the adopted decisions': comments, hearings, stages on time,
/// post-evaluations, catalog coverage.
fn counted_after(
    conn: &mut DbConn,
    organ: &Organ,
    (from_day, until_day): (&str, &str),
    today: NaiveDate,
    started: &[(String, Option<String>)],
) -> Result<Vec<Figure>, ServiceError> {
    let mut figures = Vec::new();
    let (received, adopted_comments) =
        catalogs::comment_figures(conn, &organ.id, from_day, until_day)?;
    let received = usize::try_from(received).unwrap_or(0);
    let adopted_comments = usize::try_from(adopted_comments).unwrap_or(0);
    figures.push(figure(
        "comments_received",
        ("收到的公众意见", "public comments received"),
        (
            "本年度公开征求意见期间收到的意见条数（第十五条）",
            "comments received in the year's public consultations (第十五条)",
        ),
        "comments (received_at in the year, China time; summed from comment_days)",
        received,
        Vec::new(),
    ));
    figures.push(with_share(
        figure(
            "comments_adopted",
            ("采纳或部分采纳的意见", "comments adopted in whole or part"),
            (
                "上述意见中经研究采纳或部分采纳的条数（第十八条）",
                "of those, comments adopted or partly adopted (第十八条)",
            ),
            "comments.disposition in (adopted, partly_adopted)",
            adopted_comments,
            Vec::new(),
        ),
        received,
    ));

    let hearings = catalogs::completed_count(conn, &organ.id, stage::HEARING, from_day, until_day)?;
    figures.push(figure(
        "hearings_held",
        ("举行的听证会", "hearings held"),
        (
            "本年度完成听证环节的决策数（第十六条、第十七条）",
            "decisions whose hearing stage was completed in the year (第十六条、第十七条)",
        ),
        "stage_records: hearing completed",
        usize::try_from(hearings).unwrap_or(0),
        Vec::new(),
    ));

    let (on_time, short) =
        catalogs::due_figures(conn, &organ.id, from_day, until_day, &today.to_string())?;
    let on_time = usize::try_from(on_time).unwrap_or(0);
    let shortfall: Vec<String> = short
        .iter()
        .map(|(d, s, _, _)| format!("{d}:{s}"))
        .collect();
    let with_due = on_time + shortfall.len();
    figures.push(with_share(
        figure(
            "stages_on_time",
            ("按期完成的法定时限环节", "stages done by their due date"),
            ("本年度到期的合法性审查（送审时确定的审查期限，第二十六条、第二十八条）和归档（程序规则规定的期限，第三十三条）中按期完成的；未列入尚未到期的", "of the legality reviews (due date set at submission, 第二十六条、第二十八条) and archives (days set by the pack, 第三十三条) due in the year, those done by the due date; stages not yet due are left out"),
            "stage_records.due_on and done_on (listed: late or overdue, as decision:stage)",
            on_time,
            shortfall,
        ),
        with_due,
    ));

    let evaluations =
        catalogs::completed_count(conn, &organ.id, stage::POST_EVALUATION, from_day, until_day)?;
    figures.push(figure(
        "post_evaluations",
        ("开展的决策后评估", "post-evaluations completed"),
        (
            "本年度完成决策后评估的决策数（第三十六条）",
            "decisions whose post-evaluation was completed in the year (第三十六条)",
        ),
        "stage_records: post_evaluation completed",
        usize::try_from(evaluations).unwrap_or(0),
        Vec::new(),
    ));

    let in_catalog = started.iter().filter(|(_, item)| item.is_some()).count();
    let outside: Vec<String> = started
        .iter()
        .filter(|(_, item)| item.is_none())
        .map(|(id, _)| id.clone())
        .collect();
    figures.push(with_share(
        figure(
            "catalog_coverage",
            ("纳入决策事项目录的决策", "decisions that are catalog items"),
            ("本年度启动的决策中关联了决策事项目录事项的（第三条第三款）；列出的是目录外启动的决策", "of the decisions started in the year, those linked to a catalog item (第三条第三款); listed: those started outside the catalog"),
            "decisions (catalog_item_id)",
            in_catalog,
            outside,
        ),
        started.len(),
    ));
    Ok(figures)
}

/// The id, labels and definition of a procedure's share.
fn share_texts(
    p: &str,
) -> (
    (&'static str, &'static str, &'static str),
    (&'static str, &'static str),
) {
    match p {
        stage::PUBLIC_PARTICIPATION => (
            ("public_participation_share", "履行公众参与程序的比例", "share with public participation"),
            ("本年度作出的决策中，按其属性依法应当公众参与的（第十四条），已完成公众参与环节的；列出的是未完成的", "of the decisions adopted in the year that required public participation by their attributes (第十四条), those that completed it; listed: those that did not"),
        ),
        stage::EXPERT_REVIEW => (
            ("expert_review_share", "履行专家论证程序的比例", "share with expert review"),
            ("本年度作出的决策中，专业性、技术性较强依法应当专家论证的（第十九条），已完成专家论证环节的；列出的是未完成的", "of the decisions adopted in the year that required expert review (第十九条), those that completed it; listed: those that did not"),
        ),
        stage::RISK_ASSESSMENT => (
            ("risk_assessment_share", "履行风险评估程序的比例", "share with risk assessment"),
            ("本年度作出的决策中，依法应当风险评估的（第二十二条），已完成风险评估环节的（依第二十二条第二款不作重复评估的不计入）；列出的是未完成的", "of the decisions adopted in the year that required risk assessment (第二十二条), those that completed it (a waiver under 第二十二条第二款 does not count); listed: those that did not"),
        ),
        _ => (
            ("legality_review_share", "经合法性审查的比例", "share legality-reviewed"),
            ("本年度作出的决策中经合法性审查的（第二十五条：应当100%）；列出的是未完成的", "of the decisions adopted in the year, those legality-reviewed (第二十五条: must be 100%); listed: those that were not"),
        ),
    }
}

/// A report may be asked for any year from the regulation's first to the current one.
pub fn check_year(year: i32, today: NaiveDate) -> Result<(), ServiceError> {
    use chrono::Datelike;
    let last = today.year();
    if (catalog_service::FIRST_YEAR..=last).contains(&year) {
        Ok(())
    } else {
        Err(ServiceError::Invalid(format!(
            "year: a report is for a year from {} to {last}, not {year} / 报告年度应在 {} 年至 {last} 年之间",
            catalog_service::FIRST_YEAR,
            catalog_service::FIRST_YEAR
        )))
    }
}
