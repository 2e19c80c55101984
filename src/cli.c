/* cli.c - option table, number and list validation, trailing words -> BPF text. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synfin/capture.h"
#include "synfin/cli.h"
#include "synfin/flow.h"
#include "synfin/msg.h"
#include "synfin_config.h"

enum {
	OPT_CHECK = 256,
	OPT_COLOR,
	OPT_DURATION,
	OPT_IDLE_TIMEOUT,
	OPT_MAX_FLOWS,
	OPT_SETTLE,
	OPT_VERSION,
};

/* sorted by long name */
static const struct option long_options[] = {
	{"buffer-size", required_argument, NULL, 'B'},
	{"check", optional_argument, NULL, OPT_CHECK},
	{"color", required_argument, NULL, OPT_COLOR},
	{"count", required_argument, NULL, 'c'},
	{"duration", required_argument, NULL, OPT_DURATION},
	{"format", required_argument, NULL, 'F'},
	{"help", no_argument, NULL, 'h'},
	{"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
	{"interface", required_argument, NULL, 'i'},
	{"list-interfaces", no_argument, NULL, 'D'},
	{"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
	{"output", required_argument, NULL, 'o'},
	{"quiet", no_argument, NULL, 'q'},
	{"read", required_argument, NULL, 'r'},
	{"relinquish-privileges", required_argument, NULL, 'Z'},
	{"settle", required_argument, NULL, OPT_SETTLE},
	{"snapshot-length", required_argument, NULL, 's'},
	{"verbose", no_argument, NULL, 'v'},
	{"version", no_argument, NULL, OPT_VERSION},
	{"write", required_argument, NULL, 'w'},
	{NULL, 0, NULL, 0},
};

void sf_cli_usage(FILE *f)
{
	fprintf(f,
		"Usage: synfin -r FILE [options] [BPF expression ...]\n"
		"       synfin -i IFACE [options] [BPF expression ...]\n"
		"       synfin -D\n"
		"       synfin --version | -h\n"
		"\n"
		"Report how every TCP connection was opened and closed.\n"
		"\n"
		"  -r, --read FILE          read a pcap or pcapng file (\"-\" = stdin)\n"
		"  -i, --interface IFACE    capture live on IFACE\n"
		"  -D, --list-interfaces    list capture interfaces\n"
		"  -F, --format FMT         report format: text (default), json, jsonl\n"
		"  -o, --output FILE        write the report to FILE\n"
		"  -c, --count N            stop after N packets\n"
		"      --duration SECS      live: stop after SECS seconds\n"
		"      --check[=LIST]       CI mode: exit 1 if a connection fails; LIST is a comma\n"
		"                           list of violations (default), handshake, close\n"
		"  -q, --quiet              text: summary only\n"
		"  -v, --verbose            text: add a ladder diagram per connection\n"
		"      --color WHEN         text colour: auto (default), always, never\n"
		"      --idle-timeout SECS  finish a connection idle this long (default %g)\n"
		"      --settle SECS        keep a closed connection this long for stragglers (default %g)\n"
		"      --max-flows N        open connections at most; the least recently active\n"
		"                           is finished early when full (default %d, 0 = no limit)\n"
		"  -s, --snapshot-length N live: bytes captured per packet (default: headers only)\n"
		"  -B, --buffer-size KIB    live: capture buffer size (default %d)\n"
		"  -w, --write FILE         live: also save the captured packets to FILE\n"
		"  -Z, --relinquish-privileges USER  live: drop to USER after opening the interface\n"
		"  -h, --help               this help\n"
		"      --version            print the version\n",
		SF_FLOW_DEFAULT_IDLE, SF_FLOW_DEFAULT_SETTLE, SF_FLOW_DEFAULT_MAX, SF_CAPTURE_DEFAULT_BUFFER_KIB);
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = (uint64_t)v;
	return true;
}

static bool parse_secs(const char *s, double *out)
{
	char *end;
	if (!s || !*s)
		return false;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0)
		return false;
	*out = v;
	return true;
}

bool sf_cli_parse_check(const char *list, unsigned *mask)
{
	*mask = 0;
	if (!list) {
		*mask = SF_CHECK_VIOLATIONS;
		return true;
	}
	const char *p = list;
	while (1) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (n == 10 && !strncmp(p, "violations", n))
			*mask |= SF_CHECK_VIOLATIONS;
		else if (n == 9 && !strncmp(p, "handshake", n))
			*mask |= SF_CHECK_HANDSHAKE;
		else if (n == 5 && !strncmp(p, "close", n))
			*mask |= SF_CHECK_CLOSE;
		else
			return false;
		if (!comma)
			break;
		p = comma + 1;
	}
	return *mask != 0;
}

/* Join argv[from..argc) with single spaces, as tcpdump's copy_argv(). */
static char *join_words(int argc, char **argv, int from)
{
	size_t len = 0;
	for (int i = from; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (len == 0)
		return NULL;
	char *s = malloc(len);
	if (!s)
		return NULL;
	char *d = s;
	for (int i = from; i < argc; i++) {
		size_t n = strlen(argv[i]);
		memcpy(d, argv[i], n);
		d += n;
		*d++ = i + 1 < argc ? ' ' : '\0';
	}
	return s;
}

static enum sf_cli_status bad_value(const char *opt, const char *val, const char *want)
{
	char esc[256];
	sf_errorf("invalid value '%s' for %s: expected %s", sf_escape(val ? val : "", esc, sizeof esc),
		  opt, want);
	return SF_CLI_ERROR;
}

enum sf_cli_status sf_cli_parse(int argc, char **argv, struct sf_options *o)
{
	memset(o, 0, sizeof *o);
	o->format = SF_FMT_TEXT;
	o->color = SF_COLOR_AUTO;
	o->idle_timeout = SF_FLOW_DEFAULT_IDLE;
	o->settle_time = SF_FLOW_DEFAULT_SETTLE;
	o->max_flows = SF_FLOW_DEFAULT_MAX;

	opterr = 0;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, ":B:c:DF:hi:o:qr:s:vw:Z:", long_options, NULL)) != -1) {
		uint64_t n;
		switch (ch) {
		case 'B':
			if (!parse_u64(optarg, &n) || n == 0 || n > 4u * 1024 * 1024)
				return bad_value("-B", optarg, "a buffer size in KiB, 1 to 4194304");
			o->buffer_kib = (int)n;
			break;
		case 'c':
			if (!parse_u64(optarg, &n) || n == 0)
				return bad_value("-c", optarg, "a positive packet count");
			o->count = n;
			break;
		case 'D':
			o->list_interfaces = true;
			break;
		case 'F':
			if (!strcmp(optarg, "text"))
				o->format = SF_FMT_TEXT;
			else if (!strcmp(optarg, "json"))
				o->format = SF_FMT_JSON;
			else if (!strcmp(optarg, "jsonl"))
				o->format = SF_FMT_JSONL;
			else
				return bad_value("-F", optarg, "text, json or jsonl");
			break;
		case 'h':
			sf_cli_usage(stdout);
			return SF_CLI_DONE;
		case 'i':
			o->interface = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'r':
			o->read_file = optarg;
			break;
		case 's':
			if (!parse_u64(optarg, &n) || n == 0 || n > 262144)
				return bad_value("-s", optarg, "a snapshot length, 1 to 262144");
			o->snaplen = (int)n;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'w':
			o->write_file = optarg;
			break;
		case 'Z':
			o->user = optarg;
			break;
		case OPT_CHECK:
			if (!sf_cli_parse_check(optarg, &o->check))
				return bad_value("--check", optarg, "a comma list of violations, handshake, close");
			break;
		case OPT_COLOR:
			if (!strcmp(optarg, "auto"))
				o->color = SF_COLOR_AUTO;
			else if (!strcmp(optarg, "always"))
				o->color = SF_COLOR_ALWAYS;
			else if (!strcmp(optarg, "never"))
				o->color = SF_COLOR_NEVER;
			else
				return bad_value("--color", optarg, "auto, always or never");
			break;
		case OPT_DURATION:
			if (!parse_secs(optarg, &o->duration) || o->duration <= 0)
				return bad_value("--duration", optarg, "a positive number of seconds");
			break;
		case OPT_IDLE_TIMEOUT:
			if (!parse_secs(optarg, &o->idle_timeout) || o->idle_timeout <= 0)
				return bad_value("--idle-timeout", optarg, "a positive number of seconds");
			break;
		case OPT_MAX_FLOWS:
			if (!parse_u64(optarg, &o->max_flows))
				return bad_value("--max-flows", optarg, "a connection count (0 = no limit)");
			break;
		case OPT_SETTLE:
			if (!parse_secs(optarg, &o->settle_time))
				return bad_value("--settle", optarg, "a number of seconds");
			break;
		case OPT_VERSION:
			printf("synfin %s\n", SF_VERSION);
			return SF_CLI_DONE;
		case ':': {
			char esc[128];
			sf_errorf("option %s needs a value (see synfin -h)",
				  sf_escape(argv[optind - 1], esc, sizeof esc));
			return SF_CLI_ERROR;
		}
		default: {
			char esc[128];
			if (optopt && optopt < 256)
				sf_errorf("unknown option -%c (see synfin -h)", optopt);
			else
				sf_errorf("unknown option %s (see synfin -h)",
					  sf_escape(argv[optind - 1], esc, sizeof esc));
			return SF_CLI_ERROR;
		}
		}
	}

	int sources = (o->read_file != NULL) + (o->interface != NULL) + o->list_interfaces;
	if (sources == 0) {
		sf_errorf("nothing to read: give -r FILE, -i IFACE or -D (see synfin -h)");
		return SF_CLI_ERROR;
	}
	if (sources > 1) {
		sf_errorf("-r, -i and -D exclude each other");
		return SF_CLI_ERROR;
	}
	if (o->quiet && o->verbose) {
		sf_errorf("-q and -v exclude each other");
		return SF_CLI_ERROR;
	}
	if (o->read_file && (o->write_file || o->user || o->duration > 0)) {
		sf_errorf("-w, -Z and --duration apply to live capture (-i) only");
		return SF_CLI_ERROR;
	}
	if (optind < argc) {
		o->filter = join_words(argc, argv, optind);
		if (!o->filter) {
			sf_errorf("out of memory");
			return SF_CLI_ERROR;
		}
	}
	return SF_CLI_RUN;
}

void sf_options_free(struct sf_options *o)
{
	free(o->filter);
	o->filter = NULL;
}
