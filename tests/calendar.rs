//! The working-day calendar on the real notices in `seeds/holidays/`: holidays, make-up working
//! days, counting that does not count the starting day, and provisional deadlines in years whose
//! notice is not out.

use chrono::{Datelike, NaiveDate, Weekday};
use juece::procedure::Calendar;

use crate::support::{calendar, root};

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn the_three_published_years_are_loaded_with_their_notices() {
    let years = calendar().years();
    assert_eq!(
        years.keys().copied().collect::<Vec<_>>(),
        [2024, 2025, 2026]
    );
    assert_eq!(
        years[&2026].document_number.as_deref(),
        Some("国办发明电〔2025〕7号")
    );
}

#[test]
fn a_spring_festival_make_up_saturday_is_a_working_day() {
    let d = ymd(2026, 2, 14);
    assert_eq!(d.weekday(), Weekday::Sat);
    assert_eq!(calendar().is_working_day(d), Some(true));
    assert_eq!(calendar().is_working_day(ymd(2026, 2, 28)), Some(true));
    // An ordinary Saturday is not.
    assert_eq!(calendar().is_working_day(ymd(2026, 3, 7)), Some(false));
}

#[test]
fn a_spring_festival_weekday_is_a_holiday() {
    let d = ymd(2026, 2, 16);
    assert_eq!(d.weekday(), Weekday::Mon);
    assert_eq!(calendar().is_working_day(d), Some(false));
    assert_eq!(calendar().holiday(d), Some("春节"));
    // The whole span 15–23 February is off, the 24th is back at work.
    for day in 15..=23 {
        assert_eq!(
            calendar().is_working_day(ymd(2026, 2, day)),
            Some(false),
            "02-{day}"
        );
    }
    assert_eq!(calendar().is_working_day(ymd(2026, 2, 24)), Some(true));
}

#[test]
fn seven_working_days_from_the_thursday_before_spring_festival_end_on_the_make_up_saturday() {
    // From Thursday 2026-02-12, which is not counted:
    //   Fri 02-13 (1), Sat 02-14 make-up working day (2),
    //   02-15 … 02-23 春节 off,
    //   Tue 02-24 (3), Wed 02-25 (4), Thu 02-26 (5), Fri 02-27 (6),
    //   Sat 02-28 make-up working day (7).
    let due = calendar().add_working_days(ymd(2026, 2, 12), 7);
    assert_eq!(due.date, ymd(2026, 2, 28));
    assert!(!due.provisional);
    assert_eq!(
        calendar().working_days_between(ymd(2026, 2, 12), ymd(2026, 2, 28)),
        (7, false)
    );
    assert_eq!(
        calendar().working_days_between(ymd(2026, 2, 12), ymd(2026, 2, 27)),
        (6, false)
    );
}

#[test]
fn the_starting_day_is_not_counted() {
    // Monday 2026-03-02: one working day later is Tuesday, not Monday itself.
    assert_eq!(
        calendar().add_working_days(ymd(2026, 3, 2), 1).date,
        ymd(2026, 3, 3)
    );
    // Friday 2026-03-06: the next working day is Monday 03-09.
    assert_eq!(
        calendar().add_working_days(ymd(2026, 3, 6), 1).date,
        ymd(2026, 3, 9)
    );
    // Zero days is the day itself.
    assert_eq!(
        calendar().add_working_days(ymd(2026, 3, 6), 0).date,
        ymd(2026, 3, 6)
    );
    assert_eq!(
        calendar().working_days_between(ymd(2026, 3, 2), ymd(2026, 3, 2)),
        (0, false)
    );
}

#[test]
fn a_count_into_a_year_without_a_notice_is_provisional() {
    // From Monday 2026-12-28: Tue 29 (1), Wed 30 (2), Thu 31 (3); then 2027 has no notice, so
    // only weekends are assumed off: Fri 2027-01-01 (4), Mon 04 (5), Tue 05 (6), Wed 06 (7).
    let due = calendar().add_working_days(ymd(2026, 12, 28), 7);
    assert_eq!(due.date, ymd(2027, 1, 6));
    assert!(due.provisional);
    let (n, provisional) = calendar().working_days_between(ymd(2026, 12, 28), ymd(2027, 1, 6));
    assert_eq!(n, 7);
    assert!(provisional);
    // A count that stays inside 2026 is final.
    let due = calendar().add_working_days(ymd(2026, 12, 1), 7);
    assert_eq!(due.date, ymd(2026, 12, 10));
    assert!(!due.provisional);
}

#[test]
fn a_date_in_a_year_without_a_notice_has_no_answer() {
    let d = ymd(2030, 10, 1);
    assert!(!calendar().covers(d));
    assert_eq!(calendar().is_working_day(d), None);
    assert_eq!(calendar().is_working_day(ymd(2027, 1, 4)), None);
}

#[test]
fn national_day_2025_and_its_make_up_days() {
    // 国庆节、中秋节 2025: 10-01 … 10-08 off; Sunday 09-28 and Saturday 10-11 worked.
    for day in 1..=8 {
        assert_eq!(
            calendar().is_working_day(ymd(2025, 10, day)),
            Some(false),
            "10-{day}"
        );
        assert_eq!(
            calendar().holiday(ymd(2025, 10, day)),
            Some("国庆节、中秋节")
        );
    }
    assert_eq!(ymd(2025, 9, 28).weekday(), Weekday::Sun);
    assert_eq!(calendar().is_working_day(ymd(2025, 9, 28)), Some(true));
    assert_eq!(ymd(2025, 10, 11).weekday(), Weekday::Sat);
    assert_eq!(calendar().is_working_day(ymd(2025, 10, 11)), Some(true));
    assert_eq!(calendar().is_working_day(ymd(2025, 10, 9)), Some(true));
    // From Tuesday 09-30: 10-01 … 10-08 off, Thu 10-09 (1), Fri 10-10 (2), Sat 10-11 make-up (3),
    // Mon 13 (4), Tue 14 (5), Wed 15 (6), Thu 16 (7).
    let due = calendar().add_working_days(ymd(2025, 9, 30), 7);
    assert_eq!(due.date, ymd(2025, 10, 16));
    assert!(!due.provisional);
}

fn year(make_up: &str, holiday_to: &str) -> String {
    format!(
        r#"{{
  "year": 2031,
  "source": {{ "title": "国务院办公厅关于2031年部分节假日安排的通知", "document_number": null, "published": null }},
  "holidays": [ {{ "name": "元旦", "from": "2031-01-01", "to": "{holiday_to}" }} ],
  "make_up_workdays": [ {{ "name": "元旦", "date": "{make_up}" }} ]
}}"#
    )
}

#[test]
fn a_well_formed_year_file_adds_the_year() {
    let mut cal = Calendar::default();
    // 2031-01-04 is a Saturday.
    if let Err(e) = cal.add_year_json(&year("2031-01-04", "2031-01-01")) {
        panic!("{e}");
    }
    assert_eq!(cal.is_working_day(ymd(2031, 1, 1)), Some(false));
    assert_eq!(cal.is_working_day(ymd(2031, 1, 4)), Some(true));
}

#[test]
fn a_malformed_year_file_is_refused_with_a_message() {
    let refused = |text: &str, needle: &str| {
        let mut cal = Calendar::default();
        match cal.add_year_json(text) {
            Ok(()) => panic!("accepted {text}"),
            Err(e) => assert!(e.contains(needle), "{e:?} lacks {needle:?}"),
        }
    };
    refused("{ \"year\": 2031, ", "EOF");
    // 2031-01-06 is a Monday.
    refused(&year("2031-01-06", "2031-01-01"), "is not a weekend day");
    refused(&year("2031-01-04", "2030-12-31"), "ends before it begins");
    refused(
        &year("2031-01-04", "2031-01-01").replace("\"holidays\"", "\"holiday\""),
        "unknown field `holiday`",
    );
    refused(&year("2031-02-30", "2031-01-01"), "input is out of range");

    let mut cal = Calendar::default();
    assert!(cal.add_year_json(&year("2031-01-04", "2031-01-01")).is_ok());
    match cal.add_year_json(&year("2031-01-04", "2031-01-01")) {
        Ok(()) => panic!("the same year loaded twice"),
        Err(e) => assert!(e.contains("year 2031 is loaded twice"), "{e}"),
    }
}

#[test]
fn a_folder_with_a_malformed_year_file_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    for y in ["2024", "2025", "2026"] {
        let from = root().join(format!("seeds/holidays/{y}.json"));
        std::fs::copy(&from, dir.path().join(format!("{y}.json"))).unwrap();
    }
    std::fs::write(
        dir.path().join("2031.json"),
        year("2031-01-06", "2031-01-01"),
    )
    .unwrap();
    match juece::files::load_calendar(dir.path()) {
        Ok(_) => panic!("a bad year loaded"),
        Err(e) => {
            assert!(e.contains("2031.json"), "{e}");
            assert!(e.contains("2031-01-06 is not a weekend day"), "{e}");
        }
    }
}
