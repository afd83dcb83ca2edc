
-- PUBLIC executes nothing of pae_cauca (issue 10, item 2): each function
-- is granted to the group roles that need it.  1.0 created
-- pae.puede_ver_visita_id after its blanket REVOKE, so PUBLIC kept EXECUTE
-- on it; the policies that call it apply to the staff roles, which hold
-- EXECUTE of their own.  Functions created later by the extension's owner
-- in its schemas start without PUBLIC's EXECUTE too.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA pae, pae_api, pae_reportes FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA pae, pae_api, pae_reportes REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
