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
	{"captura_dias_antes", CppAsString2(PAE_CAPTURA_DIAS_ANTES) " days",
	 "Una hora de captura (checkin_en, checkout_en, tomada_en) no es anterior al inicio del día de fecha_visita (hora de Colombia) menos este intervalo (PV006)"},
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
	{"respuesta_observacion_max", CppAsString2(PAE_RESPUESTA_OBSERVACION_MAX),
	 "Caracteres máximos de visita_respuestas.observacion (22001 si se superan)"},
	{"evidencia_uri_max", CppAsString2(PAE_EVIDENCIA_URI_MAX),
	 "Caracteres máximos de evidencias.uri (22001 si se superan)"},
	{"evidencia_mime_max", CppAsString2(PAE_EVIDENCIA_MIME_MAX),
	 "Caracteres máximos de evidencias.mime (22001 si se superan)"},
	{"evidencias_por_visita_max", CppAsString2(PAE_EVIDENCIAS_POR_VISITA_MAX),
	 "Evidencias máximas de una visita (23514 si se superan)"},
	{"contrato_meses_max", CppAsString2(PAE_CONTRATO_MESES_MAX),
	 "Meses que abarca a lo sumo la vigencia de un contrato (cada mes es una partición de visitas)"},
	{"contrato_anios_atras", CppAsString2(PAE_CONTRATO_ANIOS_ATRAS),
	 "Años antes de hoy en que puede empezar la vigencia de un contrato"},
	{"contrato_anios_adelante", CppAsString2(PAE_CONTRATO_ANIOS_ADELANTE),
	 "Años después de hoy en que puede terminar la vigencia de un contrato"},
	{"observaciones_max", CppAsString2(PAE_OBSERVACIONES_MAX),
	 "Caracteres máximos de visitas.observaciones (22001 si se superan)"},
	{"motivo_max", CppAsString2(PAE_MOTIVO_MAX),
	 "Caracteres máximos de visitas.motivo_estado, y del motivo de pae.transicion (22001 si se superan)"},
	{"dispositivo_max", CppAsString2(PAE_DISPOSITIVO_MAX),
	 "Caracteres máximos de visitas.dispositivo (22001 si se superan)"},
	{"correo_max", CppAsString2(PAE_CORREO_MAX),
	 "Caracteres máximos del correo de una persona en pae.crear_usuario (22023 si se superan)"},
	{"nombre_max", CppAsString2(PAE_NOMBRE_MAX),
	 "Caracteres máximos del nombre de una persona en pae.crear_usuario (22023 si se superan)"},
	{"sellado_espera", CppAsString2(PAE_SELLADO_ESPERA_MS) " milliseconds",
	 "Espera máxima de pae.sellar_auditoria por las transacciones que aún escriben filas de auditoría; las filas que ellas podrían preceder quedan para el siguiente sello"},
	{"jwt_secreto_min", CppAsString2(PAE_JWT_SECRETO_MIN),
	 "Bytes mínimos del secreto HS256 de los tokens (pae.fijar_secreto_jwt y la firma lo exigen)"},
	{"token_vida", CppAsString2(PAE_TOKEN_VIDA_MIN) " minutes",
	 "Vigencia de un token emitido por pae_api.login (claim exp = iat + este intervalo)"},
	{"login_intentos_max", CppAsString2(PAE_LOGIN_INTENTOS_MAX),
	 "Intentos fallidos de inicio de sesión de un correo, dentro de login_ventana, que lo bloquean (PV010, HTTP 429)"},
	{"login_ventana", CppAsString2(PAE_LOGIN_VENTANA_MIN) " minutes",
	 "Ventana en la que se cuentan los intentos fallidos de un correo"},
	{"login_bloqueo", CppAsString2(PAE_LOGIN_BLOQUEO_MIN) " minutes",
	 "Duración del bloqueo de un correo, contada desde el intento fallido que lo causó; ni la contraseña correcta entra"},
	{"login_retencion", CppAsString2(PAE_LOGIN_RETENCION_DIAS) " days",
	 "Antigüedad a partir de la cual pae.purgar_intentos_login borra los intentos de inicio de sesión"},
	{"cabecera_valor_max", CppAsString2(PAE_CABECERA_VALOR_MAX),
	 "Bytes máximos que se conservan del valor de cada cabecera HTTP de la petición (pae.db_pre_request y la auditoría)"},
	{"cabeceras_max", CppAsString2(PAE_CABECERAS_MAX),
	 "Cabeceras HTTP máximas que pae.db_pre_request conserva de una petición"},
	{"mis_visitas_dias", CppAsString2(PAE_MIS_VISITAS_DIAS),
	 "Días después de hoy que abarca pae_api.mis_visitas (las visitas que la app lleva para trabajar sin conexión)"},
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
