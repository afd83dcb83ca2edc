-- Geofence (SPEC §4).  C functions on plain float8; the geography
-- overloads are SQL wrappers so the library never links PostGIS.
--
-- search_path: the C functions here and in later fragments carry no SET
-- clause on purpose (it would cost a GUC save/restore per call on the hot
-- path); every query they run through SPI schema-qualifies its tables,
-- functions, operators and types instead.  SQL and PL/pgSQL functions pin
-- search_path.  SQL functions use BEGIN ATOMIC bodies: names are bound
-- when the install script runs (PostGIS's schema is on its search_path
-- then), not at call time, so no later search_path can redirect them.

CREATE FUNCTION pae.distancia_m(lat1 double precision, lon1 double precision,
                                lat2 double precision, lon2 double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'pae_distancia_m'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pae.distancia_m(double precision, double precision, double precision, double precision) IS
    'Distancia en metros sobre el elipsoide WGS84 entre (lat1, lon1) y (lat2, lon2), en grados. Dentro del 0,1 % de ST_Distance(geography) y de 0,5 m bajo 2 km. Coordenadas NaN, infinitas o fuera de rango: PV005';

CREATE FUNCTION pae.evaluar_geocerca(sede text, lat double precision, lon double precision,
                                     precision_m double precision DEFAULT NULL,
                                     OUT distancia_m double precision,
                                     OUT radio_m double precision,
                                     OUT dentro boolean)
RETURNS record
AS 'MODULE_PATHNAME', 'pae_evaluar_geocerca'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION pae.evaluar_geocerca(text, double precision, double precision, double precision) IS
    'Evalúa una captura GPS contra la geocerca de la sede: distancia_m, radio_m y dentro (distancia_m <= radio_m + LEAST(COALESCE(precision_m, 0), 100)). Sede desconocida: PV004; coordenadas o precisión inválidas (negativa, NaN o mayor de 5000 m): PV005';

CREATE FUNCTION pae.evaluar_geocerca(sede text, punto geography,
                                     precision_m double precision DEFAULT NULL,
                                     OUT distancia_m double precision,
                                     OUT radio_m double precision,
                                     OUT dentro boolean)
RETURNS record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT g.distancia_m, g.radio_m, g.dentro
      FROM pae.evaluar_geocerca(sede,
                                ST_Y(punto::geometry),
                                ST_X(punto::geometry),
                                precision_m) AS g;
END;
COMMENT ON FUNCTION pae.evaluar_geocerca(text, geography, double precision) IS
    'Como pae.evaluar_geocerca(sede, lat, lon, precision_m) con la captura como punto geography (WGS84)';

CREATE FUNCTION pae.distancia_m(a geography, b geography)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT pae.distancia_m(ST_Y(a::geometry),
                           ST_X(a::geometry),
                           ST_Y(b::geometry),
                           ST_X(b::geometry));
END;
COMMENT ON FUNCTION pae.distancia_m(geography, geography) IS
    'Como pae.distancia_m(lat1, lon1, lat2, lon2) entre dos puntos geography (WGS84)';
