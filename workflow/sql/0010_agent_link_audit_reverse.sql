-- =============================================================================
-- 0010_agent_link_audit_reverse.sql -- undoes 0010_agent_link_audit.sql.
--
-- Drops workflow_service.agent_link_audit with its indexes: the record of who
-- linked and unlinked users and agents is lost (the admin log keeps the
-- admin's own entries).
-- Ordering: before the reverses of 0009..0001.
-- Idempotent: IF EXISTS; a re-run changes nothing.
-- =============================================================================

DROP TABLE IF EXISTS workflow_service.agent_link_audit;
