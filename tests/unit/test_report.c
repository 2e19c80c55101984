/* test_report.c - the report sinks: json, jsonl and text, fed hand-built connections out of order. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <jansson.h>

#include "synfin_config.h"
#include "synfin/addr.h"
#include "synfin/conn.h"
#include "synfin/decode.h"
#include "synfin/flow.h"
#include "synfin/report.h"
#include "synfin/violation.h"
#include "synfin/zeek.h"

#include "src/jsonw.h"
#include "src/report_int.h"

/* ---- building connections by hand ---- */

#define BASE_SEC 1700000000

static struct sf_ts ts_us(int64_t sec, uint32_t usec)
{
	struct sf_ts t = { sec, usec * 1000u };

	return t;
}

static void set_v4(struct sf_endpoint *e, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	const uint8_t bytes[4] = { a, b, c, d };

	sf_addr_set_v4(&e->addr, bytes);
	e->port = port;
}

static void set_seg(struct sf_seg_ref *s, uint64_t frame, struct sf_ts ts, uint32_t seq, uint32_t ack,
		    uint8_t flags)
{
	s->seen = true;
	s->frame = frame;
	s->ts = ts;
	s->seq = seq;
	s->ack = ack;
	s->flags = flags;
}

static void set_fin(struct sf_endpoint *e, uint64_t frame, struct sf_ts ts, uint32_t seq, uint64_t acked_frame)
{
	e->fin.seen = true;
	e->fin.frame = frame;
	e->fin.ts = ts;
	e->fin.seq = seq;
	e->fin.fin_seq = seq;
	if (acked_frame > 0) {
		e->fin.acked = true;
		e->fin.acked_frame = acked_frame;
	}
}

static void add_row(struct sf_conn *c, uint64_t frame, struct sf_ts ts, int by, uint8_t flags, uint32_t seq,
		    uint32_t ack, uint32_t len)
{
	struct sf_ladder_row *r;

	if (c->ladder == NULL) {
		c->ladder = calloc(SF_LADDER_MAX, sizeof *c->ladder);
		cr_assert_not_null(c->ladder);
	}
	cr_assert_lt(c->n_ladder, SF_LADDER_MAX);
	r = &c->ladder[c->n_ladder++];
	r->frame = frame;
	r->ts = ts;
	r->by = (uint8_t)by;
	r->flags = flags;
	r->seq = seq;
	r->ack = ack;
	r->len = len;
}

static void add_violation(struct sf_conn *c, enum sf_violation_code code, uint64_t frame, int by,
			  bool has_values, uint32_t expected, uint32_t actual)
{
	struct sf_violation *v;

	if (c->violations == NULL) {
		c->violations = calloc(SF_VIOLATIONS_MAX, sizeof *c->violations);
		cr_assert_not_null(c->violations);
	}
	v = &c->violations[c->n_violations++];
	v->code = code;
	v->frame = frame;
	v->by = by;
	v->has_values = has_values;
	v->expected = expected;
	v->actual = actual;
}

static void set_history(struct sf_conn *c, const char *h)
{
	snprintf(c->zeek.history, sizeof c->zeek.history, "%s", h);
	c->zeek.history_len = (uint8_t)strlen(c->zeek.history);
}

/* A bare connection: 10.0.0.1:43210 (client, endpoint 0) -> 10.0.0.2:80, ISNs 1000 and 5000. */
static struct sf_conn *bare_conn(uint64_t id)
{
	struct sf_conn *c = calloc(1, sizeof *c);

	cr_assert_not_null(c);
	c->id = id;
	c->client = 0;
	c->roles = SF_ROLES_SYN;
	set_v4(&c->ep[0], 10, 0, 0, 1, 43210);
	set_v4(&c->ep[1], 10, 0, 0, 2, 80);
	c->ep[0].have_isn = true;
	c->ep[0].isn = 1000;
	c->ep[1].have_isn = true;
	c->ep[1].isn = 5000;
	c->first_ts = ts_us(BASE_SEC, 1);
	c->last_ts = c->first_ts;
	c->first_frame = 1;
	c->last_frame = 1;
	c->syn_by = -1;
	c->synack_by = -1;
	c->td_initiator = -1;
	c->hs_outcome = SF_HS_NOT_SEEN;
	c->td_outcome = SF_TD_OPEN;
	c->end_reason = SF_END_INPUT;
	return c;
}

/*
 * A complete handshake, 120 bytes each way... and a four-way close by the client:
 *   1 SYN, 2 SYN-ACK, 3 ACK, 4 data c->s (120), 5-6 data s->c (3400),
 *   7 FIN,ACK c->s, 8 ACK s->c, 9 FIN,ACK s->c, 10 ACK c->s.
 */
static struct sf_conn *four_way(uint64_t id)
{
	struct sf_conn *c = bare_conn(id);

	set_seg(&c->syn, 1, ts_us(BASE_SEC, 1), 1000, 0, SF_TH_SYN);
	set_seg(&c->synack, 2, ts_us(BASE_SEC, 185), 5000, 1001, SF_TH_SYN | SF_TH_ACK);
	set_seg(&c->hs_ack, 3, ts_us(BASE_SEC, 369), 1001, 5001, SF_TH_ACK);
	c->syn_by = 0;
	c->synack_by = 1;
	c->hs_done = true;
	set_fin(&c->ep[0], 7, ts_us(BASE_SEC + 1, 0), 1121, 8);
	set_fin(&c->ep[1], 9, ts_us(BASE_SEC + 1, 200), 8401, 10);
	c->ep[0].packets = 6;
	c->ep[0].bytes = 120;
	c->ep[1].packets = 5;
	c->ep[1].bytes = 3400;
	c->ep[0].state = SF_TCPS_TIME_WAIT;
	c->ep[1].state = SF_TCPS_CLOSED;
	c->last_ts = ts_us(BASE_SEC + 1, 400);
	c->last_frame = 10;
	c->compl.mask = 31;
	set_history(c, "ShADadFf");
	c->hs_outcome = SF_HS_COMPLETE;
	c->td_outcome = SF_TD_FOUR_WAY;
	c->td_initiator = 0;
	c->end_reason = SF_END_CLOSED;

	add_row(c, 1, ts_us(BASE_SEC, 1), 0, SF_TH_SYN, 1000, 0, 0);
	add_row(c, 2, ts_us(BASE_SEC, 185), 1, SF_TH_SYN | SF_TH_ACK, 5000, 1001, 0);
	add_row(c, 3, ts_us(BASE_SEC, 369), 0, SF_TH_ACK, 1001, 5001, 0);
	add_row(c, 7, ts_us(BASE_SEC + 1, 0), 0, SF_TH_FIN | SF_TH_ACK, 1121, 8401, 0);
	add_row(c, 8, ts_us(BASE_SEC + 1, 100), 1, SF_TH_ACK, 8401, 1122, 0);
	add_row(c, 9, ts_us(BASE_SEC + 1, 200), 1, SF_TH_FIN | SF_TH_ACK, 8401, 1122, 0);
	add_row(c, 10, ts_us(BASE_SEC + 1, 400), 0, SF_TH_ACK, 1122, 8402, 0);
	c->n_ladder_dropped = 3;
	return c;
}

/* A SYN (retransmitted twice) that nobody answered. */
static struct sf_conn *no_reply(uint64_t id)
{
	struct sf_conn *c = bare_conn(id);

	set_seg(&c->syn, 1, ts_us(BASE_SEC, 1), 1000, 0, SF_TH_SYN);
	c->syn_by = 0;
	c->syn_retransmits = 2;
	c->ep[0].packets = 3;
	c->ep[0].state = SF_TCPS_SYN_SENT;
	c->ep[1].have_isn = false;
	c->compl.mask = 1;
	set_history(c, "S");
	c->hs_outcome = SF_HS_NO_REPLY;
	c->td_outcome = SF_TD_OPEN;
	c->end_reason = SF_END_IDLE;
	return c;
}

/* A SYN answered by RST,ACK from the server, which also broke two rules. */
static struct sf_conn *refused(uint64_t id)
{
	struct sf_conn *c = bare_conn(id);

	set_seg(&c->syn, 1, ts_us(BASE_SEC, 1), 1000, 0, SF_TH_SYN);
	c->syn_by = 0;
	c->refused = true;
	c->rst.seen = true;
	c->rst.by = 1;
	c->rst.frame = 2;
	c->rst.ts = ts_us(BASE_SEC, 50);
	c->rst.seq = 0;
	c->rst.ack = 1002;
	c->rst.flags = SF_TH_RST | SF_TH_ACK;
	c->ep[1].have_isn = false;
	c->ep[0].packets = 1;
	c->ep[1].packets = 1;
	c->last_frame = 2;
	c->compl.mask = 1 | 32;
	set_history(c, "Sr");
	add_violation(c, SF_V_RST_BAD_ACK, 2, 1, true, 1001, 1002);
	add_violation(c, SF_V_SYN_FIN, 1, 0, false, 0, 0);
	c->n_violations_dropped = 3;
	c->hs_outcome = SF_HS_REFUSED;
	c->td_outcome = SF_TD_RESET;
	c->td_initiator = 1;
	c->end_reason = SF_END_RESET;
	return c;
}

static struct sf_input_info input_info(void)
{
	struct sf_input_info in;

	memset(&in, 0, sizeof in);
	in.source = "file";
	in.name = "x.pcap";
	in.linktype = "EN10MB";
	in.packets = 42;
	in.tcp_packets = 40;
	in.skipped[SF_SKIP_NOT_TCP] = 2;
	return in;
}

/* ---- running a report into memory ---- */

struct mem {
	char *buf;
	size_t len;
	FILE *f;
};

static struct sf_report *open_report_opts(struct mem *m, enum sf_format fmt, bool quiet, bool verbose, bool color,
					  bool flush_each)
{
	struct sf_report_opts o;
	struct sf_report *r;

	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	cr_assert_not_null(m->f);
	memset(&o, 0, sizeof o);
	o.format = fmt;
	o.out = m->f;
	o.quiet = quiet;
	o.verbose = verbose;
	o.color = color;
	o.flush_each = flush_each;
	r = sf_report_new(&o);
	cr_assert_not_null(r);
	return r;
}

static struct sf_report *open_report(struct mem *m, enum sf_format fmt, bool quiet, bool verbose, bool color)
{
	return open_report_opts(m, fmt, quiet, verbose, color, false);
}

static size_t count_char(const char *s, char ch)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == ch;
	return n;
}

/* jsonl as a live capture writes it: every line flushed at once */
static struct sf_report *open_report_flush(struct mem *m, enum sf_format fmt, bool flush_each)
{
	return open_report_opts(m, fmt, false, false, false, flush_each);
}

/* End the report, free it, and return the output (the caller frees it). */
static char *close_report(struct mem *m, struct sf_report *r, const struct sf_input_info *in,
			  const struct sf_flow_stats *fs)
{
	cr_assert_eq(sf_report_end(r, in, fs), 0);
	sf_report_free(r);
	fclose(m->f);
	return m->buf;
}

/* Run connections through a report of format fmt, in the order given. */
static char *run(enum sf_format fmt, bool quiet, bool verbose, bool color, struct sf_conn **cs, size_t n,
		 const struct sf_input_info *in, const struct sf_flow_stats *fs)
{
	struct mem m;
	struct sf_report *r = open_report(&m, fmt, quiet, verbose, color);

	for (size_t i = 0; i < n; i++)
		sf_report_conn(r, cs[i]);
	return close_report(&m, r, in, fs);
}

static json_t *parse(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, 0, &err);

	cr_assert_not_null(j, "invalid JSON (%s at line %d col %d):\n%s", err.text, err.line, err.column, text);
	return j;
}

static json_t *run_json(struct sf_conn **cs, size_t n, const struct sf_input_info *in,
			const struct sf_flow_stats *fs)
{
	char *out = run(SF_FMT_JSON, false, false, false, cs, n, in, fs);
	json_t *j = parse(out);

	free(out);
	return j;
}

static json_t *at(json_t *j, const char *path)
{
	char buf[256], *save = NULL;
	json_t *cur = j;

	snprintf(buf, sizeof buf, "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k != NULL; k = strtok_r(NULL, ".", &save)) {
		if (json_is_array(cur))
			cur = json_array_get(cur, (size_t)strtoul(k, NULL, 10));
		else
			cur = json_object_get(cur, k);
		cr_assert_not_null(cur, "no %s (at %s)", path, k);
	}
	return cur;
}

static long long num(json_t *j, const char *path)
{
	json_t *v = at(j, path);

	cr_assert(json_is_integer(v), "%s is not an integer", path);
	return json_integer_value(v);
}

static double real(json_t *j, const char *path)
{
	json_t *v = at(j, path);

	cr_assert(json_is_real(v), "%s is not a real", path);
	return json_real_value(v);
}

static const char *str(json_t *j, const char *path)
{
	json_t *v = at(j, path);

	cr_assert(json_is_string(v), "%s is not a string", path);
	return json_string_value(v);
}

static void is_null(json_t *j, const char *path)
{
	cr_assert(json_is_null(at(j, path)), "%s is not null", path);
}

static void has(const char *hay, const char *needle)
{
	cr_assert_not_null(strstr(hay, needle), "missing \"%s\" in:\n%s", needle, hay);
}

static void lacks(const char *hay, const char *needle)
{
	cr_assert_null(strstr(hay, needle), "unexpected \"%s\" in:\n%s", needle, hay);
}

/* ---- endpoint text ---- */

Test(report, endpoint_text_v4_and_bracketed_v6)
{
	struct sf_endpoint e;
	const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	char buf[64];

	memset(&e, 0, sizeof e);
	set_v4(&e, 192, 0, 2, 7, 443);
	sf_report_endpoint_text(&e, buf, sizeof buf);
	cr_assert_str_eq(buf, "192.0.2.7:443");
	sf_addr_set_v6(&e.addr, v6);
	sf_report_endpoint_text(&e, buf, sizeof buf);
	cr_assert_str_eq(buf, "[2001:db8::1]:443");
}

/* Composed without snprintf: cut and terminated as snprintf cuts, any port, any family. */
Test(report, endpoint_text_cut_like_snprintf)
{
	const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint16_t ports[] = { 0, 9, 10, 65535 };
	struct sf_endpoint e;
	char full[SF_ADDR_STRLEN + 16], want[SF_ADDR_STRLEN + 16], buf[SF_ADDR_STRLEN + 16];

	memset(&e, 0, sizeof e);
	for (int fam = 0; fam < 3; fam++)
		for (size_t p = 0; p < sizeof ports / sizeof ports[0]; p++) {
			if (fam == 0)
				set_v4(&e, 10, 200, 30, 4, ports[p]);
			else if (fam == 1)
				sf_addr_set_v6(&e.addr, v6);
			else
				e.addr.family = 0; /* no address: sf_addr_format's text */
			e.port = ports[p];
			sf_report_endpoint_text(&e, full, sizeof full);
			for (size_t len = 1; len <= strlen(full) + 1; len++) {
				memset(buf, 'x', sizeof buf);
				snprintf(want, len, "%s", full);
				sf_report_endpoint_text(&e, buf, len);
				cr_assert_str_eq(buf, want, "len %zu", len);
				cr_assert_eq(buf[len], 'x', "wrote past len %zu", len);
			}
		}
	memset(buf, 'x', sizeof buf);
	sf_report_endpoint_text(&e, buf, 0);
	cr_assert_eq(buf[0], 'x', "len 0 writes nothing");
	e.port = 65535;
	sf_addr_set_v6(&e.addr, v6);
	sf_report_endpoint_text(&e, buf, sizeof buf);
	cr_assert_str_eq(buf, "[2001:db8::1]:65535");
	e.port = 0;
	set_v4(&e, 0, 0, 0, 0, 0);
	sf_report_endpoint_text(&e, buf, sizeof buf);
	cr_assert_str_eq(buf, "0.0.0.0:0");
}

/* ---- json ---- */

Test(report_json, document_header_and_ids_in_order)
{
	struct sf_conn *cs[] = { four_way(2), four_way(0), four_way(3), four_way(1) };
	struct sf_input_info in = input_info();
	json_t *j = run_json(cs, 4, &in, NULL);
	json_t *conns = at(j, "connections");

	cr_assert_str_eq(str(j, "tool"), "synfin");
	cr_assert_str_eq(str(j, "version"), SF_VERSION);
	cr_assert_eq(json_array_size(conns), 4);
	for (size_t i = 0; i < 4; i++)
		cr_assert_eq(json_integer_value(json_object_get(json_array_get(conns, i), "id")), (long long)i);
	json_decref(j);
}

Test(report_json, connection_fields_in_contract_order)
{
	static const char *const keys[] = {
		"id", "client", "server", "roles", "first_ts", "last_ts", "first_frame", "last_frame",
		"packets", "bytes", "handshake", "teardown", "final_state", "zeek", "completeness",
		"violations", "end_reason", "violations_omitted",
	};
	struct sf_conn *cs[] = { four_way(0) };
	char *out = run(SF_FMT_JSON, false, false, false, cs, 1, NULL, NULL);
	const char *p = out;

	/* the order in the text, since jansson's parser does not keep it */
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		char k[64];
		const char *q;

		snprintf(k, sizeof k, "\n      \"%s\":", keys[i]);
		q = strstr(p, k);
		cr_assert_not_null(q, "key %s missing or out of order in:\n%s", keys[i], out);
		p = q;
	}
	free(out);
}

Test(report_json, complete_connection_values)
{
	struct sf_conn *cs[] = { four_way(0) };
	struct sf_input_info in = input_info();
	json_t *j = run_json(cs, 1, &in, NULL);
	json_t *c = at(j, "connections.0");

	cr_assert_str_eq(str(c, "client.addr"), "10.0.0.1");
	cr_assert_eq(num(c, "client.port"), 43210);
	cr_assert_str_eq(str(c, "server.addr"), "10.0.0.2");
	cr_assert_eq(num(c, "server.port"), 80);
	cr_assert_str_eq(str(c, "roles"), "syn");
	/* microsecond precision survives: first_ts is ...000001 */
	cr_assert_float_eq(real(c, "first_ts"), 1700000000.000001, 4e-7);
	cr_assert_float_eq(real(c, "last_ts"), 1700000001.000400, 4e-7);
	cr_assert_eq(num(c, "first_frame"), 1);
	cr_assert_eq(num(c, "last_frame"), 10);
	cr_assert_eq(num(c, "packets.client"), 6);
	cr_assert_eq(num(c, "packets.server"), 5);
	cr_assert_eq(num(c, "bytes.client"), 120);
	cr_assert_eq(num(c, "bytes.server"), 3400);

	cr_assert_str_eq(str(c, "handshake.outcome"), "complete");
	cr_assert_eq(num(c, "handshake.syn.frame"), 1);
	cr_assert_float_eq(real(c, "handshake.syn.ts"), 1700000000.000001, 4e-7);
	cr_assert_eq(num(c, "handshake.syn.seq"), 1000);
	cr_assert_eq(num(c, "handshake.syn.ack"), 0);
	cr_assert_eq(num(c, "handshake.synack.frame"), 2);
	cr_assert_eq(num(c, "handshake.synack.seq"), 5000);
	cr_assert_eq(num(c, "handshake.synack.ack"), 1001);
	cr_assert_eq(num(c, "handshake.ack.frame"), 3);
	cr_assert_eq(num(c, "handshake.ack.seq"), 1001);
	cr_assert_eq(num(c, "handshake.ack.ack"), 5001);
	cr_assert_eq(num(c, "handshake.syn_retransmits"), 0);
	cr_assert_eq(num(c, "handshake.synack_retransmits"), 0);
	cr_assert_float_eq(real(c, "handshake.rtt"), 0.000368, 1e-9);

	cr_assert_str_eq(str(c, "teardown.outcome"), "four_way");
	cr_assert_str_eq(str(c, "teardown.initiator"), "client");
	cr_assert_eq(json_array_size(at(c, "teardown.fin")), 2);
	cr_assert_str_eq(str(c, "teardown.fin.0.by"), "client");
	cr_assert_eq(num(c, "teardown.fin.0.frame"), 7);
	cr_assert_float_eq(real(c, "teardown.fin.0.ts"), 1700000001.0, 4e-7);
	cr_assert_eq(num(c, "teardown.fin.0.seq"), 1121);
	cr_assert_eq(num(c, "teardown.fin.0.acked_frame"), 8);
	cr_assert_str_eq(str(c, "teardown.fin.1.by"), "server");
	cr_assert_eq(num(c, "teardown.fin.1.frame"), 9);
	cr_assert_eq(num(c, "teardown.fin.1.seq"), 8401);
	cr_assert_eq(num(c, "teardown.fin.1.acked_frame"), 10);
	is_null(c, "teardown.rst");

	cr_assert_str_eq(str(c, "final_state.client"), "TIME_WAIT");
	cr_assert_str_eq(str(c, "final_state.server"), "CLOSED");
	cr_assert_str_eq(str(c, "zeek.history"), "ShADadFf");
	cr_assert_eq(num(c, "completeness"), 31);
	cr_assert_eq(json_array_size(at(c, "violations")), 0);
	cr_assert_str_eq(str(c, "end_reason"), sf_end_reason_name(SF_END_CLOSED));
	cr_assert_eq(num(c, "violations_omitted"), 0);
	json_decref(j);
}

Test(report_json, zeek_conn_state_comes_from_sf_zeek_conn_state)
{
	struct sf_conn *c = four_way(0);
	char expect[16];
	struct sf_conn *cs[1];
	json_t *j;

	snprintf(expect, sizeof expect, "%s", sf_zeek_conn_state(&c->zeek));
	cs[0] = c;
	j = run_json(cs, 1, NULL, NULL);
	cr_assert_str_eq(str(j, "connections.0.zeek.conn_state"), expect);
	json_decref(j);
}

Test(report_json, unanswered_syn_has_null_segments_and_rtt)
{
	struct sf_conn *cs[] = { no_reply(0) };
	json_t *j = run_json(cs, 1, NULL, NULL);
	json_t *c = at(j, "connections.0");

	cr_assert_str_eq(str(c, "handshake.outcome"), "no_reply");
	cr_assert_eq(num(c, "handshake.syn.frame"), 1);
	is_null(c, "handshake.synack");
	is_null(c, "handshake.ack");
	is_null(c, "handshake.rtt");
	cr_assert_eq(num(c, "handshake.syn_retransmits"), 2);
	cr_assert_str_eq(str(c, "teardown.outcome"), "open");
	is_null(c, "teardown.initiator");
	cr_assert(json_is_array(at(c, "teardown.fin")));
	cr_assert_eq(json_array_size(at(c, "teardown.fin")), 0);
	is_null(c, "teardown.rst");
	cr_assert_str_eq(str(c, "final_state.client"), "SYN_SENT");
	cr_assert_str_eq(str(c, "end_reason"), sf_end_reason_name(SF_END_IDLE));
	json_decref(j);
}

Test(report_json, fin_list_is_client_first_with_null_acked_frame)
{
	struct sf_conn *c = four_way(0);
	struct sf_conn *cs[] = { c };
	json_t *j;

	/* the server closed first; the client's FIN was never acked */
	c->ep[0].fin.acked = false;
	c->ep[0].fin.frame = 9;
	c->ep[1].fin.frame = 7;
	c->td_outcome = SF_TD_INCOMPLETE;
	c->td_initiator = 1;
	j = run_json(cs, 1, NULL, NULL);
	cr_assert_str_eq(str(j, "connections.0.teardown.initiator"), "server");
	cr_assert_str_eq(str(j, "connections.0.teardown.fin.0.by"), "client");
	cr_assert_eq(num(j, "connections.0.teardown.fin.0.frame"), 9);
	is_null(j, "connections.0.teardown.fin.0.acked_frame");
	cr_assert_str_eq(str(j, "connections.0.teardown.fin.1.by"), "server");
	cr_assert_eq(num(j, "connections.0.teardown.fin.1.acked_frame"), 10);
	json_decref(j);
}

Test(report_json, only_one_fin_and_both_initiators)
{
	struct sf_conn *c = four_way(0);
	struct sf_conn *cs[] = { c };
	json_t *j;

	c->ep[0].fin.seen = false;
	c->td_outcome = SF_TD_SIMULTANEOUS;
	c->td_initiator = 2;
	j = run_json(cs, 1, NULL, NULL);
	cr_assert_eq(json_array_size(at(j, "connections.0.teardown.fin")), 1);
	cr_assert_str_eq(str(j, "connections.0.teardown.fin.0.by"), "server");
	cr_assert_str_eq(str(j, "connections.0.teardown.initiator"), "both");
	json_decref(j);
}

Test(report_json, reset_and_violations)
{
	struct sf_conn *c = refused(0);
	struct sf_conn *cs[] = { c };
	char msg0[256], msg1[256];
	json_t *j, *v;

	sf_violation_format(&c->violations[0], msg0, sizeof msg0);
	sf_violation_format(&c->violations[1], msg1, sizeof msg1);
	j = run_json(cs, 1, NULL, NULL);
	cr_assert_str_eq(str(j, "connections.0.handshake.outcome"), "refused");
	cr_assert_str_eq(str(j, "connections.0.teardown.outcome"), "reset");
	cr_assert_str_eq(str(j, "connections.0.teardown.initiator"), "server");
	cr_assert_str_eq(str(j, "connections.0.teardown.rst.by"), "server");
	cr_assert_eq(num(j, "connections.0.teardown.rst.frame"), 2);
	cr_assert_float_eq(real(j, "connections.0.teardown.rst.ts"), 1700000000.000050, 4e-7);
	cr_assert_eq(num(j, "connections.0.teardown.rst.seq"), 0);
	cr_assert_eq(json_object_size(at(j, "connections.0.teardown.rst")), 4);

	v = at(j, "connections.0.violations");
	cr_assert_eq(json_array_size(v), 2);
	cr_assert_str_eq(str(v, "0.code"), "RST_BAD_ACK");
	cr_assert_eq(num(v, "0.frame"), 2);
	cr_assert_eq(num(v, "0.expected"), 1001);
	cr_assert_eq(num(v, "0.actual"), 1002);
	cr_assert_str_eq(str(v, "0.message"), msg0);
	cr_assert_str_eq(str(v, "1.code"), "SYN_FIN");
	cr_assert_eq(num(v, "1.frame"), 1);
	is_null(v, "1.expected");
	is_null(v, "1.actual");
	cr_assert_str_eq(str(v, "1.message"), msg1);
	cr_assert_eq(num(j, "connections.0.violations_omitted"), 3);
	json_decref(j);
}

Test(report_json, client_may_be_endpoint_one)
{
	struct sf_conn *c = four_way(0);
	struct sf_conn *cs[] = { c };
	json_t *j;

	/* endpoint 0 is the server (its SYN-ACK was the first packet seen) */
	c->client = 1;
	c->roles = SF_ROLES_SYNACK;
	c->td_initiator = 1;
	j = run_json(cs, 1, NULL, NULL);
	cr_assert_str_eq(str(j, "connections.0.client.addr"), "10.0.0.2");
	cr_assert_eq(num(j, "connections.0.client.port"), 80);
	cr_assert_str_eq(str(j, "connections.0.server.addr"), "10.0.0.1");
	cr_assert_str_eq(str(j, "connections.0.roles"), "synack");
	cr_assert_eq(num(j, "connections.0.packets.client"), 5);
	cr_assert_str_eq(str(j, "connections.0.final_state.client"), "CLOSED");
	cr_assert_str_eq(str(j, "connections.0.teardown.initiator"), "client");
	cr_assert_str_eq(str(j, "connections.0.teardown.fin.0.by"), "client");
	cr_assert_eq(num(j, "connections.0.teardown.fin.0.frame"), 9);
	json_decref(j);
}

Test(report_json, ipv6_endpoints_in_rfc5952_form)
{
	struct sf_conn *c = four_way(0);
	struct sf_conn *cs[] = { c };
	const uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	const uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, [15] = 2 };
	json_t *j;

	sf_addr_set_v6(&c->ep[0].addr, a);
	sf_addr_set_v6(&c->ep[1].addr, b);
	j = run_json(cs, 1, NULL, NULL);
	cr_assert_str_eq(str(j, "connections.0.client.addr"), "2001:db8::1");
	cr_assert_str_eq(str(j, "connections.0.server.addr"), "2001:db8::1:0:0:2");
	json_decref(j);
}

Test(report_json, summary_counts_every_outcome_with_zeros)
{
	struct sf_conn *cs[] = { refused(2), no_reply(1), four_way(0) };
	struct sf_flow_stats fs = { .connections = 3, .peak_open = 2, .evicted = 0 };
	json_t *j = run_json(cs, 3, NULL, &fs);
	json_t *s = at(j, "summary");

	cr_assert_eq(num(s, "connections"), 3);
	cr_assert_eq(json_object_size(at(s, "handshake")), SF_HS__COUNT);
	cr_assert_eq(num(s, "handshake.complete"), 1);
	cr_assert_eq(num(s, "handshake.no_reply"), 1);
	cr_assert_eq(num(s, "handshake.refused"), 1);
	cr_assert_eq(num(s, "handshake.no_final_ack"), 0);
	cr_assert_eq(num(s, "handshake.simultaneous_open"), 0);
	cr_assert_eq(num(s, "handshake.missing_syn"), 0);
	cr_assert_eq(num(s, "handshake.not_seen"), 0);
	cr_assert_eq(json_object_size(at(s, "teardown")), SF_TD__COUNT);
	cr_assert_eq(num(s, "teardown.four_way"), 1);
	cr_assert_eq(num(s, "teardown.three_way"), 0);
	cr_assert_eq(num(s, "teardown.simultaneous"), 0);
	cr_assert_eq(num(s, "teardown.half_closed"), 0);
	cr_assert_eq(num(s, "teardown.incomplete"), 0);
	cr_assert_eq(num(s, "teardown.reset"), 1);
	cr_assert_eq(num(s, "teardown.open"), 1);
	/* 2 stored + 3 omitted */
	cr_assert_eq(num(s, "violations"), 5);
	cr_assert_eq(num(s, "connections_with_violations"), 1);
	cr_assert_eq(json_object_size(at(s, "end_reasons")), SF_END__COUNT);
	cr_assert_eq(json_integer_value(json_object_get(at(s, "end_reasons"), sf_end_reason_name(SF_END_IDLE))), 1);
	cr_assert_eq(json_integer_value(json_object_get(at(s, "end_reasons"), sf_end_reason_name(SF_END_INPUT))), 0);
	cr_assert_eq(num(s, "evicted"), 0);
	cr_assert_eq(num(s, "peak_open"), 2);
	json_decref(j);
}

Test(report_json, empty_capture_and_no_flow_stats)
{
	json_t *j = run_json(NULL, 0, NULL, NULL);

	cr_assert(json_is_array(at(j, "connections")));
	cr_assert_eq(json_array_size(at(j, "connections")), 0);
	cr_assert_eq(num(j, "summary.connections"), 0);
	cr_assert_eq(num(j, "summary.handshake.complete"), 0);
	cr_assert_eq(num(j, "summary.violations"), 0);
	is_null(j, "summary.evicted");
	is_null(j, "summary.peak_open");
	json_decref(j);
}

Test(report_json, input_section)
{
	struct sf_input_info in = input_info();
	json_t *j, *sk;

	in.filtered = 7;
	in.truncated = true;
	in.skipped[SF_SKIP_IP_FRAGMENT] = 1;
	j = run_json(NULL, 0, &in, NULL);
	cr_assert_str_eq(str(j, "input.source"), "file");
	cr_assert_str_eq(str(j, "input.name"), "x.pcap");
	cr_assert_str_eq(str(j, "input.linktype"), "EN10MB");
	cr_assert_eq(num(j, "input.packets"), 42);
	cr_assert_eq(num(j, "input.tcp_packets"), 40);
	sk = at(j, "input.skipped");
	cr_assert_eq(json_object_size(sk), 2);
	cr_assert_eq(num(sk, "not_tcp"), 2);
	cr_assert_eq(num(sk, "ip_fragment"), 1);
	cr_assert_eq(num(j, "input.filtered"), 7);
	cr_assert(json_is_true(at(j, "input.truncated")));
	is_null(j, "input.dropped");
	json_decref(j);

	in = input_info();
	in.source = "interface";
	in.name = "eth0";
	in.has_stats = true;
	in.ps_recv = 1000;
	in.ps_drop = 5;
	in.ps_ifdrop = 1;
	j = run_json(NULL, 0, &in, NULL);
	cr_assert_str_eq(str(j, "input.source"), "interface");
	cr_assert(json_is_false(at(j, "input.truncated")));
	cr_assert_eq(num(j, "input.dropped.received"), 1000);
	cr_assert_eq(num(j, "input.dropped.kernel"), 5);
	cr_assert_eq(num(j, "input.dropped.interface"), 1);
	json_decref(j);
}

Test(report_json, invalid_utf8_name_still_gives_valid_json)
{
	struct sf_input_info in = input_info();
	json_t *j;
	char *out;

	/* é is fine; 0xff, an overlong '/', and a UTF-16 surrogate are not */
	in.name = "caf\xc3\xa9-\xff-\xc0\xaf-\xed\xa0\x80.pcap";
	j = run_json(NULL, 0, &in, NULL);
	cr_assert_str_eq(str(j, "input.name"),
			 "caf\xc3\xa9-\xef\xbf\xbd-\xef\xbf\xbd\xef\xbf\xbd-\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd.pcap");
	json_decref(j);

	out = run(SF_FMT_JSONL, false, false, false, NULL, 0, &in, NULL);
	j = parse(out);
	cr_assert_str_eq(str(j, "input.name"),
			 "caf\xc3\xa9-\xef\xbf\xbd-\xef\xbf\xbd\xef\xbf\xbd-\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd.pcap");
	json_decref(j);
	free(out);
}

Test(report_json, connections_stream_as_soon_as_lower_ids_are_done)
{
	struct mem m;
	struct sf_report *r = open_report(&m, SF_FMT_JSON, false, false, false);
	char *out;

	sf_report_conn(r, four_way(0));
	fflush(m.f);
	has(m.buf, "\"id\": 0");
	sf_report_conn(r, four_way(2));
	fflush(m.f);
	lacks(m.buf, "\"id\": 2");
	sf_report_conn(r, four_way(1));
	fflush(m.f);
	has(m.buf, "\"id\": 1");
	has(m.buf, "\"id\": 2");
	cr_assert_lt(strstr(m.buf, "\"id\": 1"), strstr(m.buf, "\"id\": 2"));
	out = close_report(&m, r, NULL, NULL);
	json_decref(parse(out));
	free(out);
}

Test(report_json, ids_that_never_arrive_do_not_block_the_end)
{
	struct sf_conn *cs[] = { four_way(3), four_way(0), four_way(5) };
	json_t *j = run_json(cs, 3, NULL, NULL);

	cr_assert_eq(json_array_size(at(j, "connections")), 3);
	cr_assert_eq(num(j, "connections.0.id"), 0);
	cr_assert_eq(num(j, "connections.1.id"), 3);
	cr_assert_eq(num(j, "connections.2.id"), 5);
	json_decref(j);
}

Test(report_json, many_shuffled_connections_come_out_in_order)
{
	enum { N = 3000 };
	struct sf_conn **cs = calloc(N, sizeof *cs);
	uint32_t rnd = 12345;
	json_t *j, *arr;

	cr_assert_not_null(cs);
	for (size_t i = 0; i < N; i++)
		cs[i] = no_reply(i);
	/* Fisher-Yates with a fixed LCG, biased towards long waits for low ids */
	for (size_t i = N - 1; i > 0; i--) {
		size_t k;

		rnd = rnd * 1103515245u + 12345u;
		k = (rnd >> 8) % (i + 1);
		struct sf_conn *t = cs[i];
		cs[i] = cs[k];
		cs[k] = t;
	}
	j = run_json(cs, N, NULL, NULL);
	arr = at(j, "connections");
	cr_assert_eq(json_array_size(arr), N);
	for (size_t i = 0; i < N; i++)
		cr_assert_eq(json_integer_value(json_object_get(json_array_get(arr, i), "id")), (long long)i);
	cr_assert_eq(num(j, "summary.connections"), N);
	json_decref(j);
	free(cs);
}

Test(report_json, timestamps_and_rtt_are_exact_decimal_seconds)
{
	struct sf_conn *c = four_way(0);
	struct sf_conn *cs[] = { c };
	char *out;
	json_t *j;

	/* nanosecond capture: nothing is rounded through a double */
	c->syn.ts.nsec = 123456789;
	c->first_ts = c->syn.ts;
	c->hs_ack.ts.sec = BASE_SEC + 1;
	c->hs_ack.ts.nsec = 23456788;
	out = run(SF_FMT_JSON, false, false, false, cs, 1, NULL, NULL);
	has(out, "\"first_ts\": 1700000000.123456789,");
	has(out, "\"ts\": 1700000000.123456789,");
	has(out, "\"rtt\": 0.899999999\n");
	/* microseconds print as before, trailing zeros dropped, at least one digit */
	has(out, "\"last_ts\": 1700000001.0004,");
	has(out, "\"ts\": 1700000000.000185,");
	has(out, "\"ts\": 1700000001.0,");
	j = parse(out);
	cr_assert_float_eq(real(j, "connections.0.handshake.rtt"), 0.899999999, 1e-12);
	cr_assert_float_eq(real(j, "connections.0.teardown.fin.0.ts"), 1700000001.0, 4e-7);
	json_decref(j);
	free(out);

	/* time going backwards gives a negative rtt, still exact */
	c = four_way(0);
	c->hs_ack.ts = ts_us(BASE_SEC - 1, 500000);
	cs[0] = c;
	out = run(SF_FMT_JSONL, false, false, false, cs, 1, NULL, NULL);
	has(out, "\"rtt\":-0.500001}");
	free(out);
}

/* Parse out and dump it again with jansson: the same bytes (its float form matches for microseconds). */
static void same_as_jansson(const char *out, size_t flags)
{
	json_t *j = parse(out);
	char *again = json_dumps(j, flags | JSON_REAL_PRECISION(16));
	size_t n;

	cr_assert_not_null(again);
	n = strlen(again);
	cr_assert_eq(strncmp(out, again, n), 0, "ours:\n%s\njansson:\n%s", out, again);
	cr_assert_str_eq(out + n, "\n", "ours:\n%s\njansson:\n%s", out, again);
	free(again);
	json_decref(j);
}

Test(report_json, document_layout_is_jansson_indent_2)
{
	struct sf_conn *cs[] = { refused(2), four_way(0), no_reply(1) };
	struct sf_input_info in = input_info();
	struct sf_flow_stats fs;
	const uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	char *out;

	memset(&fs, 0, sizeof fs);
	fs.peak_open = 7;
	sf_addr_set_v6(&cs[0]->ep[1].addr, a);
	in.name = "we\"ird\\name\t\x01\xff.pcap";
	out = run(SF_FMT_JSON, false, false, false, cs, 3, &in, &fs);
	same_as_jansson(out, JSON_INDENT(2));
	free(out);

	out = run(SF_FMT_JSON, false, false, false, NULL, 0, NULL, NULL);
	same_as_jansson(out, JSON_INDENT(2));
	free(out);
}

/*
 * The widest record there is: every number at its widest, IPv6 addresses
 * of the longest text, every segment seen, the longest names and a full
 * Zeek history. The record writer checks room once for the record
 * (REC_BASE_ROOM) and once per violation (REC_VIOLATION_ROOM), and a line
 * break copies 32 bytes: each part must fit with that to spare.
 */
static void widest(struct sf_conn *c)
{
	const uint8_t ff[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const struct sf_ts lo = { INT64_MIN, 999999999u }, hi = { INT64_MAX, 999999999u };
	struct sf_seg_ref *segs[] = { &c->syn, &c->synack, &c->hs_ack };

	c->id = UINT64_MAX;
	for (int i = 0; i < 2; i++) {
		struct sf_endpoint *e = &c->ep[i];

		sf_addr_set_v6(&e->addr, ff);
		e->port = UINT16_MAX;
		e->packets = e->bytes = UINT64_MAX;
		e->state = SF_TCPS_SYN_RECEIVED;
		e->fin.seen = e->fin.acked = true;
		e->fin.frame = e->fin.acked_frame = UINT64_MAX;
		e->fin.ts = lo;
		e->fin.seq = UINT32_MAX;
	}
	c->first_ts = lo;
	c->last_ts = hi;
	c->first_frame = c->last_frame = UINT64_MAX;
	for (size_t i = 0; i < 3; i++) {
		segs[i]->seen = true;
		segs[i]->frame = UINT64_MAX;
		segs[i]->ts = lo;
		segs[i]->seq = segs[i]->ack = UINT32_MAX;
	}
	c->hs_ack.ts = hi; /* the widest rtt */
	c->syn_retransmits = c->synack_retransmits = UINT32_MAX;
	c->rst.seen = true;
	c->rst.by = 1;
	c->rst.frame = UINT64_MAX;
	c->rst.ts = lo;
	c->rst.seq = UINT32_MAX;
	c->td_initiator = 2;
	c->compl.mask = UINT8_MAX;
	c->n_violations_dropped = UINT32_MAX;
	memset(c->zeek.history, 'd', sizeof c->zeek.history - 1);
	c->zeek.history[sizeof c->zeek.history - 1] = '\0';
}

Test(report_json, widest_record_fits_the_room_it_checks)
{
	struct sf_conn *c = four_way(0);
	struct sf_buf b = { 0 };
	size_t base;

	widest(c);
	for (int pretty = 0; pretty < 2; pretty++) {
		void (*record)(struct sf_report *, struct sf_buf *, const struct sf_conn *) =
			pretty ? sf_report_json_record : sf_report_jsonl_record;

		c->n_violations = 0;
		b.len = 0;
		record(NULL, &b, c);
		cr_assert(!b.oom);
		base = b.len;
		cr_assert_lt(base + 32, REC_BASE_ROOM, "record of %zu bytes", base);
		for (int i = 0; i < SF_VIOLATIONS_MAX; i++)
			add_violation(c, (enum sf_violation_code)(i % SF_V__COUNT), UINT64_MAX, 1, true, UINT32_MAX,
				      UINT32_MAX);
		b.len = 0;
		record(NULL, &b, c);
		cr_assert(!b.oom);
		cr_assert_lt((b.len - base) / SF_VIOLATIONS_MAX + 32, REC_VIOLATION_ROOM);
		cr_log_info("%s: widest record %zu bytes, %zu per violation", pretty ? "json" : "jsonl", base,
			    (b.len - base) / SF_VIOLATIONS_MAX);
		/* and it is JSON (json's record starts with the separator between connections;
		 * jansson reads integers past INT64_MAX only as reals) */
		sf_buf_putc(&b, '\0');
		json_error_t err;
		json_t *j = json_loads(pretty ? b.p + 1 : b.p, JSON_DECODE_INT_AS_REAL, &err);
		cr_assert_not_null(j, "invalid JSON (%s at col %d): %s", err.text, err.column, b.p);
		json_decref(j);
	}
	sf_buf_free(&b);
	sf_conn_free(c);
}

/* ---- jsonl ---- */

Test(report_jsonl, without_flush_each_lines_wait_in_the_stdio_buffer)
{
	struct mem m;
	struct sf_report *r = open_report(&m, SF_FMT_JSONL, false, false, false);
	struct sf_input_info in = input_info();
	char *out;

	/* a file is read as fast as possible: no write(2) per connection */
	sf_report_conn(r, four_way(1));
	sf_report_conn(r, refused(0));
	cr_assert_eq(m.len, 0, "jsonl line flushed without flush_each");
	out = close_report(&m, r, &in, NULL);
	cr_assert_eq(count_char(out, '\n'), 3, "two connections and the summary");
	free(out);
}

Test(report_jsonl, one_flushed_line_per_connection_then_summary)
{
	struct mem m;
	struct sf_report *r = open_report_flush(&m, SF_FMT_JSONL, true);
	struct sf_input_info in = input_info();
	size_t lines = 0;
	char *out, *save = NULL;
	json_t *j;

	/* arrival order, not id order: each line is out the moment it arrives */
	sf_report_conn(r, four_way(1));
	cr_assert_gt(m.len, 0, "jsonl line not flushed");
	cr_assert_eq(m.buf[m.len - 1], '\n');
	cr_assert_null(memchr(m.buf, '\n', m.len - 1), "one compact line per connection");
	sf_report_conn(r, refused(0));
	cr_assert_eq(m.buf[m.len - 1], '\n');
	out = close_report(&m, r, &in, NULL);

	for (char *line = strtok_r(out, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		j = parse(line);
		if (lines == 0)
			cr_assert_eq(num(j, "id"), 1);
		if (lines == 1) {
			cr_assert_eq(num(j, "id"), 0);
			cr_assert_str_eq(str(j, "violations.0.code"), "RST_BAD_ACK");
		}
		if (lines == 2) {
			cr_assert_eq(json_object_size(j), 2);
			cr_assert_eq(num(j, "summary.connections"), 2);
			cr_assert_eq(num(j, "summary.violations"), 5);
			cr_assert_eq(num(j, "summary.handshake.no_reply"), 0);
			cr_assert_str_eq(str(j, "input.name"), "x.pcap");
			cr_assert_eq(num(j, "input.skipped.not_tcp"), 2);
		}
		json_decref(j);
		lines++;
	}
	cr_assert_eq(lines, 3);
	free(out);
}

Test(report_jsonl, lines_are_jansson_compact)
{
	struct sf_conn *cs[] = { refused(2), four_way(0), no_reply(1) };
	struct sf_input_info in = input_info();
	char *out = run(SF_FMT_JSONL, false, false, false, cs, 3, &in, NULL);
	char *save = NULL;
	int lines = 0;

	for (char *line = strtok_r(out, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char buf[8192];

		snprintf(buf, sizeof buf, "%s\n", line);
		same_as_jansson(buf, JSON_COMPACT);
		lines++;
	}
	cr_assert_eq(lines, 4);
	free(out);
}

/* ---- text ---- */


/*
 * The rtt ("%.3f" ms) and the duration ("%.6f" s) are written without
 * printf when the time is a whole number of microseconds: they must read
 * exactly as printf writes them, for microsecond and nanosecond times alike.
 */
Test(report_text, rtt_and_duration_read_as_printf_writes_them)
{
	static const int64_t fixed_ns[] = {
		0, 1000, 999000, 1000000, 1001000, 999999000, 1000000000, 86399999999000,
		99999999999999000, 100000000000000000, 1, 500, 999999999, 1234567891, 1500,
	};
	uint64_t x = 88172645463325252u;

	for (int i = 0; i < 400; i++) {
		int64_t ns;
		if (i < (int)(sizeof fixed_ns / sizeof fixed_ns[0])) {
			ns = fixed_ns[i];
		} else {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* whole microseconds up to 1e8 s, then any nanoseconds */
			ns = (int64_t)(x % 100000000000000u);
			ns = i % 2 ? ns * 1000 : ns;
		}
		struct sf_conn *c = four_way(0);
		struct sf_ts start = ts_us(BASE_SEC, 250000);
		struct sf_ts end = { start.sec + ns / 1000000000, start.nsec + (uint32_t)(ns % 1000000000) };
		if (end.nsec >= 1000000000u) {
			end.sec++;
			end.nsec -= 1000000000u;
		}
		c->syn.ts = c->first_ts = start;
		c->hs_ack.ts = c->last_ts = end;
		char rtt[64], dur[64];
		snprintf(rtt, sizeof rtt, "  rtt %.3f ms", sf_ts_sub(end, start) * 1e3);
		snprintf(dur, sizeof dur, "  duration %.6f s\n", sf_ts_sub(end, start));
		char *out = run(SF_FMT_TEXT, false, false, false, &c, 1, NULL, NULL);
		cr_assert_not_null(strstr(out, rtt), "%lld ns: no \"%s\" in\n%s", (long long)ns, rtt, out);
		cr_assert_not_null(strstr(out, dur), "%lld ns: no \"%s\" in\n%s", (long long)ns, dur, out);
		free(out);
	}
}

Test(report_text, header_and_blocks_in_id_order)
{
	struct sf_conn *nr = no_reply(1);
	struct sf_conn *fw = four_way(0);
	struct sf_conn *cs[] = { nr, fw };
	struct sf_input_info in = input_info();
	char msg[256], line[400];
	char *out;

	add_violation(fw, SF_V_FIN_BAD_ACK, 8, 1, true, 1122, 1123);
	sf_violation_format(&fw->violations[0], msg, sizeof msg);
	snprintf(line, sizeof line, "    violation  FIN_BAD_ACK at frame 8 from server: %s\n", msg);
	out = run(SF_FMT_TEXT, false, false, false, cs, 2, &in, NULL);
	cr_assert_eq(strncmp(out,
			     "synfin " SF_VERSION "  file x.pcap  (EN10MB)  42 packets, 40 TCP, skipped: not_tcp 2\n"
			     "2 connections  handshake: complete 1, no_reply 1  teardown: four_way 1, open 1"
			     "  violations: 1 in 1 connection  ended: ",
			     strlen("synfin " SF_VERSION "  file x.pcap  (EN10MB)  42 packets, 40 TCP, skipped: not_tcp 2\n"
				    "2 connections  handshake: complete 1, no_reply 1  teardown: four_way 1, open 1"
				    "  violations: 1 in 1 connection  ended: ")),
		     0, "header:\n%s", out);
	has(out, "\n\n#0  10.0.0.1:43210 -> 10.0.0.2:80  (roles from SYN)\n"
		 "    handshake  complete  rtt 0.368 ms    SYN #1, SYN-ACK #2, ACK #3\n"
		 "    teardown   four_way by client        client FIN #7 (acked #8), server FIN #9 (acked #10)\n"
		 "    state      client TIME_WAIT  server CLOSED  zeek ");
	has(out, " ShADadFf  completeness 31\n"
		 "    packets    client 6 (120 B)  server 5 (3400 B)  frames 1-10  duration 1.000399 s\n");
	has(out, line);
	has(out, "\n\n#1  10.0.0.1:43210 -> 10.0.0.2:80  (roles from SYN)\n"
		 "    handshake  no_reply                  SYN #1 (2 retransmits)\n"
		 "    teardown   open\n"
		 "    ended      idle: no packet for longer than the idle timeout\n");
	cr_assert_lt(strstr(out, "#0  "), strstr(out, "#1  "));
	lacks(out, "ladder");
	lacks(out, "\033");
	free(out);
}

Test(report_text, reset_ipv6_and_omitted_violations)
{
	struct sf_conn *c = refused(0);
	struct sf_conn *cs[] = { c };
	const uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	char *out;

	sf_addr_set_v6(&c->ep[1].addr, a);
	c->ep[1].port = 443;
	out = run(SF_FMT_TEXT, false, false, false, cs, 1, NULL, NULL);
	has(out, "#0  10.0.0.1:43210 -> [2001:db8::1]:443  (roles from SYN)\n");
	has(out, "    handshake  refused                   SYN #1\n");
	has(out, "    teardown   reset by server           server RST #2\n");
	has(out, "violation  RST_BAD_ACK at frame 2 from server: ");
	has(out, "violation  SYN_FIN at frame 1 from client: ");
	has(out, "    violation  3 more not stored\n");
	has(out, "violations: 5 in 1 connection");
	lacks(out, "    ended");
	free(out);
}

Test(report_text, quiet_prints_header_only)
{
	struct sf_conn *cs[] = { four_way(1), four_way(0) };
	struct sf_input_info in = input_info();
	char *out = run(SF_FMT_TEXT, true, false, false, cs, 2, &in, NULL);

	cr_assert_str_eq(out, "synfin " SF_VERSION "  file x.pcap  (EN10MB)  42 packets, 40 TCP, skipped: not_tcp 2\n"
			      "2 connections  handshake: complete 2  teardown: four_way 2  violations: none\n");
	free(out);
}

Test(report_text, verbose_ladder_with_relative_and_absolute_seq)
{
	struct sf_conn *c = four_way(0);
	struct sf_conn *cs[] = { c };
	char *out;

	add_violation(c, SF_V_FIN_BAD_ACK, 8, 1, true, 1122, 1123);
	out = run(SF_FMT_TEXT, false, true, false, cs, 1, NULL, NULL);
	has(out, "    ladder     time from 1700000000.000001, seq/ack relative to each side's ISN"
		 " (absolute in parentheses)\n");
	has(out, "        frame        time  client                  server\n");
	has(out, "           #1    0.000000  |--- SYN ------------------->|  seq 0 (1000)\n");
	has(out, "           #2    0.000184  |<-- SYN,ACK ----------------|  seq 0 (5000)  ack 1 (1001)\n");
	has(out, "           #3    0.000368  |--- ACK ------------------->|  seq 1 (1001)  ack 1 (5001)\n");
	has(out, "           #7    0.999999  |--- FIN,ACK --------------->|  seq 121 (1121)  ack 3401 (8401)\n");
	has(out, "           #8    1.000099  |<-- ACK --------------------|  seq 3401 (8401)  ack 122 (1122)"
		 "  !FIN_BAD_ACK\n");
	has(out, "           #9    1.000199  |<-- FIN,ACK ----------------|  seq 3401 (8401)  ack 122 (1122)\n");
	has(out, "          #10    1.000399  |--- ACK ------------------->|  seq 122 (1122)  ack 3402 (8402)\n");
	has(out, "          ...  3 more segments not shown\n");
	free(out);
}

Test(report_text, ladder_without_isn_shows_absolute_only_and_payload)
{
	struct sf_conn *c = four_way(0);
	struct sf_conn *cs[] = { c };
	char *out;

	c->ep[1].have_isn = false;
	c->ladder[3].len = 100;
	out = run(SF_FMT_TEXT, false, true, false, cs, 1, NULL, NULL);
	has(out, "|<-- SYN,ACK ----------------|  seq (5000)  ack 1 (1001)\n");
	has(out, "|--- FIN,ACK --------------->|  seq 121 (1121)  ack (8401)  len 100\n");
	free(out);
}

Test(report_text, colour_only_when_asked)
{
	struct sf_conn *cs[] = { four_way(0), refused(1), no_reply(2) };
	struct sf_conn *cs2[] = { four_way(0), refused(1), no_reply(2) };
	char *plain = run(SF_FMT_TEXT, false, true, false, cs, 3, NULL, NULL);
	char *col = run(SF_FMT_TEXT, false, true, true, cs2, 3, NULL, NULL);

	lacks(plain, "\033");
	has(col, "\033[32mcomplete\033[0m");
	has(col, "\033[32mfour_way\033[0m");
	has(col, "\033[31mrefused\033[0m");
	has(col, "\033[31mreset\033[0m");
	has(col, "\033[33mno_reply\033[0m");
	has(col, "\033[33mopen\033[0m");
	has(col, "\033[31mRST_BAD_ACK\033[0m");
	has(col, "\033[32mcomplete 1\033[0m");
	free(plain);
	free(col);
}

Test(report_text, capture_strings_are_escaped)
{
	struct sf_input_info in = input_info();
	char *out;

	in.name = "evil\033[2J\n\\caf\xc3\xa9.pcap";
	out = run(SF_FMT_TEXT, false, false, false, NULL, 0, &in, NULL);
	has(out, "file evil\\x1b[2J\\x0a\\\\caf\\xc3\\xa9.pcap  (EN10MB)");
	lacks(out, "\033");
	cr_assert_eq(strchr(out, '\n') - out, (long)strlen(out) - (long)strlen("0 connections\n") - 1);
	free(out);
}

Test(report_text, drops_truncation_and_filter_in_header)
{
	struct sf_input_info in = input_info();
	char *out;

	in.source = "interface";
	in.name = "eth0";
	in.filtered = 3;
	in.truncated = true;
	in.has_stats = true;
	in.ps_recv = 1000;
	in.ps_drop = 5;
	in.ps_ifdrop = 0;
	out = run(SF_FMT_TEXT, false, false, false, NULL, 0, &in, NULL);
	has(out, "synfin " SF_VERSION "  interface eth0  (EN10MB)  42 packets, 40 TCP, filtered out 3,"
		 " skipped: not_tcp 2  (file truncated)\n"
		 "capture: 1000 received, 5 dropped by the kernel, 0 by the interface\n"
		 "warning: packets were dropped during capture; drops can explain incomplete handshakes,"
		 " missing FINs and violations\n"
		 "0 connections\n");
	free(out);
}

Test(report_text, summary_api_counts)
{
	struct mem m;
	struct sf_report *r = open_report(&m, SF_FMT_TEXT, false, false, false);
	const struct sf_summary *s;
	char *out;

	sf_report_conn(r, refused(1));
	sf_report_conn(r, four_way(2));
	s = sf_report_summary(r);
	cr_assert_eq(s->connections, 2);
	cr_assert_eq(s->hs[SF_HS_REFUSED], 1);
	cr_assert_eq(s->hs[SF_HS_COMPLETE], 1);
	cr_assert_eq(s->td[SF_TD_RESET], 1);
	cr_assert_eq(s->violations, 5);
	cr_assert_eq(s->with_violations, 1);
	cr_assert_eq(s->end[SF_END_RESET], 1);
	cr_assert_eq(s->end[SF_END_CLOSED], 1);
	out = close_report(&m, r, NULL, NULL);
	/* id 0 never came: the end still writes 1 then 2 */
	cr_assert_lt(strstr(out, "#1  "), strstr(out, "#2  "));
	free(out);
}

/*
 * The usual shape of a real capture: connection 0 lives to the end, so
 * every record waits (most of them in the spill file), the rest end in
 * nearly id order (here: runs of 37 reversed), then a fully shuffled tail.
 */
/*
 * N unanswered SYNs finishing in an order that makes nearly all of them wait
 * (id 0 last; runs of 37 backwards, then a shuffled tail): about 30 MiB of
 * json records go through the spill.
 */
enum { SPILL_N = 20000, SPILL_TAIL = 2000 };

static struct sf_conn **spill_order(void)
{
	enum { N = SPILL_N, TAIL = SPILL_TAIL };
	struct sf_conn **cs = calloc(N, sizeof *cs);
	uint32_t rnd = 99;
	size_t k = 0;

	cr_assert_not_null(cs);
	for (size_t start = 1; start < N - TAIL; start += 37) {
		size_t end = start + 37 < N - TAIL ? start + 37 : N - TAIL;
		for (size_t i = end; i > start; i--)
			cs[k++] = no_reply(i - 1);
	}
	for (size_t i = N - TAIL; i < N; i++)
		cs[k++] = no_reply(i);
	for (size_t i = N - 2; i > N - 1 - TAIL; i--) {
		size_t m;

		rnd = rnd * 1103515245u + 12345u;
		m = N - 1 - TAIL + (rnd >> 8) % (i - (N - 1 - TAIL) + 1);
		struct sf_conn *t = cs[i];
		cs[i] = cs[m];
		cs[m] = t;
	}
	cs[k++] = no_reply(0);
	cr_assert_eq(k, N);
	return cs;
}

static void spilled_json_in_order(void)
{
	struct sf_conn **cs = spill_order();
	json_t *j = run_json(cs, SPILL_N, NULL, NULL);
	json_t *arr = at(j, "connections");

	cr_assert_eq(json_array_size(arr), SPILL_N);
	for (size_t i = 0; i < SPILL_N; i++)
		cr_assert_eq(json_integer_value(json_object_get(json_array_get(arr, i), "id")), (long long)i);
	json_decref(j);
	free(cs);
}

Test(report_json, spilled_records_come_back_in_order_when_id_0_ends_last)
{
	spilled_json_in_order();
}

/* What the test wrote on stderr (redirected by cr_redirect_stderr); the caller frees it. */
static char *test_stderr(void)
{
	FILE *f = cr_get_redirected_stderr();
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int ch;

	fflush(stderr);
	while ((ch = fgetc(f)) != EOF) {
		if (len + 2 > cap) {
			cap = cap ? cap * 2 : 256;
			buf = realloc(buf, cap);
			cr_assert_not_null(buf);
		}
		buf[len++] = (char)ch;
	}
	if (buf == NULL)
		buf = calloc(1, 1);
	else
		buf[len] = '\0';
	return buf;
}

/* The spilled json records come out in order, and stderr holds one warning with both texts. */
static void spilled_json_in_order_with_one_warning(const char *text, const char *more)
{
	char *err;

	spilled_json_in_order();
	err = test_stderr();
	has(err, text);
	has(err, more);
	cr_assert_eq(count_char(err, '\n'), 1, "one warning:\n%s", err);
	free(err);
}

/* No temporary file can be made ($TMPDIR is honoured): the records wait in memory, in order, with a warning. */
Test(report_json, spill_without_a_temporary_directory_keeps_the_order, .init = cr_redirect_stderr)
{
	cr_assert_eq(setenv("TMPDIR", "/nonexistent/synfin-test", 1), 0);
	spilled_json_in_order_with_one_warning(
		"synfin: warning: cannot make a temporary file in /nonexistent/synfin-test (No such file or directory)",
		"kept in memory");
}

/*
 * The file stops taking writes part-way (the 1 MiB file-size limit stands in
 * for a full disk): the rest wait in memory, the order holds, one warning.
 */
Test(report_json, spill_file_that_fills_up_keeps_the_order, .init = cr_redirect_stderr)
{
	struct rlimit lim = { .rlim_cur = 1u << 20, .rlim_max = RLIM_INFINITY };

	cr_assert_neq(signal(SIGXFSZ, SIG_IGN), SIG_ERR);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	spilled_json_in_order_with_one_warning("synfin: warning: cannot write the temporary file in ", "(File too large)");
}

/* The text body's file stops taking writes part-way: the same report, from memory, and one warning per file. */
Test(report_text, temporary_file_that_fills_up_gives_the_same_report, .init = cr_redirect_stderr)
{
	struct rlimit lim = { .rlim_cur = 1u << 20, .rlim_max = RLIM_INFINITY };
	struct sf_conn **a = spill_order(), **b = spill_order();
	char *want = run(SF_FMT_TEXT, false, false, false, a, SPILL_N, NULL, NULL);
	char *got, *err;

	cr_assert_gt(strlen(want), 4u << 20, "the body outgrows the limit");
	cr_assert_neq(signal(SIGXFSZ, SIG_IGN), SIG_ERR);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	got = run(SF_FMT_TEXT, false, false, false, b, SPILL_N, NULL, NULL);
	cr_assert(strcmp(got, want) == 0, "the reports differ");
	err = test_stderr();
	has(err, "cannot write the temporary file in ");
	has(err, "(File too large): the connections wait in memory until the header");
	cr_assert_leq(count_char(err, '\n'), 2, "a warning per file at most:\n%s", err);
	free(err);
	free(got);
	free(want);
	free(a);
	free(b);
}

/* The text report's body waits in memory when no temporary file can be made: the same bytes, one warning. */
Test(report_text, no_temporary_directory_gives_the_same_report, .init = cr_redirect_stderr)
{
	struct sf_conn *a[] = { four_way(1), no_reply(0), refused(2) };
	struct sf_conn *b[] = { four_way(1), no_reply(0), refused(2) };
	char *want = run(SF_FMT_TEXT, false, true, false, a, 3, NULL, NULL);
	char *got, *err;

	cr_assert_eq(setenv("TMPDIR", "/nonexistent/synfin-test", 1), 0);
	got = run(SF_FMT_TEXT, false, true, false, b, 3, NULL, NULL);
	cr_assert_str_eq(got, want);
	err = test_stderr();
	has(err, "cannot make a temporary file in /nonexistent/synfin-test");
	has(err, "wait in memory until the header");
	free(err);
	free(got);
	free(want);
}

Test(report_text, many_shuffled_connections_come_out_in_order)
{
	enum { N = 3000 };
	struct sf_conn **cs = calloc(N, sizeof *cs);
	uint32_t rnd = 777;
	char *out;
	const char *p;

	cr_assert_not_null(cs);
	for (size_t i = 0; i < N; i++)
		cs[i] = i % 3 == 0 ? refused(i) : four_way(i);
	for (size_t i = N - 1; i > 0; i--) {
		size_t k;

		rnd = rnd * 1103515245u + 12345u;
		k = (rnd >> 8) % (i + 1);
		struct sf_conn *t = cs[i];
		cs[i] = cs[k];
		cs[k] = t;
	}
	out = run(SF_FMT_TEXT, false, true, false, cs, N, NULL, NULL);
	p = out;
	for (size_t i = 0; i < N; i++) {
		char k[64];
		const char *q;

		snprintf(k, sizeof k, "\n\n#%zu  10.0.0.1:43210 -> ", i);
		q = strstr(p, k);
		cr_assert_not_null(q, "#%zu missing or out of order", i);
		p = q + 1;
	}
	has(p, "ladder");
	free(out);
	free(cs);
}

/*
 * The same connections through a report that writes to a file descriptor
 * (a temporary file): records read back from the spill go out with writev(2)
 * straight from its mapping, where a memory stream has no descriptor and
 * gets them through stdio. The bytes must be the same.
 */
static char *run_to_file(enum sf_format fmt, bool verbose, struct sf_conn **cs, size_t n)
{
	struct sf_report_opts o;
	struct sf_report *r;
	FILE *f = tmpfile();
	char *buf;
	long len;

	cr_assert_not_null(f);
	cr_assert_geq(fileno(f), 0);
	memset(&o, 0, sizeof o);
	o.format = fmt;
	o.out = f;
	o.verbose = verbose;
	r = sf_report_new(&o);
	cr_assert_not_null(r);
	for (size_t i = 0; i < n; i++)
		sf_report_conn(r, cs[i]);
	cr_assert_eq(sf_report_end(r, NULL, NULL), 0);
	sf_report_free(r);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	cr_assert_gt(len, 0);
	rewind(f);
	buf = malloc((size_t)len + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static void same_bytes_through_a_descriptor(enum sf_format fmt, bool verbose)
{
	struct sf_conn **a = spill_order(), **b = spill_order();
	char *want = run(fmt, false, verbose, false, a, SPILL_N, NULL, NULL);
	char *got = run_to_file(fmt, verbose, b, SPILL_N);

	cr_assert_gt(strlen(want), 4u << 20, "enough to go through the spill file and writev");
	cr_assert_eq(strlen(got), strlen(want));
	cr_assert(memcmp(got, want, strlen(want)) == 0, "the bytes differ");
	free(want);
	free(got);
	free(a);
	free(b);
}

Test(report_json, spilled_records_through_a_descriptor_are_the_same_bytes)
{
	same_bytes_through_a_descriptor(SF_FMT_JSON, false);
}

Test(report_text, spilled_blocks_through_a_descriptor_are_the_same_bytes)
{
	same_bytes_through_a_descriptor(SF_FMT_TEXT, true);
}

/*
 * Text after sf_report_input_ended: the blocks that come then wait in the
 * spill (not the body file) until the header is out; the report is the same,
 * to a memory stream and to a file descriptor.
 */
static char *run_ended_half_way(struct sf_conn **cs, size_t n, FILE *f, struct mem *m)
{
	struct sf_report_opts o;
	struct sf_report *r;

	memset(&o, 0, sizeof o);
	o.format = SF_FMT_TEXT;
	o.verbose = true;
	if (m != NULL) {
		m->buf = NULL;
		m->len = 0;
		m->f = open_memstream(&m->buf, &m->len);
		cr_assert_not_null(m->f);
		f = m->f;
	}
	o.out = f;
	r = sf_report_new(&o);
	cr_assert_not_null(r);
	for (size_t i = 0; i < n; i++) {
		if (i == n / 2)
			sf_report_input_ended(r);
		sf_report_conn(r, cs[i]);
	}
	cr_assert_eq(sf_report_end(r, NULL, NULL), 0);
	sf_report_free(r);
	if (m != NULL) {
		fclose(m->f);
		return m->buf;
	}
	return NULL;
}

Test(report_text, blocks_after_the_input_ended_wait_in_the_spill_same_report)
{
	struct sf_conn **a = spill_order(), **b = spill_order(), **c = spill_order();
	char *want = run(SF_FMT_TEXT, false, true, false, a, SPILL_N, NULL, NULL);
	struct mem m;
	char *got = run_ended_half_way(b, SPILL_N, NULL, &m);
	FILE *f = tmpfile();
	char *fbuf;
	long len;

	cr_assert_eq(strlen(got), strlen(want));
	cr_assert(memcmp(got, want, strlen(want)) == 0, "the bytes differ (memory stream)");
	cr_assert_not_null(f);
	run_ended_half_way(c, SPILL_N, f, NULL);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	cr_assert_eq((size_t)len, strlen(want));
	rewind(f);
	fbuf = malloc((size_t)len);
	cr_assert_not_null(fbuf);
	cr_assert_eq(fread(fbuf, 1, (size_t)len, f), (size_t)len);
	cr_assert(memcmp(fbuf, want, (size_t)len) == 0, "the bytes differ (file descriptor)");
	fclose(f);
	free(fbuf);
	free(want);
	free(got);
	free(a);
	free(b);
	free(c);
}

/* ---- write errors ---- */


static void write_error_case(enum sf_format fmt)
{
	struct sf_report_opts o;
	struct sf_report *r;
	FILE *f = fopen("/dev/full", "w");

	cr_assert_not_null(f);
	memset(&o, 0, sizeof o);
	o.format = fmt;
	o.out = f;
	r = sf_report_new(&o);
	cr_assert_not_null(r);
	sf_report_conn(r, four_way(0));
	cr_assert_eq(sf_report_end(r, NULL, NULL), -1);
	sf_report_free(r);
	fclose(f);
}

Test(report, write_error_is_reported_json)
{
	write_error_case(SF_FMT_JSON);
}

Test(report, write_error_is_reported_jsonl)
{
	write_error_case(SF_FMT_JSONL);
}

Test(report, write_error_is_reported_text)
{
	write_error_case(SF_FMT_TEXT);
}

/*
 * Records that fail to go out, by writev(2) or through stdio (here: to
 * /dev/full, unbuffered, the error flag cleared after the report's start),
 * leave the stream in error as a write through stdio would: a live capture
 * stops on ferror(). (Small batches go through stdio anyway, so this holds
 * even without sf_report_out_flush's fallback; it guards the contract.)
 */
Test(report_json, a_failed_writev_leaves_the_stream_in_error)
{
	struct sf_report_opts o;
	struct sf_report *r;
	struct sf_conn **cs = spill_order();
	FILE *f = fopen("/dev/full", "w");

	cr_assert_not_null(f);
	cr_assert_eq(setvbuf(f, NULL, _IONBF, 0), 0);
	memset(&o, 0, sizeof o);
	o.format = SF_FMT_JSON;
	o.out = f;
	r = sf_report_new(&o);
	cr_assert_not_null(r);
	clearerr(f);
	for (size_t i = 0; i < SPILL_N; i++)
		sf_report_conn(r, cs[i]);
	cr_assert(ferror(f), "the stream is in error once the records failed");
	cr_assert_eq(sf_report_end(r, NULL, NULL), -1);
	sf_report_free(r);
	fclose(f);
	free(cs);
}

Test(report, free_without_end_releases_pending)
{
	struct mem m;
	struct sf_report *r = open_report(&m, SF_FMT_JSON, false, false, false);

	/* ASan's leak check fails this test if the pending ones leak */
	sf_report_conn(r, four_way(3));
	sf_report_conn(r, four_way(1));
	sf_report_free(r);
	fclose(m.f);
	free(m.buf);
}


/* ---- jsonw: the streaming writer ---- */

static char *jw_string(const char *s, size_t n, unsigned indent)
{
	struct sf_buf b = { 0 };
	struct sf_jw w;

	sf_jw_init(&w, &b, indent, 0);
	sf_jw_strn(&w, s, n);
	sf_buf_putc(&b, '\0');
	cr_assert(!w.bad && !b.oom);
	return b.p;
}

static char *jansson_string(const char *s, size_t n)
{
	json_t *j = json_stringn(s, n);
	char *d;

	cr_assert_not_null(j);
	d = json_dumps(j, JSON_ENCODE_ANY);
	json_decref(j);
	cr_assert_not_null(d);
	return d;
}

Test(jsonw, every_ascii_byte_and_utf8_escape_like_jansson)
{
	static const char *const utf8[] = {
		"caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9d\x84\x9e", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf",
		"\xed\x9f\xbf", "\xee\x80\x80", "/slash", "\x7f", "",
	};

	for (int c = 0; c < 0x80; c++) {
		char in[3] = { 'a', (char)c, 'z' };
		char *ours = jw_string(in, 3, 0);
		char *theirs = jansson_string(in, 3);

		cr_assert_str_eq(ours, theirs, "byte 0x%02x", c);
		free(ours);
		free(theirs);
	}
	for (size_t i = 0; i < sizeof utf8 / sizeof utf8[0]; i++) {
		char *ours = jw_string(utf8[i], strlen(utf8[i]), 2);
		char *theirs = jansson_string(utf8[i], strlen(utf8[i]));

		cr_assert_str_eq(ours, theirs);
		free(ours);
		free(theirs);
	}
}

Test(jsonw, invalid_utf8_becomes_u_fffd)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "\xff", "\"\xef\xbf\xbd\"" },
		{ "a\x80z", "\"a\xef\xbf\xbdz\"" },
		{ "\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },                 /* overlong '/' */
		{ "\xe0\x80\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" }, /* overlong */
		{ "\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" }, /* surrogate */
		{ "\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" }, /* > U+10FFFF */
		{ "\xe2\x82", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },                 /* cut short */
		{ "\xe2\x82" "a", "\"\xef\xbf\xbd\xef\xbf\xbd" "a\"" },
		{ "\xc3\xa9\xc3", "\"\xc3\xa9\xef\xbf\xbd\"" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *ours = jw_string(cases[i].in, strlen(cases[i].in), 0);

		cr_assert_str_eq(ours, cases[i].out, "case %zu", i);
		free(ours);
	}
}

Test(jsonw, random_bytes_always_give_valid_json)
{
	uint32_t rnd = 99;

	for (int t = 0; t < 20000; t++) {
		char in[24];
		size_t n;
		char *ours;
		json_t *j, *ref;
		json_error_t err;

		rnd = rnd * 1103515245u + 12345u;
		n = (rnd >> 16) % sizeof in;
		for (size_t i = 0; i < n; i++) {
			rnd = rnd * 1103515245u + 12345u;
			/* mostly high bytes and control characters */
			in[i] = (char)((rnd >> 16) & 1 ? 0x80 | (rnd >> 20) : (rnd >> 20) & 0x7f);
		}
		ours = jw_string(in, n, 0);
		j = json_loads(ours, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
		cr_assert_not_null(j, "invalid JSON %s: %s", ours, err.text);
		ref = json_stringn(in, n);
		if (ref != NULL) {
			/* valid UTF-8 round-trips exactly */
			cr_assert(json_equal(j, ref));
			json_decref(ref);
		}
		json_decref(j);
		free(ours);
	}
}

Test(jsonw, u64_decimal)
{
	static const uint64_t v[] = {
		0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 4294967295u, 4294967296u, 1718000000,
		10000000000000000000u, UINT64_MAX, UINT64_MAX - 1,
	};
	uint64_t rnd = 12345;

	for (size_t i = 0; i < sizeof v / sizeof v[0] + 10000; i++) {
		uint64_t x;
		char ours[SF_U64_DEC_MAX + 1], ref[32];
		size_t n;

		if (i < sizeof v / sizeof v[0]) {
			x = v[i];
		} else {
			rnd = rnd * 6364136223846793005u + 1442695040888963407u;
			x = rnd >> (rnd % 64);
		}
		n = sf_u64_dec(ours, x);
		ours[n] = '\0';
		snprintf(ref, sizeof ref, "%" PRIu64, x);
		cr_assert_str_eq(ours, ref);
	}
}

static char *jw_value(void (*f)(struct sf_jw *, int64_t, uint32_t, int64_t, uint32_t), int64_t a, uint32_t an,
		      int64_t b, uint32_t bn)
{
	struct sf_buf buf = { 0 };
	struct sf_jw w;

	sf_jw_init(&w, &buf, 0, 0);
	f(&w, a, an, b, bn);
	sf_buf_putc(&buf, '\0');
	return buf.p;
}

static void ts_only(struct sf_jw *w, int64_t a, uint32_t an, int64_t b, uint32_t bn)
{
	(void)b;
	(void)bn;
	sf_jw_ts(w, a, an);
}

static void ts_check(int64_t sec, uint32_t nsec, const char *want)
{
	char *got = jw_value(ts_only, sec, nsec, 0, 0);

	cr_assert_str_eq(got, want, "%" PRId64 " s %" PRIu32 " ns", sec, nsec);
	free(got);
}

static void diff_check(int64_t a, uint32_t an, int64_t b, uint32_t bn, const char *want)
{
	char *got = jw_value(sf_jw_ts_diff, a, an, b, bn);

	cr_assert_str_eq(got, want);
	free(got);
}

Test(jsonw, exact_decimal_seconds)
{
	ts_check(0, 0, "0.0");
	ts_check(1718000000, 496330000, "1718000000.49633");
	ts_check(1718000000, 1000, "1718000000.000001");
	ts_check(1718000000, 1, "1718000000.000000001");
	ts_check(1718000000, 999999999, "1718000000.999999999");
	ts_check(1718000000, 0, "1718000000.0");
	ts_check(-1, 500000000, "-0.5");
	ts_check(-2, 0, "-2.0");
	ts_check(-2, 250000000, "-1.75");
	ts_check(INT64_MAX, 999999999, "9223372036854775807.999999999");
	ts_check(INT64_MIN, 0, "-9223372036854775808.0");
	ts_check(INT64_MIN, 1, "-9223372036854775807.999999999");
	ts_check(5, 1500000000, "6.5"); /* not normalised: carried */

	diff_check(1718000000, 500666000, 1718000000, 496330000, "0.004336");
	diff_check(1718000001, 100, 1718000000, 200, "0.9999999");
	diff_check(1718000000, 200, 1718000001, 100, "-0.9999999");
	diff_check(7, 5, 7, 5, "0.0");
	diff_check(10, 0, 8, 0, "2.0");
	diff_check(INT64_MAX, 0, INT64_MIN, 0, "18446744073709551615.0");
	diff_check(INT64_MIN, 0, INT64_MAX, 999999999, "-18446744073709551615.999999999");
}

/* The same tree through the writer and through jansson. */
static void tree_jw(struct sf_jw *w)
{
	sf_jw_obj(w);
	sf_jw_key(w, "a");
	sf_jw_u64(w, 1);
	sf_jw_key(w, "empty_arr");
	sf_jw_arr(w);
	sf_jw_arr_end(w);
	sf_jw_key(w, "empty_obj");
	sf_jw_obj(w);
	sf_jw_obj_end(w);
	sf_jw_key(w, "list");
	sf_jw_arr(w);
	sf_jw_i64(w, -5);
	sf_jw_null(w);
	sf_jw_bool(w, true);
	sf_jw_bool(w, false);
	sf_jw_str(w, "x\ny");
	sf_jw_arr(w);
	sf_jw_obj(w);
	sf_jw_key(w, "k\"");
	sf_jw_str(w, NULL);
	sf_jw_obj_end(w);
	sf_jw_arr_end(w);
	sf_jw_arr_end(w);
	sf_jw_key(w, "last");
	sf_jw_obj(w);
	sf_jw_key(w, "n");
	sf_jw_u64(w, 0);
	sf_jw_obj_end(w);
	sf_jw_obj_end(w);
}

static json_t *tree_jansson(void)
{
	json_t *o = json_object(), *l = json_array(), *in = json_array(), *k = json_object(), *last = json_object();

	json_object_set_new(o, "a", json_integer(1));
	json_object_set_new(o, "empty_arr", json_array());
	json_object_set_new(o, "empty_obj", json_object());
	json_array_append_new(l, json_integer(-5));
	json_array_append_new(l, json_null());
	json_array_append_new(l, json_true());
	json_array_append_new(l, json_false());
	json_array_append_new(l, json_string("x\ny"));
	json_object_set_new(k, "k\"", json_null());
	json_array_append_new(in, k);
	json_array_append_new(l, in);
	json_object_set_new(o, "list", l);
	json_object_set_new(last, "n", json_integer(0));
	json_object_set_new(o, "last", last);
	return o;
}

Test(jsonw, layout_like_jansson_compact_and_indented)
{
	static const size_t flags[] = { JSON_COMPACT, JSON_INDENT(2), JSON_INDENT(4) };
	static const unsigned indent[] = { 0, 2, 4 };
	json_t *ref = tree_jansson();

	for (size_t i = 0; i < 3; i++) {
		struct sf_buf b = { 0 };
		struct sf_jw w;
		char *want = json_dumps(ref, flags[i]);

		sf_jw_init(&w, &b, indent[i], 0);
		tree_jw(&w);
		sf_buf_putc(&b, '\0');
		cr_assert(!w.bad);
		cr_assert_str_eq(b.p, want);
		free(want);
		sf_buf_free(&b);
	}
	json_decref(ref);
}

Test(jsonw, base_indent_nests_and_misuse_is_flagged)
{
	struct sf_buf b = { 0 };
	struct sf_jw w;

	sf_jw_init(&w, &b, 2, 4);
	sf_jw_obj(&w);
	sf_jw_key(&w, "a");
	sf_jw_arr(&w);
	sf_jw_u64(&w, 1);
	sf_jw_arr_end(&w);
	sf_jw_obj_end(&w);
	sf_buf_putc(&b, '\0');
	cr_assert(!w.bad);
	cr_assert_str_eq(b.p, "{\n      \"a\": [\n        1\n      ]\n    }");

	sf_jw_init(&w, &b, 0, 0);
	sf_jw_key(&w, "top");
	cr_assert(w.bad, "a key outside an object");
	sf_jw_init(&w, &b, 0, 0);
	sf_jw_arr_end(&w);
	cr_assert(w.bad, "a closing without an opening");
	sf_jw_init(&w, &b, 0, 0);
	sf_jw_obj(&w);
	sf_jw_u64(&w, 3);
	cr_assert(w.bad, "a value without a key");
	sf_jw_init(&w, &b, 0, 0);
	sf_jw_arr(&w);
	sf_jw_obj_end(&w);
	cr_assert(w.bad, "closing the wrong kind");
	sf_buf_free(&b);
}

Test(jsonw, buffer_printf_grows)
{
	struct sf_buf b = { 0 };
	char big[3000];

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	sf_buf_printf(&b, "%s-%d", "ab", 7);
	sf_buf_printf(&b, "[%s]", big);
	sf_buf_spaces(&b, 3);
	cr_assert_eq(b.len, 4 + 2 + strlen(big) + 3);
	cr_assert_eq(memcmp(b.p, "ab-7[xxx", 8), 0);
	cr_assert_eq(memcmp(b.p + b.len - 4, "]   ", 4), 0);
	cr_assert(!b.oom);
	sf_buf_free(&b);
}

Test(jsonw, long_strings_with_one_special_byte_anywhere)
{
	static const char special[] = { '"', '\\', '\n', 0x01, 0x1f, 0x7f, (char)0xc3, (char)0xff };

	for (size_t k = 0; k < sizeof special; k++)
		for (size_t pos = 0; pos < 41; pos++) {
			char in[42];
			char *ours, *theirs;

			memset(in, 'a' + (int)(pos % 26), sizeof in);
			in[pos] = special[k];
			if (special[k] == (char)0xc3 && pos + 1 < sizeof in)
				in[pos + 1] = (char)0xa9; /* é: valid */
			ours = jw_string(in, sizeof in, 0);
			if (special[k] == (char)0xff || (special[k] == (char)0xc3 && pos + 1 == sizeof in)) {
				/* invalid: only that byte becomes U+FFFD */
				cr_assert_not_null(strstr(ours, "\xef\xbf\xbd"));
				cr_assert_eq(strlen(ours), sizeof in + 2 + 2);
			} else {
				theirs = jansson_string(in, sizeof in);
				cr_assert_str_eq(ours, theirs, "special 0x%02x at %zu", (unsigned char)special[k], pos);
				free(theirs);
			}
			free(ours);
		}
}

/* ---- address text without inet_ntop: the same as sf_addr_format ---- */

static void endpoint_same_as_addr_format(const struct sf_endpoint *e)
{
	char ours[SF_ADDR_STRLEN + 16], want[SF_ADDR_STRLEN + 16], a[SF_ADDR_STRLEN];

	sf_report_endpoint_text(e, ours, sizeof ours);
	sf_addr_format(&e->addr, a, sizeof a);
	snprintf(want, sizeof want, e->addr.family == 6 ? "[%s]:%u" : "%s:%u", a, (unsigned)e->port);
	cr_assert_str_eq(ours, want);
}

Test(report, endpoint_text_matches_inet_ntop)
{
	static const uint16_t values[] = { 1, 0xa, 0xab, 0xfff, 0x1000, 0xffff, 0x2001, 0xdb8 };
	struct sf_endpoint e;
	uint32_t rnd = 4242;

	memset(&e, 0, sizeof e);
	e.port = 443;
	for (int i = 0; i < 4096; i++) {
		uint8_t v4[4];

		rnd = rnd * 1103515245u + 12345u;
		v4[0] = (uint8_t)(i & 0xff);
		v4[1] = (uint8_t)(rnd >> 8);
		v4[2] = (uint8_t)(i % 3 == 0 ? 0 : rnd >> 16);
		v4[3] = (uint8_t)(i % 5 == 0 ? 255 : rnd >> 24);
		sf_addr_set_v4(&e.addr, v4);
		endpoint_same_as_addr_format(&e);
	}
	/* every pattern of zero groups, with short and long group values */
	for (unsigned mask = 0; mask < 256; mask++)
		for (int t = 0; t < 8; t++) {
			uint8_t v6[16];

			for (int g = 0; g < 8; g++) {
				uint16_t w = 0;

				if (mask & (1u << g)) {
					rnd = rnd * 1103515245u + 12345u;
					w = t < 4 ? values[(rnd >> 16) % 8] : (uint16_t)(rnd >> 16 | 1);
				}
				v6[2 * g] = (uint8_t)(w >> 8);
				v6[2 * g + 1] = (uint8_t)w;
			}
			sf_addr_set_v6(&e.addr, v6);
			endpoint_same_as_addr_format(&e);
			/* the embedded-IPv4 forms: ::ffff:a.b.c.d and ::a.b.c.d */
			memset(v6, 0, 10);
			v6[10] = (uint8_t)(t & 1 ? 0xff : 0);
			v6[11] = (uint8_t)(t & 1 ? 0xff : 0);
			if (t & 2)
				v6[12] = v6[13] = 0;
			sf_addr_set_v6(&e.addr, v6);
			endpoint_same_as_addr_format(&e);
		}
}
