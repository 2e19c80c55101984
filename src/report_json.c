/* report_json.c - the json (one streamed document) and jsonl (one line per connection) sinks. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "synfin_config.h"
#include "synfin/addr.h"
#include "synfin/conn.h"
#include "synfin/decode.h"
#include "synfin/report.h"
#include "synfin/tcp_state.h"
#include "synfin/violation.h"
#include "synfin/zeek.h"

#include "report_int.h"

#define VIOLATION_MSG_MAX 256

/*
 * 16 significant digits: epoch seconds keep exactly their microseconds
 * (a double cannot hold nanoseconds at 1.7e9 anyway: its spacing there is
 * 2.4e-7 s), without the noise digit %.17g would add ("1.0004001").
 */
#define REAL_FLAGS JSON_REAL_PRECISION(16)

/*
 * Length of the well-formed UTF-8 sequence at s (n > 0 bytes left), or 0.
 * RFC 3629 §4: no overlong forms, no surrogates, nothing above U+10FFFF.
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t need;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < need; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return need;
}

/*
 * A JSON string of n bytes that may not be UTF-8 (a file name is any bytes):
 * each byte that does not start a well-formed sequence becomes U+FFFD.
 * NULL becomes null.
 */
static json_t *jstrn(const char *s, size_t n)
{
	static const char repl[] = "\xEF\xBF\xBD";
	const unsigned char *u = (const unsigned char *)s;
	char *buf;
	size_t o = 0;
	json_t *j;

	if (s == NULL)
		return json_null();
	if (n > (SIZE_MAX - 1) / 3)
		return json_null();
	buf = malloc(3 * n + 1);
	if (buf == NULL)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_len(u + i, n - i);

		if (k == 0) {
			memcpy(buf + o, repl, 3);
			o += 3;
			i++;
		} else {
			memcpy(buf + o, s + i, k);
			o += k;
			i += k;
		}
	}
	j = json_stringn(buf, o);
	free(buf);
	return j;
}

static json_t *jstr(const char *s)
{
	return jstrn(s, s != NULL ? strlen(s) : 0);
}

static json_t *juint(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *jts(struct sf_ts t)
{
	return json_real(sf_ts_to_double(t));
}

static void set(json_t *o, const char *key, json_t *v)
{
	json_object_set_new(o, key, v);
}

static const char *side(const struct sf_conn *c, int ep)
{
	return ep == c->client ? "client" : "server";
}

static json_t *endpoint_obj(const struct sf_endpoint *e)
{
	char a[SF_ADDR_STRLEN];
	const char *s;
	json_t *o = json_object();

	a[0] = '\0';
	s = sf_addr_format(&e->addr, a, sizeof a);
	set(o, "addr", jstr(s != NULL ? s : a));
	set(o, "port", juint(e->port));
	return o;
}

static json_t *pair_obj(uint64_t client, uint64_t server)
{
	json_t *o = json_object();

	set(o, "client", juint(client));
	set(o, "server", juint(server));
	return o;
}

static json_t *seg_obj(const struct sf_seg_ref *s)
{
	json_t *o;

	if (!s->seen)
		return json_null();
	o = json_object();
	set(o, "frame", juint(s->frame));
	set(o, "ts", jts(s->ts));
	set(o, "seq", juint(s->seq));
	set(o, "ack", juint(s->ack));
	return o;
}

static json_t *handshake_obj(const struct sf_conn *c)
{
	json_t *o = json_object();

	set(o, "outcome", jstr(sf_hs_outcome_name(c->hs_outcome)));
	set(o, "syn", seg_obj(&c->syn));
	set(o, "synack", seg_obj(&c->synack));
	set(o, "ack", seg_obj(&c->hs_ack));
	set(o, "syn_retransmits", juint(c->syn_retransmits));
	set(o, "synack_retransmits", juint(c->synack_retransmits));
	if (c->syn.seen && c->hs_ack.seen)
		set(o, "rtt", json_real(sf_ts_sub(c->hs_ack.ts, c->syn.ts)));
	else
		set(o, "rtt", json_null());
	return o;
}

static json_t *fin_obj(const struct sf_conn *c, int ep)
{
	const struct sf_fin_ref *f = &c->ep[ep].fin;
	json_t *o = json_object();

	set(o, "by", jstr(side(c, ep)));
	set(o, "frame", juint(f->frame));
	set(o, "ts", jts(f->ts));
	set(o, "seq", juint(f->seq));
	set(o, "acked_frame", f->acked ? juint(f->acked_frame) : json_null());
	return o;
}

static json_t *initiator(const struct sf_conn *c)
{
	if (c->td_initiator == 2)
		return jstr("both");
	if (c->td_initiator == 0 || c->td_initiator == 1)
		return jstr(side(c, c->td_initiator));
	return json_null();
}

static json_t *teardown_obj(const struct sf_conn *c)
{
	int cl = c->client, sv = sf_conn_server(c);
	json_t *o = json_object();
	json_t *fins = json_array();
	json_t *rst;

	set(o, "outcome", jstr(sf_td_outcome_name(c->td_outcome)));
	set(o, "initiator", initiator(c));
	if (c->ep[cl].fin.seen)
		json_array_append_new(fins, fin_obj(c, cl));
	if (c->ep[sv].fin.seen)
		json_array_append_new(fins, fin_obj(c, sv));
	set(o, "fin", fins);
	if (c->rst.seen) {
		rst = json_object();
		set(rst, "by", jstr(side(c, c->rst.by)));
		set(rst, "frame", juint(c->rst.frame));
		set(rst, "ts", jts(c->rst.ts));
		set(rst, "seq", juint(c->rst.seq));
	} else {
		rst = json_null();
	}
	set(o, "rst", rst);
	return o;
}

static json_t *violations_arr(const struct sf_conn *c)
{
	json_t *a = json_array();
	uint32_t n = stored_violations(c);

	for (uint32_t i = 0; i < n; i++) {
		const struct sf_violation *v = &c->violations[i];
		char msg[VIOLATION_MSG_MAX];
		json_t *o = json_object();

		msg[0] = '\0';
		sf_violation_format(v, msg, sizeof msg);
		set(o, "code", jstr(sf_violation_name(v->code)));
		set(o, "frame", juint(v->frame));
		set(o, "expected", v->has_values ? juint(v->expected) : json_null());
		set(o, "actual", v->has_values ? juint(v->actual) : json_null());
		set(o, "message", jstr(msg));
		set(o, "by", jstr(side(c, v->by)));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *conn_obj(const struct sf_conn *c)
{
	int cl = c->client, sv = sf_conn_server(c);
	json_t *o = json_object();
	json_t *fs, *zk;

	set(o, "id", juint(c->id));
	set(o, "client", endpoint_obj(&c->ep[cl]));
	set(o, "server", endpoint_obj(&c->ep[sv]));
	set(o, "roles", jstr(sf_roles_name(c->roles)));
	set(o, "first_ts", jts(c->first_ts));
	set(o, "last_ts", jts(c->last_ts));
	set(o, "first_frame", juint(c->first_frame));
	set(o, "last_frame", juint(c->last_frame));
	set(o, "packets", pair_obj(c->ep[cl].packets, c->ep[sv].packets));
	set(o, "bytes", pair_obj(c->ep[cl].bytes, c->ep[sv].bytes));
	set(o, "handshake", handshake_obj(c));
	set(o, "teardown", teardown_obj(c));
	fs = json_object();
	set(fs, "client", jstr(sf_tcp_state_name(c->ep[cl].state)));
	set(fs, "server", jstr(sf_tcp_state_name(c->ep[sv].state)));
	set(o, "final_state", fs);
	zk = json_object();
	set(zk, "conn_state", jstr(sf_zeek_conn_state(&c->zeek)));
	set(zk, "history", jstrn(c->zeek.history, strnlen(c->zeek.history, sizeof c->zeek.history)));
	set(o, "zeek", zk);
	set(o, "completeness", juint(c->compl.mask));
	set(o, "violations", violations_arr(c));
	/* extensions */
	set(o, "end_reason", jstr(sf_end_reason_name(c->end_reason)));
	set(o, "violations_omitted", juint(c->n_violations_dropped));
	return o;
}

static json_t *input_obj(const struct sf_input_info *in)
{
	json_t *o = json_object();
	json_t *sk = json_object();
	json_t *dr;

	set(o, "source", jstr(in->source));
	set(o, "name", jstr(in->name));
	set(o, "linktype", jstr(in->linktype));
	set(o, "packets", juint(in->packets));
	set(o, "tcp_packets", juint(in->tcp_packets));
	for (int i = SF_SKIP_NONE + 1; i < SF_SKIP__COUNT; i++)
		if (in->skipped[i] > 0)
			set(sk, sf_skip_name((enum sf_skip)i), juint(in->skipped[i]));
	set(o, "skipped", sk);
	/* extensions */
	set(o, "filtered", juint(in->filtered));
	set(o, "truncated", json_boolean(in->truncated));
	if (in->has_stats) {
		dr = json_object();
		set(dr, "received", juint(in->ps_recv));
		set(dr, "kernel", juint(in->ps_drop));
		set(dr, "interface", juint(in->ps_ifdrop));
	} else {
		dr = json_null();
	}
	set(o, "dropped", dr);
	return o;
}

static json_t *summary_obj(const struct sf_summary *s, const struct sf_flow_stats *fs)
{
	json_t *o = json_object();
	json_t *hs = json_object(), *td = json_object(), *end = json_object();

	set(o, "connections", juint(s->connections));
	for (int i = 0; i < SF_HS__COUNT; i++)
		set(hs, sf_hs_outcome_name((enum sf_hs_outcome)i), juint(s->hs[i]));
	set(o, "handshake", hs);
	for (int i = 0; i < SF_TD__COUNT; i++)
		set(td, sf_td_outcome_name((enum sf_td_outcome)i), juint(s->td[i]));
	set(o, "teardown", td);
	set(o, "violations", juint(s->violations));
	/* extensions */
	set(o, "connections_with_violations", juint(s->with_violations));
	for (int i = 0; i < SF_END__COUNT; i++)
		set(end, sf_end_reason_name((enum sf_end_reason)i), juint(s->end[i]));
	set(o, "end_reasons", end);
	set(o, "evicted", fs != NULL ? juint(fs->evicted) : json_null());
	set(o, "peak_open", fs != NULL ? juint(fs->peak_open) : json_null());
	return o;
}

/*
 * json_dump_callback target that indents every line after the first by
 * indent spaces, so an object dumped on its own nests inside the streamed
 * document. jansson escapes newlines inside strings, so every '\n' it
 * writes is structural.
 */
struct indent_out {
	FILE *f;
	int indent;
};

static int indent_cb(const char *buf, size_t size, void *data)
{
	const struct indent_out *io = data;
	size_t start = 0;

	for (size_t i = 0; i < size; i++) {
		if (buf[i] != '\n')
			continue;
		if (fwrite(buf + start, 1, i + 1 - start, io->f) != i + 1 - start)
			return -1;
		if (fprintf(io->f, "%*s", io->indent, "") < 0)
			return -1;
		start = i + 1;
	}
	if (size > start && fwrite(buf + start, 1, size - start, io->f) != size - start)
		return -1;
	return 0;
}

/* Dump j (stolen) indented for nesting depth indent; a NULL j is an allocation failure. */
static void dump_nested(struct sf_report *r, json_t *j, int indent)
{
	struct indent_out io = { r->opts.out, indent };

	if (j == NULL || json_dump_callback(j, indent_cb, &io, JSON_INDENT(2) | JSON_ENCODE_ANY | REAL_FLAGS) != 0)
		r->error = true;
	json_decref(j);
}

/* One compact line; j is stolen. */
static void dump_line(struct sf_report *r, json_t *j)
{
	FILE *out = r->opts.out;

	if (j == NULL || json_dumpf(j, out, JSON_COMPACT | REAL_FLAGS) != 0)
		r->error = true;
	json_decref(j);
	fputc('\n', out);
	fflush(out);
}

void sf_report_json_begin(struct sf_report *r)
{
	FILE *out = r->opts.out;

	fputs("{\n  \"tool\": \"synfin\",\n  \"version\": ", out);
	dump_nested(r, jstr(SF_VERSION), 2);
	fputs(",\n  \"connections\": [", out);
}

void sf_report_json_conn(struct sf_report *r, const struct sf_conn *c)
{
	fputs(r->n_written == 0 ? "\n    " : ",\n    ", r->opts.out);
	dump_nested(r, conn_obj(c), 4);
	r->n_written++;
}

void sf_report_json_end(struct sf_report *r, const struct sf_input_info *in, const struct sf_flow_stats *fs)
{
	FILE *out = r->opts.out;

	fputs(r->n_written == 0 ? "],\n  \"input\": " : "\n  ],\n  \"input\": ", out);
	dump_nested(r, input_obj(in), 2);
	fputs(",\n  \"summary\": ", out);
	dump_nested(r, summary_obj(&r->sum, fs), 2);
	fputs("\n}\n", out);
}

void sf_report_jsonl_conn(struct sf_report *r, const struct sf_conn *c)
{
	dump_line(r, conn_obj(c));
}

void sf_report_jsonl_end(struct sf_report *r, const struct sf_input_info *in, const struct sf_flow_stats *fs)
{
	json_t *o = json_object();

	set(o, "summary", summary_obj(&r->sum, fs));
	set(o, "input", input_obj(in));
	dump_line(r, o);
}
