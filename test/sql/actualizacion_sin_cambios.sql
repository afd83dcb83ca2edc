-- An UPDATE that changes nothing (every column equal, once the trigger has
-- put back what only it may write) leaves the row as it was: no version
-- bump, actualizada_en untouched, no audit row.  The audit skips such an
-- UPDATE on every audited table.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(10);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql

SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-00000000a921');
UPDATE pae.visitas SET observaciones = repeat('larga ', 1500) WHERE id = '00000000-0000-4000-8000-00000000a921';
-- an old actualizada_en, so that a bump would show
ALTER TABLE pae.visitas DISABLE TRIGGER visitas_antes;
UPDATE pae.visitas SET actualizada_en = '2026-01-01 00:00-05' WHERE id = '00000000-0000-4000-8000-00000000a921';
ALTER TABLE pae.visitas ENABLE TRIGGER visitas_antes;
INSERT INTO pae.operadores (nit, nombre) VALUES ('900999888-1', 'Operador Quieto');

CREATE TEMP TABLE antes AS
    SELECT v.version, v.actualizada_en,
           (SELECT max(a.id) FROM pae.auditoria a) AS ultima_auditoria
      FROM pae.visitas v WHERE v.id = '00000000-0000-4000-8000-00000000a921';
GRANT SELECT ON antes TO PUBLIC;
CREATE FUNCTION pg_temp.auditadas() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM pae.auditoria a, antes WHERE a.id > antes.ultima_auditoria $$;
CREATE FUNCTION pg_temp.version() RETURNS integer LANGUAGE sql AS $$
    SELECT version FROM pae.visitas WHERE id = '00000000-0000-4000-8000-00000000a921' $$;

-- a PATCH that sends every column as it is
SELECT is(pg_temp.intentar('visitador',
          $$UPDATE pae_api.visitas SET (sede, contrato, visitador, fecha_visita, estado, observaciones,
                                         raciones_programadas, raciones_entregadas, dispositivo)
                                     = (sede, contrato, visitador, fecha_visita, estado, observaciones,
                                        raciones_programadas, raciones_entregadas, dispositivo)
             WHERE id = '00000000-0000-4000-8000-00000000a921'$$),
          'ok', 'a PATCH with nothing new is accepted');
-- the long text sent again as a new value (it arrives uncompressed)
SELECT is(pg_temp.intentar('visitador',
          $$UPDATE pae.visitas SET observaciones = repeat('larga ', 1500) WHERE id = '00000000-0000-4000-8000-00000000a921'$$),
          'ok', 'the same long text sent again is accepted');
-- what only the trigger writes: version and the derived fence columns
SELECT is(pg_temp.intentar('visitador',
          $$UPDATE pae.visitas SET version = 99, distancia_m = 1, dentro_geocerca = true WHERE id = '00000000-0000-4000-8000-00000000a921'$$),
          'ok', 'a PATCH of only the trigger''s columns is accepted');

SELECT is(pg_temp.version(), (SELECT version FROM antes), 'version did not move');
SELECT is((SELECT actualizada_en FROM pae.visitas WHERE id = '00000000-0000-4000-8000-00000000a921'),
          (SELECT actualizada_en FROM antes), 'actualizada_en did not move');
SELECT is((SELECT row(distancia_m, dentro_geocerca)::text FROM pae.visitas WHERE id = '00000000-0000-4000-8000-00000000a921'),
          '(,)', 'the derived columns stay the trigger''s');
SELECT is(pg_temp.auditadas(), 0::bigint, 'no audit row for updates that changed nothing');

-- any audited table
UPDATE pae.operadores SET nombre = nombre WHERE nit = '900999888-1';
SELECT is(pg_temp.auditadas(), 0::bigint, 'the audit skips a no-op UPDATE of any table');

-- a real change still counts once
SELECT is(pg_temp.intentar('visitador',
          $$UPDATE pae.visitas SET observaciones = 'corta' WHERE id = '00000000-0000-4000-8000-00000000a921'$$),
          'ok', 'a real change is accepted');
SELECT is(row(pg_temp.version() - (SELECT version FROM antes), pg_temp.auditadas())::text, '(1,1)',
          'and bumps version by one with one audit row');

SELECT * FROM finish();
ROLLBACK;
