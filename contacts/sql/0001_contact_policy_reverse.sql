-- =============================================================================
-- 0001_contact_policy_reverse.sql -- undoes 0001_contact_policy.sql.
--
-- Drops the contact-policy tables: policies and their versions, holds, and the
-- ledger of reservations, refusals and recorded contacts (party, contact point
-- and violation flags of every action) are lost.
-- Idempotent: IF EXISTS; a re-run changes nothing.
-- =============================================================================

DROP TABLE IF EXISTS workflow_service.contact_attempts;
DROP TABLE IF EXISTS workflow_service.contact_holds;
DROP TABLE IF EXISTS workflow_service.contact_customer_profiles;
DROP TABLE IF EXISTS workflow_service.contact_policy_assignments;
DROP TABLE IF EXISTS workflow_service.contact_policy_caps;
DROP TABLE IF EXISTS workflow_service.contact_policy_windows;
DROP TABLE IF EXISTS workflow_service.contact_policies;
