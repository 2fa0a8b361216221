mod walk;
