DROP TABLE comment_counts;
