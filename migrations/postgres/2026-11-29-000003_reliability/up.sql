-- Every move of a simulated clock (juece serve --simulated-clock): who moved it, when (wall
-- clock), by how many seconds, and to what simulated time. Procedural deadlines follow that
-- clock, so moving it is an act someone answers for.
CREATE TABLE clock_advances (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    organ_id TEXT NOT NULL,
    seconds BIGINT NOT NULL,
    simulated_to TIMESTAMP NOT NULL,
    at TIMESTAMP NOT NULL
);
