DROP TABLE expert_fields;
DROP TABLE experts;
DROP TABLE hearing_selections;
DROP TABLE hearing_applications;
