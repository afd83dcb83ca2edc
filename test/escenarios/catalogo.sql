-- The catalog of pae_cauca in this database, as sorted text lines: every
-- object of the extension (members, and whatever lives in its schemas) with
-- its definition, COMMENT and privileges.  test/escenarios/actualizacion.sh
-- diffs it between a fresh install and an upgraded one.  OIDs never appear:
-- objects are named by regclass/regprocedure/pg_describe_object.
\pset format unaligned
\pset tuples_only on
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'pae_cauca'),
esq AS (SELECT oid, nspname FROM pg_namespace WHERE nspname IN ('pae', 'pae_api', 'pae_reportes')),
miembros AS (
    SELECT d.classid, d.objid, d.objsubid FROM pg_depend d, ext
     WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'),
-- monthly partitions are made at run time from the data (contracts, audit
-- months), not by the scripts: they are not part of the catalog compared
rel AS (SELECT c.* FROM pg_class c JOIN esq ON esq.oid = c.relnamespace
         WHERE NOT c.relispartition
           AND NOT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
                            WHERE i.indexrelid = c.oid AND t.relispartition)),
pro AS (SELECT p.* FROM pg_proc p JOIN esq ON esq.oid = p.pronamespace)
SELECT linea FROM (
    SELECT 'extension ' || e.extversion || ' relocatable=' || e.extrelocatable
           || ' config=' || coalesce((SELECT string_agg(x::regclass::text, ',' ORDER BY x::regclass::text)
                                        FROM unnest(e.extconfig) x), '')
           || ' condiciones=' || coalesce((SELECT string_agg(c, '|' ORDER BY c) FROM unnest(e.extcondition) c), '') AS linea
      FROM pg_extension e WHERE e.extname = 'pae_cauca'
    UNION ALL
    SELECT 'miembro ' || pg_describe_object(classid, objid, objsubid) FROM miembros
    UNION ALL
    SELECT 'esquema ' || nspname || ' acl=' || coalesce(n.nspacl::text, '') || ' comment=' || coalesce(obj_description(n.oid, 'pg_namespace'), '')
      FROM pg_namespace n WHERE n.oid IN (SELECT oid FROM esq)
    UNION ALL
    SELECT 'relacion ' || c.oid::regclass || ' kind=' || c.relkind::text || ' acl=' || coalesce(c.relacl::text, '')
           || ' opciones=' || coalesce(c.reloptions::text, '') || ' rls=' || c.relrowsecurity || '/' || c.relforcerowsecurity
           || ' particion=' || coalesce(pg_get_expr(c.relpartbound, c.oid), '') || ' clave=' || coalesce(pg_get_partkeydef(c.oid), '')
           || ' persistencia=' || c.relpersistence::text || ' comment=' || coalesce(obj_description(c.oid, 'pg_class'), '')
      FROM rel c
    UNION ALL
    SELECT 'columna ' || c.oid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
           || ' notnull=' || a.attnotnull || ' default=' || coalesce(pg_get_expr(ad.adbin, ad.adrelid), '')
           || ' identity=' || a.attidentity::text || ' generated=' || a.attgenerated::text || ' acl=' || coalesce(a.attacl::text, '')
           || ' comment=' || coalesce(col_description(c.oid, a.attnum), '')
      FROM rel c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
    UNION ALL
    SELECT 'vista ' || c.oid::regclass || ' ' || pg_get_viewdef(c.oid) FROM rel c WHERE c.relkind IN ('v', 'm')
    UNION ALL
    SELECT 'restriccion ' || co.conrelid::regclass || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid)
           || ' comment=' || coalesce(obj_description(co.oid, 'pg_constraint'), '')
      FROM pg_constraint co JOIN rel c ON c.oid = co.conrelid
    UNION ALL
    SELECT 'indice ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN rel c ON c.oid = i.indrelid
    UNION ALL
    SELECT 'disparador ' || pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
      FROM pg_trigger t JOIN rel c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal
    UNION ALL
    SELECT 'politica ' || p.polrelid::regclass || ' ' || p.polname || ' cmd=' || p.polcmd::text || ' permissive=' || p.polpermissive
           || ' roles=' || (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE r::regrole::text END, ',' ORDER BY 1) FROM unnest(p.polroles) r)
           || ' using=' || coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' check=' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')
      FROM pg_policy p JOIN rel c ON c.oid = p.polrelid
    UNION ALL
    SELECT 'secuencia ' || s.seqrelid::regclass || ' ' || format_type(s.seqtypid, NULL) || ' ' || s.seqstart || ' ' || s.seqincrement
           || ' ' || s.seqmin || ' ' || s.seqmax || ' cache=' || s.seqcache || ' cycle=' || s.seqcycle
      FROM pg_sequence s JOIN rel c ON c.oid = s.seqrelid
    UNION ALL
    SELECT 'funcion ' || p.oid::regprocedure || ' acl=' || coalesce(p.proacl::text, '')
           || ' comment=' || coalesce(obj_description(p.oid, 'pg_proc'), '') || E'\n'
           || CASE WHEN p.prokind = 'a' THEN 'aggregate' ELSE pg_get_functiondef(p.oid) END
      FROM pro p
    UNION ALL
    SELECT 'tipo ' || t.oid::regtype || ' ' || t.typtype::text || ' comment=' || coalesce(obj_description(t.oid, 'pg_type'), '')
           || ' etiquetas=' || coalesce((SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), '')
      FROM pg_type t JOIN esq ON esq.oid = t.typnamespace
     WHERE t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND (SELECT k.relkind FROM pg_class k WHERE k.oid = t.typrelid) = 'c')
    UNION ALL
    SELECT 'privilegios_por_defecto ' || coalesce(d.defaclrole::regrole::text, '') || ' ' || coalesce(n.nspname, '*') || ' '
           || d.defaclobjtype::text || ' ' || d.defaclacl::text
      FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
    UNION ALL
    SELECT 'publicacion ' || p.pubname || ' ' || coalesce((SELECT string_agg(pr.prrelid::regclass::text, ',' ORDER BY 1)
                                                             FROM pg_publication_rel pr WHERE pr.prpubid = p.oid), '')
           || ' ins=' || p.pubinsert || ' upd=' || p.pubupdate || ' del=' || p.pubdelete
      FROM pg_publication p
    UNION ALL
    SELECT 'rol ' || r.rolname || ' login=' || r.rolcanlogin || ' miembro_de=' ||
           coalesce((SELECT string_agg(g.rolname, ',' ORDER BY g.rolname) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                      WHERE m.member = r.oid), '')
      FROM pg_roles r WHERE r.rolname LIKE 'pae\_%'
) x ORDER BY linea;
