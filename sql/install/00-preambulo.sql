-- pae_cauca: supervision of PAE school-feeding visits (Cauca, Colombia)
--
-- This file is one fragment of the install script: the Makefile concatenates
-- sql/install/NN-*.sql, in order, into sql/pae_cauca--<version>.sql.
--
-- Script security: while CREATE EXTENSION runs, search_path is the target
-- schema followed by the schemas of postgis and pgcrypto; pg_catalog is
-- searched first implicitly.  Every function below pins its own search_path
-- and every built-in in a function body is resolved from pg_catalog first.

\echo Use "CREATE EXTENSION pae_cauca CASCADE" to load this file. \quit

CREATE SCHEMA pae;
CREATE SCHEMA pae_api;
CREATE SCHEMA pae_reportes;

COMMENT ON SCHEMA pae IS 'Tablas y funciones del núcleo de pae_cauca: sedes, contratos, usuarios y visitas del PAE';
COMMENT ON SCHEMA pae_api IS 'Superficie que expone PostgREST: solo vistas (security_invoker) y funciones';
COMMENT ON SCHEMA pae_reportes IS 'Vistas para herramientas de BI: cobertura, cumplimiento y alertas';

-- Group roles of SPEC §10.  Roles are cluster-wide: created only when
-- missing, reused by a second database, left behind by DROP EXTENSION.
DO $roles$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['pae_anon', 'pae_visitador', 'pae_supervisor',
                             'pae_coordinador', 'pae_admin', 'pae_bi']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) r) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
END
$roles$;
