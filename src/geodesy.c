/*-------------------------------------------------------------------------
 *
 * geodesy.c
 *	  Distances on the WGS84 ellipsoid, written for the geofence hot path.
 *
 * A geofence check compares a GPS capture with a school site a few hundred
 * metres away.  At that range the ellipsoid is, to well under a millimetre,
 * a plane scaled by the two principal radii of curvature at the mean
 * latitude: M (meridian) northwards and N cos(phi) eastwards.  Both are
 * tabulated by latitude (see pae_geo_init), so a check costs a table
 * interpolation and one square root, an order of magnitude less than an
 * iterative geodesic, and agrees with PostGIS's ST_Distance(geography)
 * (GeographicLib) to about a millimetre at fence range (the regression tests
 * measure it).
 *
 * Lines longer than PAE_LOCAL_MAX_RAD in either coordinate are solved with
 * Vincenty's inverse formula (sub-millimetre on the ellipsoid).  Nearly
 * antipodal points, where Vincenty does not converge or converges on the
 * longer equatorial branch, get Andoyer-Lambert kept inside the window the
 * triangle inequality allows (pae_geo_antipodal): within 0.08 % of
 * GeographicLib there (up to ~15 km), never negative -- nobody drives to
 * the antipode of a school, but a forged capture there must not land
 * "inside" the fence (libFuzzer found Andoyer-Lambert returning -5e19 m).
 *
 * Nothing here knows about PostgreSQL: callers validate their input with
 * pae_geo_coords_valid() first.
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdbool.h>

#include "geodesy.h"

#define PAE_DEG2RAD		(M_PI / 180.0)
#define PAE_WGS84_E2	(PAE_WGS84_F * (2.0 - PAE_WGS84_F))
#define PAE_WGS84_B		(PAE_WGS84_A * (1.0 - PAE_WGS84_F))

/*
 * Largest coordinate difference (radians, ~64 km) solved on the tangent
 * plane.  The plane's relative error grows as (d/R)^2/8, about 1e-5 at this
 * size: 0.6 m over 64 km, far inside the 0.1% contract.
 */
#define PAE_LOCAL_MAX_RAD	0.01

/* fence checks are short lines: tell the compiler which branch is hot */
#if defined(__GNUC__)
#define likely_short(x)	__builtin_expect(!!(x), 1)
#define unlikely_not_ready(x)	__builtin_expect(!!(x), 0)
#else
#define likely_short(x)	(x)
#define unlikely_not_ready(x)	(x)
#endif

/* the longest geodesic of WGS84: half a meridian, pole to pole (Karney) */
#define PAE_WGS84_MEDIO_MERIDIANO	20003931.4586254

#define PAE_VINCENTY_MAX_ITER	200
#define PAE_VINCENTY_EPS		1e-12

/* longitude difference folded into [-pi, pi] */
static inline double
pae_geo_delta_lon(double lon1, double lon2)
{
	double		d = (lon2 - lon1) * PAE_DEG2RAD;

	if (d > M_PI)
		d -= 2.0 * M_PI;
	else if (d < -M_PI)
		d += 2.0 * M_PI;
	return d;
}

/*
 * The plane's two scale factors depend on the mean latitude only: metres
 * per radian northwards, M(phi), and eastwards, N(phi) cos(phi).  Inside a
 * query each fence check waits for its own cosine, square roots and
 * divisions (their latency, not their throughput, is what a row pays), so
 * both factors are tabulated every 0.1 degree and interpolated linearly:
 * the interpolation error is at most h^2/8 = 4e-7 of the distance (under a
 * millimetre at 2 km), for one load and a multiply-add.  The table is
 * filled once per process and never changes.
 */
#define PAE_TABLA_PASO_GRADOS	0.1
#define PAE_TABLA_N				(1800 + 2)	/* -90..90 every 0.1, plus one pad */

static double pae_tabla_este[PAE_TABLA_N];	/* N(phi) cos(phi) */
static double pae_tabla_norte[PAE_TABLA_N];	/* M(phi) */
static bool pae_tabla_lista = false;

static double
pae_geo_factor_este(double phi)
{
	double		s = sin(phi);
	double		w = sqrt(1.0 - PAE_WGS84_E2 * s * s);

	return PAE_WGS84_A / w * cos(phi);
}

static double
pae_geo_factor_norte(double phi)
{
	double		s = sin(phi);
	double		w2 = 1.0 - PAE_WGS84_E2 * s * s;

	return PAE_WGS84_A * (1.0 - PAE_WGS84_E2) / (w2 * sqrt(w2));
}

void
pae_geo_init(void)
{
	int			i;

	if (pae_tabla_lista)
		return;
	for (i = 0; i < PAE_TABLA_N; i++)
	{
		double		grados = -90.0 + i * PAE_TABLA_PASO_GRADOS;

		if (grados > 90.0)
			grados = 90.0;
		pae_tabla_este[i] = pae_geo_factor_este(grados * PAE_DEG2RAD);
		pae_tabla_norte[i] = pae_geo_factor_norte(grados * PAE_DEG2RAD);
	}
	pae_tabla_lista = true;
}

/* the tangent-plane formula, given the differences in radians */
static inline double
pae_geo_plane(double lat1, double lat2, double dphi, double dlam)
{
	double		u = (0.5 * (lat1 + lat2) + 90.0) * (1.0 / PAE_TABLA_PASO_GRADOS);
	int			i = (int) u;
	double		f = u - i;
	double		ke,
				kn,
				dy,
				dx;

	if (unlikely_not_ready(!pae_tabla_lista))
		pae_geo_init();
	ke = pae_tabla_este[i] + f * (pae_tabla_este[i + 1] - pae_tabla_este[i]);
	kn = pae_tabla_norte[i] + f * (pae_tabla_norte[i + 1] - pae_tabla_norte[i]);
	dy = kn * dphi;
	dx = ke * dlam;
	return sqrt(dx * dx + dy * dy);
}

double
pae_geo_distance_local(double lat1, double lon1, double lat2, double lon2)
{
	return pae_geo_plane(lat1, lat2, (lat2 - lat1) * PAE_DEG2RAD,
						 pae_geo_delta_lon(lon1, lon2));
}

/* Andoyer-Lambert: first-order flattening correction of the great circle */
static double
pae_geo_distance_andoyer(double lat1, double lon1, double lat2, double lon2)
{
	double		b1 = atan((1.0 - PAE_WGS84_F) * tan(lat1 * PAE_DEG2RAD));
	double		b2 = atan((1.0 - PAE_WGS84_F) * tan(lat2 * PAE_DEG2RAD));
	double		dlam = pae_geo_delta_lon(lon1, lon2);
	double		cs = sin(b1) * sin(b2) + cos(b1) * cos(b2) * cos(dlam);
	double		sigma;
	double		p,
				q,
				x,
				y,
				ss,
				c2,
				s2;

	if (cs > 1.0)
		cs = 1.0;
	else if (cs < -1.0)
		cs = -1.0;
	sigma = acos(cs);
	if (sigma == 0.0)
		return 0.0;
	ss = sin(sigma);
	if (ss == 0.0)				/* exactly antipodal on the auxiliary sphere */
		return M_PI * PAE_WGS84_B;
	p = 0.5 * (b1 + b2);
	q = 0.5 * (b2 - b1);
	c2 = cos(0.5 * sigma);
	s2 = sin(0.5 * sigma);
	x = (sigma - ss) * (sin(p) * sin(p) * cos(q) * cos(q)) / (c2 * c2);
	y = (sigma + ss) * (cos(p) * cos(p) * sin(q) * sin(q)) / (s2 * s2);
	return PAE_WGS84_A * (sigma - 0.5 * PAE_WGS84_F * (x + y));
}

/* Vincenty's iteration: false when it does not converge (nearly antipodal points) */
static bool
pae_geo_vincenty_iter(double lat1, double lon1, double lat2, double lon2, double *out)
{
	const double f = PAE_WGS84_F;
	double		l = pae_geo_delta_lon(lon1, lon2);
	double		u1 = atan((1.0 - f) * tan(lat1 * PAE_DEG2RAD));
	double		u2 = atan((1.0 - f) * tan(lat2 * PAE_DEG2RAD));
	double		su1 = sin(u1),
				cu1 = cos(u1),
				su2 = sin(u2),
				cu2 = cos(u2);
	double		lambda = l;
	double		sin_sigma = 0.0,
				cos_sigma = 1.0,
				sigma = 0.0,
				cos_sq_alpha = 1.0,
				cos_2sm = 0.0;
	int			i;

	for (i = 0; i < PAE_VINCENTY_MAX_ITER; i++)
	{
		double		sl = sin(lambda),
					cl = cos(lambda);
		double		t1 = cu2 * sl;
		double		t2 = cu1 * su2 - su1 * cu2 * cl;
		double		sin_alpha,
					cc,
					prev;

		sin_sigma = sqrt(t1 * t1 + t2 * t2);
		if (sin_sigma == 0.0)
		{
			*out = 0.0;			/* coincident points */
			return true;
		}
		cos_sigma = su1 * su2 + cu1 * cu2 * cl;
		sigma = atan2(sin_sigma, cos_sigma);
		sin_alpha = cu1 * cu2 * sl / sin_sigma;
		cos_sq_alpha = 1.0 - sin_alpha * sin_alpha;
		cos_2sm = (cos_sq_alpha != 0.0) ?
			cos_sigma - 2.0 * su1 * su2 / cos_sq_alpha : 0.0;	/* equatorial */
		cc = f / 16.0 * cos_sq_alpha * (4.0 + f * (4.0 - 3.0 * cos_sq_alpha));
		prev = lambda;
		lambda = l + (1.0 - cc) * f * sin_alpha *
			(sigma + cc * sin_sigma *
			 (cos_2sm + cc * cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm)));
		if (fabs(lambda - prev) < PAE_VINCENTY_EPS)
		{
			double		a = PAE_WGS84_A,
						b = PAE_WGS84_B;
			double		usq = cos_sq_alpha * (a * a - b * b) / (b * b);
			double		ca = 1.0 + usq / 16384.0 *
				(4096.0 + usq * (-768.0 + usq * (320.0 - 175.0 * usq)));
			double		cb = usq / 1024.0 *
				(256.0 + usq * (-128.0 + usq * (74.0 - 47.0 * usq)));
			double		dsigma = cb * sin_sigma *
				(cos_2sm + cb / 4.0 *
				 (cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm) -
				  cb / 6.0 * cos_2sm * (-3.0 + 4.0 * sin_sigma * sin_sigma) *
				  (-3.0 + 4.0 * cos_2sm * cos_2sm)));

			*out = b * ca * (sigma - dsigma);
			return true;
		}
		if (!isfinite(lambda))
			break;
	}
	return false;
}

/*
 * Nearly antipodal points.  Every point is exactly half a meridian from its
 * antipode A (the shortest line between them is a meridian), so by the
 * triangle inequality d(P1, P2) lies in [M - d(A, P2), M], M the half
 * meridian.  Here Vincenty either does not converge or converges on the
 * longer equatorial branch (up to pi * a, 33 km too long), and Andoyer-
 * Lambert divides by cos^2(sigma / 2) -> 0 (it returned -5e19 m); so the
 * estimate is kept inside that window.  d(A, P2) is short: it converges.
 */
static double
pae_geo_antipodal(double lat1, double lon1, double lat2, double lon2, double estimada)
{
	double		alat = -lat1;
	double		alon = lon1 > 0.0 ? lon1 - 180.0 : lon1 + 180.0;
	double		r;
	double		minimo;

	if (!pae_geo_vincenty_iter(alat, alon, lat2, lon2, &r) || !(r >= 0.0))
		r = PAE_WGS84_MEDIO_MERIDIANO;	/* no bound from below */
	minimo = PAE_WGS84_MEDIO_MERIDIANO - r;
	if (minimo < 0.0)
		minimo = 0.0;
	if (!(estimada >= minimo))	/* also NaN */
		estimada = minimo;
	if (estimada > PAE_WGS84_MEDIO_MERIDIANO)
		estimada = PAE_WGS84_MEDIO_MERIDIANO;
	return estimada;
}

double
pae_geo_distance_vincenty(double lat1, double lon1, double lat2, double lon2)
{
	double		d;

	if (pae_geo_vincenty_iter(lat1, lon1, lat2, lon2, &d))
	{
		if (d <= PAE_WGS84_MEDIO_MERIDIANO)
			return d;
		return pae_geo_antipodal(lat1, lon1, lat2, lon2, d);
	}
	return pae_geo_antipodal(lat1, lon1, lat2, lon2,
							 pae_geo_distance_andoyer(lat1, lon1, lat2, lon2));
}

double
pae_geo_distance(double lat1, double lon1, double lat2, double lon2)
{
	double		dphi = (lat2 - lat1) * PAE_DEG2RAD;
	double		dlam = pae_geo_delta_lon(lon1, lon2);

	if (likely_short(fabs(dphi) < PAE_LOCAL_MAX_RAD && fabs(dlam) < PAE_LOCAL_MAX_RAD))
		return pae_geo_plane(lat1, lat2, dphi, dlam);
	return pae_geo_distance_vincenty(lat1, lon1, lat2, lon2);
}
