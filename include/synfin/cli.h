/* cli.h - command-line options (tcpdump conventions). */
#ifndef SYNFIN_CLI_H
#define SYNFIN_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "synfin/report.h"

/* --check criteria */
enum {
	SF_CHECK_VIOLATIONS = 1, /* no connection may break a seq/ack rule */
	SF_CHECK_HANDSHAKE = 2,  /* every connection completes its handshake */
	SF_CHECK_CLOSE = 4,      /* every connection closes gracefully */
};

enum sf_color { SF_COLOR_AUTO, SF_COLOR_NEVER, SF_COLOR_ALWAYS };

struct sf_options {
	const char *read_file;  /* -r */
	const char *interface;  /* -i */
	bool list_interfaces;   /* -D */
	enum sf_format format;  /* -F */
	const char *output;     /* -o */
	uint64_t count;         /* -c, 0 = no limit */
	double duration;        /* --duration, 0 = no limit */
	unsigned check;         /* --check: SF_CHECK_* bits, 0 = off */
	bool quiet, verbose;    /* -q, -v */
	enum sf_color color;    /* --color */
	double idle_timeout;    /* --idle-timeout */
	double settle_time;     /* --settle */
	uint64_t max_flows;     /* --max-flows */
	int snaplen;            /* -s, 0 = default */
	int buffer_kib;         /* -B, 0 = default */
	const char *write_file; /* -w */
	const char *user;       /* -Z */
	char *filter;           /* trailing words joined by spaces, or NULL */
};

enum sf_cli_status {
	SF_CLI_RUN,   /* options parsed: go on */
	SF_CLI_DONE,  /* --help or --version printed: exit 0 */
	SF_CLI_ERROR, /* a one-line error was printed: exit 2 */
};

enum sf_cli_status sf_cli_parse(int argc, char **argv, struct sf_options *o);
void sf_cli_usage(FILE *f);
void sf_options_free(struct sf_options *o);
/* Parse a --check list ("violations,handshake,close"); returns false on a bad word. */
bool sf_cli_parse_check(const char *list, unsigned *mask);

#endif
