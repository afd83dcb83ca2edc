-- The whole state machine of SPEC §5, exhaustively: every (from, to) pair of
-- distinct states, every kind of actor, through pae.transicion, through a
-- plain UPDATE (what a PostgREST PATCH runs) and through pae_api.transicion
-- (POST /rpc/transicion): 30 pairs x 12 kinds of actor x 3 paths, each
-- request emulated as
-- PostgREST does it (SET LOCAL ROLE, request.jwt.claims, request.headers).
--
-- Each case builds a fresh visit, drives it to the from-state through legal
-- moves made by the right people, makes the request, records the outcome and
-- rolls the case back (a subtransaction), so cases never see each other.
-- Outcome: the new state when the move passed (and then exactly one
-- transiciones row with desde/hacia/actor/motivo, one eventos row and
-- version + 1, otherwise a description of what is wrong), the SQLSTATE when
-- it was refused, or sin_filas when row-level security hid the visit from a
-- plain UPDATE (PostgREST answers such a PATCH with no rows).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(13);
\i test/fixtures/visitas_y_personas.sql

CREATE TEMP TABLE actores (actor text PRIMARY KEY, rol_db text, persona text);
INSERT INTO actores VALUES
    ('visitador',           'pae_visitador',   'visitador'),
    ('otro_visitador',      'pae_visitador',   'otro_visitador'),
    ('supervisor',          'pae_supervisor',  'supervisor'),
    ('supervisor_otro',     'pae_supervisor',  'supervisor_otro'),
    ('coordinador',         'pae_coordinador', 'coordinador'),
    ('admin',               'pae_admin',       'admin'),
    ('bi',                  'pae_bi',          'bi'),
    ('inactivo',            'pae_coordinador', 'inactivo'),
    ('anonimo_visitador',   'pae_visitador',   NULL),  -- role, but no claims and no login_db
    ('anonimo_coordinador', 'pae_coordinador', NULL),
    ('anonimo_admin',       'pae_admin',       NULL),  -- privileged session without identity
    ('superusuario',        NULL,              NULL);  -- postgres, no claims

-- SPEC §5 table: who makes each move (V: the assigned visitador; S: supervisor
-- of the sede's municipio or coordinador, never on their own visit)
CREATE TEMP TABLE aristas (desde pae.estado_visita, hacia pae.estado_visita, quien char(1), PRIMARY KEY (desde, hacia));
INSERT INTO aristas VALUES
    ('programada', 'en_curso',  'V'),
    ('programada', 'cancelada', 'S'),
    ('en_curso',   'cerrada',   'V'),
    ('en_curso',   'cancelada', 'S'),
    ('cerrada',    'aprobada',  'S'),
    ('cerrada',    'devuelta',  'S'),
    ('devuelta',   'cerrada',   'V');

CREATE TEMP TABLE casos AS
SELECT d.e AS desde, h.e AS hacia, a.actor, via.via,
       CASE
         -- no USAGE on schema pae at all
         WHEN a.actor = 'bi' THEN '42501'
         -- an inactive person, or a session nobody is identified in, that is
         -- not privileged: 42501 whatever the move and the path, a PATCH too
         -- (SPEC §5: every write needs an identified, active actor)
         WHEN a.actor IN ('inactivo', 'anonimo_coordinador', 'anonimo_visitador') THEN '42501'
         -- row-level security hides the visit (SPEC §10): pae.transicion says
         -- it does not know it, a PATCH touches no row
         WHEN a.actor IN ('otro_visitador', 'supervisor_otro')
           THEN CASE via.via WHEN 'update' THEN 'sin_filas' ELSE 'P0002' END
         WHEN ar.quien IS NULL THEN 'PV002'
         WHEN a.actor IN ('anonimo_admin', 'superusuario') THEN h.e::text
         WHEN ar.quien = 'V' AND a.actor = 'visitador' THEN h.e::text
         WHEN ar.quien = 'S' AND a.actor IN ('supervisor', 'coordinador') THEN h.e::text
         ELSE 'PV002'
       END AS esperado,
       NULL::text AS obtenido
  FROM unnest(enum_range(NULL::pae.estado_visita)) AS d(e)
 CROSS JOIN unnest(enum_range(NULL::pae.estado_visita)) AS h(e)
 CROSS JOIN actores a
 CROSS JOIN (VALUES ('transicion'), ('update'), ('api')) AS via(via)
  LEFT JOIN aristas ar ON ar.desde = d.e AND ar.hacia = h.e
 WHERE d.e <> h.e;

-- one case: fresh visit, driven to desde, then the request; always rolled back
CREATE FUNCTION pg_temp.probar(p_desde pae.estado_visita, p_hacia pae.estado_visita,
                               p_actor text, p_via text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    a        actores;
    v_id     uuid := gen_random_uuid();
    v_fase   text := 'preparar';
    v_antes  pae.visitas;
    v_despues pae.visitas;
    v_filas  bigint;
    v_motivo text := CASE WHEN p_hacia IN ('cancelada', 'devuelta') THEN 'motivo de la prueba' END;
    v_actor  uuid;
    v_res    text;
    t        record;
    n_t      int;
    n_e      int;
BEGIN
    SELECT * INTO STRICT a FROM actores WHERE actor = p_actor;
    BEGIN
        PERFORM pg_temp.nueva_visita(v_id);
        PERFORM pg_temp.llevar(v_id, p_desde);
        IF p_desde = 'en_curso' THEN
            -- checklist and photo done, so that closing meets its preconditions
            PERFORM pg_temp.como('visitador');
            PERFORM pg_temp.completar(v_id);
            PERFORM pg_temp.como(NULL, NULL);
        END IF;
        SELECT * INTO v_antes FROM pae.visitas WHERE id = v_id;
        v_actor := pg_temp.id(a.persona);
        PERFORM pg_temp.como(a.rol_db, v_actor);
        v_fase := 'mover';
        IF p_via = 'transicion' THEN
            PERFORM pae.transicion(v_id, p_hacia, v_motivo, 2.4444, -76.6129, 6);
            v_filas := 1;
        ELSIF p_via = 'api' THEN
            EXECUTE 'SELECT pae_api.transicion($1, $2, $3, 2.4444, -76.6129, 6)' USING v_id, p_hacia, v_motivo;
            v_filas := 1;
        ELSE
            -- what PostgREST runs for PATCH /visitas?id=eq.<id> with the body
            -- a client sends for that move
            EXECUTE format('UPDATE pae.visitas SET estado = %L%s WHERE id = %L',
                           p_hacia,
                           CASE p_hacia
                             WHEN 'en_curso' THEN ', checkin_lat = 2.4444, checkin_lon = -76.6129, checkin_precision_m = 6'
                             WHEN 'cerrada' THEN ', checkout_lat = 2.4444, checkout_lon = -76.6129, checkout_precision_m = 6, checkout_en = clock_timestamp()'
                             WHEN 'cancelada' THEN format(', motivo_estado = %L', v_motivo)
                             WHEN 'devuelta' THEN format(', motivo_estado = %L', v_motivo)
                             ELSE '' END,
                           v_id);
            GET DIAGNOSTICS v_filas = ROW_COUNT;
        END IF;
        v_fase := 'verificar';
        PERFORM pg_temp.como(NULL, NULL);
        IF v_filas = 0 THEN
            v_res := 'sin_filas';
        ELSE
            SELECT * INTO v_despues FROM pae.visitas WHERE id = v_id;
            v_res := v_despues.estado::text;
            SELECT count(*) INTO n_t FROM pae.transiciones WHERE visita = v_id AND en >= v_antes.actualizada_en
               AND id > coalesce((SELECT max(id) FROM pae.transiciones x WHERE x.visita = v_id AND x.hacia = v_antes.estado), 0);
            SELECT * INTO t FROM pae.transiciones WHERE visita = v_id ORDER BY id DESC LIMIT 1;
            SELECT count(*) INTO n_e FROM pae.eventos WHERE visita = v_id;
            IF v_despues.estado = v_antes.estado THEN
                v_res := v_res || ' (sin cambio de estado)';
            ELSIF n_t <> 1 OR t.desde <> v_antes.estado OR t.hacia <> v_despues.estado
                  OR t.actor IS DISTINCT FROM v_actor OR t.motivo IS DISTINCT FROM v_motivo THEN
                v_res := v_res || format(' (historia mal: %s filas, %s -> %s, actor ok %s, motivo %s)',
                                         n_t, t.desde, t.hacia, t.actor IS NOT DISTINCT FROM v_actor, t.motivo);
            ELSIF n_e <> (SELECT count(*) FROM pae.transiciones WHERE visita = v_id)
                  OR NOT EXISTS (SELECT 1 FROM pae.eventos e WHERE e.visita = v_id
                                    AND e.tipo = 'visita.' || v_despues.estado
                                    AND e.payload ->> 'desde' = v_antes.estado::text
                                    AND e.payload ->> 'hacia' = v_despues.estado::text) THEN
                v_res := v_res || ' (evento mal)';
            ELSIF v_despues.version <> v_antes.version + 1 THEN
                v_res := v_res || format(' (version %s -> %s)', v_antes.version, v_despues.version);
            END IF;
        END IF;
        RAISE EXCEPTION USING ERRCODE = 'TS001', MESSAGE = v_res;
    EXCEPTION
        WHEN SQLSTATE 'TS001' THEN
            RETURN SQLERRM;
        WHEN OTHERS THEN
            IF v_fase = 'mover' THEN
                RETURN SQLSTATE;
            END IF;
            RETURN format('error al %s: %s %s', v_fase, SQLSTATE, SQLERRM);
    END;
END $$;

UPDATE casos SET obtenido = pg_temp.probar(desde, hacia, actor, via);
SELECT pg_temp.como(NULL, NULL);

-- the cases above are every pair of the product's states: they are SPEC §5's six
SELECT is(enum_range(NULL::pae.estado_visita)::text[],
          ARRAY['programada', 'en_curso', 'cerrada', 'aprobada', 'devuelta', 'cancelada'],
          'pae.estado_visita has exactly the six states of SPEC §5 (30 pairs of distinct states)');
SELECT is((SELECT string_agg(format('%s->%s via %s: esperado %s, obtenido %s', desde, hacia, via, esperado, obtenido), E'\n' ORDER BY desde, hacia, via)
             FROM casos c WHERE c.actor = a.actor AND esperado IS DISTINCT FROM obtenido),
          NULL, 'transition table for ' || a.actor)
  FROM actores a ORDER BY a.actor;

-- the same, as a table: every case whose outcome differs from SPEC §5
SELECT desde, hacia, actor, via, esperado, obtenido
  FROM casos WHERE esperado IS DISTINCT FROM obtenido
 ORDER BY actor, via, desde, hacia;

-- the allowed moves, per actor and path (what the table above amounts to)
SELECT actor, via, string_agg(desde || '->' || hacia, ', ' ORDER BY desde, hacia) AS permitidas
  FROM casos WHERE obtenido = hacia::text
 GROUP BY actor, via ORDER BY actor, via;

SELECT * FROM finish();
ROLLBACK;
