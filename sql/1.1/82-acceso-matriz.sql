-- Access, closed where the matrix of roles found it open (issue 10, items
-- 3 and 7; SPEC §10; test/sql/acceso_matriz_roles.sql,
-- acceso_claims_hostiles.sql).
--
-- A session of pae_supervisor or pae_coordinador that names nobody (no
-- trusted claims, no login_db person: a token without sub that skipped the
-- pre-request, or a database login granted the role and mapped to no one)
-- read every visit and every person: the policies of 1.0 let "nobody"
-- through.  Now reading, like writing (pae.exigir_actor), needs an
-- identified, active person, except for pae_admin members acting as nobody
-- -- the maintenance session, which may also write.  Each identity lookup
-- stays an uncorrelated subquery: an InitPlan, evaluated once per
-- statement, never per row.
DROP POLICY IF EXISTS visitas_coordinacion ON pae.visitas;
CREATE POLICY visitas_coordinacion ON pae.visitas TO pae_coordinador
    USING ((SELECT pae.actor_vigente()) IS NOT NULL)
    WITH CHECK ((SELECT pae.actor_vigente()) IS NOT NULL);
DROP POLICY IF EXISTS visitas_administracion ON pae.visitas;
CREATE POLICY visitas_administracion ON pae.visitas TO pae_admin
    USING ((SELECT pae.sesion_habilitada()) IS TRUE)
    WITH CHECK ((SELECT pae.sesion_habilitada()) IS TRUE);

-- A person: themself; supervisors, coordinadores and admins (identified
-- and active) everybody; a pae_admin member acting as nobody everybody; a
-- denied session (unknown or inactive person) nobody.
DROP POLICY IF EXISTS usuarios_alcance ON pae.usuarios;
CREATE POLICY usuarios_alcance ON pae.usuarios
    USING ((SELECT pae.sesion_habilitada()) IS TRUE
           AND (id = (SELECT pae.actor_vigente())
                OR ((SELECT pae.actor_vigente()) IS NOT NULL
                    AND (SELECT pg_catalog.pg_has_role('pae_supervisor', 'USAGE')
                             OR pg_catalog.pg_has_role('pae_coordinador', 'USAGE')))
                OR (SELECT pg_catalog.pg_has_role('pae_admin', 'USAGE'))));
COMMENT ON POLICY visitas_coordinacion ON pae.visitas IS
    'Un coordinador identificado y activo ve y cambia todas las visitas; sin persona, ninguna';
COMMENT ON POLICY visitas_administracion ON pae.visitas IS
    'Un administrador ve y cambia todas las visitas, también sin persona (mantenimiento); si la sesión nombra a una persona desconocida o inactiva, ninguna';
COMMENT ON POLICY usuarios_alcance ON pae.usuarios IS
    'Cada persona se ve a sí misma; supervisores y coordinadores identificados y activos, y administradores, ven a todas; una sesión que nombra a una persona desconocida o inactiva no ve a nadie';

-- The support desk can see why a token was refused (PT401: issued before
-- the credentials last changed).
GRANT SELECT (credenciales_cambiadas_en) ON pae.usuarios TO pae_admin;

-- Who is in charge of which municipio is staff data, under the same rule
-- as the people themselves: a supervisor session naming nobody read every
-- assignment.  The supervisors' policy on pae.visitas joins this table as
-- the invoker and needs only the supervisor's own rows; the planning rule
-- (validation.c) reads it as the owner.
ALTER TABLE pae.usuario_municipios ENABLE ROW LEVEL SECURITY;
CREATE POLICY usuario_municipios_alcance ON pae.usuario_municipios
    USING ((SELECT pae.sesion_habilitada()) IS TRUE
           AND (usuario = (SELECT pae.actor_vigente())
                OR ((SELECT pae.actor_vigente()) IS NOT NULL
                    AND (SELECT pg_catalog.pg_has_role('pae_supervisor', 'USAGE')
                             OR pg_catalog.pg_has_role('pae_coordinador', 'USAGE')))
                OR (SELECT pg_catalog.pg_has_role('pae_admin', 'USAGE'))));
COMMENT ON POLICY usuario_municipios_alcance ON pae.usuario_municipios IS
    'Las asignaciones de municipios, con la regla de pae.usuarios: las propias; todas para supervisores y coordinadores identificados y activos y para administradores; ninguna si la sesión nombra a una persona desconocida o inactiva';

-- The JWT secret, under the one identity rule of writes: a session whose
-- trusted claims name an unknown or inactive person cannot set it, even
-- as a pae_admin member (the pre-request refuses such a token under
-- PostgREST; this holds for a caller that skips it).  Inside SECURITY
-- DEFINER the current role is the owner, so what decides is the person
-- the claims name; a login_db mapping of the caller is not visible here,
-- and a database login keeps what its role grants until its membership in
-- pae_admin is revoked.
CREATE OR REPLACE FUNCTION pae.fijar_secreto_jwt(secreto text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_bytes bytea := convert_to(coalesce(fijar_secreto_jwt.secreto, ''), 'UTF8');
    v_min   integer := pae.regla('jwt_secreto_min')::integer;
BEGIN
    PERFORM pae.exigir_actor('fijar el secreto JWT');
    IF octet_length(v_bytes) < v_min THEN
        RAISE EXCEPTION 'el secreto JWT es demasiado corto: % bytes', octet_length(v_bytes)
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Un secreto HS256 debe tener al menos %s bytes.', v_min),
                  HINT = 'Genere uno aleatorio (openssl rand -base64 48) y use el mismo texto en jwt-secret de PostgREST.';
    END IF;
    INSERT INTO pae.secreto_jwt AS s (unico, secreto) VALUES (true, v_bytes)
    ON CONFLICT (unico) DO UPDATE
       SET secreto = EXCLUDED.secreto, fijado_en = now(), fijado_por = session_user;
END
$$;
COMMENT ON FUNCTION pae.fijar_secreto_jwt(text) IS
    'Fija el secreto HS256 con que pae_api.login firma los tokens (solo pae_admin; 42501 si la sesión nombra a una persona desconocida o inactiva); debe ser el mismo texto que jwt-secret de PostgREST, de al menos jwt_secreto_min bytes (22023 si es más corto). Cambiarlo invalida todos los tokens emitidos';
