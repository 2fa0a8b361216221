DROP TABLE personal_data_reads;
