mod catalog;
mod execution;
mod guards;
mod property;
mod rules;
mod walk;
