//! Working days from the official holiday calendar (法定节假日 and 调休 make-up working days),
//! one file a year in `seeds/holidays/`, each citing the State Council notice it comes from.
//!
//! Counting follows the legal convention: the starting day is not counted. A deadline whose
//! counting touches a year with no calendar loaded is marked provisional, never final.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The notice a year's calendar comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeSource {
    /// e.g. 国务院办公厅关于2026年部分节假日安排的通知
    pub title: String,
    /// e.g. 国办发明电〔2025〕7号
    pub document_number: Option<String>,
    /// Date of publication.
    pub published: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidaySpan {
    name: String,
    from: NaiveDate,
    to: NaiveDate,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct MakeUpDay {
    #[allow(dead_code)]
    name: String,
    date: NaiveDate,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    year: i32,
    source: NoticeSource,
    holidays: Vec<HolidaySpan>,
    make_up_workdays: Vec<MakeUpDay>,
}

/// A deadline counted in working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// The last day.
    pub date: NaiveDate,
    /// True when some counted day lies in a year with no calendar: weekends were assumed, and
    /// holidays may move it.
    pub provisional: bool,
}

/// The official calendar of the years loaded.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: BTreeMap<i32, NoticeSource>,
    holidays: BTreeMap<NaiveDate, String>,
    workdays: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// A calendar from `(file name, JSON text)` pairs, one year each.
    pub fn from_sources(sources: &[(PathBuf, String)]) -> Result<Calendar, String> {
        let mut cal = Calendar::default();
        for (file, text) in sources {
            cal.add_year_json(text)
                .map_err(|e| format!("{}: {e}", file.display()))?;
        }
        Ok(cal)
    }

    /// Add one year from its JSON file's text.
    pub fn add_year_json(&mut self, text: &str) -> Result<(), String> {
        let y: YearFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if self.years.contains_key(&y.year) {
            return Err(format!("year {} is loaded twice", y.year));
        }
        for h in &y.holidays {
            if h.to < h.from {
                return Err(format!("holiday {} ends before it begins", h.name));
            }
            let mut d = h.from;
            while d <= h.to {
                self.holidays.insert(d, h.name.clone());
                d = d.succ_opt().ok_or("date out of range")?;
            }
        }
        for m in &y.make_up_workdays {
            if !is_weekend(m.date) {
                return Err(format!(
                    "make-up working day {} is not a weekend day",
                    m.date
                ));
            }
            self.workdays.insert(m.date);
        }
        self.years.insert(y.year, y.source);
        Ok(())
    }

    /// The years loaded, with their source notices.
    pub fn years(&self) -> &BTreeMap<i32, NoticeSource> {
        &self.years
    }

    /// Whether the calendar of the year of `d` is loaded.
    pub fn covers(&self, d: NaiveDate) -> bool {
        self.years.contains_key(&d.year())
    }

    /// Whether `d` is a working day: `None` when its year is not loaded.
    pub fn is_working_day(&self, d: NaiveDate) -> Option<bool> {
        self.covers(d).then(|| self.working_or_assumed(d))
    }

    /// The holiday `d` falls in, if any.
    pub fn holiday(&self, d: NaiveDate) -> Option<&str> {
        self.holidays.get(&d).map(String::as_str)
    }

    fn working_or_assumed(&self, d: NaiveDate) -> bool {
        if self.workdays.contains(&d) {
            return true;
        }
        !self.holidays.contains_key(&d) && !is_weekend(d)
    }

    /// The `n`th working day after `start` (the starting day is not counted).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Deadline {
        let mut d = start;
        let mut left = n;
        let mut provisional = false;
        while left > 0 {
            d = match d.checked_add_days(Days::new(1)) {
                Some(next) => next,
                None => break,
            };
            provisional |= !self.covers(d);
            if self.working_or_assumed(d) {
                left -= 1;
            }
        }
        Deadline {
            date: d,
            provisional,
        }
    }

    /// Working days after `start` up to and including `end` (0 when `end` is not after `start`),
    /// and whether a year without a calendar was involved.
    pub fn working_days_between(&self, start: NaiveDate, end: NaiveDate) -> (u32, bool) {
        let mut d = start;
        let mut count = 0;
        let mut provisional = false;
        while d < end {
            d = match d.succ_opt() {
                Some(next) => next,
                None => break,
            };
            provisional |= !self.covers(d);
            if self.working_or_assumed(d) {
                count += 1;
            }
        }
        (count, provisional)
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}
