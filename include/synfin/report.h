/* report.h - report sinks: text, json, jsonl. Called begin / per connection / end. */
#ifndef SYNFIN_REPORT_H
#define SYNFIN_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "synfin/conn.h"
#include "synfin/decode.h"
#include "synfin/flow.h"

enum sf_format { SF_FMT_TEXT, SF_FMT_JSON, SF_FMT_JSONL };

/* The report's "input" section. Strings are borrowed. */
struct sf_input_info {
	const char *source;   /* "file" or "interface" */
	const char *name;     /* file name ("-" for stdin) or interface name */
	const char *linktype; /* libpcap's DLT name, e.g. "EN10MB" */
	uint64_t packets;     /* frames read (before filtering) */
	uint64_t tcp_packets; /* frames decoded into TCP segments */
	uint64_t filtered;    /* frames rejected by the BPF filter */
	uint64_t skipped[SF_SKIP__COUNT];
	bool truncated;       /* the file ended in the middle of a record */
	bool has_stats;       /* live capture: pcap_stats figures below are valid */
	uint64_t ps_recv, ps_drop, ps_ifdrop;
};

struct sf_report_opts {
	enum sf_format format;
	FILE *out;
	bool quiet;    /* text: summary only */
	bool verbose;  /* text: ladder diagram */
	bool color;    /* text: ANSI colour (decided by the caller: tty and no NO_COLOR) */
	bool flush_each; /* jsonl: flush every line at once (live capture); else stdio buffers them */
};

/* Totals the report keeps as connections pass through (also used by --check). */
struct sf_summary {
	uint64_t connections;
	uint64_t hs[SF_HS__COUNT];
	uint64_t td[SF_TD__COUNT];
	uint64_t violations;           /* total violations over all connections */
	uint64_t with_violations;      /* connections with at least one */
	uint64_t end[SF_END__COUNT];
};

struct sf_report;

struct sf_report *sf_report_new(const struct sf_report_opts *opts);
/*
 * Take one finished, classified connection (ownership passes: the report frees
 * it with sf_conn_free when it no longer needs it). jsonl writes its line at
 * once (and flushes it with flush_each); json and text write connections in id order as soon as
 * every lower id has arrived, so memory follows open connections.
 */
void sf_report_conn(struct sf_report *r, struct sf_conn *c);
/*
 * The input has ended, and the connections still open are about to come.
 * Text: their blocks wait in the spill until the header (which needs every
 * connection counted) is out, and go out straight from it then, instead of
 * being copied through the body file first.
 */
void sf_report_input_ended(struct sf_report *r);
/* Write what remains (summary, input, header) and flush. Returns 0, or -1 on a write error. */
int sf_report_end(struct sf_report *r, const struct sf_input_info *in, const struct sf_flow_stats *fs);
const struct sf_summary *sf_report_summary(const struct sf_report *r);
void sf_report_free(struct sf_report *r);

/* Shared by the sinks: endpoint text "addr:port" ([addr]:port for IPv6). */
void sf_report_endpoint_text(const struct sf_endpoint *e, char *buf, size_t len);

#endif
