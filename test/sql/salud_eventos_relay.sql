-- pae.salud(), check eventos_relay (issue 13, items 1 and 3): without the
-- relay (no pae.relay_estado()) events are announced in the transaction
-- (ok, said as modo en_transaccion); with it, the in-transaction fallback
-- (pae_cauca not preloaded) is an aviso, a stopped worker an error, and the
-- lag an aviso from 60 s and an error from 600 s.  pae.relay_estado() is
-- replaced, inside the transaction, by stand-ins of its contract
-- (BRIEF: modo, trabajador_activo, ultimo_anunciado, pendientes, retraso_s).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(9);
CREATE FUNCTION pg_temp.salud(c text, OUT chequeo text, OUT estado text, OUT detalle text, OUT sugerencia text)
LANGUAGE sql AS $$
    SELECT * FROM pae.salud() s WHERE s.chequeo = c $$;
-- no relay in this build (or the relay's function taken out of the extension
-- and dropped, for this transaction only)
DO $$ BEGIN
    IF to_regprocedure('pae.relay_estado()') IS NOT NULL THEN
        ALTER EXTENSION pae_cauca DROP FUNCTION pae.relay_estado();
        DROP FUNCTION pae.relay_estado();
    END IF;
END $$;
CREATE FUNCTION pg_temp.relay(modo text, activo boolean, pendientes bigint, retraso double precision)
RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    EXECUTE format($f$CREATE OR REPLACE FUNCTION pae.relay_estado()
        RETURNS TABLE(modo text, trabajador_activo boolean, ultimo_anunciado bigint, pendientes bigint, retraso_s double precision)
        LANGUAGE sql AS $b$SELECT %L::text, %L::boolean, 41::bigint, %L::bigint, %L::double precision$b$$f$,
        modo, activo, pendientes, retraso);
END $fn$;

-- 1-2. no relay: ok, modo en_transaccion
SELECT is((pg_temp.salud('eventos_relay')).estado, 'ok', 'without a relay: ok');
SELECT matches((pg_temp.salud('eventos_relay')).detalle, '^modo en_transaccion', 'said as modo en_transaccion');

-- 3-4. a relay build without the preload: aviso, suggesting the preload
SELECT pg_temp.relay('en_transaccion', false, 0, 0);
SELECT is((pg_temp.salud('eventos_relay')).estado, 'aviso', 'relay available but not preloaded: aviso');
SELECT matches((pg_temp.salud('eventos_relay')).sugerencia, 'shared_preload_libraries', 'the suggestion says to preload it');

-- 5-6. the worker is not running: error, with the backlog
SELECT pg_temp.relay('relay', false, 17, 30);
SELECT is((pg_temp.salud('eventos_relay')).estado, 'error', 'relay mode with no worker: error');
SELECT matches((pg_temp.salud('eventos_relay')).detalle, '17 eventos esperan', 'the detail gives the backlog');

-- 7-9. lag
SELECT pg_temp.relay('relay', true, 3, 0.5);
SELECT is((pg_temp.salud('eventos_relay')).estado, 'ok', 'worker running, lag 0.5 s: ok');
SELECT pg_temp.relay('relay', true, 500, 120);
SELECT is((pg_temp.salud('eventos_relay')).estado, 'aviso', 'lag 120 s: aviso');
SELECT pg_temp.relay('relay', true, 5000, 900);
SELECT is((pg_temp.salud('eventos_relay')).estado, 'error', 'lag 900 s: error');

SELECT * FROM finish();
ROLLBACK;
