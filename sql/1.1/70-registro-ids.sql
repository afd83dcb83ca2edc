
-- pae.visitas_id (the registry of visit ids across months) answers only for
-- the visits the session may see: an id and its date are the visit's
-- business, not every staff member's (issue 9, item 12).  The triggers
-- write and read it as the extension's owner, whom row-level security does
-- not restrict; invoker code (pae.transicion, pae.puede_ver_visita_id,
-- pae_api.alertas, the children's trigger) joins it and sees exactly the
-- visits its caller sees.  The policy reads pae.visitas, whose own
-- policies never read pae.visitas_id, so nothing recurses.
ALTER TABLE pae.visitas_id ENABLE ROW LEVEL SECURITY;
CREATE POLICY visitas_id_alcance ON pae.visitas_id
    USING (EXISTS (SELECT 1 FROM pae.visitas v
                    WHERE v.id OPERATOR(pg_catalog.=) visitas_id.id
                      AND v.fecha_visita OPERATOR(pg_catalog.=) visitas_id.fecha_visita));
