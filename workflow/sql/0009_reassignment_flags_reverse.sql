-- =============================================================================
-- 0009_reassignment_flags_reverse.sql -- undoes 0009_reassignment_flags.sql.
--
-- Drops workflow_service.reassignment_flags with its indexes and constraints.
-- Open flags are lost: supervisors no longer see which customers wait for a
-- new agent.
-- Ordering: before the reverses of 0008..0001.
-- Idempotent: IF EXISTS; a re-run changes nothing.
-- =============================================================================

DROP TABLE IF EXISTS workflow_service.reassignment_flags;
