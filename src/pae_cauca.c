/*-------------------------------------------------------------------------
 *
 * pae_cauca.c
 *	  Module entry point of pae_cauca: module magic, the extension's
 *	  settings and, when preloaded, the event relay (relay.c).
 *
 * Settings are PGC_SUSET: the name of the role PostgREST logs in as decides
 * whose JWT claims are trusted, so only a superuser (postgresql.conf,
 * ALTER SYSTEM, ALTER DATABASE/ROLE ... SET) may change it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "eventos.h"
#include "geodesy.h"
#include "pae_cauca.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* GUC variables: owned by the GUC machinery, valid for the whole backend */
char	   *pae_rol_autenticador = NULL;

void
_PG_init(void)
{
	DefineCustomStringVariable("pae.rol_autenticador",
							   "Rol con el que PostgREST abre sus sesiones.",
							   "Solo en sesiones abiertas por este rol (o por un superusuario) "
							   "se confía en el claim sub de request.jwt.claims.",
							   &pae_rol_autenticador,
							   "authenticator",
							   PGC_SUSET,
							   0,
							   NULL, NULL, NULL);

	MarkGUCPrefixReserved("pae");

	/* constant tables of the fence math, once per process */
	pae_geo_init();

	/* preloaded: shared memory and the launcher of the event relay */
	pae_relay_init();
}
