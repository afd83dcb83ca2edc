-- tools/consistencia.sql -- what must agree in a pae_cauca database at any
-- moment; prints one line per disagreement and nothing when all agree.
-- Used by the crash harness (tools/caidas.sh) after every restart and by
-- the soak (tools/stress.d/20-soak.sh) at its end.  Run as a superuser:
--   psql -X -At -v ON_ERROR_STOP=1 -f tools/consistencia.sql
SET client_min_messages = warning;
-- the outbox: exactly one visita.<estado> event per transition
SELECT format('outbox vs history: visit %s %s: %s transitions, %s events', coalesce(t.visita, e.visita),
              coalesce(t.tipo, e.tipo), coalesce(t.n, 0), coalesce(e.n, 0))
  FROM (SELECT visita, 'visita.' || hacia AS tipo, count(*) n FROM pae.transiciones GROUP BY 1, 2) t
  FULL JOIN (SELECT visita, tipo, count(*) n FROM pae.eventos WHERE tipo LIKE 'visita.%' GROUP BY 1, 2) e
    ON e.visita = t.visita AND e.tipo = t.tipo
 WHERE t.n IS DISTINCT FROM e.n;
-- each visit is in the state its last transition reached (programada: none)
SELECT format('visit %s is %s but its last transition says %s', v.id, v.estado, coalesce(t.hacia::text, 'nothing'))
  FROM pae.visitas v
  LEFT JOIN LATERAL (SELECT t.hacia FROM pae.transiciones t WHERE t.visita = v.id ORDER BY t.id DESC LIMIT 1) t ON true
 WHERE v.estado::text IS DISTINCT FROM coalesce(t.hacia::text, 'programada');
-- the audit trail
SELECT format('verificar_auditoria: %s %s %s', tipo, auditoria_id, detalle) FROM pae.verificar_auditoria();
-- the bookkeeping tables equal what the visits say
SELECT format('visitas_id: %s rows differ from the visits', count(*)) FROM (
    (SELECT id, fecha_visita FROM pae.visitas EXCEPT ALL SELECT id, fecha_visita FROM pae.visitas_id)
    UNION ALL
    (SELECT id, fecha_visita FROM pae.visitas_id EXCEPT ALL SELECT id, fecha_visita FROM pae.visitas)) d
HAVING count(*) > 0;
SELECT format('visitas_dia: %s rows differ from the non-cancelled visits', count(*)) FROM (
    (SELECT sede, visitador, (fecha_visita AT TIME ZONE 'America/Bogota')::date, id FROM pae.visitas WHERE estado <> 'cancelada'
     EXCEPT ALL SELECT sede, visitador, dia, visita FROM pae.visitas_dia)
    UNION ALL
    (SELECT sede, visitador, dia, visita FROM pae.visitas_dia
     EXCEPT ALL SELECT sede, visitador, (fecha_visita AT TIME ZONE 'America/Bogota')::date, id FROM pae.visitas WHERE estado <> 'cancelada')) d
HAVING count(*) > 0;
SELECT format('visitas_checkin: %s rows differ from the visits checked in', count(*)) FROM (
    (SELECT id, visitador, checkin_en, checkin_lat, checkin_lon FROM pae.visitas
      WHERE checkin_en IS NOT NULL AND checkin_lat IS NOT NULL AND checkin_lon IS NOT NULL
     EXCEPT ALL SELECT visita, visitador, en, lat, lon FROM pae.visitas_checkin)
    UNION ALL
    (SELECT visita, visitador, en, lat, lon FROM pae.visitas_checkin
     EXCEPT ALL SELECT id, visitador, checkin_en, checkin_lat, checkin_lon FROM pae.visitas
      WHERE checkin_en IS NOT NULL AND checkin_lat IS NOT NULL AND checkin_lon IS NOT NULL)) d
HAVING count(*) > 0;
-- the monthly report equals a ground-truth GROUP BY (SPEC §9), when it exists
SELECT to_regclass('pae_reportes.visitas_mensual') IS NOT NULL AS hay_reportes \gset
\if :hay_reportes
WITH verdad AS (
    SELECT date_trunc('month', v.fecha_visita AT TIME ZONE 'America/Bogota')::date AS mes, s.municipio::text AS municipio_codigo,
           c.operador::text AS operador, c.numero::text AS contrato,
           count(*) AS programadas,
           count(*) FILTER (WHERE v.estado IN ('cerrada', 'aprobada', 'devuelta')) AS realizadas,
           count(*) FILTER (WHERE v.estado = 'aprobada') AS aprobadas,
           count(*) FILTER (WHERE v.estado = 'devuelta') AS devueltas,
           count(*) FILTER (WHERE v.estado = 'cancelada') AS canceladas,
           count(*) FILTER (WHERE v.dentro_geocerca = false) AS fuera_geocerca,
           coalesce(sum(v.raciones_programadas), 0) AS raciones_programadas,
           coalesce(sum(v.raciones_entregadas), 0) AS raciones_entregadas
      FROM pae.visitas v JOIN pae.sedes s ON s.codigo = v.sede JOIN pae.contratos c ON c.numero = v.contrato
     GROUP BY 1, 2, 3, 4),
informe AS (
    SELECT mes, municipio_codigo::text, operador::text, contrato::text, programadas, realizadas, aprobadas, devueltas,
           canceladas, fuera_geocerca, coalesce(raciones_programadas, 0), coalesce(raciones_entregadas, 0)
      FROM pae_reportes.visitas_mensual WHERE programadas > 0)
SELECT format('pae_reportes.visitas_mensual differs from the GROUP BY of the visits in %s rows', count(*)) FROM (
    (SELECT * FROM verdad EXCEPT ALL SELECT * FROM informe) UNION ALL (SELECT * FROM informe EXCEPT ALL SELECT * FROM verdad)) d
HAVING count(*) > 0;
\endif
