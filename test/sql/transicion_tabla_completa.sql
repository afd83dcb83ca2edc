-- The whole state machine of SPEC §5, exhaustively: every (from, to) pair of
-- distinct states, every kind of actor, through pae.transicion, through a
-- plain UPDATE (what a PostgREST PATCH runs) and through pae_api.transicion
-- (POST /rpc/transicion), each request emulated as
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
-- fixture (rolled back at the end of the file)
CREATE TEMP TABLE gente (clave text PRIMARY KEY, id uuid NOT NULL, rol_db text NOT NULL);
INSERT INTO pae.instituciones (codigo, nombre, municipio) VALUES
    ('119001900001', 'IE Prueba Popayán', '19001'),
    ('119698900001', 'IE Prueba Santander', '19698');
INSERT INTO pae.sedes (codigo, nombre, institucion, municipio, zona, ubicacion, geocerca_estricta) VALUES
    ('119001900101', 'Sede Centro',   '119001900001', '19001', 'urbana', 'SRID=4326;POINT(-76.6128 2.4442)', false),
    ('119001900102', 'Sede Estricta', '119001900001', '19001', 'urbana', 'SRID=4326;POINT(-76.6000 2.4500)', true),
    ('119001900103', 'Sede Norte',    '119001900001', '19001', 'rural',  'SRID=4326;POINT(-76.6128 2.8962)', false),
    ('119698900101', 'Sede Quilichao','119698900001', '19698', 'urbana', 'SRID=4326;POINT(-76.48537 3.016054)', false);
INSERT INTO pae.operadores (nit, nombre) VALUES ('900123456-7', 'Operador de Prueba SAS');
INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia, modalidad)
VALUES ('PAE-T-001', '900123456-7', daterange('2025-01-01', '2027-01-01'), 200, 'RPS');
INSERT INTO pae.contrato_sedes (contrato, sede)
SELECT 'PAE-T-001', codigo FROM pae.sedes WHERE codigo LIKE '1190019001%' OR codigo LIKE '1196989001%';
INSERT INTO gente VALUES
    ('visitador',        pae.crear_usuario('vis1@prueba.gov.co', 'Visitadora Uno', 'visitador', 'clave-larga-1', ARRAY['19001']::char(5)[]), 'pae_visitador'),
    ('otro_visitador',   pae.crear_usuario('vis2@prueba.gov.co', 'Visitador Dos', 'visitador', 'clave-larga-2', ARRAY['19001']::char(5)[]), 'pae_visitador'),
    ('supervisor',       pae.crear_usuario('sup1@prueba.gov.co', 'Supervisora Popayán', 'supervisor', 'clave-larga-3', ARRAY['19001']::char(5)[]), 'pae_supervisor'),
    ('supervisor_otro',  pae.crear_usuario('sup2@prueba.gov.co', 'Supervisor Quilichao', 'supervisor', 'clave-larga-4', ARRAY['19698']::char(5)[]), 'pae_supervisor'),
    ('coordinador',      pae.crear_usuario('coo1@prueba.gov.co', 'Coordinadora', 'coordinador', 'clave-larga-5'), 'pae_coordinador'),
    ('admin',            pae.crear_usuario('adm1@prueba.gov.co', 'Administrador', 'admin', 'clave-larga-6'), 'pae_admin'),
    ('bi',               pae.crear_usuario('bi1@prueba.gov.co', 'Analista BI', 'bi', 'clave-larga-7'), 'pae_bi'),
    ('inactivo',         pae.crear_usuario('coo2@prueba.gov.co', 'Coordinador Retirado', 'coordinador', 'clave-larga-8'), 'pae_coordinador');
UPDATE pae.usuarios SET activo = false WHERE id = (SELECT id FROM gente WHERE clave = 'inactivo');
GRANT SELECT ON gente TO PUBLIC;

-- one PostgREST request's identity: SET LOCAL ROLE + request.jwt.claims + request.headers
-- como(NULL, NULL) is the superuser session with no claims
CREATE FUNCTION pg_temp.como(rol text, sub uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('role', 'none', true);
    PERFORM set_config('request.jwt.claims',
                       CASE WHEN sub IS NULL THEN '' ELSE json_build_object('sub', sub, 'role', rol)::text END, true);
    PERFORM set_config('request.headers', '{"user-agent":"test"}', true);
    IF rol IS NOT NULL THEN
        PERFORM set_config('role', rol, true);
    END IF;
END $$;
-- como(clave) acts as a person of the fixture
CREATE FUNCTION pg_temp.como(quien text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE g record;
BEGIN
    PERFORM set_config('role', 'none', true);
    SELECT * INTO STRICT g FROM gente WHERE clave = quien;
    PERFORM pg_temp.como(g.rol_db, g.id);
END $$;
CREATE FUNCTION pg_temp.id(quien text) RETURNS uuid LANGUAGE sql AS $$ SELECT id FROM gente WHERE clave = quien $$;
-- drive a visit to a state through legal moves, as the people who may make them
CREATE FUNCTION pg_temp.nueva_visita(p_id uuid, p_sede text DEFAULT '119001900101',
                                     p_fecha timestamptz DEFAULT '2026-06-10 08:00-05',
                                     p_visitador text DEFAULT 'visitador')
RETURNS uuid LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.como(NULL, NULL);
    INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
    VALUES (p_id, p_sede, 'PAE-T-001', pg_temp.id(p_visitador), p_fecha, 200);
    RETURN p_id;
END $$;
CREATE FUNCTION pg_temp.completar(p_visita uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pae.visita_respuestas (visita, item, valor)
    SELECT p_visita, codigo, 'cumple' FROM pae.checklist_items WHERE obligatorio AND activo
    ON CONFLICT DO NOTHING;
    INSERT INTO pae.evidencias (visita, tipo, sha256, bytes, mime, lat, lon)
    VALUES (p_visita, 'foto', encode(sha256(convert_to(p_visita::text, 'UTF8')), 'hex'), 183020, 'image/jpeg', 2.4443, -76.6128);
END $$;
CREATE FUNCTION pg_temp.llevar(p_visita uuid, p_estado pae.estado_visita) RETURNS void LANGUAGE plpgsql AS $$
DECLARE v_visitador text;
BEGIN
    PERFORM pg_temp.como(NULL, NULL);
    SELECT g.clave INTO STRICT v_visitador FROM pae.visitas v JOIN gente g ON g.id = v.visitador WHERE v.id = p_visita;
    IF p_estado = 'programada' THEN
        RETURN;
    ELSIF p_estado = 'cancelada' THEN
        PERFORM pg_temp.como('coordinador');
        PERFORM pae.transicion(p_visita, 'cancelada', 'error de planeación');
    ELSE
        PERFORM pg_temp.como(v_visitador);
        PERFORM pae.transicion(p_visita, 'en_curso', NULL, 2.4443, -76.6128, 5);
        IF p_estado <> 'en_curso' THEN
            PERFORM pg_temp.completar(p_visita);
            PERFORM pae.transicion(p_visita, 'cerrada', NULL, 2.4443, -76.6128, 5);
            IF p_estado = 'aprobada' THEN
                PERFORM pg_temp.como('supervisor');
                PERFORM pae.transicion(p_visita, 'aprobada');
            ELSIF p_estado = 'devuelta' THEN
                PERFORM pg_temp.como('supervisor');
                PERFORM pae.transicion(p_visita, 'devuelta', 'faltan firmas');
            END IF;
        END IF;
    END IF;
    PERFORM pg_temp.como(NULL, NULL);
    IF (SELECT estado FROM pae.visitas WHERE id = p_visita) <> p_estado THEN
        RAISE EXCEPTION 'fixture: la visita no quedó en %', p_estado;
    END IF;
END $$;

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
         -- not privileged: 42501 whatever the move (SPEC §5)
         WHEN a.actor IN ('inactivo', 'anonimo_coordinador') THEN '42501'
         WHEN a.actor = 'anonimo_visitador' AND via.via <> 'update' THEN '42501'
         -- row-level security hides the visit (SPEC §10): pae.transicion says
         -- it does not know it, a PATCH touches no row
         WHEN a.actor IN ('otro_visitador', 'supervisor_otro', 'anonimo_visitador')
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
 WHERE d.e <> h.e
   AND (via.via <> 'api' OR to_regprocedure('pae_api.transicion(uuid, pae.estado_visita, text, double precision, double precision, double precision)') IS NOT NULL);

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

SELECT is(count(*), 360::bigint * CASE WHEN to_regprocedure('pae_api.transicion(uuid, pae.estado_visita, text, double precision, double precision, double precision)') IS NULL THEN 2 ELSE 3 END,
          '30 pairs of distinct states x 12 kinds of actor x each path') FROM casos;
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
