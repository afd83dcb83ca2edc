-- The history of a move names the role that called and its person, also
-- when the move runs inside a SECURITY DEFINER function owned by someone
-- else (issue 9, item 9: as the audit trail does).
BEGIN;
SELECT plan(3);
\i test/fixtures/visitas_y_personas.sql

SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000c01');
-- a definer function of the superuser, as a backend's helper would be
CREATE FUNCTION pg_temp.iniciar(p uuid) RETURNS int LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT 1 FROM pae.transicion(p, 'en_curso', NULL, 2.4443, -76.6128, 5) $$;
GRANT EXECUTE ON FUNCTION pg_temp.iniciar(uuid) TO PUBLIC;

SELECT pg_temp.como('visitador');
SELECT pg_temp.iniciar('00000000-0000-4000-8000-000000000c01');
SELECT pg_temp.como(NULL, NULL);

SELECT is((SELECT rol_db::text FROM pae.transiciones WHERE visita = '00000000-0000-4000-8000-000000000c01'),
          'pae_visitador', 'the history records the role that called, not the definer');
SELECT is((SELECT actor FROM pae.transiciones WHERE visita = '00000000-0000-4000-8000-000000000c01'),
          pg_temp.id('visitador'), 'and the person of the request');
SELECT is((SELECT rol_db FROM pae.auditoria WHERE tabla = 'visitas' AND operacion = 'UPDATE'
             AND pk = jsonb_build_object('id', '00000000-0000-4000-8000-000000000c01'::uuid) ORDER BY id DESC LIMIT 1),
          'pae_visitador', 'the audit row of the move names the same role');
SELECT * FROM finish();
ROLLBACK;
