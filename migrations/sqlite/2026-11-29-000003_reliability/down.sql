DROP TABLE clock_advances;
