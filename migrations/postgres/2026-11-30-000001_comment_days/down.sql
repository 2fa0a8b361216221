DROP TABLE comment_days;
