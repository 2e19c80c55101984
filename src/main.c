/*
 * main.c - wiring only: options -> capture -> decode -> flow table -> report; exit status.
 *
 * Live capture order, as tcpdump: install the stop signals, open the
 * interface, set the filter, open -w and -o, drop privileges (-Z), then
 * read. On a quiet link the capture wakes every SF_CAPTURE_POLL_MS and
 * expires connections at wall-clock time, so jsonl lines, --duration and
 * SIGINT never wait for traffic.
 */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "synfin/capture.h"
#include "synfin/cli.h"
#include "synfin/decode.h"
#include "synfin/flow.h"
#include "synfin/msg.h"
#include "synfin/pipeline.h"
#include "synfin/reader.h"
#include "synfin/report.h"

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

/*
 * No SA_RESTART: a signal interrupts the capture's poll() at once. SIGPIPE is
 * ignored so a reader that goes away (synfin -i eth0 -F jsonl | head) stops
 * the capture through a write error, and -w is still closed properly.
 */
static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
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

/*
 * -Z USER: become USER (its uid, primary gid and supplementary groups) for
 * good, after the interface, -w and -o are open. As root, setuid() sets the
 * real, effective and saved ids and clears every capability. Not root and
 * already USER: nothing to drop.
 */
static int drop_privileges(const char *user)
{
	char esc[128];
	errno = 0;
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		sf_errorf("-Z %s: no such user", sf_escape(user, esc, sizeof esc));
		return -1;
	}
	if (geteuid() != 0 && getuid() == pw->pw_uid && geteuid() == pw->pw_uid)
		return 0;
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) {
		sf_errorf("-Z %s: cannot drop privileges: %s%s", sf_escape(user, esc, sizeof esc), strerror(errno),
			  geteuid() != 0 ? " (only root can change to another user)" : "");
		return -1;
	}
	/* it must stick: no way back to root */
	if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid || getgid() != pw->pw_gid ||
	    getegid() != pw->pw_gid || (pw->pw_uid != 0 && setuid(0) == 0)) {
		sf_errorf("-Z %s: privileges were not dropped", sf_escape(user, esc, sizeof esc));
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

/*
 * Open the capture named by the options, set its filter, open -w and the
 * report output (*out), then drop privileges: -w and -o are created with the
 * privileges the capture was opened with. NULL after an error line.
 */
static struct sf_capture *open_capture(const struct sf_options *o, FILE **out)
{
	char err[512], esc[512], esc2[512];
	struct sf_capture *cap;
	const char *what = o->read_file ? o->read_file : o->interface;

	*out = stdout;
	if (o->write_file && !strcmp(o->write_file, "-") && !o->output) {
		sf_errorf("-w - writes the packets to standard output, where the report goes: give the report a file with -o");
		return NULL;
	}
	if (o->read_file) {
		cap = sf_capture_open_file(o->read_file, err, sizeof err);
		if (!cap) {
			/* libpcap's message often starts with the file name already */
			if (strncmp(err, what, strlen(what)) == 0)
				sf_errorf("%s", sf_escape(err, esc, sizeof esc));
			else
				sf_errorf("%s: %s", sf_escape(what, esc, sizeof esc), sf_escape(err, esc2, sizeof esc2));
			return NULL;
		}
	} else {
		struct sf_capture_live_opts lo = {o->snaplen, o->buffer_kib, true};
		cap = sf_capture_open_live(o->interface, &lo, err, sizeof err);
		if (!cap) {
			sf_errorf("%s", sf_escape(err, esc, sizeof esc));
			return NULL;
		}
		if (sf_capture_warning(cap))
			sf_warnf("%s", sf_escape(sf_capture_warning(cap), esc, sizeof esc));
	}
	int dlt = sf_capture_dlt(cap);
	if (!sf_decode_linktype_supported(dlt)) {
		sf_errorf("%s: unsupported link type %d (%s): synfin decodes Ethernet, Linux SLL/SLL2, raw IP and BSD loopback",
			  sf_escape(what, esc, sizeof esc), dlt, sf_capture_linktype_name(cap));
	} else if (sf_capture_set_filter(cap, o->filter, err, sizeof err) < 0) {
		sf_errorf("%s", sf_escape(err, esc, sizeof esc));
	} else if (o->write_file && sf_capture_dump_open(cap, o->write_file, err, sizeof err) < 0) {
		sf_errorf("-w %s: %s", sf_escape(o->write_file, esc, sizeof esc), sf_escape(err, esc2, sizeof esc2));
	} else if (o->output && !(*out = fopen(o->output, "w"))) {
		*out = stdout;
		sf_errorf("-o %s: %s", sf_escape(o->output, esc, sizeof esc), strerror(errno));
	} else if (o->user && drop_privileges(o->user) < 0) {
		/* drop_privileges printed why */
	} else {
		return cap;
	}
	if (*out != stdout)
		fclose(*out);
	*out = stdout;
	sf_capture_close(cap);
	return NULL;
}

/* Why the report output failed: EPIPE when it is a pipe nobody reads any more. */
static int output_errno(FILE *out)
{
	int saved = errno;
	struct stat st;
	if (fstat(fileno(out), &st) == 0 && S_ISFIFO(st.st_mode)) {
		struct pollfd p = {.fd = fileno(out), .events = POLLOUT};
		if (poll(&p, 1, 0) == 1 && (p.revents & POLLERR))
			return EPIPE;
	}
	return saved && saved != EINTR && saved != EAGAIN ? saved : EIO;
}

/*
 * How the input ended, said once on stderr. A file cut in the middle of a
 * record: report what came before, warn, exit 0. Anything else is an
 * invalid input (or a failing interface): the report still covers the
 * frames before it, but the run fails with one line, so a CI gate never
 * trusts half a file.
 */
static int input_ended(enum sf_next nx, const char *err, struct sf_input_info *in)
{
	char esc[512], esc2[512];
	if (nx == SF_NEXT_TRUNCATED) {
		in->truncated = true;
		sf_warnf("%s: %s; reporting what was read before it", sf_escape(in->name, esc, sizeof esc),
			 sf_escape(err, esc2, sizeof esc2));
		return SF_EXIT_OK;
	}
	if (nx == SF_NEXT_ERROR) {
		const char *hint = strstr(err, "different from the type of the first interface")
			? " (libpcap reads a pcapng file only when all its interfaces share one link type: split it with editcap or tshark)"
			: "";
		sf_errorf("%s: %s%s; the report covers the frames before it", sf_escape(in->name, esc, sizeof esc),
			  sf_escape(err, esc2, sizeof esc2), hint);
		return SF_EXIT_ERROR;
	}
	return SF_EXIT_OK;
}

/* Runs on the reader thread: reads the flow table's key and nothing else of the pipeline. */
static uint32_t hash_segment(const void *key, const struct sf_packet *p)
{
	return sf_flow_key_hash(key, p);
}

/* Runs on the reader thread: the report stage, for the connections this thread finished. */
static void deliver(void *pl, void *conn)
{
	sf_pipeline_deliver(pl, conn);
}

/* The pipeline's handoff: finished connections go back to the reader thread's deliver. */
static void send_back(void *reader, struct sf_conn *c)
{
	sf_reader_send_back(reader, c);
}

/* How many items ahead track_batch asks for the table's slot: 4, 8 and 16 all gained about 5%. */
#define PREFETCH_AHEAD 8

/*
 * The tracking thread's loop over a batch of n items. flatten: everything
 * it calls that is not kept out of line on purpose (the rare branches of
 * the tracker and the Zeek view) is inlined into it, so the per-packet path
 * through the flow table and the tracker makes no call and saves no
 * registers per packet (callgrind: 23 fewer instructions a packet). The
 * table's slot for a segment PREFETCH_AHEAD items on is loaded early: that
 * load was one of the loop's two largest stalls (perf: 13.5% of its
 * samples; the other, 14.7%, the connection's first line, did not shrink
 * the time when prefetched too).
 */
__attribute__((flatten)) static void track_batch(struct sf_pipeline *pl, const struct sf_read_item *items,
						 uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (i + PREFETCH_AHEAD < n)
			sf_pipeline_prefetch(pl, items[i + PREFETCH_AHEAD].hash); /* 0 when not a segment */
		const struct sf_read_item *it = &items[i];
		sf_pipeline_decoded_hashed(pl, (enum sf_skip)it->why, &it->pkt, it->filtered, it->hash, it->ts_ns);
	}
}

/*
 * Files: a second thread reads, decodes and hashes (sf_reader), this one
 * tracks; the connections it finishes are settled, classified, checked and
 * written out on the reading thread (or on this one, while it would
 * otherwise wait for a batch), so the per-packet work is shared by two
 * cores.
 * (Prefetching the connections of the next packets was measured and
 * dropped: on the benchmark capture it cost more than it saved. Only
 * their slots of the table are prefetched, in track_batch.)
 */
static int file_loop(struct sf_capture *cap, struct sf_pipeline *pl, const struct sf_options *o)
{
	struct sf_input_info *in = sf_pipeline_input(pl);
	struct sf_reader *r = sf_reader_start(cap, hash_segment, sf_pipeline_flow_key(pl), deliver, pl);
	if (!r)
		return -1;
	sf_pipeline_set_handoff(pl, send_back, r);
	bool enough = false;
	const struct sf_read_batch *b;
	while (!enough && (b = sf_reader_next(r)) != NULL) {
		/* each item is one frame: -c stops at the item that makes in->packets reach it */
		uint32_t n = b->n;
		if (o->count && o->count - in->packets <= n) {
			n = (uint32_t)(o->count - in->packets);
			enough = true;
		}
		track_batch(pl, b->items, n);
		sf_reader_release(r);
	}
	char err[512];
	enum sf_next end = sf_reader_finish(r, err, sizeof err);
	sf_pipeline_set_handoff(pl, NULL, NULL); /* the connections still open at the end: reported here */
	return enough ? SF_EXIT_OK : input_ended(end, err, in);
}

/*
 * Read frames until the end, -c, --duration, a signal, or (live) a report
 * write error. Returns SF_EXIT_ERROR on a live read error; *out_errno is set
 * when the report output failed during a live capture.
 */
static int capture_loop(struct sf_capture *cap, struct sf_pipeline *pl, const struct sf_options *o, FILE *out,
			int *out_errno)
{
	char err[512];
	struct sf_input_info *in = sf_pipeline_input(pl);
	const bool live = o->interface != NULL;
	double started = mono_now(), last_tick = started;
	int rc = SF_EXIT_OK;

	while (!g_stop) {
		struct sf_frame f;
		enum sf_next nx = sf_capture_next(cap, &f, err, sizeof err);
		if (nx == SF_NEXT_END)
			break;
		if (nx == SF_NEXT_TRUNCATED || nx == SF_NEXT_ERROR) {
			rc = input_ended(nx, err, in);
			break;
		}
		if (nx == SF_NEXT_TIMEOUT) {
			/* the link is quiet and nothing is queued: wall-clock time is capture time */
			sf_pipeline_tick(pl, wall_now());
			last_tick = mono_now();
		} else {
			sf_pipeline_frame(pl, &f, nx == SF_NEXT_FILTERED);
			if (o->count && in->packets >= o->count)
				break;
			if (live) {
				/*
				 * A busy link of non-TCP frames never times out and never
				 * reaches the flow table's clock: expire at this frame's
				 * time now and then (never ahead of frames still queued).
				 */
				double now = mono_now();
				if (now - last_tick >= SF_CAPTURE_POLL_MS / 1000.0) {
					sf_pipeline_tick(pl, f.ts);
					last_tick = now;
				}
			}
		}
		if (live && ferror(out)) {
			/* the reader went away (EPIPE) or the disk is full: no point capturing on */
			*out_errno = output_errno(out);
			break;
		}
		if (o->duration > 0 && mono_now() - started >= o->duration)
			break;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct sf_options opt;
	enum sf_cli_status st = sf_cli_parse(argc, argv, &opt);
	if (st != SF_CLI_RUN) {
		sf_options_free(&opt);
		return st == SF_CLI_DONE ? SF_EXIT_OK : SF_EXIT_ERROR;
	}
	const struct sf_options *o = &opt;
	char err[512], esc[512];
	int rc = SF_EXIT_ERROR;

	if (o->list_interfaces) {
		rc = SF_EXIT_OK;
		if (sf_capture_list_interfaces(stdout, err, sizeof err) < 0) {
			sf_errorf("cannot list interfaces: %s", err);
			rc = SF_EXIT_ERROR;
		}
		sf_options_free(&opt);
		return rc;
	}

	if (o->interface)
		install_signals(); /* before opening: a SIGINT while opening stops cleanly too */
	FILE *out;
	struct sf_capture *cap = open_capture(o, &out);
	if (!cap) {
		sf_options_free(&opt);
		return SF_EXIT_ERROR;
	}
	/*
	 * Reports run to hundreds of MB: write them in 256 KiB pieces, not
	 * st_blksize ones (glibc ignores the size unless given the buffer; it
	 * is static because stdout may still be flushed at exit).
	 */
	static char out_buf[256 * 1024];
	if (!isatty(fileno(out)))
		setvbuf(out, out_buf, _IOFBF, sizeof out_buf);
	struct sf_pipeline_opts po = {
		.report = {
			.format = o->format,
			.out = out,
			.quiet = o->quiet,
			.verbose = o->verbose,
			.color = o->format == SF_FMT_TEXT && want_color(o, out),
			.flush_each = o->interface != NULL,
		},
		.flow = {
			.idle_timeout = o->idle_timeout,
			.settle_time = o->settle_time,
			.max_flows = (size_t)o->max_flows,
			.want_ladder = o->format == SF_FMT_TEXT && o->verbose,
		},
		.check = o->check,
		.check_out = stderr,
	};
	struct sf_pipeline *pl = sf_pipeline_new(&po);
	if (!pl) {
		sf_errorf("out of memory");
		goto out;
	}
	struct sf_input_info *in = sf_pipeline_input(pl);
	in->source = o->read_file ? "file" : "interface";
	in->name = o->read_file ? o->read_file : o->interface;
	in->linktype = sf_capture_linktype_name(cap);

	int out_errno = 0;
	if (o->interface) {
		/* as tcpdump: tells the user (and scripts) that packets are being read now */
		char desc[160];
		sf_capture_describe(cap, desc, sizeof desc);
		fprintf(stderr, "synfin: listening on %s, %s\n", sf_escape(o->interface, esc, sizeof esc), desc);
		g_capture = cap;
		if (g_stop) /* a signal came while opening */
			sf_capture_break(cap);
	}
	rc = o->read_file ? file_loop(cap, pl, o) : -1;
	if (rc < 0)
		rc = capture_loop(cap, pl, o, out, &out_errno);
	g_capture = NULL;
	if (o->interface) {
		in->has_stats = sf_capture_stats(cap, &in->ps_recv, &in->ps_drop, &in->ps_ifdrop);
		if (in->has_stats && (in->ps_drop || in->ps_ifdrop))
			sf_warnf("%s: %" PRIu64 " packets dropped by the kernel, %" PRIu64
				 " by the interface: connections may look incomplete",
				 sf_escape(o->interface, esc, sizeof esc), in->ps_drop, in->ps_ifdrop);
	}

	if (out_errno == EPIPE) {
		/* the reader is gone: finish quietly, as a pipeline stage does (-w is still closed properly) */
		sf_pipeline_free(pl);
		sf_capture_close(cap);
		if (out != stdout)
			fclose(out);
		sf_options_free(&opt);
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
		return SF_EXIT_ERROR;
	}
	int wrc = sf_pipeline_end(pl);
	if (out == stdout ? fflush(out) != 0 : fclose(out) != 0)
		wrc = -1;
	out = stdout;
	if (out_errno || wrc < 0) {
		sf_errorf("error writing the report: %s", strerror(out_errno ? out_errno : errno));
		rc = SF_EXIT_ERROR;
	} else if (rc == SF_EXIT_OK && sf_pipeline_check_failures(pl)) {
		rc = SF_EXIT_CHECK;
	}
out:
	sf_pipeline_free(pl);
	sf_capture_close(cap);
	if (out != stdout)
		fclose(out);
	sf_options_free(&opt);
	return rc;
}
