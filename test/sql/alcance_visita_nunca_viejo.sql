-- pae.puede_ver_visita_id and the children's trigger keep the last answer
-- only while nothing it rests on can have changed (issue 11): another
-- person with the same database role, a write in between (a visit given to
-- someone else) or a rolled-back savepoint always gets a fresh answer,
-- inside one transaction.
BEGIN;
SELECT plan(7);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql

SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000c01');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-000000000c02', p_fecha => '2026-06-11 08:00-05');
SELECT pg_temp.llevar('00000000-0000-4000-8000-000000000c01', 'en_curso');

-- what a person sees of a visit: the function, and its answers through the policy
CREATE FUNCTION pg_temp.ve(quien text, visita uuid) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    PERFORM pg_temp.como(quien);
    SELECT pae.puede_ver_visita_id(visita) || ' ' ||
           (SELECT count(*) FROM pae.visita_respuestas r WHERE r.visita = ve.visita)
      INTO r;
    PERFORM pg_temp.como(NULL, NULL);
    RETURN r;
END $$;
-- each check below runs its steps in one function, so that nothing but the
-- step itself is written in between (pgTAP writes its results between tests)
CREATE FUNCTION pg_temp.dos_personas(uno text, otro text, visita uuid) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN pg_temp.ve(uno, visita) || ' / ' || pg_temp.ve(otro, visita);
END $$;
CREATE FUNCTION pg_temp.ve_y_responde(uno text, otro text, visita uuid) RETURNS text LANGUAGE plpgsql AS $$
DECLARE a text;
BEGIN
    a := pg_temp.ve(uno, visita);
    RETURN a || ' / ' || pg_temp.intentar(otro, format(
        $q$INSERT INTO pae.visita_respuestas (visita, item, valor) VALUES (%L, 'HIG-02', 'cumple')$q$, visita));
END $$;
CREATE FUNCTION pg_temp.antes_y_despues(quien text, visita uuid, cambio text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE a text;
BEGIN
    a := pg_temp.ve(quien, visita);
    EXECUTE cambio;
    RETURN a || ' / ' || pg_temp.ve(quien, visita);
END $$;
CREATE FUNCTION pg_temp.deshecho(quien text, visita uuid) RETURNS text LANGUAGE plpgsql AS $$
DECLARE a text;
BEGIN
    BEGIN
        PERFORM pg_temp.nueva_visita(visita, p_fecha => '2026-06-12 08:00-05');
        PERFORM pg_temp.llevar(visita, 'en_curso');
        PERFORM pg_temp.como(quien);
        INSERT INTO pae.visita_respuestas (visita, item, valor) VALUES (deshecho.visita, 'HIG-01', 'cumple');
        a := pg_temp.ve(quien, visita);
        RAISE EXCEPTION 'deshacer' USING ERRCODE = 'ZZ000';
    EXCEPTION WHEN SQLSTATE 'ZZ000' THEN
        NULL;
    END;
    RETURN a || ' / ' || pg_temp.ve(quien, visita) || ' / ' || pg_temp.intentar(quien, format(
        $q$INSERT INTO pae.visita_respuestas (visita, item, valor) VALUES (%L, 'HIG-02', 'cumple')$q$, visita));
END $$;

SELECT is(pg_temp.intentar('visitador',
          $$INSERT INTO pae.visita_respuestas (visita, item, valor) VALUES ('00000000-0000-4000-8000-000000000c01', 'HIG-01', 'cumple')$$),
          'ok', 'the visitador answers on their visit');
SELECT is(pg_temp.dos_personas('visitador', 'otro_visitador', '00000000-0000-4000-8000-000000000c01'), 'true 1 / false 0',
          'they see it and its answer; right after, another visitador (same database role) sees neither');
SELECT is(pg_temp.dos_personas('otro_visitador', 'visitador', '00000000-0000-4000-8000-000000000c01'), 'false 0 / true 1',
          'and the other way round');
SELECT is(pg_temp.ve_y_responde('visitador', 'otro_visitador', '00000000-0000-4000-8000-000000000c01'),
          'true 1 / 23503: visita desconocida: 00000000-0000-4000-8000-000000000c01',
          'right after the visitador looked at it, the other visitador cannot answer on it');
SELECT is(pg_temp.antes_y_despues('visitador', '00000000-0000-4000-8000-000000000c02',
              format('UPDATE pae.visitas SET visitador = %L WHERE id = %L', pg_temp.id('otro_visitador'),
                     '00000000-0000-4000-8000-000000000c02')),
          'true 0 / false 0', 'a programada visit given to someone else: seen before, not right after');
SELECT is(pg_temp.antes_y_despues('supervisor', '00000000-0000-4000-8000-000000000c01',
              format('DELETE FROM pae.usuario_municipios WHERE usuario = %L', pg_temp.id('supervisor'))),
          'true 1 / false 0', 'a supervisor relieved of the municipio: seen before, not right after');
SELECT is(pg_temp.deshecho('visitador', '00000000-0000-4000-8000-000000000c03'),
          'true 1 / false 0 / 23503: visita desconocida: 00000000-0000-4000-8000-000000000c03',
          'a visit created and answered in a rolled-back subtransaction: gone, for the policy and the trigger');

SELECT * FROM finish();
ROLLBACK;
