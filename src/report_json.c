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
#define U64(w, k, v) do { SF_JW_KEY(w, k); sf_jw_u64(w, v); } while (0)
#define STR(w, k, s) do { SF_JW_KEY(w, k); sf_jw_str(w, s); } while (0)

/* A member whose name comes from a table (escaped like any string). */
static void named_u64(struct sf_jw *w, const char *key, uint64_t v)
{
	sf_jw_key(w, key);
	sf_jw_u64(w, v);
}

/* ---- connection records -------------------------------------------------- */

/*
 * A record is written once per connection, hundreds of thousands of times
 * per capture, so it does not go through the general writer (sf_jw, which
 * works out each separator and checks room piece by piece): the room is
 * checked once for the whole record (and once per violation), the
 * separators are known where each member is written (KEY1 for the first
 * member of an object, KEY for the others), and the cursor stays in a
 * local. The bytes are the same: jansson's JSON_COMPACT (jsonl) or its
 * JSON_INDENT(2) nested CONN_BASE spaces deep (json).
 */
struct rec {
	char *o;      /* where the next byte goes */
	bool pretty;  /* JSON_INDENT(2), else JSON_COMPACT */
	unsigned nl;  /* pretty: spaces that start a line at the current depth (< 32) */
};

static inline void rec_newline(struct rec *e)
{
	if (e->pretty) {
		memcpy(e->o, sf_jw_nl_spaces_, 32); /* nl < 32: a fixed-size copy */
		e->o += e->nl + 1;
	}
}

static inline void rec_open(struct rec *e, char c)
{
	*e->o++ = c;
	e->nl += 2;
}

/* Close a container that has members. */
static inline void rec_close(struct rec *e, char c)
{
	e->nl -= 2;
	rec_newline(e);
	*e->o++ = c;
}

/* Close an array that may be empty ("[]" then, as jansson writes it). */
static inline void rec_close_arr(struct rec *e, bool had)
{
	e->nl -= 2;
	if (had)
		rec_newline(e);
	*e->o++ = ']';
}

/* A member's name, quoted (q: n bytes); first: the object's first member. */
static inline void rec_key(struct rec *e, const char *q, size_t n, bool first)
{
	if (!first)
		*e->o++ = ',';
	rec_newline(e);
	memcpy(e->o, q, n);
	e->o += n;
	*e->o++ = ':';
	if (e->pretty)
		*e->o++ = ' ';
}

#define KEY(e, lit) rec_key((e), "\"" lit "\"", sizeof(lit) + 1, false)
#define KEY1(e, lit) rec_key((e), "\"" lit "\"", sizeof(lit) + 1, true)

/* An array element's separator; first: the array's first element. */
static inline void rec_elem(struct rec *e, bool first)
{
	if (!first)
		*e->o++ = ',';
	rec_newline(e);
}

static inline void rec_u64(struct rec *e, uint64_t v)
{
	e->o = sf_jw_put_u64_(e->o, v);
}

static inline void rec_ts(struct rec *e, struct sf_ts t)
{
	e->o = sf_jw_put_ts_(e->o, t.sec, t.nsec);
}

/* One of synfin's own names, or other text that needs no escaping (see sf_jw_put_plain_). */
static inline void rec_name(struct rec *e, const char *s)
{
	e->o = sf_jw_put_plain_(e->o, s, strlen(s));
}

static inline void rec_null(struct rec *e)
{
	memcpy(e->o, "null", 4);
	e->o += 4;
}

static void rec_endpoint(struct rec *e, const struct sf_endpoint *ep)
{
	char a[SF_ADDR_STRLEN];

	rec_open(e, '{');
	KEY1(e, "addr");
	e->o = sf_jw_put_plain_(e->o, a, sf_report_addr_text(&ep->addr, a));
	KEY(e, "port");
	rec_u64(e, ep->port);
	rec_close(e, '}');
}

static void rec_pair(struct rec *e, uint64_t client, uint64_t server)
{
	rec_open(e, '{');
	KEY1(e, "client");
	rec_u64(e, client);
	KEY(e, "server");
	rec_u64(e, server);
	rec_close(e, '}');
}

static void rec_seg(struct rec *e, const struct sf_seg_ref *s)
{
	if (!s->seen) {
		rec_null(e);
		return;
	}
	rec_open(e, '{');
	KEY1(e, "frame");
	rec_u64(e, s->frame);
	KEY(e, "ts");
	rec_ts(e, s->ts);
	KEY(e, "seq");
	rec_u64(e, s->seq);
	KEY(e, "ack");
	rec_u64(e, s->ack);
	rec_close(e, '}');
}

static void rec_handshake(struct rec *e, const struct sf_conn *c)
{
	KEY(e, "handshake");
	rec_open(e, '{');
	KEY1(e, "outcome");
	rec_name(e, sf_hs_outcome_name(c->hs_outcome));
	KEY(e, "syn");
	rec_seg(e, &c->syn);
	KEY(e, "synack");
	rec_seg(e, &c->synack);
	KEY(e, "ack");
	rec_seg(e, &c->hs_ack);
	KEY(e, "syn_retransmits");
	rec_u64(e, c->syn_retransmits);
	KEY(e, "synack_retransmits");
	rec_u64(e, c->synack_retransmits);
	KEY(e, "rtt");
	if (c->syn.seen && c->hs_ack.seen)
		e->o = sf_jw_put_ts_diff_(e->o, c->hs_ack.ts.sec, c->hs_ack.ts.nsec, c->syn.ts.sec, c->syn.ts.nsec);
	else
		rec_null(e);
	rec_close(e, '}');
}

static void rec_fin(struct rec *e, const struct sf_conn *c, int ep, bool first)
{
	const struct sf_fin_ref *f = &c->ep[ep].fin;

	rec_elem(e, first);
	rec_open(e, '{');
	KEY1(e, "by");
	rec_name(e, side(c, ep));
	KEY(e, "frame");
	rec_u64(e, f->frame);
	KEY(e, "ts");
	rec_ts(e, f->ts);
	KEY(e, "seq");
	rec_u64(e, f->seq);
	KEY(e, "acked_frame");
	if (f->acked)
		rec_u64(e, f->acked_frame);
	else
		rec_null(e);
	rec_close(e, '}');
}

static void rec_teardown(struct rec *e, const struct sf_conn *c)
{
	int cl = c->client, sv = sf_conn_server(c);
	bool cl_fin = c->ep[cl].fin.seen, sv_fin = c->ep[sv].fin.seen;

	KEY(e, "teardown");
	rec_open(e, '{');
	KEY1(e, "outcome");
	rec_name(e, sf_td_outcome_name(c->td_outcome));
	KEY(e, "initiator");
	if (c->td_initiator == 2)
		rec_name(e, "both");
	else if (c->td_initiator == 0 || c->td_initiator == 1)
		rec_name(e, side(c, c->td_initiator));
	else
		rec_null(e);
	KEY(e, "fin");
	rec_open(e, '[');
	if (cl_fin)
		rec_fin(e, c, cl, true);
	if (sv_fin)
		rec_fin(e, c, sv, !cl_fin);
	rec_close_arr(e, cl_fin || sv_fin);
	KEY(e, "rst");
	if (c->rst.seen) {
		rec_open(e, '{');
		KEY1(e, "by");
		rec_name(e, side(c, c->rst.by));
		KEY(e, "frame");
		rec_u64(e, c->rst.frame);
		KEY(e, "ts");
		rec_ts(e, c->rst.ts);
		KEY(e, "seq");
		rec_u64(e, c->rst.seq);
		rec_close(e, '}');
	} else {
		rec_null(e);
	}
	rec_close(e, '}');
}

/* The violations; false when there was no memory for them. */
static bool rec_violations(struct rec *e, struct sf_buf *b, const struct sf_conn *c)
{
	uint32_t n = stored_violations(c);

	KEY(e, "violations");
	rec_open(e, '[');
	for (uint32_t i = 0; i < n; i++) {
		const struct sf_violation *v = &c->violations[i];
		char msg[VIOLATION_MSG_MAX];

		b->len = (size_t)(e->o - b->p);
		if (!sf_buf_room(b, REC_VIOLATION_ROOM))
			return false;
		e->o = b->p + b->len;
		msg[0] = '\0';
		sf_violation_format(v, msg, sizeof msg);
		rec_elem(e, i == 0);
		rec_open(e, '{');
		KEY1(e, "code");
		rec_name(e, sf_violation_name(v->code));
		KEY(e, "frame");
		rec_u64(e, v->frame);
		KEY(e, "expected");
		if (v->has_values)
			rec_u64(e, v->expected);
		else
			rec_null(e);
		KEY(e, "actual");
		if (v->has_values)
			rec_u64(e, v->actual);
		else
			rec_null(e);
		KEY(e, "message");
		e->o = sf_jw_put_string_(e->o, msg, strnlen(msg, sizeof msg));
		KEY(e, "by");
		rec_name(e, side(c, v->by));
		rec_close(e, '}');
	}
	b->len = (size_t)(e->o - b->p);
	if (!sf_buf_room(b, REC_BASE_ROOM))
		return false;
	e->o = b->p + b->len;
	rec_close_arr(e, n > 0);
	return true;
}

/* Append connection c's record to b: pretty at base indentation nl (json), else compact (jsonl). */
static void conn(struct sf_buf *b, const struct sf_conn *c, bool pretty, unsigned nl)
{
	int cl = c->client, sv = sf_conn_server(c);

	if (!sf_buf_room(b, REC_BASE_ROOM))
		return;
	struct rec rec = {.o = b->p + b->len, .pretty = pretty, .nl = nl};
	struct rec *e = &rec;

	rec_open(e, '{');
	KEY1(e, "id");
	rec_u64(e, c->id);
	KEY(e, "client");
	rec_endpoint(e, &c->ep[cl]);
	KEY(e, "server");
	rec_endpoint(e, &c->ep[sv]);
	KEY(e, "roles");
	rec_name(e, sf_roles_name(c->roles));
	KEY(e, "first_ts");
	rec_ts(e, c->first_ts);
	KEY(e, "last_ts");
	rec_ts(e, c->last_ts);
	KEY(e, "first_frame");
	rec_u64(e, c->first_frame);
	KEY(e, "last_frame");
	rec_u64(e, c->last_frame);
	KEY(e, "packets");
	rec_pair(e, c->ep[cl].packets, c->ep[sv].packets);
	KEY(e, "bytes");
	rec_pair(e, c->ep[cl].bytes, c->ep[sv].bytes);
	rec_handshake(e, c);
	rec_teardown(e, c);
	KEY(e, "final_state");
	rec_open(e, '{');
	KEY1(e, "client");
	rec_name(e, sf_tcp_state_name(c->ep[cl].state));
	KEY(e, "server");
	rec_name(e, sf_tcp_state_name(c->ep[sv].state));
	rec_close(e, '}');
	KEY(e, "zeek");
	rec_open(e, '{');
	KEY1(e, "conn_state");
	rec_name(e, sf_zeek_conn_state(&c->zeek));
	KEY(e, "history");
	e->o = sf_jw_put_plain_(e->o, c->zeek.history, strnlen(c->zeek.history, sizeof c->zeek.history));
	rec_close(e, '}');
	KEY(e, "completeness");
	rec_u64(e, c->compl.mask);
	if (!rec_violations(e, b, c))
		return;
	/* extensions */
	KEY(e, "end_reason");
	rec_name(e, sf_end_reason_name(c->end_reason));
	KEY(e, "violations_omitted");
	rec_u64(e, c->n_violations_dropped);
	rec_close(e, '}');
	b->len = (size_t)(e->o - b->p);
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
	(void)r;
	sf_buf_put(b, CONN_SEP, sizeof CONN_SEP - 1);
	conn(b, c, true, CONN_BASE);
}

void sf_report_json_take(struct sf_report *r, const char **p, size_t *n)
{
	/* the first connection has no separating comma */
	if (r->n_written == 0 && *n > 0 && (*p)[0] == ',') {
		(*p)++;
		(*n)--;
	}
	r->n_written++;
}

void sf_report_json_put(struct sf_report *r, const char *p, size_t n)
{
	sf_report_json_take(r, &p, &n);
	put(r, p, n, false);
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
	(void)r;
	conn(b, c, false, 0);
	sf_buf_putc(b, '\n');
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
