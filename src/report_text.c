/* report_text.c - the human-first text sink: header with totals, one block per connection, -v ladder. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synfin_config.h"
#include "synfin/conn.h"
#include "synfin/decode.h"
#include "synfin/packet.h"
#include "synfin/report.h"
#include "synfin/tcp_state.h"
#include "synfin/violation.h"
#include "synfin/zeek.h"

#include "jsonw.h"
#include "report_int.h"

#define EP_TEXT_MAX (SF_ADDR_STRLEN + 16)
#define DETAIL_MAX 320
#define MSG_MAX 256
/* Bytes of the body read back and written out at a time. */
#define BODY_CHUNK (256u * 1024u)
#define LABEL_COL 11    /* "handshake  " */
#define OUTCOME_COL 26  /* outcome column before the details */
#define LADDER_INNER 28 /* arrow width between the two '|' */

enum tone { TONE_NONE, TONE_GOOD, TONE_WARN, TONE_BAD, TONE_BOLD };

/* ANSI SGR sequences, used only when opts.color is set. */
static const char *const tone_sgr[] = {
	[TONE_NONE] = "",
	[TONE_GOOD] = "\033[32m",
	[TONE_WARN] = "\033[33m",
	[TONE_BAD] = "\033[31m",
	[TONE_BOLD] = "\033[1m",
};

static const char *on(const struct sf_report *r, enum tone t)
{
	return r->opts.color ? tone_sgr[t] : "";
}

static const char *off(const struct sf_report *r, enum tone t)
{
	return r->opts.color && t != TONE_NONE ? "\033[0m" : "";
}

static enum tone hs_tone(enum sf_hs_outcome o)
{
	switch (o) {
	case SF_HS_COMPLETE:
		return TONE_GOOD;
	case SF_HS_REFUSED:
		return TONE_BAD;
	case SF_HS_NO_REPLY:
	case SF_HS_NO_FINAL_ACK:
	case SF_HS_SIMULTANEOUS_OPEN:
	case SF_HS_MISSING_SYN:
	case SF_HS_NOT_SEEN:
		return TONE_WARN;
	case SF_HS__COUNT:
		break;
	}
	return TONE_NONE;
}

static enum tone td_tone(enum sf_td_outcome o)
{
	switch (o) {
	case SF_TD_FOUR_WAY:
	case SF_TD_THREE_WAY:
	case SF_TD_SIMULTANEOUS:
		return TONE_GOOD;
	case SF_TD_RESET:
		return TONE_BAD;
	case SF_TD_HALF_CLOSED:
	case SF_TD_INCOMPLETE:
	case SF_TD_OPEN:
		return TONE_WARN;
	case SF_TD__COUNT:
		break;
	}
	return TONE_NONE;
}

static const char *nz(const char *s)
{
	return s != NULL ? s : "?";
}

/*
 * Capture-supplied text (file and interface names) never reaches a terminal
 * raw: anything outside printable ASCII, and the backslash, is escaped.
 */
static void put_escaped(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p >= 0x20 && *p < 0x7f)
			fputc(*p, f);
		else
			fprintf(f, "\\x%02x", *p);
	}
}

/*
 * A fixed line buffer filled without printf: every record of a large
 * capture goes through these, and vsnprintf's format parsing cost more than
 * the rest of the text report. It keeps at most len - 1 bytes and stays
 * NUL-terminated.
 */
struct line {
	char *p;
	size_t len, n;
};

static void l_put(struct line *l, const char *s, size_t k)
{
	if (l->n + 1 >= l->len)
		return;
	if (k > l->len - 1 - l->n)
		k = l->len - 1 - l->n;
	memcpy(l->p + l->n, s, k);
	l->n += k;
	l->p[l->n] = '\0';
}

static void l_puts(struct line *l, const char *s)
{
	l_put(l, s, strlen(s));
}

static void l_u64(struct line *l, uint64_t v)
{
	char d[SF_U64_DEC_MAX];

	l_put(l, d, sf_u64_dec(d, v));
}

static void put_u64(struct sf_buf *f, uint64_t v)
{
	char d[SF_U64_DEC_MAX];

	sf_buf_put(f, d, sf_u64_dec(d, v));
}

/* "    label" padded to LABEL_COL, as printf's "    %-*s" */
static void put_label(struct sf_buf *f, const char *label)
{
	size_t n = strlen(label);

	sf_buf_put(f, "    ", 4);
	sf_buf_put(f, label, n);
	if (n < LABEL_COL)
		sf_buf_spaces(f, LABEL_COL - n);
}

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

static const char *side(const struct sf_conn *c, int ep)
{
	return ep == c->client ? "client" : "server";
}

/*
 * An outcome line: the label, the outcome's name in its tone, extra text
 * after it, then, padded to OUTCOME_COL (two spaces at least), the details.
 */
static void outcome_line(const struct sf_report *r, struct sf_buf *f, const char *label, enum tone t,
			 const char *name, const char *extra, const char *det)
{
	put_label(f, label);
	sf_buf_puts(f, on(r, t));
	sf_buf_puts(f, name);
	sf_buf_puts(f, off(r, t));
	sf_buf_puts(f, extra);
	if (det[0] != '\0') {
		size_t vis = strlen(name) + strlen(extra);
		size_t pad = vis + 2 < OUTCOME_COL ? OUTCOME_COL - vis : 2;

		sf_buf_spaces(f, pad);
		sf_buf_puts(f, det);
	}
	sf_buf_putc(f, '\n');
}

static const char *roles_text(enum sf_roles r)
{
	switch (r) {
	case SF_ROLES_SYN:
		return "roles from SYN";
	case SF_ROLES_SYNACK:
		return "roles from SYN-ACK";
	case SF_ROLES_GUESS:
		return "roles guessed from ports";
	case SF_ROLES__COUNT:
		break;
	}
	return "roles unknown";
}

static void seg_detail(struct line *det, const char *what, const struct sf_seg_ref *s, uint32_t retrans)
{
	if (!s->seen)
		return;
	if (det->n > 0)
		l_puts(det, ", ");
	l_puts(det, what);
	l_puts(det, " #");
	l_u64(det, s->frame);
	if (retrans > 0) {
		l_puts(det, " (");
		l_u64(det, retrans);
		l_puts(det, " retransmit");
		l_puts(det, plural(retrans));
		l_puts(det, ")");
	}
}

/*
 * a - b in whole microseconds, when printf's "%.3f" of it in milliseconds
 * (or "%.6f" in seconds) can be written without printf: the time is a
 * whole number of microseconds (every microsecond pcap), not negative, and
 * under 1e8 s, where the double those formats print is within far less than
 * half a microsecond of it, so they print exactly it. False: use printf.
 */
static bool exact_us(struct sf_ts a, struct sf_ts b, uint64_t *us)
{
	int64_t ds;

	if (__builtin_sub_overflow(a.sec, b.sec, &ds) || ds < 0 || ds >= 100000000)
		return false;
	int64_t ns = ds * 1000000000 + ((int64_t)a.nsec - (int64_t)b.nsec);
	if (ns < 0 || ns % 1000 != 0)
		return false;
	*us = (uint64_t)(ns / 1000);
	return true;
}

/* whole "." frac, frac zero-padded to digits places, at o; returns the end. */
static char *put_decimal(char *o, uint64_t whole, uint64_t frac, unsigned digits)
{
	o += sf_u64_dec(o, whole);
	*o++ = '.';
	for (unsigned i = digits; i-- > 0;) {
		o[i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	return o + digits;
}

static void handshake_line(const struct sf_report *r, struct sf_buf *f, const struct sf_conn *c)
{
	enum tone t = hs_tone(c->hs_outcome);
	const char *name = nz(sf_hs_outcome_name(c->hs_outcome));
	char rtt[48] = "", buf[DETAIL_MAX] = "";
	struct line det = {buf, sizeof buf, 0};

	uint64_t us;
	if (c->syn.seen && c->hs_ack.seen) {
		if (exact_us(c->hs_ack.ts, c->syn.ts, &us)) {
			memcpy(rtt, "  rtt ", 6);
			memcpy(put_decimal(rtt + 6, us / 1000, us % 1000, 3), " ms", 4);
		} else {
			snprintf(rtt, sizeof rtt, "  rtt %.3f ms", sf_ts_sub(c->hs_ack.ts, c->syn.ts) * 1e3);
		}
	}
	seg_detail(&det, "SYN", &c->syn, c->syn_retransmits);
	seg_detail(&det, "SYN-ACK", &c->synack, c->synack_retransmits);
	seg_detail(&det, "ACK", &c->hs_ack, 0);
	outcome_line(r, f, "handshake", t, name, rtt, buf);
}

static void fin_detail(struct line *det, const struct sf_conn *c, int ep)
{
	const struct sf_fin_ref *fin = &c->ep[ep].fin;

	if (!fin->seen)
		return;
	if (det->n > 0)
		l_puts(det, ", ");
	l_puts(det, side(c, ep));
	l_puts(det, " FIN #");
	l_u64(det, fin->frame);
	if (fin->acked) {
		l_puts(det, " (acked #");
		l_u64(det, fin->acked_frame);
		l_puts(det, ")");
	} else {
		l_puts(det, " (not acked)");
	}
}

static void teardown_line(const struct sf_report *r, struct sf_buf *f, const struct sf_conn *c)
{
	enum tone t = td_tone(c->td_outcome);
	const char *name = nz(sf_td_outcome_name(c->td_outcome));
	const char *by = "";
	char buf[DETAIL_MAX] = "";
	struct line det = {buf, sizeof buf, 0};

	if (c->td_initiator == 2)
		by = " by both";
	else if (c->td_initiator == 0 || c->td_initiator == 1)
		by = c->td_initiator == c->client ? " by client" : " by server";
	fin_detail(&det, c, c->client);
	fin_detail(&det, c, sf_conn_server(c));
	if (c->rst.seen) {
		if (det.n > 0)
			l_puts(&det, ", ");
		l_puts(&det, side(c, c->rst.by));
		l_puts(&det, " RST #");
		l_u64(&det, c->rst.frame);
	}
	outcome_line(r, f, "teardown", t, name, by, buf);
}

/* Only the reasons a reader would not guess from the teardown line. */
static void end_line(const struct sf_report *r, struct sf_buf *f, const struct sf_conn *c)
{
	const char *why = NULL;

	switch (c->end_reason) {
	case SF_END_IDLE:
		why = "idle: no packet for longer than the idle timeout";
		break;
	case SF_END_REUSED:
		why = "reused: a new SYN took over the address/port pair";
		break;
	case SF_END_EVICTED:
		why = "evicted: the flow table was full, finished early";
		break;
	case SF_END_CLOSED:
	case SF_END_RESET:
	case SF_END_INPUT:
	case SF_END__COUNT:
		break;
	}
	if (why != NULL) {
		put_label(f, "ended");
		sf_buf_puts(f, on(r, TONE_WARN));
		sf_buf_puts(f, why);
		sf_buf_puts(f, off(r, TONE_WARN));
		sf_buf_putc(f, '\n');
	}
}

static void state_line(struct sf_buf *f, const struct sf_conn *c)
{
	put_label(f, "state");
	sf_buf_puts(f, "client ");
	sf_buf_puts(f, nz(sf_tcp_state_name(c->ep[c->client].state)));
	sf_buf_puts(f, "  server ");
	sf_buf_puts(f, nz(sf_tcp_state_name(c->ep[sf_conn_server(c)].state)));
	sf_buf_puts(f, "  zeek ");
	sf_buf_puts(f, nz(sf_zeek_conn_state(&c->zeek)));
	if (c->zeek.history[0] != '\0') {
		sf_buf_putc(f, ' ');
		sf_buf_put(f, c->zeek.history, strnlen(c->zeek.history, sizeof c->zeek.history));
	}
	sf_buf_puts(f, "  completeness ");
	put_u64(f, c->compl.mask);
	sf_buf_putc(f, '\n');
}

static void packets_line(struct sf_buf *f, const struct sf_conn *c)
{
	const struct sf_endpoint *cl = &c->ep[c->client], *sv = &c->ep[sf_conn_server(c)];

	char dur[48];

	put_label(f, "packets");
	sf_buf_puts(f, "client ");
	put_u64(f, cl->packets);
	sf_buf_puts(f, " (");
	put_u64(f, cl->bytes);
	sf_buf_puts(f, " B)  server ");
	put_u64(f, sv->packets);
	sf_buf_puts(f, " (");
	put_u64(f, sv->bytes);
	sf_buf_puts(f, " B)  frames ");
	put_u64(f, c->first_frame);
	sf_buf_putc(f, '-');
	put_u64(f, c->last_frame);
	uint64_t us;
	if (exact_us(c->last_ts, c->first_ts, &us)) {
		memcpy(dur, "  duration ", 11);
		memcpy(put_decimal(dur + 11, us / 1000000, us % 1000000, 6), " s\n", 4);
	} else {
		snprintf(dur, sizeof dur, "  duration %.6f s\n", sf_ts_sub(c->last_ts, c->first_ts));
	}
	sf_buf_puts(f, dur);
}

static void violation_lines(const struct sf_report *r, struct sf_buf *f, const struct sf_conn *c)
{
	uint32_t n = stored_violations(c);

	for (uint32_t i = 0; i < n; i++) {
		const struct sf_violation *v = &c->violations[i];
		char msg[MSG_MAX];

		msg[0] = '\0';
		sf_violation_format(v, msg, sizeof msg);
		sf_buf_printf(f, "    %-*s%s%s%s at frame %" PRIu64 " from %s", LABEL_COL, "violation",
			on(r, TONE_BAD), nz(sf_violation_name(v->code)), off(r, TONE_BAD), v->frame,
			side(c, v->by));
		if (msg[0] != '\0')
			sf_buf_printf(f, ": %s", msg);
		else if (v->has_values)
			sf_buf_printf(f, ": expected %" PRIu32 ", actual %" PRIu32, v->expected, v->actual);
		sf_buf_putc(f, '\n');
	}
	if (c->n_violations_dropped > 0)
		sf_buf_printf(f, "    %-*s%s%" PRIu32 " more not stored%s\n", LABEL_COL, "violation", on(r, TONE_BAD),
			c->n_violations_dropped, off(r, TONE_BAD));
}

/* "SYN,ACK", "FIN,PSH,ACK": Wireshark's order (low bit first). */
static void flags_text(uint8_t flags, struct line *l)
{
	static const char *const names[8] = { "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR" };

	for (int i = 0; i < 8; i++)
		if (flags & (1u << i)) {
			if (l->n > 0)
				l_puts(l, ",");
			l_puts(l, names[i]);
		}
	if (l->n == 0)
		l_puts(l, "none");
}

/* |--- SYN ----------->|  or  |<-- SYN,ACK --------| */
static void arrow_text(bool to_server, const char *label, struct line *l)
{
	size_t used = 4 + strlen(label) + 2;
	size_t dashes = used < LADDER_INNER ? LADDER_INNER - used : 1;

	l_puts(l, to_server ? "|--- " : "|<-- ");
	l_puts(l, label);
	l_puts(l, " ");
	for (size_t i = 0; i < dashes; i++)
		l_puts(l, "-");
	l_puts(l, to_server ? ">|" : "-|");
}

/* "seq 1 (1001)" relative to the sender's ISN, or "seq (1001)" without one */
static void rel_abs(struct line *l, const char *what, const struct sf_endpoint *e, uint32_t v)
{
	l_puts(l, what);
	if (e->have_isn) {
		l_puts(l, " ");
		l_u64(l, (uint32_t)(v - e->isn));
	}
	l_puts(l, " (");
	l_u64(l, v);
	l_puts(l, ")");
}

static void ladder_row(const struct sf_report *r, struct sf_buf *f, const struct sf_conn *c,
		       const struct sf_ladder_row *row)
{
	int by = row->by & 1;
	const struct sf_endpoint *snd = &c->ep[by], *rcv = &c->ep[1 - by];
	enum tone t = (row->flags & SF_TH_RST) ? TONE_BAD : TONE_NONE;
	char flb[48] = "", arrowb[96] = "", frame[24], annb[DETAIL_MAX] = "";
	struct line fl = {flb, sizeof flb, 0}, arrow = {arrowb, sizeof arrowb, 0}, ann = {annb, sizeof annb, 0};

	flags_text(row->flags, &fl);
	arrow_text(by == c->client, flb, &arrow);
	snprintf(frame, sizeof frame, "#%" PRIu64, row->frame);
	rel_abs(&ann, "seq", snd, row->seq);
	if (row->flags & SF_TH_ACK)
		rel_abs(&ann, "  ack", rcv, row->ack);
	if (row->len > 0) {
		l_puts(&ann, "  len ");
		l_u64(&ann, row->len);
	}
	sf_buf_printf(f, "      %7s  %10.6f  %s%s%s  %s", frame, sf_ts_sub(row->ts, c->first_ts), on(r, t), arrowb,
		off(r, t), annb);
	for (uint32_t i = 0; i < stored_violations(c); i++)
		if (c->violations[i].frame == row->frame)
			sf_buf_printf(f, "  %s!%s%s", on(r, TONE_BAD), nz(sf_violation_name(c->violations[i].code)),
				off(r, TONE_BAD));
	sf_buf_putc(f, '\n');
}

static void ladder(const struct sf_report *r, struct sf_buf *f, const struct sf_conn *c)
{
	uint32_t n = c->ladder == NULL ? 0 : c->n_ladder < SF_LADDER_MAX ? c->n_ladder : SF_LADDER_MAX;

	sf_buf_printf(f, "    %-*stime from %" PRId64 ".%06" PRIu32 ", seq/ack relative to each side's ISN"
		" (absolute in parentheses)\n", LABEL_COL, "ladder", c->first_ts.sec, c->first_ts.nsec / 1000);
	if (n == 0 && c->n_ladder_dropped == 0) {
		sf_buf_printf(f, "      (no segments recorded)\n");
		return;
	}
	sf_buf_printf(f, "      %7s  %10s  %-*s%s\n", "frame", "time", LADDER_INNER + 2 - 6, "client", "server");
	for (uint32_t i = 0; i < n; i++)
		ladder_row(r, f, c, &c->ladder[i]);
	if (c->n_ladder_dropped > 0)
		sf_buf_printf(f, "      %7s  %" PRIu32 " more segment%s not shown\n", "...", c->n_ladder_dropped,
			plural(c->n_ladder_dropped));
}

void sf_report_text_begin(struct sf_report *r)
{
	sf_spill_init(&r->body, "the connections wait in memory until the header (which needs the totals) is written");
	r->body_len = 0;
}

void sf_report_text_record(struct sf_report *r, struct sf_buf *f, const struct sf_conn *c)
{
	char a[EP_TEXT_MAX], b[EP_TEXT_MAX];

	sf_report_endpoint_text(&c->ep[c->client], a, sizeof a);
	sf_report_endpoint_text(&c->ep[sf_conn_server(c)], b, sizeof b);
	sf_buf_putc(f, '\n');
	sf_buf_puts(f, on(r, TONE_BOLD));
	sf_buf_putc(f, '#');
	put_u64(f, c->id);
	sf_buf_puts(f, off(r, TONE_BOLD));
	sf_buf_puts(f, "  ");
	sf_buf_puts(f, a);
	sf_buf_puts(f, " -> ");
	sf_buf_puts(f, b);
	sf_buf_puts(f, "  (");
	sf_buf_puts(f, roles_text(c->roles));
	sf_buf_puts(f, ")\n");
	handshake_line(r, f, c);
	teardown_line(r, f, c);
	end_line(r, f, c);
	state_line(f, c);
	packets_line(f, c);
	violation_lines(r, f, c);
	if (r->opts.verbose)
		ladder(r, f, c);
}

void sf_report_text_put(struct sf_report *r, const char *p, size_t n)
{
	uint64_t off;

	if (r->head_done) {
		if (fwrite(p, 1, n, r->opts.out) != n)
			r->error = true;
	} else if (sf_spill_append(&r->body, p, n, &off)) {
		r->body_len = off + n;
	} else {
		r->error = true; /* out of memory: a block is missing */
	}
}

static void input_line(const struct sf_report *r, FILE *f, const struct sf_input_info *in)
{
	bool first = true;

	fprintf(f, "%ssynfin %s%s  ", on(r, TONE_BOLD), SF_VERSION, off(r, TONE_BOLD));
	put_escaped(f, in->source != NULL ? in->source : "input");
	fputc(' ', f);
	put_escaped(f, in->name != NULL ? in->name : "?");
	if (in->linktype != NULL) {
		fputs("  (", f);
		put_escaped(f, in->linktype);
		fputc(')', f);
	}
	fprintf(f, "  %" PRIu64 " packet%s, %" PRIu64 " TCP", in->packets, plural(in->packets), in->tcp_packets);
	if (in->filtered > 0)
		fprintf(f, ", filtered out %" PRIu64, in->filtered);
	for (int i = SF_SKIP_NONE + 1; i < SF_SKIP__COUNT; i++) {
		if (in->skipped[i] == 0)
			continue;
		fprintf(f, "%s%s %" PRIu64, first ? ", skipped: " : ", ", nz(sf_skip_name((enum sf_skip)i)),
			in->skipped[i]);
		first = false;
	}
	if (in->truncated)
		fprintf(f, "  %s(file truncated)%s", on(r, TONE_WARN), off(r, TONE_WARN));
	fputc('\n', f);
	if (in->has_stats) {
		bool lost = in->ps_drop > 0 || in->ps_ifdrop > 0;
		enum tone t = lost ? TONE_WARN : TONE_NONE;

		fprintf(f, "%scapture: %" PRIu64 " received, %" PRIu64 " dropped by the kernel, %" PRIu64
			" by the interface%s\n", on(r, t), in->ps_recv, in->ps_drop, in->ps_ifdrop, off(r, t));
		if (lost)
			fprintf(f, "%swarning: packets were dropped during capture; drops can explain incomplete"
				" handshakes, missing FINs and violations%s\n", on(r, TONE_WARN), off(r, TONE_WARN));
	}
}

static void totals_line(const struct sf_report *r, FILE *f, const struct sf_flow_stats *fs)
{
	const struct sf_summary *s = &r->sum;
	bool first;

	fprintf(f, "%" PRIu64 " connection%s", s->connections, plural(s->connections));
	if (s->connections > 0) {
		fputs("  handshake:", f);
		first = true;
		for (int i = 0; i < SF_HS__COUNT; i++) {
			enum tone t = hs_tone((enum sf_hs_outcome)i);

			if (s->hs[i] == 0)
				continue;
			fprintf(f, "%s %s%s %" PRIu64 "%s", first ? "" : ",", on(r, t),
				nz(sf_hs_outcome_name((enum sf_hs_outcome)i)), s->hs[i], off(r, t));
			first = false;
		}
		fputs("  teardown:", f);
		first = true;
		for (int i = 0; i < SF_TD__COUNT; i++) {
			enum tone t = td_tone((enum sf_td_outcome)i);

			if (s->td[i] == 0)
				continue;
			fprintf(f, "%s %s%s %" PRIu64 "%s", first ? "" : ",", on(r, t),
				nz(sf_td_outcome_name((enum sf_td_outcome)i)), s->td[i], off(r, t));
			first = false;
		}
		if (s->violations > 0)
			fprintf(f, "  violations: %s%" PRIu64 " in %" PRIu64 " connection%s%s", on(r, TONE_BAD),
				s->violations, s->with_violations, plural(s->with_violations), off(r, TONE_BAD));
		else
			fprintf(f, "  violations: %snone%s", on(r, TONE_GOOD), off(r, TONE_GOOD));
		first = true;
		for (int i = 0; i < SF_END__COUNT; i++) {
			if (i != SF_END_IDLE && i != SF_END_REUSED && i != SF_END_EVICTED)
				continue;
			if (s->end[i] == 0)
				continue;
			fprintf(f, "%s%s %" PRIu64, first ? "  ended: " : ", ",
				nz(sf_end_reason_name((enum sf_end_reason)i)), s->end[i]);
			first = false;
		}
	}
	if (r->opts.verbose && fs != NULL)
		fprintf(f, "  peak open %" PRIu64, fs->peak_open);
	fputc('\n', f);
}

/*
 * The blocks kept so far, to the output, BODY_CHUNK bytes at a time:
 * straight from the body file's mapping where they can be, else read back.
 */
static void copy_body(struct sf_report *r)
{
	for (uint64_t off = 0; off < r->body_len;) {
		size_t n = r->body_len - off < BODY_CHUNK ? (size_t)(r->body_len - off) : BODY_CHUNK;

		if (!sf_report_out_mapped(r, &r->body, off, n)) {
			sf_report_out_flush(r);
			const char *p = sf_spill_get(&r->body, off, n);
			if (p == NULL || fwrite(p, 1, n, r->opts.out) != n) {
				r->error = true;
				return;
			}
		}
		off += n;
	}
	sf_report_out_flush(r); /* before the body file closes */
}

void sf_report_text_head(struct sf_report *r, const struct sf_input_info *in, const struct sf_flow_stats *fs)
{
	input_line(r, r->opts.out, in);
	totals_line(r, r->opts.out, fs);
	copy_body(r);
	sf_report_text_fini(r);
	r->head_done = true;
}

void sf_report_text_fini(struct sf_report *r)
{
	sf_spill_close(&r->body);
	sf_spill_init(&r->body, r->body.instead);
	r->body_len = 0;
}
