//! The one integration-test binary: engine, packs, calendar (and, later, the HTTP API).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api;
mod calendar;
mod engine;
mod packs;
mod pages;
mod provinces;
mod support;
