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

/* The PV error class of SPEC §11 */
#define ERRCODE_PAE_FUERA_GEOCERCA		MAKE_SQLSTATE('P','V','0','0','1')
#define ERRCODE_PAE_TRANSICION			MAKE_SQLSTATE('P','V','0','0','2')
#define ERRCODE_PAE_PRECONDICION		MAKE_SQLSTATE('P','V','0','0','3')
#define ERRCODE_PAE_SEDE_CONTRATO		MAKE_SQLSTATE('P','V','0','0','4')
#define ERRCODE_PAE_COORDENADAS			MAKE_SQLSTATE('P','V','0','0','5')
#define ERRCODE_PAE_TIEMPO				MAKE_SQLSTATE('P','V','0','0','6')
#define ERRCODE_PAE_CONFLICTO			MAKE_SQLSTATE('P','V','0','0','7')
#define ERRCODE_PAE_DUPLICADA			MAKE_SQLSTATE('P','V','0','0','8')
#define ERRCODE_PAE_AUDITORIA			MAKE_SQLSTATE('P','V','0','0','9')
#define ERRCODE_PAE_BLOQUEO				MAKE_SQLSTATE('P','V','0','1','0')
#define ERRCODE_PAE_LOTE				MAKE_SQLSTATE('P','V','0','1','1')

/* time zone of the programme's calendar (days and months of visits) */
#define PAE_ZONA_HORARIA	"America/Bogota"

/* tolerated clock skew of devices: timestamps up to this far ahead pass */
#define PAE_FUTURO_TOLERADO_USEC	(10 * USECS_PER_MINUTE)

/* a poor GPS fix gets at most this much benefit of the doubt (metres) */
#define PAE_PRECISION_BENEFICIO_MAX	100.0
/* fixes reported worse than this are refused (metres) */
#define PAE_PRECISION_MAX			5000.0

/* prepared SPI plans kept for the backend's life (spi_plan.c) */
struct _SPI_plan;
extern struct _SPI_plan *pae_plan(struct _SPI_plan **cache, const char *sql,
								  int nargs, const Oid *argtypes, bool generico);
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
} PaeActor;

extern bool pae_usuario_actual(Oid invocador, pg_uuid_t *id);
extern void pae_actor_obtener(Oid invocador, PaeActor *actor);
extern bool pae_sesion_privilegiada_anonima(Oid invocador);

#endif							/* PAE_CAUCA_H */
