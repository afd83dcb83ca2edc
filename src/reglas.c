/*-------------------------------------------------------------------------
 *
 * reglas.c
 *	  The rules of reglas.h as SQL sees them: pae.regla(nombre) and
 *	  pae.reglas().  SQL code (PL/pgSQL triggers, partition upkeep, views)
 *	  reads a tolerance or the time zone from here instead of repeating a
 *	  literal, so each rule has one definition.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "reglas.h"

PG_FUNCTION_INFO_V1(pae_regla);
PG_FUNCTION_INFO_V1(pae_reglas);

typedef struct PaeRegla
{
	const char *nombre;
	const char *valor;
	const char *descripcion;
} PaeRegla;

static const PaeRegla pae_reglas_tabla[] = {
	{"zona_horaria", PAE_ZONA_HORARIA,
	 "Zona horaria del calendario del programa: días y meses de las visitas"},
	{"futuro_tolerado", CppAsString2(PAE_FUTURO_TOLERADO_MIN) " minutes",
	 "Adelanto máximo de una hora del dispositivo sobre la del servidor (PV006 si se supera)"},
	{"precision_beneficio_max_m", CppAsString2(PAE_PRECISION_BENEFICIO_MAX),
	 "Metros de tolerancia máxima que una mala precisión GPS suma al radio de la geocerca"},
	{"precision_max_m", CppAsString2(PAE_PRECISION_MAX),
	 "Precisión GPS declarada máxima aceptada, en metros (PV005 si se supera)"},
	{"viaje_velocidad_max_kmh", CppAsString2(PAE_VIAJE_VELOCIDAD_MAX_KMH),
	 "Velocidad implícita entre dos check-ins por encima de la cual se alerta viaje_imposible"},
	{"viaje_distancia_min_m", CppAsString2(PAE_VIAJE_DISTANCIA_MIN_M),
	 "Distancia mínima entre dos check-ins para juzgar el viaje (menos es ruido del GPS)"},
	{"viaje_ventana", CppAsString2(PAE_VIAJE_VENTANA_DIAS) " days",
	 "Separación máxima en el tiempo entre dos check-ins comparados por viaje_imposible"},
	{"raciones_fraccion_min", CppAsString2(PAE_RACIONES_FRACCION_MIN),
	 "Fracción de raciones programadas por debajo de la cual se alerta raciones_faltantes"},
	{"duracion_min", CppAsString2(PAE_DURACION_MIN_MIN) " minutes",
	 "Duración mínima de una visita (check-in a check-out) antes de alertar duracion_sospechosa"},
	{"sync_max_visitas", CppAsString2(PAE_SYNC_MAX_VISITAS),
	 "Visitas por lote de pae_api.sincronizar (PV011 si se supera, antes de aplicar nada)"},
	{"sync_max_bytes", CppAsString2(PAE_SYNC_MAX_BYTES),
	 "Bytes del cuerpo (jsonb) de un lote de pae_api.sincronizar (PV011 si se supera)"},
	{"sync_max_bytes_visita", CppAsString2(PAE_SYNC_MAX_BYTES_VISITA),
	 "Bytes (jsonb) de una visita de un lote de pae_api.sincronizar (PV011 si se supera)"},
	{"sync_max_respuestas", CppAsString2(PAE_SYNC_MAX_RESPUESTAS),
	 "Respuestas de la lista de chequeo por visita de un lote (PV011 si se supera)"},
	{"sync_max_evidencias", CppAsString2(PAE_SYNC_MAX_EVIDENCIAS),
	 "Evidencias por visita de un lote (PV011 si se supera)"},
};

/*
 * pae.regla(nombre text) RETURNS text
 *		The value of one rule, as text (intervals in interval syntax).
 */
Datum
pae_regla(PG_FUNCTION_ARGS)
{
	char	   *nombre = text_to_cstring(PG_GETARG_TEXT_PP(0));
	size_t		i;

	for (i = 0; i < lengthof(pae_reglas_tabla); i++)
		if (strcmp(pae_reglas_tabla[i].nombre, nombre) == 0)
			PG_RETURN_TEXT_P(cstring_to_text(pae_reglas_tabla[i].valor));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("regla desconocida: \"%s\"", nombre),
			 errdetail("pae_cauca no define una regla con ese nombre."),
			 errhint("Consulte SELECT * FROM pae.reglas() para ver las reglas y sus valores.")));
	PG_RETURN_NULL();			/* not reached */
}

/*
 * pae.reglas() RETURNS TABLE(nombre text, valor text, descripcion text)
 */
Datum
pae_reglas(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	size_t		i;

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < lengthof(pae_reglas_tabla); i++)
	{
		Datum		valores[3];
		bool		nulos[3] = {false, false, false};

		valores[0] = CStringGetTextDatum(pae_reglas_tabla[i].nombre);
		valores[1] = CStringGetTextDatum(pae_reglas_tabla[i].valor);
		valores[2] = CStringGetTextDatum(pae_reglas_tabla[i].descripcion);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, valores, nulos);
	}
	return (Datum) 0;
}
