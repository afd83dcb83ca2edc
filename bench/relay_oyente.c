/*
 * bench/relay_oyente.c -- the listener of tools/bench_relay.sh: LISTEN
 * pae_eventos for a number of seconds and print, for every notification,
 * the event id and the wall-clock time it arrived (microseconds since the
 * epoch), one "id<TAB>usec" line each.  The script loads the lines and
 * compares them with each event's commit time (track_commit_timestamp).
 *
 *   relay_oyente SECONDS          (connection from PGHOST, PGPORT, PGDATABASE...)
 *
 * Built by tools/bench_relay.sh: gcc -O2 relay_oyente.c -lpq
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include "libpq-fe.h"

static long long
ahora_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
main(int argc, char **argv)
{
	PGconn	   *conn;
	PGresult   *res;
	long long	fin;
	long		n = 0;

	if (argc != 2)
	{
		fprintf(stderr, "usage: %s SECONDS\n", argv[0]);
		return 2;
	}
	conn = PQconnectdb("");
	if (PQstatus(conn) != CONNECTION_OK)
	{
		fprintf(stderr, "relay_oyente: %s", PQerrorMessage(conn));
		return 1;
	}
	res = PQexec(conn, "LISTEN pae_eventos");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		fprintf(stderr, "relay_oyente: %s", PQerrorMessage(conn));
		return 1;
	}
	PQclear(res);
	/* ready: the script starts the load when it reads this line on stderr */
	fprintf(stderr, "escuchando\n");

	fin = ahora_us() + atoll(argv[1]) * 1000000LL;
	while (ahora_us() < fin)
	{
		int			sock = PQsocket(conn);
		fd_set		fds;
		struct timeval tv = {0, 100000};
		PGnotify   *nt;

		FD_ZERO(&fds);
		FD_SET(sock, &fds);
		if (select(sock + 1, &fds, NULL, NULL, &tv) < 0)
			break;
		if (!PQconsumeInput(conn))
		{
			fprintf(stderr, "relay_oyente: %s", PQerrorMessage(conn));
			return 1;
		}
		while ((nt = PQnotifies(conn)) != NULL)
		{
			long long	t = ahora_us();
			const char *p = strstr(nt->extra, "\"id\": ");

			if (p)
				printf("%lld\t%lld\n", atoll(p + 6), t);
			n++;
			PQfreemem(nt);
		}
	}
	fprintf(stderr, "relay_oyente: %ld notifications\n", n);
	PQfinish(conn);
	return 0;
}
