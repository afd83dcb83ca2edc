-- Privileges and row-level security (SPEC §10).
--
-- Clients never write the bookkeeping tables (visitas_id, visitas_checkin, transiciones,
-- eventos, alertas): the C triggers write them as the extension's owner.

REVOKE ALL ON ALL TABLES IN SCHEMA pae FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA pae FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    pae.distancia_m(double precision, double precision, double precision, double precision),
    pae.distancia_m(geography, geography),
    pae.evaluar_geocerca(text, double precision, double precision, double precision),
    pae.evaluar_geocerca(text, geography, double precision),
    pae.usuario_actual(),
    pae.transicion(uuid, pae.estado_visita, text, double precision, double precision, double precision),
    pae.tg_visitas_antes(), pae.tg_visitas_despues(), pae.tg_hijos_visita(),
    pae.tg_foto_reutilizada(), pae.tg_contratos_particiones()
    TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT EXECUTE ON FUNCTION pae.crear_usuario(text, text, text, text, char(5)[]) TO pae_admin;

GRANT USAGE ON SCHEMA pae TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT USAGE ON SCHEMA pae_api TO pae_anon, pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT USAGE ON SCHEMA pae_reportes TO pae_bi, pae_coordinador, pae_admin;

-- reference data: readable by staff; written by coordinadores and admins
GRANT SELECT ON pae.municipios, pae.instituciones, pae.sedes, pae.operadores,
                pae.contratos, pae.contrato_sedes, pae.checklist_items
    TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT INSERT, UPDATE, DELETE ON pae.instituciones, pae.sedes, pae.operadores,
                pae.contratos, pae.contrato_sedes, pae.checklist_items
    TO pae_coordinador, pae_admin;

-- visits and what hangs off them
GRANT SELECT ON pae.visitas_id TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON pae.visitas TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON pae.visita_respuestas, pae.evidencias
    TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT SELECT ON pae.transiciones, pae.alertas, pae.eventos
    TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT UPDATE (cerrada_en) ON pae.alertas TO pae_supervisor, pae_coordinador, pae_admin;
GRANT SELECT (id, correo, nombre, rol, activo, login_db, creado_en) ON pae.usuarios
    TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT UPDATE (nombre, rol, activo, login_db) ON pae.usuarios TO pae_admin;
GRANT SELECT ON pae.usuario_municipios TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;
GRANT INSERT, DELETE ON pae.usuario_municipios TO pae_admin;

-- Row-level security: a visitador sees and changes only their visits, a
-- supervisor those of the municipios in their charge, coordinadores and
-- admins all.  One policy per group role, so a session gets only the
-- predicate of its role; each is a plain expression (the supervisor's an
-- uncorrelated subquery, computed once per statement), never a SQL function
-- with a subquery inside, which the planner cannot inline and would run for
-- every row.
--
-- No SET search_path on puede_ver_visita_id: the children's policies call
-- it for every row, and a SET clause would stop the planner from inlining
-- it.  Its BEGIN ATOMIC body is bound when this script runs, so no
-- search_path of the caller can redirect it.
CREATE FUNCTION pae.puede_ver_visita_id(visita uuid)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL RESTRICTED
BEGIN ATOMIC
    SELECT EXISTS (SELECT 1 FROM pae.visitas v JOIN pae.visitas_id r ON r.id = v.id AND r.fecha_visita = v.fecha_visita
                    WHERE r.id = puede_ver_visita_id.visita);
END;
COMMENT ON FUNCTION pae.puede_ver_visita_id(uuid) IS
    'Verdadero si la sesión puede ver la visita (las políticas de pae.visitas deciden)';
GRANT EXECUTE ON FUNCTION pae.puede_ver_visita_id(uuid) TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin;

ALTER TABLE pae.visitas ENABLE ROW LEVEL SECURITY;
CREATE POLICY visitas_visitador ON pae.visitas TO pae_visitador
    USING (visitador = pae.usuario_actual())
    WITH CHECK (visitador = pae.usuario_actual());
CREATE POLICY visitas_supervisor ON pae.visitas TO pae_supervisor
    USING (sede IN (SELECT s.codigo FROM pae.sedes s
                      JOIN pae.usuario_municipios um ON um.municipio = s.municipio
                     WHERE um.usuario = pae.usuario_actual()))
    WITH CHECK (sede IN (SELECT s.codigo FROM pae.sedes s
                           JOIN pae.usuario_municipios um ON um.municipio = s.municipio
                          WHERE um.usuario = pae.usuario_actual()));
CREATE POLICY visitas_coordinacion ON pae.visitas TO pae_coordinador, pae_admin
    USING (true) WITH CHECK (true);

ALTER TABLE pae.visita_respuestas ENABLE ROW LEVEL SECURITY;
CREATE POLICY visita_respuestas_alcance ON pae.visita_respuestas
    USING (pae.puede_ver_visita_id(visita)) WITH CHECK (pae.puede_ver_visita_id(visita));
ALTER TABLE pae.evidencias ENABLE ROW LEVEL SECURITY;
CREATE POLICY evidencias_alcance ON pae.evidencias
    USING (pae.puede_ver_visita_id(visita)) WITH CHECK (pae.puede_ver_visita_id(visita));
ALTER TABLE pae.transiciones ENABLE ROW LEVEL SECURITY;
CREATE POLICY transiciones_alcance ON pae.transiciones USING (pae.puede_ver_visita_id(visita));
ALTER TABLE pae.alertas ENABLE ROW LEVEL SECURITY;
CREATE POLICY alertas_alcance ON pae.alertas USING (pae.puede_ver_visita_id(visita));
ALTER TABLE pae.eventos ENABLE ROW LEVEL SECURITY;
CREATE POLICY eventos_alcance ON pae.eventos USING (visita IS NULL OR pae.puede_ver_visita_id(visita));
ALTER TABLE pae.usuarios ENABLE ROW LEVEL SECURITY;
CREATE POLICY usuarios_alcance ON pae.usuarios
    USING (id = pae.usuario_actual() OR pg_has_role('pae_supervisor', 'USAGE')
           OR pg_has_role('pae_coordinador', 'USAGE') OR pg_has_role('pae_admin', 'USAGE'));

-- pg_dump keeps the rows users add (SPEC §2).  Shipped reference data
-- (municipios, shipped checklist items) is recreated by CREATE EXTENSION.
ALTER TABLE pae.checklist_items ADD COLUMN de_fabrica boolean NOT NULL DEFAULT false;
UPDATE pae.checklist_items SET de_fabrica = true;
COMMENT ON COLUMN pae.checklist_items.de_fabrica IS 'Ítem instalado por la extensión (los agregados localmente son false)';
SELECT pg_catalog.pg_extension_config_dump('pae.checklist_items', 'WHERE NOT de_fabrica');
SELECT pg_catalog.pg_extension_config_dump('pae.instituciones', '');
SELECT pg_catalog.pg_extension_config_dump('pae.sedes', '');
SELECT pg_catalog.pg_extension_config_dump('pae.operadores', '');
SELECT pg_catalog.pg_extension_config_dump('pae.contratos', '');
SELECT pg_catalog.pg_extension_config_dump('pae.contrato_sedes', '');
SELECT pg_catalog.pg_extension_config_dump('pae.usuarios', '');
SELECT pg_catalog.pg_extension_config_dump('pae.usuario_municipios', '');
SELECT pg_catalog.pg_extension_config_dump('pae.visitas_id', '');
SELECT pg_catalog.pg_extension_config_dump('pae.visitas_dia', '');
SELECT pg_catalog.pg_extension_config_dump('pae.visitas_checkin', '');
SELECT pg_catalog.pg_extension_config_dump('pae.visitas_default', '');
SELECT pg_catalog.pg_extension_config_dump('pae.visita_respuestas', '');
SELECT pg_catalog.pg_extension_config_dump('pae.evidencias', '');
SELECT pg_catalog.pg_extension_config_dump('pae.transiciones', '');
SELECT pg_catalog.pg_extension_config_dump('pae.alertas', '');
SELECT pg_catalog.pg_extension_config_dump('pae.eventos', '');
SELECT pg_catalog.pg_extension_config_dump('pae.transiciones_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('pae.alertas_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('pae.eventos_id_seq', '');
