-- The free texts of a visit have documented limits (pae.regla):
-- observaciones, motivo_estado (also through the motivo of
-- pae.transicion) and dispositivo; a longer text is 22001 with a Spanish
-- message, on every path.  A text already stored does not block a later
-- UPDATE that leaves it alone.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(10);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql

SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-00000000a911');
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-00000000a912', '119001900101', '2026-06-11 08:00-05');
SELECT pg_temp.llevar('00000000-0000-4000-8000-00000000a912', 'en_curso');

SELECT is(pae.regla('observaciones_max')::int, 10000, 'observaciones: at most 10000 characters');

-- a 1 MB observación
SELECT is(pg_temp.intentar('visitador',
          $$UPDATE pae.visitas SET observaciones = repeat('x', 1048576) WHERE id = '00000000-0000-4000-8000-00000000a911'$$),
          '22001: observaciones demasiado largo: 1048576 caracteres',
          'a 1 MB observación is refused with 22001');
SELECT is(pg_temp.intentar('visitador',
          format($$UPDATE pae_api.visitas SET observaciones = repeat('ñ', %s) WHERE id = '00000000-0000-4000-8000-00000000a911'$$,
                 pae.regla('observaciones_max')::int + 1)),
          '22001: observaciones demasiado largo: 10001 caracteres',
          'one character over the limit, through the API view: 22001 (characters, not bytes)');
SELECT is(pg_temp.intentar('visitador',
          format($$UPDATE pae.visitas SET observaciones = repeat('ñ', %s) WHERE id = '00000000-0000-4000-8000-00000000a911'$$,
                 pae.regla('observaciones_max'))),
          'ok', 'exactly the limit (in two-byte characters) is accepted');
SELECT is(pg_temp.intentar('visitador',
          format($$UPDATE pae.visitas SET dispositivo = repeat('t', %s) WHERE id = '00000000-0000-4000-8000-00000000a911'$$,
                 pae.regla('dispositivo_max')::int + 1)),
          '22001: dispositivo demasiado largo: 201 caracteres',
          'dispositivo over its limit: 22001');
SELECT is(pg_temp.intentar(NULL,
          format($$INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, motivo_estado)
                   VALUES ('00000000-0000-4000-8000-00000000a913', '119001900101', 'PAE-T-001', %L, '2026-06-12 08:00-05', repeat('m', %s))$$,
                 pg_temp.id('visitador'), pae.regla('motivo_max')::int + 1)),
          '22001: motivo_estado demasiado largo: 1001 caracteres',
          'an INSERT is measured too, for the owner as well');
SELECT is(pg_temp.intentar('coordinador',
          format($$SELECT pae.transicion('00000000-0000-4000-8000-00000000a912', 'cancelada', repeat('m', %s))$$,
                 pae.regla('motivo_max')::int + 1)),
          '22001: motivo_estado demasiado largo: 1001 caracteres',
          'the motivo of pae.transicion lands in motivo_estado and is measured');
SELECT is((SELECT estado::text FROM pae.visitas WHERE id = '00000000-0000-4000-8000-00000000a912'), 'en_curso',
          'the refused move left the visit as it was');

-- a text stored before the limits existed (written with the trigger off)
ALTER TABLE pae.visitas DISABLE TRIGGER visitas_antes;
UPDATE pae.visitas SET observaciones = repeat('v', 20000) WHERE id = '00000000-0000-4000-8000-00000000a912';
ALTER TABLE pae.visitas ENABLE TRIGGER visitas_antes;
SELECT is(pg_temp.intentar('coordinador',
          $$UPDATE pae.visitas SET observaciones = observaciones || '.' WHERE id = '00000000-0000-4000-8000-00000000a912'$$),
          '22001: observaciones demasiado largo: 20001 caracteres',
          'an old long text is measured when it changes');
SELECT is(pg_temp.intentar('coordinador',
          $$SELECT pae.transicion('00000000-0000-4000-8000-00000000a912', 'cancelada', 'sede cerrada por obras')$$),
          'ok', 'but it does not block a change that leaves it alone');

SELECT * FROM finish();
ROLLBACK;
