/*
 * gen.c - bench-gen: writes large, realistic, headers-only TCP captures for
 * benchmarking synfin, together with the true outcome of every connection.
 *
 * Every connection is scripted when it starts (handshake, data with ACKs in
 * between, close), then its packets are interleaved with those of the other
 * open connections by a min-heap on capture time, so about --concurrency
 * connections are open at once and timestamps only increase.  Frames are
 * Ethernet + IPv4/IPv6 + TCP with realistic options; the IP header declares
 * the full payload length but only --snaplen bytes of each frame are stored.
 *
 * --truth writes one JSON line per connection (in order of first frame) with
 * the handshake/teardown outcome and violation codes as defined by synfin's
 * contract.  Output is deterministic for a given set of options and --seed
 * (whatever the compiler: no call takes two random-drawing arguments, whose
 * evaluation order C leaves unspecified).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ */
/* PRNG: xoshiro256**, seeded by splitmix64                            */

static uint64_t rs[4];

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rnd_seed(uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		rs[i] = splitmix64(&seed);
}

static inline uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rnd(void)
{
	uint64_t r = rotl64(rs[1] * 5, 7) * 9;
	uint64_t t = rs[1] << 17;
	rs[2] ^= rs[0];
	rs[3] ^= rs[1];
	rs[1] ^= rs[2];
	rs[0] ^= rs[3];
	rs[2] ^= t;
	rs[3] = rotl64(rs[3], 45);
	return r;
}

/* uniform in [0, n) */
static uint32_t rnd_below(uint32_t n) { return (uint32_t)(((rnd() >> 32) * (uint64_t)n) >> 32); }
/* uniform in [lo, hi] */
static uint32_t rnd_range(uint32_t lo, uint32_t hi) { return lo + rnd_below(hi - lo + 1); }
static double rnd_unit(void) { return (double)(rnd() >> 11) * 0x1.0p-53; }
static bool chance(double p) { return rnd_unit() < p; }
static double rnd_exp(double mean) { return -mean * log(1.0 - rnd_unit()); }

/* ------------------------------------------------------------------ */
/* options                                                             */

struct opts {
	uint64_t packets, conns;
	uint32_t concurrency;
	uint32_t snaplen;
	uint64_t seed;
	double v6_share;
	double viol_share;
	double reuse_share;
	const char *out, *truth;
	uint64_t flood;        /* --syn-flood N: N SYNs, nothing else */
	double flood_rate;     /* SYNs per second */
	int64_t start;         /* epoch seconds of the first packet */
	bool quiet;
};

static struct opts O = {
	.packets = 0, .conns = 0, .concurrency = 1000, .snaplen = 96, .seed = 1,
	.v6_share = 0.2, .viol_share = 0.005, .reuse_share = 0.03,
	.out = NULL, .truth = NULL, .flood = 0, .flood_rate = 100000.0,
	.start = 1718000000, .quiet = false,
};

#define DEFAULT_PACKETS 10000000ULL
#define PKTS_PER_CONN 34 /* average, handshake + data + ACKs + close */

/* ------------------------------------------------------------------ */
/* output: one big buffer, written with fwrite                         */

static FILE *ofp;
static unsigned char *obuf;
static size_t olen;
#define OBUF_SIZE (8u << 20)
static uint64_t out_bytes;

static void die(const char *what)
{
	fprintf(stderr, "bench-gen: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void out_flush(void)
{
	if (olen && fwrite(obuf, 1, olen, ofp) != olen)
		die("write");
	out_bytes += olen;
	olen = 0;
}

static unsigned char *out_reserve(size_t n)
{
	if (olen + n > OBUF_SIZE)
		out_flush();
	return obuf + olen;
}

static void put16(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* pcap record header fields are in the writer's byte order (magic tells) */
static void puthost32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }

static void write_pcap_header(void)
{
	unsigned char *b = out_reserve(24);
	puthost32(b, 0xa1b2c3d4u);
	uint16_t v = 2;
	memcpy(b + 4, &v, 2);
	v = 4;
	memcpy(b + 6, &v, 2);
	puthost32(b + 8, 0);            /* thiszone */
	puthost32(b + 12, 0);           /* sigfigs */
	puthost32(b + 16, O.snaplen);   /* snaplen */
	puthost32(b + 20, 1);           /* LINKTYPE_ETHERNET */
	olen += 24;
}

/* ------------------------------------------------------------------ */
/* connection scripts                                                  */

enum { F_FIN = 0x01, F_SYN = 0x02, F_RST = 0x04, F_PSH = 0x08, F_ACK = 0x10 };

struct pk {
	uint32_t gap;  /* microseconds after the connection's previous packet */
	uint32_t seq, ack, len;
	uint8_t flags, dir; /* dir 0: client -> server, 1: server -> client */
};

enum os_profile { OS_LINUX, OS_WINDOWS, OS_MAC, OS_BARE };

enum hs_kind { HS_COMPLETE, HS_NO_REPLY, HS_REFUSED, HS_NO_FINAL_ACK, HS__N };
enum td_kind { TD_FOUR_WAY, TD_THREE_WAY, TD_SIMULTANEOUS, TD_HALF_CLOSED,
	       TD_INCOMPLETE, TD_RESET, TD_OPEN, TD__N };
enum viol_kind {
	V_NONE,
	V_SYNACK_BAD_ACK,
	V_HS_ACK_BAD_ACK,
	V_HS_ACK_BAD_SEQ,
	V_SYN_RESEND_DIFF_SEQ,
	V_FIN_BAD_ACK,
	V_DATA_AFTER_FIN,
	V_CLOSE_ACK_BAD_SEQ,
	V_ACK_UNSEEN_DATA,
	V_RST_BAD_SEQ,
	V_RST_BAD_ACK,
	V_DATA_AFTER_RST,
	V__N
};

static const char *const hs_name[HS__N] = { "complete", "no_reply", "refused", "no_final_ack" };
static const char *const td_name[TD__N] = { "four_way", "three_way", "simultaneous",
	"half_closed", "incomplete", "reset", "open" };
static const char *const viol_name[V__N] = {
	"", "SYNACK_BAD_ACK", "HS_ACK_BAD_ACK", "HS_ACK_BAD_SEQ", "SYN_RESEND_DIFF_SEQ",
	"FIN_BAD_ACK", "DATA_AFTER_FIN", "CLOSE_ACK_BAD_SEQ", "ACK_UNSEEN_DATA",
	"RST_BAD_SEQ", "RST_BAD_ACK", "DATA_AFTER_RST",
};
/* relative frequency of each violation among violating connections */
static const unsigned viol_weight[V__N] = { 0, 2, 1, 2, 1, 2, 2, 1, 1, 2, 1, 1 };

enum { INIT_NONE, INIT_CLIENT, INIT_SERVER, INIT_BOTH };
static const char *const init_json[4] = { "null", "\"client\"", "\"server\"", "\"both\"" };

struct conn {
	struct pk *pk;
	uint32_t n, cap, next;
	uint64_t t;          /* capture time (us) of pk[next] */
	uint64_t first_frame;

	bool v6;
	uint8_t addr[2][16]; /* [0] client, [1] server; IPv4 in the first 4 bytes */
	uint16_t port[2];
	uint8_t os;
	bool tsopt;
	uint16_t mss[2], synwin[2], win[2];
	uint8_t ws[2], ttl[2];
	uint16_t ipid[2];
	uint32_t flow[2];
	uint32_t tsbase[2], tslast[2];

	/* script builder state */
	uint32_t isn[2], nxt[2], rcv[2];
	uint32_t rtt; /* microseconds */

	/* truth */
	uint8_t hs, td, viol, init;
	char label[160];
	bool clean_close; /* may be followed by port reuse */
	bool simple;      /* plain four-way, exact packet count: no optional extras */
};

static void add_pk(struct conn *c)
{
	if (c->n == c->cap) {
		uint32_t ncap = c->cap ? c->cap * 2 : 256;
		struct pk *np = realloc(c->pk, (size_t)ncap * sizeof *np);
		if (!np)
			die("realloc");
		c->pk = np;
		c->cap = ncap;
	}
}

/* Append a segment with explicit seq/ack (does not advance nxt). */
static void add(struct conn *c, int dir, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len,
		uint32_t gap)
{
	add_pk(c);
	struct pk *p = &c->pk[c->n++];
	p->gap = gap;
	p->seq = seq;
	p->ack = (flags & F_ACK) ? ack : 0;
	p->len = len;
	p->flags = flags;
	p->dir = (uint8_t)dir;
	if (flags & F_ACK)
		c->rcv[dir] = ack;
}

/* Append a regular segment: seq = own next, ack = everything the peer sent. */
static void seg(struct conn *c, int dir, uint8_t flags, uint32_t len, uint32_t gap)
{
	add(c, dir, flags, c->nxt[dir], c->nxt[1 - dir], len, gap);
	c->nxt[dir] += len + ((flags & F_SYN) ? 1u : 0u) + ((flags & F_FIN) ? 1u : 0u);
}

/* Re-send the packet at index i (a retransmission), gap after the last one. */
static void resend(struct conn *c, uint32_t i, uint32_t gap)
{
	struct pk p = c->pk[i];
	add(c, p.dir, p.flags, p.seq, p.ack, p.len, gap);
}

/* ---- timing ---- */

static uint32_t g_turn(const struct conn *c) /* the other side answers */
{
	uint32_t half = c->rtt / 2;
	return half - half / 5 + rnd_below(half / 5 * 2 + 1) + 30;
}
static uint32_t g_ack(const struct conn *c)
{
	uint32_t g = g_turn(c) / 2;
	return g + rnd_below(200);
}
static uint32_t g_burst(void) { return rnd_range(3, 150); }
static uint32_t g_think(void)
{
	double u = rnd_unit();
	if (u < 0.70)
		return rnd_below(5000);
	if (u < 0.95)
		return rnd_range(5000, 500000);
	return rnd_range(500000, 5000000);
}
static uint32_t g_rto(const struct conn *c, unsigned k)
{
	uint32_t base = c->rtt * 3 > 200000 ? c->rtt * 3 : 200000;
	return (base << k) + rnd_below(2000);
}

static uint32_t data_len(const struct conn *c, bool full)
{
	uint32_t mss = c->mss[0] < c->mss[1] ? c->mss[0] : c->mss[1];
	mss -= c->tsopt ? 12 : 0;
	if (full)
		return mss;
	return chance(0.5) ? rnd_range(40, 540) : rnd_range(200, mss);
}

/* ---- handshake ---- */

/* Returns true when the connection is established (data and close follow). */
static bool build_handshake(struct conn *c)
{
	const uint32_t isn_s = c->isn[1];
	c->nxt[0] = c->isn[0];
	c->nxt[1] = isn_s;
	c->rcv[0] = c->rcv[1] = 0;

	if (c->viol == V_SYN_RESEND_DIFF_SEQ) {
		/* first SYN with one ISN, the retransmission with another */
		add(c, 0, F_SYN, c->isn[0] ^ 0x5a5a0000u ^ rnd_range(1, 0xffff), 0, 0, 0);
		seg(c, 0, F_SYN, 0, g_rto(c, 0) > 1000000 ? g_rto(c, 0) : 1000000);
		strcat(c->label, "syn-diff-isn ");
	} else {
		seg(c, 0, F_SYN, 0, 0);
	}
	const uint32_t syn_i = c->n - 1;
	const uint32_t isn_c = c->nxt[0] - 1; /* the SYN being answered */

	switch ((enum hs_kind)c->hs) {
	case HS_NO_REPLY: {
		unsigned k = rnd_below(5);
		for (unsigned i = 0; i < k; i++)
			resend(c, syn_i, 1000000u << i);
		c->init = INIT_NONE;
		return false;
	}
	case HS_REFUSED:
		add(c, 1, F_RST | F_ACK, 0, c->viol == V_RST_BAD_ACK ? isn_c : isn_c + 1, 0, g_turn(c));
		c->init = INIT_SERVER;
		return false;
	case HS_COMPLETE:
	case HS_NO_FINAL_ACK:
	case HS__N:
		break;
	}

	if (c->viol == V_NONE && !c->simple && chance(0.02)) {
		unsigned k = 1 + (chance(0.2) ? 1 : 0);
		for (unsigned i = 0; i < k; i++)
			resend(c, syn_i, 1000000u << i);
		strcat(c->label, "syn-retx ");
	}
	add(c, 1, F_SYN | F_ACK, isn_s, c->viol == V_SYNACK_BAD_ACK ? isn_c : isn_c + 1, 0, g_turn(c));
	c->nxt[1] = isn_s + 1;
	const uint32_t synack_i = c->n - 1;

	if (c->hs == HS_NO_FINAL_ACK) {
		unsigned k = rnd_range(1, 3);
		for (unsigned i = 0; i < k; i++)
			resend(c, synack_i, 1000000u << i);
		c->init = INIT_NONE;
		return false;
	}
	if (c->viol == V_NONE && !c->simple && chance(0.01)) {
		resend(c, synack_i, 1000000);
		strcat(c->label, "synack-retx ");
	}

	if (c->viol == V_HS_ACK_BAD_SEQ)
		add(c, 0, F_ACK, c->nxt[0] - 1, c->nxt[1], 0, g_turn(c));
	else if (c->viol == V_HS_ACK_BAD_ACK)
		add(c, 0, F_ACK, c->nxt[0], c->nxt[1] - 1, 0, g_turn(c));
	else if (c->viol == V_NONE && chance(0.03)) {
		uint32_t len = data_len(c, false);
		seg(c, 0, F_ACK | F_PSH, len, g_turn(c)); /* ACK carries the request */
		strcat(c->label, "ack-with-data ");
	} else
		seg(c, 0, F_ACK, 0, g_turn(c));
	return true;
}

/* ---- data: requests, responses, ACKs in between; exactly n packets ---- */

static void build_data(struct conn *c, uint32_t n)
{
	uint32_t left = n;
	bool first = true;

	while (left > 0) {
		unsigned nreq = chance(0.15) ? 2 : 1;
		for (unsigned i = 0; i < nreq && left > 0; i++) {
			uint32_t len = data_len(c, false);
			uint32_t gap = (i || first) ? g_burst() : g_think();
			seg(c, 0, F_ACK | F_PSH, len, gap);
			left--;
		}
		first = false;
		if (left == 0)
			break;
		bool delayed = chance(0.3);
		if (delayed) {
			seg(c, 1, F_ACK, 0, g_turn(c));
			left--;
		}
		unsigned nresp = 1 + (unsigned)rnd_exp(4.0);
		if (nresp > 64)
			nresp = 64;
		unsigned unacked = 0;
		for (unsigned j = 0; j < nresp && left > 0; j++) {
			bool last = j + 1 == nresp;
			uint32_t gap = j ? g_burst() : (delayed ? rnd_range(50, 20000) : g_turn(c));
			seg(c, 1, (uint8_t)(F_ACK | (last ? F_PSH : 0)), data_len(c, !last), gap);
			left--;
			if (++unacked == 2 && left > 0) {
				seg(c, 0, F_ACK, 0, g_ack(c));
				left--;
				unacked = 0;
			}
		}
		if (unacked && left > 0) {
			seg(c, 0, F_ACK, 0, g_ack(c));
			left--;
		}
	}
}

/* ---- close ---- */

/*
 * A sends its FIN (optionally carrying data, optionally retransmitted, or
 * retransmitted coalesced with the data segment sent just before it).
 * Returns the FIN's own sequence number.
 */
static uint32_t send_fin(struct conn *c, int a, bool may_vary, unsigned retx_max)
{
	bool coalesce = false, with_data = false;
	unsigned retx = 0;
	if (may_vary) {
		with_data = chance(0.10);
		if (retx_max && chance(0.04)) {
			retx = rnd_range(1, retx_max);
			coalesce = !with_data && chance(0.4);
		}
	}
	uint32_t gap = g_think();
	uint32_t dseq = 0, dlen = 0;
	if (coalesce) {
		dseq = c->nxt[a];
		dlen = data_len(c, false);
		seg(c, a, F_ACK | F_PSH, dlen, gap);
		gap = g_burst();
	}
	uint32_t len = with_data ? data_len(c, false) : 0;
	seg(c, a, (uint8_t)(F_FIN | F_ACK | (len ? F_PSH : 0)), len, gap);
	uint32_t fin_i = c->n - 1;
	uint32_t fin_seq = c->nxt[a] - 1;
	for (unsigned i = 0; i < retx; i++) {
		if (coalesce)
			add(c, a, F_FIN | F_ACK | F_PSH, dseq, c->pk[fin_i].ack, dlen, g_rto(c, i));
		else
			resend(c, fin_i, g_rto(c, i));
	}
	if (retx)
		strcat(c->label, coalesce ? "fin-retx-coalesced " : "fin-retx ");
	if (with_data)
		strcat(c->label, "fin-data ");
	return fin_seq;
}

/* B streams a few segments that A acknowledges */
static void stream(struct conn *c, int b, unsigned k)
{
	for (unsigned i = 0; i < k; i++) {
		uint32_t len = data_len(c, i + 1 < k);
		seg(c, b, (uint8_t)(F_ACK | (i + 1 == k ? F_PSH : 0)), len, i ? g_burst() : g_turn(c));
		if (i % 2 == 1 || i + 1 == k)
			seg(c, 1 - b, F_ACK, 0, g_ack(c));
	}
}

static void build_close(struct conn *c)
{
	const int a = c->init == INIT_SERVER ? 1 : 0, b = 1 - a;
	const bool plain = c->viol == V_NONE && !c->simple;
	uint32_t fa, fb;

	if (c->viol == V_ACK_UNSEEN_DATA) {
		/* B acks bytes A never sends: A only closes afterwards (its FIN
		 * and last ACK stay below the acked number) */
		uint32_t beyond = rnd_range(100, 14480);
		add(c, b, F_ACK, c->nxt[b], c->nxt[a] + beyond, 0, g_turn(c));
		strcat(c->label, "ack-beyond-before-fin ");
	}

	switch ((enum td_kind)c->td) {
	case TD_FOUR_WAY:
		fa = send_fin(c, a, plain, 3);
		add(c, b, F_ACK, c->nxt[b], c->viol == V_FIN_BAD_ACK ? fa + 2 : fa + 1, 0, g_turn(c));
		if (c->viol == V_DATA_AFTER_FIN) {
			/* new payload from A beyond its own FIN; B ignores it */
			uint32_t len = data_len(c, false);
			add(c, a, F_ACK | F_PSH, fa + 1, c->nxt[b], len, g_turn(c));
		} else if (!c->simple && chance(0.3)) {
			stream(c, b, rnd_range(1, 6));
			strcat(c->label, "data-after-ack ");
		}
		seg(c, b, F_FIN | F_ACK, 0, chance(0.5) ? g_burst() : g_think());
		fb = c->nxt[b] - 1;
		add(c, a, F_ACK, c->viol == V_CLOSE_ACK_BAD_SEQ ? fa + 2 : fa + 1, fb + 1, 0, g_turn(c));
		c->clean_close = true;
		break;
	case TD_THREE_WAY:
		fa = send_fin(c, a, plain, 3);
		seg(c, b, F_FIN | F_ACK, 0, g_turn(c));
		seg(c, a, F_ACK, 0, g_turn(c));
		c->clean_close = true;
		break;
	case TD_SIMULTANEOUS: {
		uint32_t a_before = c->nxt[a];
		fa = send_fin(c, a, false, 0);
		(void)fa;
		/* B's FIN crosses A's: it does not acknowledge A's FIN */
		add(c, b, F_FIN | F_ACK, c->nxt[b], a_before, 0, rnd_range(5, c->rtt / 3 + 10));
		c->nxt[b]++;
		if (chance(0.5)) {
			seg(c, a, F_ACK, 0, g_turn(c));
			seg(c, b, F_ACK, 0, rnd_range(5, 200));
		} else {
			seg(c, b, F_ACK, 0, g_turn(c));
			seg(c, a, F_ACK, 0, rnd_range(5, 200));
		}
		c->clean_close = true;
		break;
	}
	case TD_HALF_CLOSED:
		fa = send_fin(c, a, true, 0);
		seg(c, b, F_ACK, 0, g_turn(c));
		if (chance(0.7))
			stream(c, b, rnd_range(1, 8));
		break;
	case TD_INCOMPLETE: {
		unsigned v = rnd_below(3);
		if (v == 0) { /* the FIN is never acknowledged */
			fa = send_fin(c, a, false, 0);
			unsigned k = rnd_range(1, 3);
			for (unsigned i = 0; i < k; i++)
				resend(c, c->n - 1, g_rto(c, i));
			strcat(c->label, "fin-unacked ");
		} else if (v == 1) { /* FIN, FIN+ACK, last ACK missing */
			fa = send_fin(c, a, true, 0);
			seg(c, b, F_FIN | F_ACK, 0, g_turn(c));
			unsigned k = rnd_below(3);
			uint32_t fin_i = c->n - 1;
			for (unsigned i = 0; i < k; i++)
				resend(c, fin_i, g_rto(c, i));
			strcat(c->label, "last-ack-missing ");
		} else { /* FIN, ACK, FIN, last ACK missing */
			fa = send_fin(c, a, true, 0);
			seg(c, b, F_ACK, 0, g_turn(c));
			seg(c, b, F_FIN | F_ACK, 0, g_think());
			unsigned k = rnd_below(3);
			uint32_t fin_i = c->n - 1;
			for (unsigned i = 0; i < k; i++)
				resend(c, fin_i, g_rto(c, i));
			strcat(c->label, "4w-last-ack-missing ");
		}
		break;
	}
	case TD_RESET: {
		unsigned v = (c->viol == V_RST_BAD_SEQ || c->viol == V_DATA_AFTER_RST) ? 0 : rnd_below(4);
		if (v <= 1) { /* abort: RST (with or without ACK) once the peer has acked all */
			if (c->rcv[b] != c->nxt[a])
				seg(c, b, F_ACK, 0, g_turn(c));
			uint32_t seq = c->nxt[a];
			if (c->viol == V_RST_BAD_SEQ)
				seq += rnd_range(1, 14480);
			add(c, a, (uint8_t)(v == 0 ? F_RST | F_ACK : F_RST), seq, c->nxt[b], 0, g_think());
			if (c->viol == V_DATA_AFTER_RST) {
				uint32_t len = data_len(c, false);
				seg(c, a, F_ACK | F_PSH, len, rnd_range(100, 5000));
			}
			strcat(c->label, v == 0 ? "rst-ack-abort " : "rst-abort ");
		} else if (v == 2) { /* A closes, B answers with a RST */
			fa = send_fin(c, a, true, 0);
			if (chance(0.5))
				seg(c, b, F_ACK, 0, g_turn(c));
			add(c, b, F_RST | F_ACK, c->nxt[b], fa + 1, 0, g_turn(c));
			strcat(c->label, "fin-then-peer-rst ");
		} else { /* FIN, FIN+ACK, then a RST instead of the last ACK */
			fa = send_fin(c, a, true, 0);
			seg(c, b, F_FIN | F_ACK, 0, g_turn(c));
			add(c, a, F_RST, fa + 1, 0, 0, g_turn(c));
			strcat(c->label, "rst-instead-of-last-ack ");
		}
		break;
	}
	case TD_OPEN:
	case TD__N:
		c->init = INIT_NONE;
		break;
	}
}

/* ------------------------------------------------------------------ */
/* endpoints                                                           */

static uint32_t nhosts;
static uint32_t *host_off;  /* next ephemeral port offset per client host */
static uint16_t *host_base;

static const uint16_t server_ports[] = { 443, 443, 443, 443, 443, 443, 443, 443, 443, 443,
	443, 443, 80, 80, 80, 80, 8443, 22, 25, 993, 5432, 3306, 6379, 8080 };
#define NSERVERS 48

static void client_addr(uint8_t a[16], bool v6, uint32_t h)
{
	memset(a, 0, 16);
	if (!v6) {
		a[0] = 10;
		a[1] = (uint8_t)(h / (254u * 256u));
		a[2] = (uint8_t)(h / 254u);
		a[3] = (uint8_t)(h % 254u + 1u);
	} else { /* 2001:db8:c0:HHHH::LLLL */
		a[0] = 0x20; a[1] = 0x01; a[2] = 0x0d; a[3] = 0xb8;
		a[4] = 0x00; a[5] = 0xc0;
		a[6] = (uint8_t)(h >> 24); a[7] = (uint8_t)(h >> 16);
		a[14] = (uint8_t)(h >> 8); a[15] = (uint8_t)h;
	}
}

static void server_addr(uint8_t a[16], bool v6, uint32_t i)
{
	static const uint8_t nets[3][3] = { { 192, 0, 2 }, { 198, 51, 100 }, { 203, 0, 113 } };
	memset(a, 0, 16);
	if (!v6) {
		memcpy(a, nets[i % 3], 3);
		a[3] = (uint8_t)(10 + i);
	} else { /* 2001:db8:5::N */
		a[0] = 0x20; a[1] = 0x01; a[2] = 0x0d; a[3] = 0xb8; a[5] = 0x05;
		a[15] = (uint8_t)(10 + i);
	}
}

static void alloc_tuple(struct conn *c)
{
	c->v6 = chance(O.v6_share);
	for (;;) {
		uint32_t h = rnd_below(nhosts);
		if (host_off[h] > 28000)
			continue;
		uint32_t off = host_off[h];
		host_off[h] += rnd_range(1, 8);
		client_addr(c->addr[0], c->v6, h);
		c->port[0] = (uint16_t)(32768u + (host_base[h] + off) % 28232u);
		break;
	}
	server_addr(c->addr[1], c->v6, rnd_below(NSERVERS));
	c->port[1] = server_ports[rnd_below(sizeof server_ports / sizeof server_ports[0])];

	double u = rnd_unit();
	c->os = u < 0.55 ? OS_LINUX : u < 0.85 ? OS_WINDOWS : u < 0.95 ? OS_MAC : OS_BARE;
	c->tsopt = c->os == OS_LINUX || c->os == OS_MAC;
	uint16_t mss = c->v6 ? 1440 : 1460;
	c->mss[0] = c->os == OS_BARE ? 536 : (chance(0.2) ? (uint16_t)(mss - 40) : mss);
	c->mss[1] = mss;
	c->ws[0] = c->os == OS_WINDOWS ? 8 : c->os == OS_MAC ? 6 : 7;
	c->ws[1] = 7;
	c->synwin[0] = c->os == OS_LINUX ? 64240 : c->os == OS_BARE ? 8192 : 65535;
	c->synwin[1] = c->v6 ? 64800 : 65160;
	c->ttl[0] = (uint8_t)(c->os == OS_WINDOWS ? 128 - rnd_range(5, 20) : 64 - rnd_range(5, 20));
	c->ttl[1] = 64;
	c->tsbase[0] = (uint32_t)rnd();
	c->tsbase[1] = (uint32_t)rnd();
}

/* a fresh connection instance (new ISNs, timing, scenario) on c's tuple */
static void new_instance(struct conn *c)
{
	double u = rnd_unit();
	c->rtt = u < 0.5 ? rnd_range(300, 10000) : u < 0.85 ? rnd_range(10000, 80000)
							  : rnd_range(80000, 300000);
	c->isn[0] = (uint32_t)rnd();
	c->isn[1] = (uint32_t)rnd();
	c->label[0] = 0;
	if (chance(0.03)) { /* sequence numbers wrap past 2^32 early on */
		int side = (int)rnd_below(3);
		if (side != 1)
			c->isn[0] = 0xffffffffu - rnd_below(3000);
		if (side != 0)
			c->isn[1] = 0xffffffffu - rnd_below(6000);
		strcat(c->label, "seq-wrap ");
	}
	c->win[0] = (uint16_t)rnd_range(500, 2058);
	c->win[1] = (uint16_t)rnd_range(480, 1024);
	c->ipid[0] = (uint16_t)rnd();
	c->ipid[1] = (uint16_t)rnd();
	c->flow[0] = (uint32_t)rnd() & 0xfffffu;
	c->flow[1] = (uint32_t)rnd() & 0xfffffu;
	c->tslast[0] = c->tslast[1] = 0;
	c->n = 0;
	c->next = 0;
	c->clean_close = false;
	c->viol = V_NONE;
	c->init = INIT_NONE;
}

/* ------------------------------------------------------------------ */
/* scenario choice                                                     */

static void pick_scenario(struct conn *c, bool simple)
{
	if (simple) {
		c->hs = HS_COMPLETE;
		c->td = TD_FOUR_WAY;
		c->init = INIT_CLIENT;
		return;
	}
	if (chance(O.viol_share)) {
		unsigned total = 0, r;
		for (int v = 0; v < V__N; v++)
			total += viol_weight[v];
		r = rnd_below(total);
		int v = 1;
		while (r >= viol_weight[v]) {
			r -= viol_weight[v];
			v++;
		}
		c->viol = (uint8_t)v;
		c->hs = HS_COMPLETE;
		c->init = chance(0.6) ? INIT_CLIENT : INIT_SERVER;
		switch ((enum viol_kind)v) {
		case V_RST_BAD_ACK:
			c->hs = HS_REFUSED;
			c->td = TD_RESET;
			break;
		case V_RST_BAD_SEQ:
		case V_DATA_AFTER_RST:
			c->td = TD_RESET;
			break;
		case V_FIN_BAD_ACK:
		case V_DATA_AFTER_FIN:
		case V_CLOSE_ACK_BAD_SEQ:
			c->td = TD_FOUR_WAY;
			break;
		case V_SYNACK_BAD_ACK:
		case V_HS_ACK_BAD_ACK:
		case V_HS_ACK_BAD_SEQ:
		case V_SYN_RESEND_DIFF_SEQ:
		case V_ACK_UNSEEN_DATA:
		case V_NONE:
		case V__N:
			c->td = chance(0.6) ? TD_FOUR_WAY : TD_THREE_WAY;
			break;
		}
		return;
	}
	double u = rnd_unit();
	if (u < 0.035) {
		c->hs = HS_NO_REPLY;
		c->td = TD_OPEN;
		return;
	}
	if (u < 0.075) {
		c->hs = HS_REFUSED;
		c->td = TD_RESET;
		return;
	}
	if (u < 0.092) {
		c->hs = HS_NO_FINAL_ACK;
		c->td = TD_OPEN;
		return;
	}
	c->hs = HS_COMPLETE;
	u = rnd_unit();
	c->td = u < 0.50 ? TD_FOUR_WAY : u < 0.72 ? TD_THREE_WAY : u < 0.735 ? TD_SIMULTANEOUS
		: u < 0.76 ? TD_HALF_CLOSED : u < 0.78 ? TD_INCOMPLETE : u < 0.90 ? TD_RESET : TD_OPEN;
	c->init = c->td == TD_SIMULTANEOUS ? INIT_BOTH : chance(0.6) ? INIT_CLIENT : INIT_SERVER;
}

static void build_conn(struct conn *c, uint32_t ndata, bool simple)
{
	c->simple = simple;
	pick_scenario(c, simple);
	if (build_handshake(c)) {
		build_data(c, ndata);
		build_close(c);
	}
	if (c->hs == HS_REFUSED)
		c->init = INIT_SERVER;
	else if (c->hs != HS_COMPLETE || c->td == TD_OPEN)
		c->init = INIT_NONE;
	if (c->viol != V_NONE)
		c->clean_close = false;
}

/* ------------------------------------------------------------------ */
/* frame writer                                                        */

static unsigned char pattern[2048];
static uint64_t frames;
static uint64_t last_us;

static size_t tcp_options(struct conn *c, const struct pk *p, uint32_t tsval, unsigned char *o)
{
	const int d = p->dir;
	uint32_t tsecr = (p->flags & F_SYN) && !(p->flags & F_ACK) ? 0 : c->tslast[1 - d];
	size_t n = 0;
	if (p->flags & F_SYN) {
		uint16_t mss = c->mss[d];
		if (d == 0 && c->os == OS_WINDOWS) { /* MSS,NOP,WS,NOP,NOP,SACK_PERM */
			o[0] = 2; o[1] = 4; put16(o + 2, mss);
			o[4] = 1; o[5] = 3; o[6] = 3; o[7] = c->ws[0];
			o[8] = 1; o[9] = 1; o[10] = 4; o[11] = 2;
			return 12;
		}
		if (d == 0 && c->os == OS_MAC) { /* MSS,NOP,WS,NOP,NOP,TS,SACK_PERM,EOL */
			o[0] = 2; o[1] = 4; put16(o + 2, mss);
			o[4] = 1; o[5] = 3; o[6] = 3; o[7] = c->ws[0];
			o[8] = 1; o[9] = 1; o[10] = 8; o[11] = 10;
			put32(o + 12, tsval); put32(o + 16, tsecr);
			o[20] = 4; o[21] = 2; o[22] = 0; o[23] = 0;
			return 24;
		}
		if (d == 0 && c->os == OS_BARE) {
			o[0] = 2; o[1] = 4; put16(o + 2, mss);
			return 4;
		}
		if (c->os == OS_BARE) { /* SYN-ACK to an MSS-only SYN */
			o[0] = 2; o[1] = 4; put16(o + 2, mss);
			return 4;
		}
		if (c->tsopt) { /* MSS,SACK_PERM,TS,NOP,WS (Linux) */
			o[0] = 2; o[1] = 4; put16(o + 2, mss);
			o[4] = 4; o[5] = 2;
			o[6] = 8; o[7] = 10; put32(o + 8, tsval); put32(o + 12, tsecr);
			o[16] = 1; o[17] = 3; o[18] = 3; o[19] = c->ws[d];
			return 20;
		}
		/* MSS,NOP,NOP,SACK_PERM,NOP,WS */
		o[0] = 2; o[1] = 4; put16(o + 2, mss);
		o[4] = 1; o[5] = 1; o[6] = 4; o[7] = 2;
		o[8] = 1; o[9] = 3; o[10] = 3; o[11] = c->ws[d];
		return 12;
	}
	if (c->tsopt && !(p->flags & F_RST)) {
		o[0] = 1; o[1] = 1; o[2] = 8; o[3] = 10;
		put32(o + 4, tsval);
		put32(o + 8, tsecr);
		n = 12;
	}
	return n;
}

static void emit(struct conn *c, const struct pk *p, uint64_t t)
{
	unsigned char h[160];
	const int d = p->dir;
	const size_t iphl = c->v6 ? 40 : 20;
	uint32_t tsval = c->tsbase[d] + (uint32_t)(t / 1000);
	unsigned char *tcp = h + 14 + iphl;
	size_t ol = tcp_options(c, p, tsval, tcp + 20);
	if (c->tsopt)
		c->tslast[d] = tsval;
	size_t thl = 20 + ol;
	size_t hl = 14 + iphl + thl;

	/* Ethernet: server NIC <-> gateway */
	static const unsigned char mac_srv[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	static const unsigned char mac_gw[6] = { 0x00, 0x1b, 0x21, 0xab, 0xcd, 0xef };
	memcpy(h, d == 0 ? mac_srv : mac_gw, 6);
	memcpy(h + 6, d == 0 ? mac_gw : mac_srv, 6);

	const uint8_t *src = c->addr[d], *dst = c->addr[1 - d];
	if (!c->v6) {
		h[12] = 0x08; h[13] = 0x00;
		unsigned char *ip = h + 14;
		ip[0] = 0x45; ip[1] = 0;
		put16(ip + 2, (uint32_t)(20 + thl + p->len));
		put16(ip + 4, c->ipid[d]++);
		put16(ip + 6, 0x4000);
		ip[8] = c->ttl[d]; ip[9] = 6;
		ip[10] = ip[11] = 0;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		uint32_t sum = 0;
		for (int i = 0; i < 20; i += 2)
			sum += (uint32_t)ip[i] << 8 | ip[i + 1];
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		put16(ip + 10, ~sum & 0xffff);
	} else {
		h[12] = 0x86; h[13] = 0xdd;
		unsigned char *ip = h + 14;
		put32(ip, 0x60000000u | c->flow[d]);
		put16(ip + 4, (uint32_t)(thl + p->len));
		ip[6] = 6;
		ip[7] = c->ttl[d];
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
	}
	put16(tcp, c->port[d]);
	put16(tcp + 2, c->port[1 - d]);
	put32(tcp + 4, p->seq);
	put32(tcp + 8, p->ack);
	tcp[12] = (unsigned char)((thl / 4) << 4);
	tcp[13] = p->flags;
	put16(tcp + 14, (p->flags & F_SYN) ? c->synwin[d] : (p->flags & F_RST) ? 0 : c->win[d]);
	put16(tcp + 16, (p->seq ^ p->ack ^ p->len ^ (p->seq >> 16)) & 0xffff); /* not verifiable */
	put16(tcp + 18, 0);

	uint32_t wire = (uint32_t)(hl + p->len);
	uint32_t padded = wire < 60 ? 60 : wire; /* Ethernet minimum frame */
	uint32_t cap = padded < O.snaplen ? padded : O.snaplen;
	unsigned char *b = out_reserve(16 + (size_t)cap);
	if (t <= last_us && frames)
		t = last_us + 1;
	last_us = t;
	puthost32(b, (uint32_t)(O.start + (int64_t)(t / 1000000)));
	puthost32(b + 4, (uint32_t)(t % 1000000));
	puthost32(b + 8, cap);
	puthost32(b + 12, padded);
	b += 16;
	if (cap <= hl) {
		memcpy(b, h, cap);
	} else {
		memcpy(b, h, hl);
		uint32_t rest = cap - (uint32_t)hl;
		uint32_t pay = rest < p->len ? rest : p->len;
		memcpy(b + hl, pattern + (p->seq & 511), pay);
		memset(b + hl + pay, 0, rest - pay);
	}
	olen += 16 + (size_t)cap;
	frames++;
}

/* ------------------------------------------------------------------ */
/* truth                                                               */

static FILE *tfp;
static uint64_t hist_hs[HS__N], hist_td[TD__N], hist_v[V__N];

static void write_truth(const struct conn *c)
{
	hist_hs[c->hs]++;
	hist_td[c->td]++;
	hist_v[c->viol]++;
	if (!tfp)
		return;
	char ca[INET6_ADDRSTRLEN], sa[INET6_ADDRSTRLEN];
	int af = c->v6 ? AF_INET6 : AF_INET;
	inet_ntop(af, c->addr[0], ca, sizeof ca);
	inet_ntop(af, c->addr[1], sa, sizeof sa);
	size_t ll = strlen(c->label);
	int lablen = (int)(ll && c->label[ll - 1] == ' ' ? ll - 1 : ll);
	fprintf(tfp,
		"{\"client\":{\"addr\":\"%s\",\"port\":%u},\"server\":{\"addr\":\"%s\",\"port\":%u},"
		"\"first_frame\":%" PRIu64 ",\"handshake\":\"%s\",\"teardown\":\"%s\","
		"\"violations\":[%s%s%s],\"initiator\":%s,\"packets\":%u,\"scenario\":\"%s%s%.*s\"}\n",
		ca, c->port[0], sa, c->port[1], c->first_frame, hs_name[c->hs], td_name[c->td],
		c->viol ? "\"" : "", viol_name[c->viol], c->viol ? "\"" : "", init_json[c->init], c->n,
		c->hs == HS_COMPLETE ? td_name[c->td] : hs_name[c->hs], lablen ? " " : "", lablen,
		c->label);
}

/* ------------------------------------------------------------------ */
/* scheduler                                                           */

static uint64_t *heap_t;
static uint32_t *heap_s;
static uint32_t heap_n;

static bool heap_less(uint32_t i, uint32_t j)
{
	return heap_t[i] < heap_t[j] || (heap_t[i] == heap_t[j] && heap_s[i] < heap_s[j]);
}

static void heap_swap(uint32_t i, uint32_t j)
{
	uint64_t t = heap_t[i];
	heap_t[i] = heap_t[j];
	heap_t[j] = t;
	uint32_t s = heap_s[i];
	heap_s[i] = heap_s[j];
	heap_s[j] = s;
}

static void heap_down(uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < heap_n && heap_less(l, m))
			m = l;
		if (r < heap_n && heap_less(r, m))
			m = r;
		if (m == i)
			return;
		heap_swap(i, m);
		i = m;
	}
}

static void heap_up(uint32_t i)
{
	while (i > 0) {
		uint32_t p = (i - 1) / 2;
		if (!heap_less(i, p))
			return;
		heap_swap(i, p);
		i = p;
	}
}

static void heap_push(uint64_t t, uint32_t s)
{
	heap_t[heap_n] = t;
	heap_s[heap_n] = s;
	heap_up(heap_n++);
}

/* planning state: keeps the packet total on target */
static uint64_t conns_started, packets_planned;
static double ctrl_avg = 8.0;

static void start_conn(struct conn *c, bool reuse)
{
	if (!reuse)
		alloc_tuple(c);
	new_instance(c);
	if (reuse)
		strcat(c->label, "port-reuse ");
	uint64_t remaining_c = O.conns - conns_started;
	bool last = remaining_c == 1;
	uint32_t ndata;
	if (last) {
		uint64_t rem = O.packets > packets_planned ? O.packets - packets_planned : 0;
		ndata = rem > 7 ? (uint32_t)(rem - 7) : 0;
	} else {
		double rem = (double)O.packets - (double)packets_planned;
		double mean = rem / (double)remaining_c - ctrl_avg;
		if (mean < 0)
			mean = 0;
		double d = rnd_exp(mean);
		if (d > mean * 40 + 100)
			d = mean * 40 + 100;
		ndata = (uint32_t)d;
	}
	build_conn(c, ndata, last);
	if (!last && c->hs == HS_COMPLETE) {
		double ctrl = (double)c->n - (double)ndata;
		ctrl_avg += (ctrl - ctrl_avg) * 0.001;
	}
	conns_started++;
	packets_planned += c->n;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench-gen --out FILE [options]\n"
		"  --packets N       total packets (default 10000000, or conns*%d)\n"
		"  --conns N         total connections (default packets/%d)\n"
		"  --concurrency N   connections open at once (default 1000)\n"
		"  --snaplen N       bytes stored per frame (default 96)\n"
		"  --seed N          PRNG seed (default 1); same options+seed = same bytes\n"
		"  --v6-share F      fraction of IPv6 connections (default 0.2)\n"
		"  --violation-share F  fraction of connections with one seq/ack violation (0.005)\n"
		"  --reuse-share F   fraction of clean closes followed by port reuse (0.03)\n"
		"  --out FILE        pcap to write (\"-\" = stdout)\n"
		"  --truth FILE      JSON Lines: true outcome of every connection\n"
		"  --syn-flood N     instead: N unanswered SYNs from distinct random sources\n"
		"  --flood-rate R    SYNs per second in --syn-flood (default 100000)\n"
		"  --start EPOCH     capture start time (default 1718000000)\n"
		"  --quiet           no statistics on stderr\n",
		PKTS_PER_CONN, PKTS_PER_CONN);
}

static uint64_t parse_u64(const char *opt, const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-') {
		fprintf(stderr, "bench-gen: %s: not a number: %s\n", opt, s);
		exit(2);
	}
	return (uint64_t)v;
}

static double parse_frac(const char *opt, const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || !(v >= 0.0 && v <= 1.0)) {
		fprintf(stderr, "bench-gen: %s: expected a number in [0,1]: %s\n", opt, s);
		exit(2);
	}
	return v;
}

static void parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		char name[32];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		}
		if (!strcmp(a, "--quiet")) {
			O.quiet = true;
			continue;
		}
		if (strncmp(a, "--", 2) != 0) {
			fprintf(stderr, "bench-gen: unexpected argument: %s\n", a);
			exit(2);
		}
		const char *eq = strchr(a, '=');
		size_t nl = eq ? (size_t)(eq - a) : strlen(a);
		if (nl >= sizeof name) {
			fprintf(stderr, "bench-gen: unknown option: %s\n", a);
			exit(2);
		}
		memcpy(name, a, nl);
		name[nl] = 0;
		static const char *const known[] = { "--packets", "--conns", "--concurrency",
			"--snaplen", "--seed", "--v6-share", "--violation-share", "--reuse-share",
			"--out", "--truth", "--syn-flood", "--flood-rate", "--start" };
		bool ok = false;
		for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
			ok = ok || !strcmp(name, known[k]);
		if (!ok) {
			fprintf(stderr, "bench-gen: unknown option: %s (see --help)\n", name);
			exit(2);
		}
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else {
			fprintf(stderr, "bench-gen: %s needs a value\n", a);
			exit(2);
		}
		if (!strcmp(name, "--packets"))
			O.packets = parse_u64(name, val);
		else if (!strcmp(name, "--conns"))
			O.conns = parse_u64(name, val);
		else if (!strcmp(name, "--concurrency"))
			O.concurrency = (uint32_t)parse_u64(name, val);
		else if (!strcmp(name, "--snaplen"))
			O.snaplen = (uint32_t)parse_u64(name, val);
		else if (!strcmp(name, "--seed"))
			O.seed = parse_u64(name, val);
		else if (!strcmp(name, "--v6-share"))
			O.v6_share = parse_frac(name, val);
		else if (!strcmp(name, "--violation-share"))
			O.viol_share = parse_frac(name, val);
		else if (!strcmp(name, "--reuse-share"))
			O.reuse_share = parse_frac(name, val);
		else if (!strcmp(name, "--out"))
			O.out = val;
		else if (!strcmp(name, "--truth"))
			O.truth = val;
		else if (!strcmp(name, "--syn-flood"))
			O.flood = parse_u64(name, val);
		else if (!strcmp(name, "--flood-rate")) {
			O.flood_rate = (double)parse_u64(name, val);
		} else if (!strcmp(name, "--start"))
			O.start = (int64_t)parse_u64(name, val);
		else {
			fprintf(stderr, "bench-gen: unknown option: %s\n", name);
			exit(2);
		}
	}
	if (!O.out) {
		fprintf(stderr, "bench-gen: --out FILE is required\n");
		usage(stderr);
		exit(2);
	}
	if (O.snaplen < 54 || O.snaplen > 262144) {
		fprintf(stderr, "bench-gen: --snaplen must be in [54, 262144]\n");
		exit(2);
	}
	if (O.concurrency < 1 || O.concurrency > 10000000) {
		fprintf(stderr, "bench-gen: --concurrency must be in [1, 10000000]\n");
		exit(2);
	}
	if (O.flood_rate < 1)
		O.flood_rate = 1;
	if (!O.packets && !O.conns)
		O.packets = DEFAULT_PACKETS;
	if (!O.conns)
		O.conns = O.packets / PKTS_PER_CONN ? O.packets / PKTS_PER_CONN : 1;
	if (!O.packets)
		O.packets = O.conns * PKTS_PER_CONN;
}

/* ------------------------------------------------------------------ */
/* SYN flood                                                           */

/* a bijection on [0, 2^42): distinct i give distinct sources */
static uint64_t perm42(uint64_t x)
{
	const uint64_t m = (1ULL << 42) - 1;
	x = (x + (O.seed * 0x9e3779b97f4a7c15ULL)) & m;
	x = (x * 0x5851f42d4c957f2dULL) & m;
	x ^= x >> 21;
	x = (x * 0x2545f4914f6cdd1dULL) & m;
	x ^= x >> 19;
	x = (x * 0x9e3779b97f4a7c15ULL) & m;
	x ^= x >> 22;
	return x;
}

static void run_flood(void)
{
	/* eight /8 networks, 24 host bits, 10 port bits -> 2^37 distinct sources... */
	static const uint8_t nets[8] = { 23, 45, 61, 77, 89, 101, 117, 131 };
	struct conn c;
	memset(&c, 0, sizeof c);
	c.port[1] = 80;
	c.ws[0] = 7;
	c.synwin[0] = 512;
	c.rtt = 1000;
	struct pk p = { .gap = 0, .seq = 0, .ack = 0, .len = 0, .flags = F_SYN, .dir = 0 };
	double t = 0;
	double mean_gap = 1e6 / O.flood_rate;
	for (uint64_t i = 0; i < O.flood; i++) {
		uint64_t x = perm42(i);
		/* 42 bits: 3 network, 24 host, 15 port */
		c.v6 = O.v6_share > 0 && (double)((x >> 30) & 0x3ff) < O.v6_share * 1024.0;
		uint32_t host = (uint32_t)(x >> 15) & 0xffffff;
		uint32_t net = (uint32_t)(x >> 39) & 7;
		memset(c.addr, 0, sizeof c.addr);
		if (!c.v6) {
			c.addr[0][0] = nets[net];
			c.addr[0][1] = (uint8_t)(host >> 16);
			c.addr[0][2] = (uint8_t)(host >> 8);
			c.addr[0][3] = (uint8_t)host;
			c.addr[1][0] = 192; c.addr[1][1] = 0; c.addr[1][2] = 2; c.addr[1][3] = 80;
		} else { /* 2001:db8:f00N:HHHH:HH00::1 */
			uint8_t *a = c.addr[0];
			a[0] = 0x20; a[1] = 0x01; a[2] = 0x0d; a[3] = 0xb8;
			a[4] = 0xf0; a[5] = (uint8_t)net;
			a[6] = (uint8_t)(host >> 16); a[7] = (uint8_t)(host >> 8); a[8] = (uint8_t)host;
			a[15] = 1;
			uint8_t *s = c.addr[1];
			s[0] = 0x20; s[1] = 0x01; s[2] = 0x0d; s[3] = 0xb8; s[5] = 0x05; s[15] = 0x80;
		}
		c.port[0] = (uint16_t)(1024u + ((uint32_t)x & 0x7fff));
		uint64_t r = rnd();
		c.os = (r & 1) ? OS_BARE : OS_LINUX;
		c.tsopt = c.os == OS_LINUX;
		c.mss[0] = c.v6 ? 1440 : 1460;
		c.ttl[0] = (uint8_t)(40 + ((r >> 8) & 0x7f));
		c.ipid[0] = (uint16_t)(r >> 16);
		c.flow[0] = (uint32_t)(r >> 32) & 0xfffff;
		c.synwin[0] = (r & 2) ? 512 : 64240;
		c.tsbase[0] = (uint32_t)(r >> 20);
		p.seq = (uint32_t)rnd();
		t += rnd_exp(mean_gap);
		c.first_frame = frames + 1;
		c.hs = HS_NO_REPLY;
		c.td = TD_OPEN;
		c.viol = V_NONE;
		c.init = INIT_NONE;
		c.n = 1;
		c.label[0] = 0;
		emit(&c, &p, (uint64_t)t);
		write_truth(&c);
	}
}

/* ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	rnd_seed(O.seed);
	for (size_t i = 0; i < sizeof pattern; i++)
		pattern[i] = (unsigned char)(rnd() >> 56);

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	obuf = malloc(OBUF_SIZE);
	if (!obuf)
		die("malloc");
	if (!strcmp(O.out, "-"))
		ofp = stdout;
	else if (!(ofp = fopen(O.out, "wb")))
		die(O.out);
	if (O.truth) {
		if (!(tfp = fopen(O.truth, "w")))
			die(O.truth);
		setvbuf(tfp, NULL, _IOFBF, 1u << 20);
	}
	write_pcap_header();

	uint64_t span_us = 0;
	uint32_t conc = 0;
	if (O.flood) {
		run_flood();
		span_us = last_us;
	} else {
		conc = O.concurrency < O.conns ? O.concurrency : (uint32_t)O.conns;
		nhosts = (uint32_t)(O.conns / 12 + 256);
		host_off = calloc(nhosts, sizeof *host_off);
		host_base = malloc(nhosts * sizeof *host_base);
		struct conn *slots = calloc(conc, sizeof *slots);
		heap_t = malloc(conc * sizeof *heap_t);
		heap_s = malloc(conc * sizeof *heap_s);
		if (!host_off || !host_base || !slots || !heap_t || !heap_s)
			die("malloc");
		for (uint32_t h = 0; h < nhosts; h++)
			host_base[h] = (uint16_t)rnd_below(28232);

		/* the first connections start spread over the first two seconds */
		for (uint32_t s = 0; s < conc; s++) {
			start_conn(&slots[s], false);
			slots[s].t = rnd_below(2000000);
			heap_push(slots[s].t, s);
		}
		while (heap_n) {
			uint32_t s = heap_s[0];
			struct conn *c = &slots[s];
			if (c->next == 0) {
				c->first_frame = frames + 1;
				write_truth(c);
			}
			emit(c, &c->pk[c->next], c->t);
			uint64_t now = c->t;
			if (++c->next < c->n) {
				c->t += c->pk[c->next].gap;
				heap_t[0] = c->t;
				heap_down(0);
				continue;
			}
			if (conns_started < O.conns) {
				bool reuse = c->clean_close && chance(O.reuse_share);
				start_conn(c, reuse);
				c->t = now + (reuse ? rnd_range(10000, 2000000) : rnd_range(1, 20000));
				heap_t[0] = c->t;
				heap_down(0);
			} else {
				heap_n--;
				if (heap_n) {
					heap_t[0] = heap_t[heap_n];
					heap_s[0] = heap_s[heap_n];
					heap_down(0);
				}
			}
		}
		span_us = last_us;
		for (uint32_t s = 0; s < conc; s++)
			free(slots[s].pk);
		free(slots);
		free(heap_t);
		free(heap_s);
		free(host_off);
		free(host_base);
	}
	out_flush();
	if (ofp != stdout ? fclose(ofp) != 0 : fflush(ofp) != 0)
		die(O.out);
	if (tfp && fclose(tfp) != 0)
		die(O.truth);
	free(obuf);

	clock_gettime(CLOCK_MONOTONIC, &t1);
	double el = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (!O.quiet) {
		uint64_t nconn = 0;
		for (int i = 0; i < HS__N; i++)
			nconn += hist_hs[i];
		fprintf(stderr,
			"bench-gen: %" PRIu64 " packets, %" PRIu64 " connections, %.1f MB, "
			"capture span %.1f s, written in %.2f s (%.1f Mpkt/s)\n",
			frames, nconn, (double)out_bytes / 1e6, (double)span_us / 1e6, el,
			el > 0 ? (double)frames / el / 1e6 : 0.0);
		fprintf(stderr, "bench-gen: handshake:");
		for (int i = 0; i < HS__N; i++)
			fprintf(stderr, " %s=%" PRIu64, hs_name[i], hist_hs[i]);
		fprintf(stderr, "\nbench-gen: teardown:");
		for (int i = 0; i < TD__N; i++)
			fprintf(stderr, " %s=%" PRIu64, td_name[i], hist_td[i]);
		fprintf(stderr, "\nbench-gen: violations:");
		for (int i = 1; i < V__N; i++)
			fprintf(stderr, " %s=%" PRIu64, viol_name[i], hist_v[i]);
		fprintf(stderr, "\n");
	}
	return 0;
}
