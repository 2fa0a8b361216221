mod guards;
mod property;
mod walk;
