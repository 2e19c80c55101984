/* main.c - wiring only: options -> capture -> decode -> flow table -> report; exit status. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "synfin/capture.h"
#include "synfin/check.h"
#include "synfin/cli.h"
#include "synfin/decode.h"
#include "synfin/flow.h"
#include "synfin/msg.h"
#include "synfin/report.h"

struct run {
	struct sf_options opt;
	struct sf_report *report;
	FILE *err;
	uint64_t check_failures;
};

static struct sf_capture *volatile g_capture;
static volatile sig_atomic_t g_stop;

/* Do as little as possible: break the capture loop; a second signal exits at once. */
static void on_signal(int sig)
{
	(void)sig;
	if (g_stop)
		_exit(SF_EXIT_ERROR);
	g_stop = 1;
	sf_capture_break(g_capture);
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void sink(struct sf_conn *c, void *ctx)
{
	struct run *r = ctx;
	if (r->opt.check) {
		unsigned failed = sf_check_conn(r->opt.check, c);
		if (failed) {
			r->check_failures++;
			sf_check_emit(stderr, c, failed);
		}
	}
	sf_report_conn(r->report, c);
}

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct sf_ts wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct sf_ts t = {(int64_t)ts.tv_sec, (uint32_t)ts.tv_nsec};
	return t;
}

static int drop_privileges(const char *user)
{
	char esc[128];
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		sf_errorf("-Z: no such user '%s'", sf_escape(user, esc, sizeof esc));
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) {
		sf_errorf("-Z %s: cannot drop privileges: %s", sf_escape(user, esc, sizeof esc), strerror(errno));
		return -1;
	}
	return 0;
}

static bool want_color(const struct sf_options *o, FILE *out)
{
	if (o->color == SF_COLOR_NEVER)
		return false;
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		return false;
	if (o->color == SF_COLOR_ALWAYS)
		return true;
	return !o->output && isatty(fileno(out));
}

int main(int argc, char **argv)
{
	struct run r;
	memset(&r, 0, sizeof r);
	enum sf_cli_status st = sf_cli_parse(argc, argv, &r.opt);
	if (st != SF_CLI_RUN) {
		sf_options_free(&r.opt);
		return st == SF_CLI_DONE ? SF_EXIT_OK : SF_EXIT_ERROR;
	}
	struct sf_options *o = &r.opt;
	char err[512], esc[512];

	if (o->list_interfaces) {
		int rc = sf_capture_list_interfaces(stdout, err, sizeof err);
		if (rc < 0)
			sf_errorf("cannot list interfaces: %s", err);
		sf_options_free(o);
		return rc < 0 ? SF_EXIT_ERROR : SF_EXIT_OK;
	}

	struct sf_capture *cap;
	if (o->read_file) {
		cap = sf_capture_open_file(o->read_file, err, sizeof err);
		if (!cap) {
			sf_errorf("%s: %s", sf_escape(o->read_file, esc, sizeof esc), err);
			sf_options_free(o);
			return SF_EXIT_ERROR;
		}
	} else {
		struct sf_capture_live_opts lo = {o->snaplen, o->buffer_kib, true};
		cap = sf_capture_open_live(o->interface, &lo, err, sizeof err);
		if (!cap) {
			sf_errorf("%s", sf_escape(err, esc, sizeof esc));
			sf_options_free(o);
			return SF_EXIT_ERROR;
		}
	}
	int dlt = sf_capture_dlt(cap);
	if (!sf_decode_linktype_supported(dlt)) {
		sf_errorf("%s: unsupported link type %d (%s): synfin decodes Ethernet, Linux SLL/SLL2, raw IP and BSD loopback",
			  sf_escape(o->read_file ? o->read_file : o->interface, esc, sizeof esc), dlt,
			  sf_capture_linktype_name(cap));
		sf_capture_close(cap);
		sf_options_free(o);
		return SF_EXIT_ERROR;
	}
	if (sf_capture_set_filter(cap, o->filter, err, sizeof err) < 0) {
		sf_errorf("%s", err);
		sf_capture_close(cap);
		sf_options_free(o);
		return SF_EXIT_ERROR;
	}
	if (o->write_file && sf_capture_dump_open(cap, o->write_file, err, sizeof err) < 0) {
		sf_errorf("-w %s: %s", sf_escape(o->write_file, esc, sizeof esc), err);
		sf_capture_close(cap);
		sf_options_free(o);
		return SF_EXIT_ERROR;
	}
	if (o->user && drop_privileges(o->user) < 0) {
		sf_capture_close(cap);
		sf_options_free(o);
		return SF_EXIT_ERROR;
	}

	FILE *out = stdout;
	if (o->output) {
		out = fopen(o->output, "w");
		if (!out) {
			sf_errorf("-o %s: %s", sf_escape(o->output, esc, sizeof esc), strerror(errno));
			sf_capture_close(cap);
			sf_options_free(o);
			return SF_EXIT_ERROR;
		}
	}
	struct sf_report_opts ro = {
		.format = o->format,
		.out = out,
		.quiet = o->quiet,
		.verbose = o->verbose,
		.color = o->format == SF_FMT_TEXT && want_color(o, out),
	};
	r.report = sf_report_new(&ro);
	struct sf_flow_config fc = {
		.idle_timeout = o->idle_timeout,
		.settle_time = o->settle_time,
		.max_flows = (size_t)o->max_flows,
		.seed = 0,
		.want_ladder = o->format == SF_FMT_TEXT && o->verbose,
	};
	struct sf_flow_table *ft = r.report ? sf_flow_new(&fc, sink, &r) : NULL;
	if (!ft) {
		sf_errorf("out of memory");
		sf_report_free(r.report);
		sf_capture_close(cap);
		if (out != stdout)
			fclose(out);
		sf_options_free(o);
		return SF_EXIT_ERROR;
	}

	struct sf_input_info in = {
		.source = o->read_file ? "file" : "interface",
		.name = o->read_file ? o->read_file : o->interface,
		.linktype = sf_capture_linktype_name(cap),
	};
	g_capture = cap;
	if (o->interface)
		install_signals();
	double started = mono_now();
	bool read_error = false;

	while (!g_stop) {
		struct sf_frame f;
		enum sf_next nx = sf_capture_next(cap, &f, err, sizeof err);
		if (nx == SF_NEXT_END)
			break;
		if (nx == SF_NEXT_TRUNCATED || nx == SF_NEXT_ERROR) {
			in.truncated = nx == SF_NEXT_TRUNCATED;
			read_error = nx == SF_NEXT_ERROR && o->interface;
			sf_warnf("%s: %s; reporting what was read before it",
				 sf_escape(in.name, esc, sizeof esc), err);
			break;
		}
		if (nx == SF_NEXT_TIMEOUT) {
			sf_flow_expire(ft, wall_now());
		} else {
			in.packets++;
			if (nx == SF_NEXT_FILTERED) {
				in.filtered++;
			} else {
				struct sf_packet p;
				enum sf_skip why = sf_decode_frame(f.dlt, f.data, f.caplen, f.wirelen, &p);
				if (why == SF_SKIP_NONE) {
					p.frame = f.number;
					p.ts = f.ts;
					in.tcp_packets++;
					sf_flow_packet(ft, &p);
				} else {
					in.skipped[why]++;
				}
			}
			if (o->count && in.packets >= o->count)
				break;
		}
		if (o->duration > 0 && mono_now() - started >= o->duration)
			break;
	}
	g_capture = NULL;

	if (o->interface)
		in.has_stats = sf_capture_stats(cap, &in.ps_recv, &in.ps_drop, &in.ps_ifdrop);
	sf_flow_finish_all(ft);
	int wrc = sf_report_end(r.report, &in, sf_flow_stats(ft));
	sf_flow_free(ft);
	sf_report_free(r.report);
	sf_capture_close(cap);
	if (out != stdout && fclose(out) != 0)
		wrc = -1;
	else if (out == stdout && fflush(stdout) != 0)
		wrc = -1;
	if (wrc < 0) {
		sf_errorf("error writing the report: %s", strerror(errno));
		sf_options_free(o);
		return SF_EXIT_ERROR;
	}
	sf_options_free(o);
	if (read_error)
		return SF_EXIT_ERROR;
	return r.check_failures ? SF_EXIT_CHECK : SF_EXIT_OK;
}
