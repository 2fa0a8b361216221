//! The procedure engine — pure: no I/O, no clock, no database.
//!
//! A command is evaluated against a decision's state, its jurisdiction pack, the working-day
//! calendar and `now` (passed in), and yields either the events to append or every violation
//! found, each with a stable rule id, its legal basis and messages in Chinese and English.

pub mod admission;
pub mod calendar;
pub mod catalog;
pub mod condition;
pub mod deadlines;
pub mod diff;
pub mod execution;
pub mod graph;
pub mod load;
pub mod pack;
pub mod reminders;
pub mod rules;
pub mod script;
pub mod selection;
pub mod state;
pub mod violation;

pub use admission::Context;
pub use calendar::{Calendar, Deadline};
pub use load::PackSet;
pub use pack::{Pack, PackError};
pub use rules::{evaluate, judge, next_steps, NextStep};
pub use state::{Command, Decision, Event, EventKind, Fact};
pub use violation::Violation;
