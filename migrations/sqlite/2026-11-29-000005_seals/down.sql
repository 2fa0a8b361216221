DROP TABLE sealed_heads;
DROP TABLE seals;
