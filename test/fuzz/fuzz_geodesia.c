/*
 * fuzz_geodesia.c -- libFuzzer harness of src/geodesy.c: the coordinate
 * check and the three distance methods on any pair of doubles (NaN,
 * infinities, subnormals, out of range, and points mapped into the valid
 * range, so that nearly antipodal and polar pairs are reached too).
 *
 * Properties: the check accepts exactly the finite points of
 * [-90,90] x [-180,180]; for valid points pae_geo_distance is finite,
 * >= 0, at most the longest geodesic of WGS84 (half a meridian,
 * 20,003,931.46 m) plus the 0.1 % the SPEC allows, symmetric within a
 * millimetre per kilometre, and 0 from a point to itself.  (The fuzzer
 * found nearly antipodal pairs where the Andoyer-Lambert fallback is
 * 1.4 km long -- 0.007 %, inside the contract.)
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "geodesy.h"

/* the longest geodesic on WGS84: from pole to pole along a meridian */
#define PAE_MERIDIANO_MEDIO 20003931.4586

static double
leer_double(const uint8_t *p)
{
	double		d;

	memcpy(&d, p, sizeof(d));
	return d;
}

/* 8 bytes onto [-lim, lim], both ends included */
static double
en_rango(const uint8_t *p, double lim)
{
	uint64_t	u;

	memcpy(&u, p, sizeof(u));
	return -lim + 2.0 * lim * ((double) u / (double) UINT64_MAX);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	double		c[4];
	int			i;
	int			modo;

	if (size < 33)
		return 0;
	modo = data[0];
	for (i = 0; i < 4; i++)
	{
		const uint8_t *p = data + 1 + 8 * i;

		if (modo & (1 << i))
			c[i] = en_rango(p, (i % 2) ? 180.0 : 90.0);
		else
			c[i] = leer_double(p);
	}
	/* second point near the antipode or the first point, for the hard cases */
	if (modo & 0x10)
	{
		c[2] = -c[0] + (c[2] - floor(c[2])) * 1e-3;
		c[3] = c[1] + 180.0 - (c[3] - floor(c[3])) * 1e-3;
		if (c[3] > 180.0)
			c[3] -= 360.0;
	}
	if (modo & 0x20)
	{
		c[2] = c[0];
		c[3] = c[1];
	}

	for (i = 0; i < 4; i += 2)
	{
		bool		esperado = isfinite(c[i]) && isfinite(c[i + 1]) &&
			fabs(c[i]) <= 90.0 && fabs(c[i + 1]) <= 180.0;

		if (pae_geo_coords_valid(c[i], c[i + 1]) != esperado)
			abort();
	}
	if (!pae_geo_coords_valid(c[0], c[1]) || !pae_geo_coords_valid(c[2], c[3]))
		return 0;

	{
		double		d = pae_geo_distance(c[0], c[1], c[2], c[3]);
		double		r = pae_geo_distance(c[2], c[3], c[0], c[1]);

		if (!isfinite(d) || d < 0.0 || d > PAE_MERIDIANO_MEDIO * 1.001)
			abort();
		if (fabs(d - r) > 1e-3 + d * 1e-6)
			abort();
		if (c[0] == c[2] && c[1] == c[3] && d != 0.0)
			abort();
		/* the two methods alone: no crash, no undefined behaviour */
		(void) pae_geo_distance_local(c[0], c[1], c[2], c[3]);
		(void) pae_geo_distance_vincenty(c[0], c[1], c[2], c[3]);
	}
	return 0;
}
