-- pae.transicion answers the same for a visit row-level security hides and
-- for one that does not exist (issue 9, item 8): same SQLSTATE (P0002),
-- message (naming only the id the caller gave), detail and hint, whatever
-- the move, so no caller learns which ids exist.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(4);
\i test/fixtures/visitas_y_personas.sql

SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-00000000e001');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-00000000e002', '119698900101');
-- the whole error, with the id the caller gave replaced by <id>
CREATE FUNCTION pg_temp.error_de(quien text, visita uuid, a pae.estado_visita) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v_m text; v_d text; v_h text; v_s text;
BEGIN
    BEGIN
        PERFORM pg_temp.como(quien);
        PERFORM pae.transicion(visita, a, 'motivo', 2.4443, -76.6128, 5);
        v_s := 'ok';
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_s = RETURNED_SQLSTATE, v_m = MESSAGE_TEXT, v_d = PG_EXCEPTION_DETAIL, v_h = PG_EXCEPTION_HINT;
    END;
    PERFORM pg_temp.como(NULL, NULL);
    RETURN replace(concat_ws(' | ', v_s, v_m, v_d, v_h), visita::text, '<id>');
END $$;

SELECT is(pg_temp.error_de('otro_visitador', '00000000-0000-4000-8000-00000000e001', 'en_curso'),
          pg_temp.error_de('otro_visitador', '00000000-0000-4000-8000-0000000eeeee', 'en_curso'),
          'another visitador''s visit reads as absent (check-in)');
SELECT is(pg_temp.error_de('supervisor_otro', '00000000-0000-4000-8000-00000000e001', 'cancelada'),
          pg_temp.error_de('supervisor_otro', '00000000-0000-4000-8000-0000000eeeee', 'cancelada'),
          'a visit outside a supervisor''s municipios reads as absent (cancel)');
SELECT is(pg_temp.error_de('supervisor', '00000000-0000-4000-8000-00000000e002', 'cancelada'),
          pg_temp.error_de('supervisor', '00000000-0000-4000-8000-0000000eeeee', 'cancelada'),
          'the same for the other supervisor');
SELECT is(pg_temp.error_de('otro_visitador', '00000000-0000-4000-8000-0000000eeeee', 'en_curso'),
          'P0002 | visita desconocida: <id> | No existe una visita con ese id que la sesión pueda ver. | Revise el id de la visita y sus permisos, o sincronice la visita primero.',
          'and that answer is P0002, visita desconocida');

SELECT * FROM finish();
ROLLBACK;
