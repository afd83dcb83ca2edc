-- What hangs off a visit, fast (issue 11, performance): the question
-- "may the session see this visit", which the policies of answers,
-- evidence, transitions, alerts, events and sync rows ask for every row,
-- and the children's trigger, which asks it again with the visit's state,
-- are C (src/visita_alcance.c, src/hijos_visita.c).
--
-- pae.puede_ver_visita_id was a SQL function with a subquery: the planner
-- cannot inline that, so every row ran it as a function call, whose plan
-- (made once per statement, generic) opened every monthly partition of
-- pae.visitas.  In C it reads the visit's month from pae.visitas_id (as the
-- extension's owner, a key lookup whose answer is never shown), then asks
-- that one month of pae.visitas as the caller, so the policies of
-- pae.visitas decide as before; the answer is kept while the snapshot,
-- user and actor are the same (what the STABLE function promises), so the
-- 19 answers of one visit cost one lookup.  No SET search_path: it is
-- called for every row (a SET clause costs a configuration save and
-- restore per call) and its queries qualify every name and operator.
-- COST 1000: a lookup costs two index scans, so the planner puts the
-- cheap leakproof conditions of a query (visita = $1, item = ...) before
-- the policy and asks it only about the rows they keep.
CREATE OR REPLACE FUNCTION pae.puede_ver_visita_id(visita uuid)
RETURNS boolean
AS 'MODULE_PATHNAME', 'pae_puede_ver_visita_id'
LANGUAGE C STABLE PARALLEL RESTRICTED COST 1000;
COMMENT ON FUNCTION pae.puede_ver_visita_id(uuid) IS
    'Verdadero si la sesión puede ver la visita (las políticas de pae.visitas deciden, para quien llama); falso para NULL, una visita inexistente o una ajena';
REVOKE ALL ON FUNCTION pae.puede_ver_visita_id(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.puede_ver_visita_id(uuid)
    TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;

-- The same rules as sql/1.1/30-reglas-visita.sql, in the same order, with
-- the same errors; the visit is looked up once per statement and visit
-- (shared with the policy above), and the count of a visit's evidence
-- still sees the rows the statement wrote before.
CREATE OR REPLACE FUNCTION pae.tg_hijos_visita()
RETURNS trigger
AS 'MODULE_PATHNAME', 'pae_tg_hijos_visita'
LANGUAGE C;
COMMENT ON FUNCTION pae.tg_hijos_visita() IS
    'Disparador de respuestas y evidencias: solo con la visita (la de destino y, al mover o borrar, la de origen) en_curso o devuelta (PV002); valida tamaños (22001), el máximo de evidencias por visita (23514), sha256 (22023), coordenadas (PV005) y tomada_en (PV006)';
