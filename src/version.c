/*-------------------------------------------------------------------------
 *
 * version.c
 *	  The version of the loaded library, for pae.salud()'s "library = SQL
 *	  version" check.
 *
 * The version has one place, default_version in pae_cauca.control: the
 * Makefile passes it to this file as PAE_VERSION.  A library newer than
 * the extension's SQL (pg_extension.extversion) means a package was
 * installed without ALTER EXTENSION pae_cauca UPDATE; an older one, that
 * the scripts of a newer version were installed without their library
 * (or that this backend still runs the library it loaded before).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#ifndef PAE_VERSION
#error "PAE_VERSION must come from pae_cauca.control (see the Makefile)"
#endif

PG_FUNCTION_INFO_V1(pae_version_biblioteca);

/*
 * pae.version_biblioteca() RETURNS text
 *
 * The default_version the loaded library was built for.
 */
Datum
pae_version_biblioteca(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(PAE_VERSION));
}
