/*-------------------------------------------------------------------------
 *
 * geodesy.h
 *	  Pure WGS84 geodesy helpers (no fmgr, no PostgreSQL dependencies), so
 *	  they can be unit-tested and fuzzed on their own.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PAE_GEODESY_H
#define PAE_GEODESY_H

#include <stdbool.h>

/* WGS84 ellipsoid */
#define PAE_WGS84_A		6378137.0
#define PAE_WGS84_F		(1.0 / 298.257223563)

/* fill the latitude tables (idempotent; done on first use otherwise) */
extern void pae_geo_init(void);

/*
 * true when lat/lon are finite and within [-90,90] x [-180,180]: NaN fails
 * every comparison and an infinity fails the range.  Inline: every fence
 * check calls it twice.
 */
static inline bool
pae_geo_coords_valid(double lat, double lon)
{
	return __builtin_fabs(lat) <= 90.0 && __builtin_fabs(lon) <= 180.0;
}

/*
 * Geodesic distance in metres on the WGS84 ellipsoid between two valid
 * points given in degrees.  Short lines (the geofence case) use a local
 * ellipsoidal tangent-plane formula; long lines use Vincenty's inverse
 * method, falling back to Andoyer-Lambert for nearly antipodal points.
 */
extern double pae_geo_distance(double lat1, double lon1,
							   double lat2, double lon2);

/* the two methods, exposed for tests and the fuzzer */
extern double pae_geo_distance_local(double lat1, double lon1,
									 double lat2, double lon2);
extern double pae_geo_distance_vincenty(double lat1, double lon1,
										double lat2, double lon2);

#endif							/* PAE_GEODESY_H */
