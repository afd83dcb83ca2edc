-- A deactivated person loses everything (issue 9, item 3; SPEC §5): they
-- read no visit, answer, evidence, history or person, and every write
-- (PATCH, answers, evidence, moves, reference data) is 42501, whatever
-- their database role: an inactive or unknown pae_admin member is denied,
-- never the privileged anonymous session of maintenance.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(21);
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql

-- a visit en_curso with an answer and a photo, then its visitador is deactivated
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-00000000a001');
SELECT pg_temp.llevar('00000000-0000-4000-8000-00000000a001', 'en_curso');
SELECT pg_temp.completar('00000000-0000-4000-8000-00000000a001');
INSERT INTO gente VALUES
    ('admin_inactivo', pae.crear_usuario('adm2@prueba.gov.co', 'Admin Retirado', 'admin', 'clave-larga-9'), 'pae_admin'),
    ('admin_desconocido', '00000000-0000-4000-8000-0000000000ff', 'pae_admin');
UPDATE pae.usuarios SET activo = false
 WHERE id IN (pg_temp.id('visitador'), pg_temp.id('admin_inactivo'));

-- reads: nothing
CREATE FUNCTION pg_temp.cuenta_como(quien text, consulta text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    PERFORM pg_temp.como(quien);
    EXECUTE consulta INTO n;
    PERFORM pg_temp.como(NULL, NULL);
    RETURN n;
END $$;
SELECT is(pg_temp.cuenta_como('visitador', 'SELECT count(*) FROM pae.visitas'), 0::bigint,
          'an inactive visitador reads none of their visits');
SELECT is(pg_temp.cuenta_como('visitador', 'SELECT count(*) FROM pae_api.visitas'), 0::bigint,
          'nor through the API view');
SELECT is(pg_temp.cuenta_como('visitador', 'SELECT count(*) FROM pae.visita_respuestas') +
          pg_temp.cuenta_como('visitador', 'SELECT count(*) FROM pae.evidencias') +
          pg_temp.cuenta_como('visitador', 'SELECT count(*) FROM pae.transiciones') +
          pg_temp.cuenta_como('visitador', 'SELECT count(*) FROM pae.eventos'), 0::bigint,
          'nor their answers, evidence, history or events');
SELECT is(pg_temp.cuenta_como('visitador', 'SELECT count(*) FROM pae.usuarios'), 0::bigint,
          'nor their own person');
SELECT is(pg_temp.cuenta_como('inactivo', 'SELECT count(*) FROM pae.visitas'), 0::bigint,
          'an inactive coordinador reads no visit');
SELECT is(pg_temp.cuenta_como('inactivo', 'SELECT count(*) FROM pae.usuarios'), 0::bigint,
          'nor any person');
SELECT is(pg_temp.cuenta_como('admin_inactivo', 'SELECT count(*) FROM pae.visitas'), 0::bigint,
          'an inactive pae_admin member reads no visit (denied, not privileged nobody)');
SELECT is(pg_temp.cuenta_como('admin_desconocido', 'SELECT count(*) FROM pae.visitas'), 0::bigint,
          'nor does a pae_admin session naming an unknown person');
SELECT is(pg_temp.cuenta_como('coordinador', 'SELECT count(*) FROM pae.visitas'), 1::bigint,
          'an active coordinador still reads the visit');
SELECT is(pae.actor_vigente(), NULL, 'pae.actor_vigente() is NULL for nobody');
SELECT pg_temp.como('visitador');
SELECT is(pae.usuario_actual(), pg_temp.id('visitador'), 'pae.usuario_actual() still names the inactive person');
SELECT is(pae.actor_vigente(), NULL, 'pae.actor_vigente() does not');
SELECT pg_temp.como(NULL, NULL);

-- writes: 42501
SELECT alike(pg_temp.intentar('visitador', $$UPDATE pae_api.visitas SET raciones_entregadas = 150 WHERE id = '00000000-0000-4000-8000-00000000a001'$$),
          '42501: el usuario % está inactivo', 'an inactive visitador cannot PATCH rations');
SELECT alike(pg_temp.intentar('visitador', $$SELECT pae_api.registrar_evidencia('00000000-0000-4000-8000-00000000a001', 'foto', repeat('ab', 32), 1000, 'image/jpeg')$$),
          '42501: el usuario % está inactivo', 'nor register evidence');
SELECT alike(pg_temp.intentar('visitador', $$SELECT pae_api.responder('00000000-0000-4000-8000-00000000a001', 'HIG-03', 'no_cumple')$$),
          '42501: el usuario % está inactivo', 'nor answer the checklist');
SELECT alike(pg_temp.intentar('visitador', $$SELECT pae.transicion('00000000-0000-4000-8000-00000000a001', 'cerrada', NULL, 2.4443, -76.6128, 5)$$),
          '42501: el usuario % está inactivo', 'nor move the visit');
SELECT alike(pg_temp.intentar('visitador', $$DELETE FROM pae.evidencias$$),
          '42501: el usuario % está inactivo', 'nor delete evidence, even rows hidden from them');
SELECT alike(pg_temp.intentar('inactivo', $$UPDATE pae.visitas SET observaciones = 'x'$$),
          '42501: el usuario % está inactivo', 'an inactive coordinador cannot write observaciones');
SELECT alike(pg_temp.intentar('admin_inactivo', $$UPDATE pae.sedes SET nombre = 'x' WHERE codigo = '119001900101'$$),
          '42501: el usuario % está inactivo', 'an inactive pae_admin member cannot correct reference data');
SELECT alike(pg_temp.intentar('admin_desconocido', $$INSERT INTO pae.operadores (nit, nombre) VALUES ('900000001-1', 'X')$$),
          '42501: usuario desconocido: %', 'nor can a pae_admin session naming an unknown person');
SELECT results_eq($$SELECT raciones_entregadas IS NULL, observaciones IS NULL, estado::text,
                           (SELECT count(*) FROM pae.evidencias e WHERE e.visita = v.id)
                      FROM pae.visitas v WHERE id = '00000000-0000-4000-8000-00000000a001'$$,
                  $$VALUES (true, true, 'en_curso', 1::bigint)$$, 'nothing was written');

SELECT * FROM finish();
ROLLBACK;
