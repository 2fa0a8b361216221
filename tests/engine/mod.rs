mod catalog;
mod guards;
mod property;
mod rules;
mod walk;
