/*-------------------------------------------------------------------------
 *
 * tiempos.c
 *	  Capture times sent by clients (checkin_en, checkout_en, evidencias.
 *	  tomada_en): the bounds of reglas.h and the order of check-in and
 *	  check-out, written once.
 *
 * A capture time is device time unless the server stamped it (pae.transicion
 * stamps the check-in and check-out with its own clock).  The server can
 * prove little about device time, so it bounds it: the time is finite, not
 * more than PAE_FUTURO_TOLERADO_MIN ahead of the server clock, and not
 * earlier than the start of the Colombian day of fecha_visita minus
 * PAE_CAPTURA_DIAS_ANTES days.  The lower bound is about the visit's planned
 * date, not the server clock: offline sync may deliver a capture days after
 * it was taken.  Everything that compares capture times afterwards (the
 * duration and travel alerts) works only with times inside these bounds, so
 * no arithmetic on them can overflow.
 *
 * The visits trigger (validation.c) and the closing preconditions
 * (transitions.c) call the C functions; the evidence trigger (PL/pgSQL)
 * calls pae.validar_hora_captura.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#include "tiempos.h"

PG_FUNCTION_INFO_V1(pae_validar_hora_captura);

static char *
pae_tiempo_texto(TimestampTz ts)
{
	return DatumGetCString(DirectFunctionCall1(timestamptz_out, TimestampTzGetDatum(ts)));
}

/*
 * pae_captura_desde
 *		The earliest capture time a visit planned for fecha_visita accepts:
 *		00:00 (Colombian time) of its day, minus PAE_CAPTURA_DIAS_ANTES days.
 */
TimestampTz
pae_captura_desde(TimestampTz fecha_visita)
{
	Datum		zona;
	Datum		local;
	Timestamp	dia;

	if (TIMESTAMP_NOT_FINITE(fecha_visita))
		return fecha_visita;
	zona = CStringGetTextDatum(PAE_ZONA_HORARIA);
	local = DirectFunctionCall2(timestamptz_zone, zona, TimestampTzGetDatum(fecha_visita));
	dia = DatumGetTimestamp(DirectFunctionCall2(timestamp_trunc,
												CStringGetTextDatum("day"), local));
	dia -= (int64) PAE_CAPTURA_DIAS_ANTES * USECS_PER_DAY;
	return DatumGetTimestampTz(DirectFunctionCall2(timestamp_zone, zona,
												   TimestampGetDatum(dia)));
}

/*
 * pae_captura_validar
 *		PV006 unless "en" (a capture time of a visit planned for fecha_visita)
 *		is finite, not before pae_captura_desde and not too far ahead of the
 *		server clock.  "que" names the capture in messages ("el check-in").
 */
void
pae_captura_validar(const char *que, const char *columna, TimestampTz en,
					TimestampTz fecha_visita)
{
	TimestampTz ahora = GetCurrentTimestamp();
	TimestampTz desde;

	if (TIMESTAMP_NOT_FINITE(en))
		ereport(ERROR,
				(errcode(ERRCODE_PAE_TIEMPO),
				 errmsg("hora inválida en %s: %s", que, pae_tiempo_texto(en)),
				 errdetail("%s debe ser un instante finito; infinity y -infinity no son horas de captura.",
						   columna),
				 errhint("Envíe la hora real en que el dispositivo hizo la captura.")));
	if (en > ahora + PAE_FUTURO_TOLERADO_USEC)
		ereport(ERROR,
				(errcode(ERRCODE_PAE_TIEMPO),
				 errmsg("%s en el futuro: %s", que, pae_tiempo_texto(en)),
				 errdetail("%s es posterior en más de %d minutos a la hora del servidor (%s).",
						   columna, PAE_FUTURO_TOLERADO_MIN, pae_tiempo_texto(ahora)),
				 errhint("Corrija la fecha y hora del dispositivo (use la hora de la red) y sincronice de nuevo.")));
	desde = pae_captura_desde(fecha_visita);
	if (en < desde)
		ereport(ERROR,
				(errcode(ERRCODE_PAE_TIEMPO),
				 errmsg("%s es anterior al día de la visita: %s", que, pae_tiempo_texto(en)),
				 errdetail("%s es anterior a %s: el inicio del día de fecha_visita (hora de Colombia) menos %d día(s).",
						   columna, pae_tiempo_texto(desde), PAE_CAPTURA_DIAS_ANTES),
				 errhint("Corrija la fecha y hora del dispositivo, o reprograme la visita para el día en que se hizo.")));
}

/*
 * pae_checkout_validar
 *		PV006 when the check-out is earlier than the check-in.
 */
void
pae_checkout_validar(TimestampTz checkin_en, TimestampTz checkout_en)
{
	if (checkout_en < checkin_en)
		ereport(ERROR,
				(errcode(ERRCODE_PAE_TIEMPO),
				 errmsg("check-out anterior al check-in"),
				 errdetail("checkout_en %s es anterior a checkin_en %s.",
						   pae_tiempo_texto(checkout_en), pae_tiempo_texto(checkin_en)),
				 errhint("Revise la hora del dispositivo: el check-out debe ser posterior al check-in.")));
}

/*
 * pae.validar_hora_captura(que text, columna text, en timestamptz,
 *							fecha_visita timestamptz) RETURNS void
 *		The same bounds for SQL callers (the evidence trigger): nothing when
 *		en is NULL, PV006 when it is out of bounds.
 */
Datum
pae_validar_hora_captura(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(2))
		PG_RETURN_VOID();
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("pae.validar_hora_captura necesita que, columna y fecha_visita"),
				 errhint("Llame pae.validar_hora_captura(que, columna, en, fecha_visita) con que, columna y fecha_visita no nulos.")));
	pae_captura_validar(text_to_cstring(PG_GETARG_TEXT_PP(0)),
						text_to_cstring(PG_GETARG_TEXT_PP(1)),
						PG_GETARG_TIMESTAMPTZ(2), PG_GETARG_TIMESTAMPTZ(3));
	PG_RETURN_VOID();
}
