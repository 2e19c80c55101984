/*
 * flow.c - the connection table.
 *
 * A 4-tuple maps to its current connection instance through an open-addressing
 * hash table with a per-run random key, so a crafted capture cannot pile every
 * connection into one probe run. Each open connection also sits on one of two
 * lists ordered by last activity (capture time): "open" (idle timeout) and
 * "closed" (closed or reset, lingering --settle seconds for stragglers). The
 * head of a list is always its least recently active connection, so expiry
 * and eviction are O(1) per connection.
 *
 * A connection is finished exactly once (closed and settled, reset and
 * settled, idle, reused, evicted, or end of input): the tracker settles held
 * checks, classify fills the outcomes, and the sink takes ownership.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "synfin/classify.h"
#include "synfin/flow.h"
#include "synfin/track.h"

enum { LIST_NONE, LIST_OPEN, LIST_CLOSED };

struct conn_list {
	struct sf_conn *head, *tail;
};

/*
 * Open addressing with linear probing. A slot keeps the connection's hash,
 * so a probe touches the connection itself only when the hash matches: the
 * per-packet lookup is one or two cache lines of slots, not a walk through
 * 1.4 KB connection records.
 */
struct slot {
	uint32_t hash;
	struct sf_conn *c; /* NULL: empty */
};

struct sf_flow_table {
	struct sf_flow_config cfg;
	sf_flow_sink sink;
	void *ctx;
	struct slot *slots;
	size_t n_slots;   /* power of two, at least twice count */
	size_t count;
	uint64_t k0, k1;  /* hash key */
	uint64_t next_id;
	int64_t clock_ns; /* latest capture time seen */
	bool have_clock;
	int64_t idle_ns, settle_ns;
	struct conn_list open, closed;
	struct sf_flow_stats stats;
};

/* ---- keyed hash ---------------------------------------------------------- */

static inline uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND                                                                                   \
	do {                                                                                       \
		v0 += v1;                                                                          \
		v1 = rotl(v1, 13);                                                                 \
		v1 ^= v0;                                                                          \
		v0 = rotl(v0, 32);                                                                 \
		v2 += v3;                                                                          \
		v3 = rotl(v3, 16);                                                                 \
		v3 ^= v2;                                                                          \
		v0 += v3;                                                                          \
		v3 = rotl(v3, 21);                                                                 \
		v3 ^= v0;                                                                          \
		v2 += v1;                                                                          \
		v1 = rotl(v1, 17);                                                                 \
		v1 ^= v2;                                                                          \
		v2 = rotl(v2, 32);                                                                 \
	} while (0)

/*
 * SipHash-1-3 over n 64-bit words: a keyed PRF, so without the key an
 * attacker cannot choose tuples that collide (the reason Suricata seeds its
 * flow hash, and why a plain multiplicative hash would not do).
 */
static uint64_t siphash13_words(uint64_t k0, uint64_t k1, const uint64_t *w, size_t n)
{
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL;
	uint64_t v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL;
	uint64_t v3 = k1 ^ 0x7465646279746573ULL;
	for (size_t i = 0; i < n; i++) {
		v3 ^= w[i];
		SIPROUND;
		v0 ^= w[i];
	}
	uint64_t b = (uint64_t)(n * 8) << 56;
	v3 ^= b;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

static uint64_t load64(const uint8_t *b)
{
	uint64_t v;
	memcpy(&v, b, sizeof v);
	return v;
}

/*
 * Direction-free: the (address, port) pairs are put in a fixed order first.
 * IPv4 tuples (the common case) hash two words; IPv6 five.
 */
static uint32_t tuple_hash(const struct sf_flow_table *t, const struct sf_addr *a, uint16_t ap,
			   const struct sf_addr *b, uint16_t bp)
{
	if (a->family == 4 && b->family == 4) {
		uint32_t x, y;
		memcpy(&x, a->b, 4);
		memcpy(&y, b->b, 4);
		uint64_t ka = (uint64_t)x << 16 | ap, kb = (uint64_t)y << 16 | bp;
		if (ka > kb) {
			uint64_t tk = ka;
			ka = kb;
			kb = tk;
		}
		uint64_t w[2] = {ka << 16 | (kb >> 32), (kb & 0xffffffffu) | (uint64_t)4 << 56};
		return (uint32_t)siphash13_words(t->k0, t->k1, w, 2);
	}
	int cmp = sf_addr_cmp(a, b);
	if (cmp > 0 || (cmp == 0 && ap > bp)) {
		const struct sf_addr *ta = a;
		uint16_t tp = ap;
		a = b;
		ap = bp;
		b = ta;
		bp = tp;
	}
	uint64_t w[5];
	w[0] = load64(a->b);
	w[1] = load64(a->b + 8);
	w[2] = load64(b->b);
	w[3] = load64(b->b + 8);
	w[4] = (uint64_t)ap | (uint64_t)bp << 16 | (uint64_t)a->family << 32 | (uint64_t)b->family << 40;
	return (uint32_t)siphash13_words(t->k0, t->k1, w, 5);
}

/* ---- lists --------------------------------------------------------------- */

static struct conn_list *list_of(struct sf_flow_table *t, uint8_t which)
{
	return which == LIST_CLOSED ? &t->closed : &t->open;
}

static void list_remove(struct sf_flow_table *t, struct sf_conn *c)
{
	if (c->list == LIST_NONE)
		return;
	struct conn_list *l = list_of(t, c->list);
	if (c->lprev)
		c->lprev->lnext = c->lnext;
	else
		l->head = c->lnext;
	if (c->lnext)
		c->lnext->lprev = c->lprev;
	else
		l->tail = c->lprev;
	c->lprev = c->lnext = NULL;
	c->list = LIST_NONE;
}

static void list_append(struct sf_flow_table *t, struct sf_conn *c, uint8_t which)
{
	struct conn_list *l = list_of(t, which);
	c->list = which;
	c->lnext = NULL;
	c->lprev = l->tail;
	if (l->tail)
		l->tail->lnext = c;
	else
		l->head = c;
	l->tail = c;
}

/* ---- table --------------------------------------------------------------- */

static bool matches(const struct sf_conn *c, const struct sf_packet *p, bool *from0)
{
	if (c->ep[0].port == p->sport && c->ep[1].port == p->dport &&
	    sf_addr_eq(&c->ep[0].addr, &p->src) && sf_addr_eq(&c->ep[1].addr, &p->dst)) {
		*from0 = true;
		return true;
	}
	if (c->ep[1].port == p->sport && c->ep[0].port == p->dport &&
	    sf_addr_eq(&c->ep[1].addr, &p->src) && sf_addr_eq(&c->ep[0].addr, &p->dst)) {
		*from0 = false;
		return true;
	}
	return false;
}

static void slot_put(struct slot *slots, size_t n, uint32_t h, struct sf_conn *c)
{
	size_t i = h & (n - 1);
	while (slots[i].c)
		i = (i + 1) & (n - 1);
	slots[i].hash = h;
	slots[i].c = c;
}

static void grow(struct sf_flow_table *t)
{
	size_t n = t->n_slots * 2;
	struct slot *ns = calloc(n, sizeof *ns);
	if (!ns)
		return; /* stay at a higher load: still correct while a slot is free */
	for (size_t i = 0; i < t->n_slots; i++)
		if (t->slots[i].c)
			slot_put(ns, n, t->slots[i].hash, t->slots[i].c);
	free(t->slots);
	t->slots = ns;
	t->n_slots = n;
}

/* Remove c's slot and shift later members of its probe run back (no tombstones). */
static void unlink_conn(struct sf_flow_table *t, struct sf_conn *c)
{
	size_t mask = t->n_slots - 1;
	size_t i = c->hash & mask;
	while (t->slots[i].c && t->slots[i].c != c)
		i = (i + 1) & mask;
	if (t->slots[i].c == c) {
		size_t j = i;
		for (;;) {
			j = (j + 1) & mask;
			if (!t->slots[j].c)
				break;
			size_t home = t->slots[j].hash & mask;
			/* move j back to i unless its home lies cyclically in (i, j] */
			bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
			if (!stays) {
				t->slots[i] = t->slots[j];
				i = j;
			}
		}
		t->slots[i].c = NULL;
		t->slots[i].hash = 0;
	}
	list_remove(t, c);
	t->count--;
	t->stats.open = t->count;
}

static void finish(struct sf_flow_table *t, struct sf_conn *c, enum sf_end_reason why)
{
	unlink_conn(t, c);
	sf_track_finish(c);
	sf_classify(c);
	c->end_reason = why;
	if (why == SF_END_EVICTED)
		t->stats.evicted++;
	else if (why == SF_END_IDLE)
		t->stats.idle_expired++;
	t->sink(c, t->ctx);
}

static enum sf_end_reason settled_reason(const struct sf_conn *c)
{
	return c->rst_effective ? SF_END_RESET : SF_END_CLOSED;
}


/*
 * Activity is measured on the table's clock (the latest capture time seen),
 * not on each packet's own time stamp: captures whose time goes backwards
 * (merged files, clock steps) would otherwise expire a connection on the
 * packet after the one that created it. Both lists are in touch order.
 */
static void expire_ns(struct sf_flow_table *t, int64_t now)
{
	while (t->closed.head && now - t->closed.head->touch_ns > t->settle_ns)
		finish(t, t->closed.head, settled_reason(t->closed.head));
	while (t->open.head && now - t->open.head->touch_ns > t->idle_ns)
		finish(t, t->open.head, SF_END_IDLE);
}

void sf_flow_expire(struct sf_flow_table *t, struct sf_ts now)
{
	expire_ns(t, sf_ts_ns(now));
}

/* Seconds from the command line to nanoseconds, saturating far beyond any capture. */
static int64_t secs_to_ns(double secs)
{
	if (!(secs > 0))
		return 0;
	if (secs > 4e9)
		return INT64_MAX / 2;
	return (int64_t)(secs * 1e9);
}

struct sf_flow_table *sf_flow_new(const struct sf_flow_config *cfg, sf_flow_sink sink, void *ctx)
{
	struct sf_flow_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->cfg = *cfg;
	t->sink = sink;
	t->ctx = ctx;
	t->idle_ns = secs_to_ns(cfg->idle_timeout);
	t->settle_ns = secs_to_ns(cfg->settle_time);
	t->n_slots = 2048;
	t->slots = calloc(t->n_slots, sizeof *t->slots);
	if (!t->slots) {
		free(t);
		return NULL;
	}
	uint64_t seed = cfg->seed;
	if (seed == 0) {
		FILE *f = fopen("/dev/urandom", "rb");
		if (!f || fread(&seed, sizeof seed, 1, f) != 1) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			seed = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 20 ^ (uint64_t)getpid() << 40;
		}
		if (f)
			fclose(f);
	}
	t->k0 = seed;
	t->k1 = seed * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
	return t;
}

static struct sf_conn *lookup(struct sf_flow_table *t, const struct sf_packet *p, uint32_t h, bool *from0)
{
	size_t mask = t->n_slots - 1;
	for (size_t i = h & mask; t->slots[i].c; i = (i + 1) & mask)
		if (t->slots[i].hash == h && matches(t->slots[i].c, p, from0))
			return t->slots[i].c;
	return NULL;
}

/* Make room under --max-flows: settled connections go first, then the least recently active. */
static void make_room(struct sf_flow_table *t)
{
	while (t->cfg.max_flows && t->count >= t->cfg.max_flows) {
		if (t->closed.head)
			finish(t, t->closed.head, settled_reason(t->closed.head));
		else if (t->open.head)
			finish(t, t->open.head, SF_END_EVICTED);
		else
			break;
	}
}

void sf_flow_packet(struct sf_flow_table *t, const struct sf_packet *p)
{
	int64_t now = sf_ts_ns(p->ts);
	if (!t->have_clock || now > t->clock_ns) {
		t->clock_ns = now;
		t->have_clock = true;
	}
	expire_ns(t, t->clock_ns);

	uint32_t h = tuple_hash(t, &p->src, p->sport, &p->dst, p->dport);
	bool from0 = true;
	struct sf_conn *c = lookup(t, p, h, &from0);
	if (c && sf_track_starts_new(c, p)) {
		finish(t, c, SF_END_REUSED);
		c = NULL;
	}
	if (!c) {
		make_room(t);
		c = malloc(sizeof *c);
		if (!c)
			return; /* out of memory: the segment cannot be tracked */
		sf_track_init(c, t->next_id++, p, t->cfg.want_ladder);
		c->hash = h;
		if ((t->count + 1) * 2 > t->n_slots)
			grow(t);
		slot_put(t->slots, t->n_slots, h, c);
		t->count++;
		t->stats.connections++;
		t->stats.open = t->count;
		if (t->count > t->stats.peak_open)
			t->stats.peak_open = t->count;
		from0 = true;
	} else {
		list_remove(t, c);
	}
	sf_track_segment(c, p, from0);
	c->touch_ns = t->clock_ns;
	list_append(t, c, sf_track_is_closed(c) ? LIST_CLOSED : LIST_OPEN);
}

static int by_id(const void *a, const void *b)
{
	const struct sf_conn *x = *(const struct sf_conn *const *)a;
	const struct sf_conn *y = *(const struct sf_conn *const *)b;
	return x->id < y->id ? -1 : x->id > y->id;
}

void sf_flow_finish_all(struct sf_flow_table *t)
{
	size_t n = t->count, k = 0;
	struct sf_conn **all = malloc((n ? n : 1) * sizeof *all);
	if (!all) {
		/* no memory to sort: finish in list order */
		while (t->open.head)
			finish(t, t->open.head, SF_END_INPUT);
		while (t->closed.head)
			finish(t, t->closed.head, SF_END_INPUT);
		return;
	}
	for (struct sf_conn *c = t->open.head; c; c = c->lnext)
		all[k++] = c;
	for (struct sf_conn *c = t->closed.head; c; c = c->lnext)
		all[k++] = c;
	qsort(all, k, sizeof *all, by_id);
	for (size_t i = 0; i < k; i++) {
		struct sf_conn *c = all[i];
		bool settled = c->list == LIST_CLOSED;
		finish(t, c, settled ? settled_reason(c) : SF_END_INPUT);
	}
	free(all);
}

const struct sf_flow_stats *sf_flow_stats(const struct sf_flow_table *t)
{
	return &t->stats;
}

void sf_flow_free(struct sf_flow_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_slots; i++)
		sf_conn_free(t->slots[i].c);
	free(t->slots);
	free(t);
}
