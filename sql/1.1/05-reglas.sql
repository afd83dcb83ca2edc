
-- The catalogue of rules (src/reglas.h): SQL reads tolerances, thresholds
-- and the time zone from the C definitions instead of repeating literals.
CREATE FUNCTION pae.regla(nombre text)
RETURNS text
AS 'MODULE_PATHNAME', 'pae_regla'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pae.regla(text) IS
    'Valor de una regla de pae_cauca (zona_horaria, futuro_tolerado, viaje_velocidad_max_kmh, ...), definido una sola vez en el código C; nombre desconocido: 22023';

CREATE FUNCTION pae.reglas(OUT nombre text, OUT valor text, OUT descripcion text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pae_reglas'
LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 16;
COMMENT ON FUNCTION pae.reglas() IS
    'Catálogo de las reglas de pae_cauca: tolerancias, umbrales de alertas, límites y zona horaria, con su valor y descripción';

REVOKE ALL ON FUNCTION pae.regla(text), pae.reglas() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pae.regla(text), pae.reglas()
    TO pae_visitador, pae_supervisor, pae_coordinador, pae_admin, pae_bi;
