
-- PUBLIC executes nothing of pae_cauca (issue 10, item 2): each function
-- is granted to the group roles that need it.  1.0 created
-- pae.puede_ver_visita_id after its blanket REVOKE, so PUBLIC kept EXECUTE
-- on it; the policies that call it apply to the staff roles, which hold
-- EXECUTE of their own.  This fragment runs last, so it covers every
-- function of 1.1.  A function a DBA creates later in these schemas gets
-- PostgreSQL's default EXECUTE for PUBLIC: a per-schema default privilege
-- cannot take the global default away (ALTER DEFAULT PRIVILEGES IN SCHEMA
-- only adds), and changing the owner's global defaults would reach beyond
-- this extension, so it is left to the DBA (README, Row-level security).
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA pae, pae_api, pae_reportes FROM PUBLIC;
