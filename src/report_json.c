/* report_json.c - the json (one streamed document) and jsonl (one line per connection) sinks. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synfin_config.h"
#include "synfin/addr.h"
#include "synfin/conn.h"
#include "synfin/decode.h"
#include "synfin/report.h"
#include "synfin/tcp_state.h"
#include "synfin/violation.h"
#include "synfin/zeek.h"

#include "jsonw.h"
#include "report_int.h"

#define VIOLATION_MSG_MAX 256

/*
 * The document is written the way jansson's JSON_INDENT(2) would write it
 * (json) or its JSON_COMPACT (jsonl), but streamed by src/jsonw.c: no
 * object tree, no floating point. Timestamps and the rtt are exact decimal
 * seconds from the integer seconds and nanoseconds.
 */

/* Indentation of a connection object inside "connections": [ ... ]. */
#define CONN_BASE 4
/* Before each connection object: the member separator and its line break. */
#define CONN_SEP ",\n    "

static const char *side(const struct sf_conn *c, int ep)
{
	return ep == c->client ? "client" : "server";
}

/* One member whose name is a string literal (see SF_JW_KEY). */
#define TS(w, k, t) SF_JW_MEMBER_TS(w, k, (t).sec, (t).nsec)
#define U64(w, k, v) SF_JW_MEMBER_U64(w, k, v)
#define STR(w, k, s) do { SF_JW_KEY(w, k); sf_jw_str(w, s); } while (0)
/* A member whose value is one of synfin's own names (see sf_jw_plain). */
#define NAME(w, k, s) do { const char *s_ = (s); SF_JW_MEMBER_PLAIN(w, k, s_, strlen(s_)); } while (0)

static void name(struct sf_jw *w, const char *s)
{
	sf_jw_plain(w, s, strlen(s));
}

/* A member whose name comes from a table (escaped like any string). */
static void named_u64(struct sf_jw *w, const char *key, uint64_t v)
{
	sf_jw_key(w, key);
	sf_jw_u64(w, v);
}

static void endpoint(struct sf_jw *w, const struct sf_endpoint *e)
{
	char a[SF_ADDR_STRLEN];

	sf_jw_obj(w);
	SF_JW_MEMBER_PLAIN(w, "addr", a, sf_report_addr_text(&e->addr, a));
	U64(w, "port", e->port);
	sf_jw_obj_end(w);
}

static void pair(struct sf_jw *w, uint64_t client, uint64_t server)
{
	sf_jw_obj(w);
	U64(w, "client", client);
	U64(w, "server", server);
	sf_jw_obj_end(w);
}

static void seg(struct sf_jw *w, const struct sf_seg_ref *s)
{
	if (!s->seen) {
		sf_jw_null(w);
		return;
	}
	sf_jw_obj(w);
	U64(w, "frame", s->frame);
	TS(w, "ts", s->ts);
	U64(w, "seq", s->seq);
	U64(w, "ack", s->ack);
	sf_jw_obj_end(w);
}

static void handshake(struct sf_jw *w, const struct sf_conn *c)
{
	SF_JW_KEY(w, "handshake");
	sf_jw_obj(w);
	NAME(w, "outcome", sf_hs_outcome_name(c->hs_outcome));
	SF_JW_KEY(w, "syn");
	seg(w, &c->syn);
	SF_JW_KEY(w, "synack");
	seg(w, &c->synack);
	SF_JW_KEY(w, "ack");
	seg(w, &c->hs_ack);
	U64(w, "syn_retransmits", c->syn_retransmits);
	U64(w, "synack_retransmits", c->synack_retransmits);
	SF_JW_KEY(w, "rtt");
	if (c->syn.seen && c->hs_ack.seen)
		sf_jw_ts_diff(w, c->hs_ack.ts.sec, c->hs_ack.ts.nsec, c->syn.ts.sec, c->syn.ts.nsec);
	else
		sf_jw_null(w);
	sf_jw_obj_end(w);
}

static void fin(struct sf_jw *w, const struct sf_conn *c, int ep)
{
	const struct sf_fin_ref *f = &c->ep[ep].fin;

	sf_jw_obj(w);
	NAME(w, "by", side(c, ep));
	U64(w, "frame", f->frame);
	TS(w, "ts", f->ts);
	U64(w, "seq", f->seq);
	SF_JW_KEY(w, "acked_frame");
	if (f->acked)
		sf_jw_u64(w, f->acked_frame);
	else
		sf_jw_null(w);
	sf_jw_obj_end(w);
}

static void teardown(struct sf_jw *w, const struct sf_conn *c)
{
	int cl = c->client, sv = sf_conn_server(c);

	SF_JW_KEY(w, "teardown");
	sf_jw_obj(w);
	NAME(w, "outcome", sf_td_outcome_name(c->td_outcome));
	SF_JW_KEY(w, "initiator");
	if (c->td_initiator == 2)
		name(w, "both");
	else if (c->td_initiator == 0 || c->td_initiator == 1)
		name(w, side(c, c->td_initiator));
	else
		sf_jw_null(w);
	SF_JW_KEY(w, "fin");
	sf_jw_arr(w);
	if (c->ep[cl].fin.seen)
		fin(w, c, cl);
	if (c->ep[sv].fin.seen)
		fin(w, c, sv);
	sf_jw_arr_end(w);
	SF_JW_KEY(w, "rst");
	if (c->rst.seen) {
		sf_jw_obj(w);
		NAME(w, "by", side(c, c->rst.by));
		U64(w, "frame", c->rst.frame);
		TS(w, "ts", c->rst.ts);
		U64(w, "seq", c->rst.seq);
		sf_jw_obj_end(w);
	} else {
		sf_jw_null(w);
	}
	sf_jw_obj_end(w);
}

static void violations(struct sf_jw *w, const struct sf_conn *c)
{
	uint32_t n = stored_violations(c);

	SF_JW_KEY(w, "violations");
	sf_jw_arr(w);
	for (uint32_t i = 0; i < n; i++) {
		const struct sf_violation *v = &c->violations[i];
		char msg[VIOLATION_MSG_MAX];

		msg[0] = '\0';
		sf_violation_format(v, msg, sizeof msg);
		sf_jw_obj(w);
		NAME(w, "code", sf_violation_name(v->code));
		U64(w, "frame", v->frame);
		SF_JW_KEY(w, "expected");
		if (v->has_values)
			sf_jw_u64(w, v->expected);
		else
			sf_jw_null(w);
		SF_JW_KEY(w, "actual");
		if (v->has_values)
			sf_jw_u64(w, v->actual);
		else
			sf_jw_null(w);
		STR(w, "message", msg);
		NAME(w, "by", side(c, v->by));
		sf_jw_obj_end(w);
	}
	sf_jw_arr_end(w);
}

static void conn(struct sf_jw *w, const struct sf_conn *c)
{
	int cl = c->client, sv = sf_conn_server(c);

	sf_jw_obj(w);
	U64(w, "id", c->id);
	SF_JW_KEY(w, "client");
	endpoint(w, &c->ep[cl]);
	SF_JW_KEY(w, "server");
	endpoint(w, &c->ep[sv]);
	NAME(w, "roles", sf_roles_name(c->roles));
	TS(w, "first_ts", c->first_ts);
	TS(w, "last_ts", c->last_ts);
	U64(w, "first_frame", c->first_frame);
	U64(w, "last_frame", c->last_frame);
	SF_JW_KEY(w, "packets");
	pair(w, c->ep[cl].packets, c->ep[sv].packets);
	SF_JW_KEY(w, "bytes");
	pair(w, c->ep[cl].bytes, c->ep[sv].bytes);
	handshake(w, c);
	teardown(w, c);
	SF_JW_KEY(w, "final_state");
	sf_jw_obj(w);
	NAME(w, "client", sf_tcp_state_name(c->ep[cl].state));
	NAME(w, "server", sf_tcp_state_name(c->ep[sv].state));
	sf_jw_obj_end(w);
	SF_JW_KEY(w, "zeek");
	sf_jw_obj(w);
	NAME(w, "conn_state", sf_zeek_conn_state(&c->zeek));
	SF_JW_KEY(w, "history");
	sf_jw_plain(w, c->zeek.history, strnlen(c->zeek.history, sizeof c->zeek.history));
	sf_jw_obj_end(w);
	U64(w, "completeness", c->compl.mask);
	violations(w, c);
	/* extensions */
	NAME(w, "end_reason", sf_end_reason_name(c->end_reason));
	U64(w, "violations_omitted", c->n_violations_dropped);
	sf_jw_obj_end(w);
}

static void input(struct sf_jw *w, const struct sf_input_info *in)
{
	sf_jw_obj(w);
	STR(w, "source", in->source);
	STR(w, "name", in->name);
	STR(w, "linktype", in->linktype);
	U64(w, "packets", in->packets);
	U64(w, "tcp_packets", in->tcp_packets);
	SF_JW_KEY(w, "skipped");
	sf_jw_obj(w);
	for (int i = SF_SKIP_NONE + 1; i < SF_SKIP__COUNT; i++)
		if (in->skipped[i] > 0)
			named_u64(w, sf_skip_name((enum sf_skip)i), in->skipped[i]);
	sf_jw_obj_end(w);
	/* extensions */
	U64(w, "filtered", in->filtered);
	SF_JW_KEY(w, "truncated");
	sf_jw_bool(w, in->truncated);
	SF_JW_KEY(w, "dropped");
	if (in->has_stats) {
		sf_jw_obj(w);
		U64(w, "received", in->ps_recv);
		U64(w, "kernel", in->ps_drop);
		U64(w, "interface", in->ps_ifdrop);
		sf_jw_obj_end(w);
	} else {
		sf_jw_null(w);
	}
	sf_jw_obj_end(w);
}

static void summary(struct sf_jw *w, const struct sf_summary *s, const struct sf_flow_stats *fs)
{
	sf_jw_obj(w);
	U64(w, "connections", s->connections);
	SF_JW_KEY(w, "handshake");
	sf_jw_obj(w);
	for (int i = 0; i < SF_HS__COUNT; i++)
		named_u64(w, sf_hs_outcome_name((enum sf_hs_outcome)i), s->hs[i]);
	sf_jw_obj_end(w);
	SF_JW_KEY(w, "teardown");
	sf_jw_obj(w);
	for (int i = 0; i < SF_TD__COUNT; i++)
		named_u64(w, sf_td_outcome_name((enum sf_td_outcome)i), s->td[i]);
	sf_jw_obj_end(w);
	U64(w, "violations", s->violations);
	/* extensions */
	U64(w, "connections_with_violations", s->with_violations);
	SF_JW_KEY(w, "end_reasons");
	sf_jw_obj(w);
	for (int i = 0; i < SF_END__COUNT; i++)
		named_u64(w, sf_end_reason_name((enum sf_end_reason)i), s->end[i]);
	sf_jw_obj_end(w);
	SF_JW_KEY(w, "evicted");
	if (fs != NULL)
		sf_jw_u64(w, fs->evicted);
	else
		sf_jw_null(w);
	SF_JW_KEY(w, "peak_open");
	if (fs != NULL)
		sf_jw_u64(w, fs->peak_open);
	else
		sf_jw_null(w);
	sf_jw_obj_end(w);
}

/* Write b's bytes to out; a short write or a writer failure is an error. */
static void put(struct sf_report *r, const char *p, size_t n, bool bad)
{
	if (bad || (n > 0 && fwrite(p, 1, n, r->opts.out) != n))
		r->error = true;
}

void sf_report_json_begin(struct sf_report *r)
{
	struct sf_buf *b = &r->scratch;
	struct sf_jw w;

	b->len = 0;
	b->oom = false;
	sf_buf_puts(b, "{\n  \"tool\": \"synfin\",\n  \"version\": ");
	sf_jw_init(&w, b, 2, 2);
	sf_jw_str(&w, SF_VERSION);
	sf_buf_puts(b, ",\n  \"connections\": [");
	put(r, b->p, b->len, w.bad || b->oom);
}

void sf_report_json_record(struct sf_report *r, struct sf_buf *b, const struct sf_conn *c)
{
	struct sf_jw w;

	(void)r;
	sf_buf_put(b, CONN_SEP, sizeof CONN_SEP - 1);
	sf_jw_init(&w, b, 2, CONN_BASE);
	conn(&w, c);
	if (w.bad)
		b->oom = true;
}

void sf_report_json_put(struct sf_report *r, const char *p, size_t n)
{
	/* the first connection has no separating comma */
	if (r->n_written == 0 && n > 0 && p[0] == ',') {
		p++;
		n--;
	}
	put(r, p, n, false);
	r->n_written++;
}

void sf_report_json_end(struct sf_report *r, const struct sf_input_info *in, const struct sf_flow_stats *fs)
{
	struct sf_buf *b = &r->scratch;
	struct sf_jw w;
	bool bad;

	b->len = 0;
	b->oom = false;
	sf_buf_puts(b, r->n_written == 0 ? "],\n  \"input\": " : "\n  ],\n  \"input\": ");
	sf_jw_init(&w, b, 2, 2);
	input(&w, in);
	bad = w.bad;
	sf_buf_puts(b, ",\n  \"summary\": ");
	sf_jw_init(&w, b, 2, 2);
	summary(&w, &r->sum, fs);
	sf_buf_puts(b, "\n}\n");
	put(r, b->p, b->len, bad || w.bad || b->oom);
}

void sf_report_jsonl_record(struct sf_report *r, struct sf_buf *b, const struct sf_conn *c)
{
	struct sf_jw w;

	(void)r;
	sf_jw_init(&w, b, 0, 0);
	conn(&w, c);
	sf_buf_putc(b, '\n');
	if (w.bad)
		b->oom = true;
}

void sf_report_jsonl_end(struct sf_report *r, const struct sf_input_info *in, const struct sf_flow_stats *fs)
{
	struct sf_buf *b = &r->scratch;
	struct sf_jw w;

	b->len = 0;
	b->oom = false;
	sf_jw_init(&w, b, 0, 0);
	sf_jw_obj(&w);
	SF_JW_KEY(&w, "summary");
	summary(&w, &r->sum, fs);
	SF_JW_KEY(&w, "input");
	input(&w, in);
	sf_jw_obj_end(&w);
	sf_buf_putc(b, '\n');
	put(r, b->p, b->len, w.bad || b->oom);
}
