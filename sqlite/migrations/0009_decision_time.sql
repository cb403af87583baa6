-- Decisions are read by time alone too: every dataset's since a time, and
-- the uses allowed recently, which a node reads ahead at start.
CREATE INDEX policy_decisions_time ON policy_decisions(time);
