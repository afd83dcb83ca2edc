/*-------------------------------------------------------------------------
 *
 * alertas.c
 *	  pae.alertas: the one way a signal is recorded (open it, or reopen it
 *	  with fresh details), and the trigger of reused photos.
 *
 * Every alert of the extension -- the state machine's (transitions.c) and
 * foto_reutilizada -- goes through pae_alerta_registrar, so "one open alert
 * per visit and type, reopened when seen again" is written once.  Callers
 * run inside an SPI connection, as the extension's owner (clients cannot
 * write pae.alertas).
 *
 * foto_reutilizada and row-level security: the evidence a photo's hash is
 * compared with is every visit's, which the caller may not see.  The
 * trigger runs as the caller only to ask which visits the caller can see
 * (pae.puede_ver_visita_id, under the caller's policies), then as the owner
 * to search and record:
 *   - the caller's visit always gets the alert; its detail names the other
 *     visit and evidence only when the caller can see that visit, otherwise
 *     it says the hash was seen on a visit the caller cannot see;
 *   - the other visit's alert is created or reopened only when the caller
 *     can see that visit.
 * A supervisor or coordinador reviewing the caller's alert sees, through
 * their own policies, every visit of their scope with that sha256.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "alertas.h"
#include "pae_cauca.h"

PG_FUNCTION_INFO_V1(pae_tg_foto_reutilizada);

/* prepared once per backend (see spi_plan.c) */
static SPIPlanPtr plan_alerta = NULL;
static SPIPlanPtr plan_misma_huella = NULL;
static SPIPlanPtr plan_puede_ver = NULL;

/*
 * pae_alerta_registrar
 *		Open the alert (visita, tipo) with detalle (a JSON object as text),
 *		or, when it exists, reopen it with the new detalle and time.
 */
void
pae_alerta_registrar(Datum visita, const char *tipo, const char *detalle_json)
{
	static const Oid argtypes[3] = {UUIDOID, TEXTOID, TEXTOID};
	Datum		args[3];

	args[0] = visita;
	args[1] = CStringGetTextDatum(tipo);
	args[2] = CStringGetTextDatum(detalle_json);
	pae_plan_ejecutar(pae_plan(&plan_alerta,
							   "INSERT INTO pae.alertas AS a (visita, tipo, detalle)"
							   " VALUES ($1, $2, $3::pg_catalog.jsonb)"
							   " ON CONFLICT (visita, tipo) DO UPDATE"
							   "   SET detalle = EXCLUDED.detalle, detectada_en = pg_catalog.now(),"
							   "       cerrada_en = NULL",
							   3, argtypes, true),
					  args, NULL, false, 0);
}

/* a JSON string literal of an ASCII identifier (uuid, hex) */
static char *
pae_json_texto(const char *s)
{
	return psprintf("\"%s\"", s);
}

/*
 * pae.tg_foto_reutilizada() RETURNS trigger
 *		AFTER INSERT OR UPDATE OF sha256 ... FOR EACH ROW on pae.evidencias
 */
Datum
pae_tg_foto_reutilizada(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	Oid			pae_ns;
	HeapTuple	fila;
	TupleDesc	desc;
	Datum		visita,
				evidencia,
				huella;
	bool		isnull_v,
				isnull_e,
				isnull_h;
	Datum		args[2];
	static const Oid argtypes_huella[2] = {TEXTOID, UUIDOID};
	static const Oid argtypes_ver[1] = {UUIDOID};
	uint64		n,
				i;
	char	  **otras_visitas;
	char	  **otras_evidencias;
	int			visible = -1;
	char	   *sha;
	char	   *ev;
	char	   *vis;
	PaeUsuarioGuardado guardado;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
		!(TRIGGER_FIRED_BY_INSERT(td->tg_event) || TRIGGER_FIRED_BY_UPDATE(td->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("pae.tg_foto_reutilizada debe dispararse AFTER INSERT OR UPDATE ... FOR EACH ROW"),
				 errhint("Es el disparador de pae.evidencias; no se usa en otras tablas.")));
	rel = td->tg_relation;
	pae_ns = get_namespace_oid("pae", true);
	if (!OidIsValid(pae_ns) ||
		RelationGetRelid(rel) != get_relname_relid("evidencias", pae_ns))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("pae.tg_foto_reutilizada no puede dispararse sobre la tabla \"%s.%s\"",
						get_namespace_name(RelationGetNamespace(rel)),
						RelationGetRelationName(rel)),
				 errdetail("pae.tg_foto_reutilizada es el disparador de pae.evidencias."),
				 errhint("No asocie disparadores de pae_cauca a otras tablas.")));

	fila = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	desc = RelationGetDescr(rel);
	visita = heap_getattr(fila, SPI_fnumber(desc, "visita"), desc, &isnull_v);
	evidencia = heap_getattr(fila, SPI_fnumber(desc, "id"), desc, &isnull_e);
	huella = heap_getattr(fila, SPI_fnumber(desc, "sha256"), desc, &isnull_h);
	if (isnull_v || isnull_e || isnull_h)
		return PointerGetDatum(NULL);	/* NOT NULL refuses the row anyway */

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/* as the owner: every other visit with the same hash, oldest first */
	args[0] = huella;
	args[1] = visita;
	pae_como_duenio(&guardado);
	pae_plan_ejecutar(pae_plan(&plan_misma_huella,
							   "SELECT e.visita::pg_catalog.text, e.id::pg_catalog.text"
							   "  FROM pae.evidencias e"
							   " WHERE e.sha256 OPERATOR(pg_catalog.=) $1"
							   "   AND e.visita OPERATOR(pg_catalog.<>) $2"
							   " ORDER BY e.creada_en, e.id",
							   2, argtypes_huella, true),
					  args, NULL, true, 0);
	pae_restaurar_usuario(&guardado);
	n = SPI_processed;
	if (n == 0)
	{
		SPI_finish();
		return PointerGetDatum(NULL);
	}
	otras_visitas = palloc(sizeof(char *) * n);
	otras_evidencias = palloc(sizeof(char *) * n);
	for (i = 0; i < n; i++)
	{
		otras_visitas[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		otras_evidencias[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
	}

	/* as the caller: the oldest of those visits the caller may see */
	for (i = 0; i < n && visible < 0; i++)
	{
		bool		isnull;
		Datum		otra;

		CHECK_FOR_INTERRUPTS();
		if (i > 0 && strcmp(otras_visitas[i], otras_visitas[i - 1]) == 0)
			continue;
		otra = DirectFunctionCall1(uuid_in, CStringGetDatum(otras_visitas[i]));
		pae_plan_ejecutar(pae_plan(&plan_puede_ver,
								   "SELECT pae.puede_ver_visita_id($1)",
								   1, argtypes_ver, true),
						  &otra, NULL, true, 1);
		if (SPI_processed == 1 &&
			DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)) &&
			!isnull)
			visible = (int) i;
	}

	sha = pae_json_texto(TextDatumGetCString(huella));
	ev = pae_json_texto(DatumGetCString(DirectFunctionCall1(uuid_out, evidencia)));
	vis = pae_json_texto(DatumGetCString(DirectFunctionCall1(uuid_out, visita)));

	pae_como_duenio(&guardado);
	if (visible >= 0)
	{
		pae_alerta_registrar(visita, "foto_reutilizada",
							 psprintf("{\"sha256\": %s, \"evidencia\": %s, \"otra_visita\": %s, \"otra_evidencia\": %s}",
									  sha, ev, pae_json_texto(otras_visitas[visible]),
									  pae_json_texto(otras_evidencias[visible])));
		pae_alerta_registrar(DirectFunctionCall1(uuid_in, CStringGetDatum(otras_visitas[visible])),
							 "foto_reutilizada",
							 psprintf("{\"sha256\": %s, \"evidencia\": %s, \"otra_visita\": %s, \"otra_evidencia\": %s}",
									  sha, pae_json_texto(otras_evidencias[visible]), vis, ev));
	}
	else
		pae_alerta_registrar(visita, "foto_reutilizada",
							 psprintf("{\"sha256\": %s, \"evidencia\": %s, \"otra_visita\": null, \"otra_evidencia\": null,"
									  " \"motivo\": \"la misma huella sha256 ya está en otra visita, fuera del alcance de quien registró esta evidencia\"}",
									  sha, ev));
	pae_restaurar_usuario(&guardado);

	SPI_finish();
	return PointerGetDatum(NULL);
}
