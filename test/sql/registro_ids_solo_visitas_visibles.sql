-- pae.visitas_id answers only for the visits the session may see (issue 9,
-- item 12): a visitador their own, a supervisor those of their municipios,
-- a coordinador all; and what reads it as the caller keeps working.
BEGIN;
SELECT plan(7);
\i test/fixtures/visitas_y_personas.sql

SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000b01');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000b02', p_visitador => 'otro_visitador');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000b03', '119698900101');
SELECT pg_temp.llevar('00000000-0000-4000-8000-000000000b01', 'en_curso');

CREATE FUNCTION pg_temp.ids_vistos(quien text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    PERFORM pg_temp.como(quien);
    SELECT string_agg(right(id::text, 3), ',' ORDER BY id) INTO r
      FROM pae.visitas_id WHERE id::text LIKE '00000000-0000-4000-8000-000000000b%';
    PERFORM pg_temp.como(NULL, NULL);
    RETURN r;
END $$;

SELECT is(pg_temp.ids_vistos('visitador'), 'b01,b03', 'a visitador sees only the ids of their own visits (in both municipios)');
SELECT is(pg_temp.ids_vistos('otro_visitador'), 'b02', 'another visitador sees only theirs');
SELECT is(pg_temp.ids_vistos('supervisor'), 'b01,b02', 'a supervisor sees the ids of the visits of their municipios');
SELECT is(pg_temp.ids_vistos('supervisor_otro'), 'b03', 'the other municipio''s supervisor sees only its visit');
SELECT is(pg_temp.ids_vistos('coordinador'), 'b01,b02,b03', 'a coordinador sees every id');
SELECT is(pg_temp.ids_vistos('inactivo'), NULL, 'a deactivated person sees no id');

-- invoker code that joins the registry still works for the visit's owner
SELECT pg_temp.como('visitador');
SELECT is((SELECT valor FROM pae_api.responder('00000000-0000-4000-8000-000000000b01',
                                               (SELECT min(codigo) FROM pae.checklist_items WHERE obligatorio), 'cumple')),
          'cumple', 'the visitador still answers the checklist of their visit (the children''s trigger reads the registry)');
SELECT pg_temp.como(NULL, NULL);
SELECT * FROM finish();
ROLLBACK;
