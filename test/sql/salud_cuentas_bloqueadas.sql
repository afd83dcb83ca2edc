-- pae.salud(), check cuentas_bloqueadas (issue 13, item 3): how many
-- correos are locked now by failed logins (an aviso), never which.
-- Attempts are inserted directly, as pae_api.login records them.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(6);
CREATE FUNCTION pg_temp.salud(c text, OUT chequeo text, OUT estado text, OUT detalle text, OUT sugerencia text)
LANGUAGE sql AS $$
    SELECT * FROM pae.salud() s WHERE s.chequeo = c $$;
CREATE FUNCTION pg_temp.fallos(correo text, n integer) RETURNS void LANGUAGE sql AS $$
    INSERT INTO pae.intentos_login (correo, resultado)
    SELECT pae.correo_digesto(correo), 'fallo' FROM generate_series(1, n) $$;
DELETE FROM pae.intentos_login;

-- 1. nobody locked: ok
SELECT is((pg_temp.salud('cuentas_bloqueadas')).estado, 'ok', 'no locked account: ok');

-- 2. failures below the limit lock nobody
SELECT pg_temp.fallos('uno@prueba.gov.co', pae.regla('login_intentos_max')::integer - 1);
SELECT is((pg_temp.salud('cuentas_bloqueadas')).estado, 'ok', 'fewer failures than login_intentos_max: ok');

-- 3-5. one correo locked: aviso, counted, not named
SELECT pg_temp.fallos('dos@prueba.gov.co', pae.regla('login_intentos_max')::integer);
SELECT is((pg_temp.salud('cuentas_bloqueadas')).estado, 'aviso', 'a locked correo: aviso');
SELECT matches((pg_temp.salud('cuentas_bloqueadas')).detalle, '^1 cuentas \(correos\) bloqueadas ahora', 'counted');
SELECT ok(NOT EXISTS (SELECT 1 FROM pae.salud() s
                       WHERE concat(s.detalle, s.sugerencia) ~ '(dos|uno)@prueba'), 'never named');

-- 6. a success after the failures lifts it
INSERT INTO pae.intentos_login (correo, resultado) VALUES (pae.correo_digesto('dos@prueba.gov.co'), 'exito');
SELECT is((pg_temp.salud('cuentas_bloqueadas')).estado, 'ok', 'a success after the failures: ok again');

SELECT * FROM finish();
ROLLBACK;
