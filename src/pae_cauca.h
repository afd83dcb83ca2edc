/*-------------------------------------------------------------------------
 *
 * pae_cauca.h
 *	  Shared declarations of the pae_cauca extension: the PV error class,
 *	  the settings, and the helpers each C file offers the others.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PAE_CAUCA_H
#define PAE_CAUCA_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/uuid.h"

#include "reglas.h"

/* prepared SPI plans kept for the backend's life (spi_plan.c) */
struct _SPI_plan;
extern struct _SPI_plan *pae_plan(struct _SPI_plan **cache, const char *sql,
								  int nargs, const Oid *argtypes, bool generico);
extern struct _SPI_plan *pae_plan_a_medida(struct _SPI_plan **cache, const char *sql,
										   int nargs, const Oid *argtypes);
extern int	pae_plan_ejecutar(struct _SPI_plan *plan, Datum *args,
							  const char *nulls, bool read_only, long count);

/* acting as the extension's owner (spi_plan.c) */
typedef struct PaeUsuarioGuardado
{
	Oid			userid;
	int			sec_context;
} PaeUsuarioGuardado;

extern Oid	pae_duenio_extension(void);
extern void pae_como_duenio(PaeUsuarioGuardado *g);
extern void pae_restaurar_usuario(const PaeUsuarioGuardado *g);

/* settings (pae_cauca.c) */
extern char *pae_rol_autenticador;

/* a school site as the geofence and the validation need it (sedes.c) */
typedef struct PaeSede
{
	bool		activa;
	bool		estricta;
	double		lat;
	double		lon;
	double		radio_m;
	char		municipio[6];
} PaeSede;

extern bool pae_sede_buscar(const char *codigo, PaeSede *sede);
extern void pae_sede_exigir(const char *codigo, PaeSede *sede);

/* geofence helpers (geofence.c) */
extern void pae_coordenadas_validar(const char *que, double lat, double lon);
extern void pae_precision_validar(const char *que, double precision_m);
extern bool pae_geocerca_dentro(double distancia_m, double radio_m,
								bool tiene_precision, double precision_m);

/* the person acting (actor.c) */
typedef struct PaeActor
{
	bool		identificado;	/* a pae.usuarios row was found */
	pg_uuid_t	id;
	char		rol[16];
	bool		activo;
	bool		privilegiado;	/* superuser, extension owner or pae_admin */
	bool		nombrado;		/* the session names a person (id is set) */
} PaeActor;

extern bool pae_claims_confiables(void);
extern bool pae_usuario_actual(Oid invocador, pg_uuid_t *id);
extern void pae_actor_consultar(Oid invocador, PaeActor *actor);
extern void pae_actor_obtener(Oid invocador, PaeActor *actor);
extern void pae_actor_exigir(Oid invocador, PaeActor *actor, const char *accion);
extern bool pae_sesion_privilegiada_anonima(Oid invocador);
/* is this person in charge of the municipio (pae.usuario_municipios)?  SPI connected */
extern bool pae_municipio_a_cargo(const pg_uuid_t *persona, const char *municipio);

#endif							/* PAE_CAUCA_H */
