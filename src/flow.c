/*
 * flow.c - the connection table.
 *
 * A 4-tuple maps to its current connection instance through an open-addressing
 * hash table with a per-run random key, so a crafted capture cannot pile every
 * connection into one probe run. Each open connection also sits on one of two
 * lists ordered by last activity (capture time): "open" (idle timeout) and
 * "closed" (closed or reset, lingering --settle seconds for stragglers). The
 * head of a list is always its least recently active connection, so expiry
 * and eviction are O(1) per connection (amortised).
 *
 * A connection is finished exactly once (closed and settled, reset and
 * settled, idle, reused, evicted, or end of input): it leaves the table with
 * its end reason and the sink takes ownership. Settling its held checks and
 * classifying it are left to whoever reports it (sf_pipeline_deliver), on
 * whichever thread that is: they read nearly every line of the connection,
 * and the report reads them all again just after.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "synfin/alloc.h"
#include "synfin/conn_pool.h"
#include "synfin/flow.h"
#include "synfin/track.h"

enum { LIST_NONE, LIST_OPEN, LIST_CLOSED };

#define HASH_WORDS 10 /* 32-bit words of an IPv6 tuple: two addresses, the ports, the families */

/*
 * An activity list is a log of connection pointers in touch order. Touching
 * a connection blanks its entry and appends a new one at the tail, so the
 * live (non-blank) entries are the list's connections ordered by their last
 * touch, and the first live entry is the least recently active. Neither step
 * reads or writes another connection, where a linked list's unlink writes
 * both neighbours: two cache misses per packet. The head skips blanks as it
 * meets them; when the tail reaches the end of the array the live entries
 * move to the front (and the array doubles while over an eighth of it is
 * live), so each entry is moved at most once per seven appends, amortised.
 */
struct conn_list {
	struct sf_conn **e;
	size_t head, tail, cap; /* entries, live or blank, are e[head..tail) */
	size_t live;
	int64_t due_ns; /* nothing on the list expires at or before this time (see expire_list) */
};

#define LIST_MIN_CAP 1024

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

/*
 * The hash key sits in cache lines of its own: the reader thread hashes
 * with it (sf_flow_key_hash) while this thread writes the table, and sharing
 * a line with the table would bounce it between the cores on every packet.
 */
struct sf_flow_key {
	_Alignas(64) uint64_t a[HASH_WORDS];
	uint64_t b;
};

struct sf_flow_table {
	struct sf_flow_config cfg;
	sf_flow_sink sink;
	void *ctx;
	struct slot *slots;
	size_t n_slots;   /* power of two, at least twice count */
	size_t count;
	struct sf_flow_key *key; /* drawn per run; never written after sf_flow_new */
	uint64_t next_id;
	int64_t clock_ns; /* latest capture time seen; INT64_MIN before the first (sf_ts_ns never is) */
	int64_t due_ns;   /* the earlier of the two lists' due_ns */
	int64_t idle_ns, settle_ns;
	struct conn_list open, closed;
	struct sf_flow_stats stats;
	struct sf_conn_pool *pool; /* the connections' memory, recycled */
};

/* ---- keyed hash ---------------------------------------------------------- */

/*
 * Thorup's pair-multiply-shift ("High Speed Hashing for Integers and
 * Strings", 2015, section 3.6) over 32-bit words x[0..n), n even:
 *
 *   h(x) = ((a0 + x1)(a1 + x0) + (a2 + x3)(a3 + x2) + ... + b) >> 32  (mod 2^64)
 *
 * with a[] and b drawn at random per run. The family is strongly universal
 * for 32-bit outputs: for any two different tuples, fixed before the key is
 * drawn, the probability that they collide is 2^-32, so a capture crafted
 * without the key cannot pile its connections into one probe run (the
 * reason Suricata seeds its flow hash). Two multiplications for an IPv4
 * tuple, where SipHash-1-3 took 150 instructions of dependent rounds.
 */
static inline uint32_t pms_hash(const struct sf_flow_key *k, const uint32_t *x, size_t n)
{
	uint64_t h = k->b;
	for (size_t i = 0; i + 1 < n; i += 2)
		h += (k->a[i] + x[i + 1]) * (k->a[i + 1] + x[i]);
	return (uint32_t)(h >> 32);
}

/* splitmix64: spreads the run's seed over the key words */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t load32(const uint8_t *b)
{
	uint32_t v;
	memcpy(&v, b, sizeof v);
	return v;
}

/*
 * Direction-free: the (address, port) pairs are put in a fixed order first.
 * IPv4 tuples (the common case) hash four words, with two multiplications,
 * inline in the reader's per-packet path; IPv6 ten.
 */
static inline uint32_t tuple_hash_v4(const struct sf_flow_key *k, const struct sf_addr *a, uint16_t ap,
				     const struct sf_addr *b, uint16_t bp)
{
	uint64_t k0 = (uint64_t)load32(a->b) << 16 | ap, k1 = (uint64_t)load32(b->b) << 16 | bp;
	/* min and max: either direction is equally likely, so no branch */
	uint64_t ka = k0 < k1 ? k0 : k1, kb = k0 < k1 ? k1 : k0;
	uint32_t w[4] = {(uint32_t)(ka >> 16), (uint32_t)(kb >> 16),
			 (uint32_t)(ka & 0xffff) << 16 | (uint32_t)(kb & 0xffff), 4};
	return pms_hash(k, w, 4);
}

static uint64_t load64(const uint8_t *b)
{
	uint64_t v;
	memcpy(&v, b, sizeof v);
	return v;
}

/*
 * Any other tuple (IPv6, or mixed families): ten words. The endpoints go in
 * any fixed order: by family, then the address as two native words, then
 * the port (cheaper than sf_addr_cmp()'s byte order, and just as fixed).
 */
static uint32_t tuple_hash_any(const struct sf_flow_key *k, const struct sf_addr *a, uint16_t ap,
			       const struct sf_addr *b, uint16_t bp)
{
	uint64_t a0 = load64(a->b), a1 = load64(a->b + 8), b0 = load64(b->b), b1 = load64(b->b + 8);
	bool swap;
	if (a->family != b->family)
		swap = a->family > b->family;
	else if (a0 != b0)
		swap = a0 > b0;
	else if (a1 != b1)
		swap = a1 > b1;
	else
		swap = ap > bp;
	if (swap) {
		const struct sf_addr *ta = a;
		uint16_t tp = ap;
		a = b;
		ap = bp;
		b = ta;
		bp = tp;
	}
	uint32_t w[HASH_WORDS];
	for (int i = 0; i < 4; i++) {
		w[i] = load32(a->b + 4 * i);
		w[4 + i] = load32(b->b + 4 * i);
	}
	w[8] = (uint32_t)ap << 16 | bp;
	w[9] = (uint32_t)a->family << 8 | b->family;
	return pms_hash(k, w, HASH_WORDS);
}

static inline uint32_t tuple_hash(const struct sf_flow_key *k, const struct sf_addr *a, uint16_t ap,
				  const struct sf_addr *b, uint16_t bp)
{
	if (a->family == 4 && b->family == 4)
		return tuple_hash_v4(k, a, ap, b, bp);
	return tuple_hash_any(k, a, ap, b, bp);
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
	l->e[c->lpos] = NULL;
	l->live--;
	c->list = LIST_NONE;
}

/* Move the live entries to the front, first growing the array if it is over an eighth live. */
static bool list_compact(struct conn_list *l)
{
	size_t cap = l->cap ? l->cap : LIST_MIN_CAP;
	while (l->live >= cap / 8)
		cap *= 2;
	if (cap != l->cap) {
		struct sf_conn **e = realloc(l->e, cap * sizeof *e);
		if (!e) {
			if (l->live >= l->cap)
				return false;
			cap = l->cap; /* no memory to grow: compact in place */
		} else {
			l->e = e;
			l->cap = cap;
		}
	}
	size_t k = 0;
	for (size_t i = l->head; i < l->tail; i++) {
		struct sf_conn *c = l->e[i];
		if (c) {
			c->lpos = k;
			l->e[k++] = c;
		}
	}
	l->head = 0;
	l->tail = k;
	return true;
}

static bool list_append(struct sf_flow_table *t, struct sf_conn *c, uint8_t which)
{
	struct conn_list *l = list_of(t, which);
	if (l->tail == l->cap && !list_compact(l))
		return false;
	c->list = which;
	c->lpos = l->tail;
	l->e[l->tail++] = c;
	l->live++;
	return true;
}

/*
 * c, already on l, becomes its most recent entry: blank its entry and
 * append it, where the count and c's list stay as they are. False when the
 * array is full (list_remove + list_append then make room).
 */
static bool list_move_to_tail(struct conn_list *l, struct sf_conn *c)
{
	if (l->tail == l->cap)
		return false;
	l->e[c->lpos] = NULL;
	c->lpos = l->tail;
	l->e[l->tail++] = c;
	return true;
}

/* The least recently active connection of a list, NULL when it is empty. */
static struct sf_conn *list_head(struct conn_list *l)
{
	while (l->head < l->tail && !l->e[l->head])
		l->head++;
	if (l->head == l->tail) {
		l->head = l->tail = 0;
		return NULL;
	}
	return l->e[l->head];
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


/* a + b for b >= 0, saturating instead of overflowing */
static int64_t add_sat(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/*
 * Finish the connections of list l idle for more than timeout at time now.
 * The list is in touch order and touches are on the table's clock, which
 * never goes back: every connection on l, and every one added later, was
 * touched no earlier than the head (or, on an empty list, than the clock
 * now). So the head's touch plus the timeout is a time at or before which
 * nothing on l can expire, and a packet before it need not read the head.
 */
static void expire_list(struct sf_flow_table *t, struct conn_list *l, int64_t now, int64_t timeout, bool settled)
{
	if (now <= l->due_ns)
		return;
	struct sf_conn *c;
	while ((c = list_head(l)) && now > add_sat(c->touch_ns, timeout))
		finish(t, c, settled ? settled_reason(c) : SF_END_IDLE);
	if (c)
		l->due_ns = add_sat(c->touch_ns, timeout);
	else
		l->due_ns = t->clock_ns == INT64_MIN ? INT64_MIN : add_sat(t->clock_ns, timeout);
}

/*
 * Activity is measured on the table's clock (the latest capture time seen),
 * not on each packet's own time stamp: captures whose time goes backwards
 * (merged files, clock steps) would otherwise expire a connection on the
 * packet after the one that created it.
 */
static void expire_ns(struct sf_flow_table *t, int64_t now)
{
	if (now <= t->due_ns)
		return; /* the common case, in one test */
	expire_list(t, &t->closed, now, t->settle_ns, true);
	expire_list(t, &t->open, now, t->idle_ns, false);
	t->due_ns = t->closed.due_ns < t->open.due_ns ? t->closed.due_ns : t->open.due_ns;
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
	struct sf_flow_table *t = sf_calloc_lines(sizeof *t);
	if (!t)
		return NULL;
	t->cfg = *cfg;
	t->sink = sink;
	t->ctx = ctx;
	t->idle_ns = secs_to_ns(cfg->idle_timeout);
	t->settle_ns = secs_to_ns(cfg->settle_time);
	t->open.due_ns = t->closed.due_ns = t->due_ns = INT64_MIN;
	t->clock_ns = INT64_MIN;
	t->n_slots = 2048;
	t->slots = calloc(t->n_slots, sizeof *t->slots);
	t->pool = sf_conn_pool_new();
	struct sf_flow_key *key = sf_calloc_lines(sizeof *key);
	if (!t->slots || !t->pool || !key) {
		free(t->slots);
		sf_conn_pool_free(t->pool);
		free(key);
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
	for (int i = 0; i < HASH_WORDS; i++)
		key->a[i] = splitmix64(&seed);
	key->b = splitmix64(&seed);
	t->key = key;
	return t;
}

/* c was just active: make it the most recent entry of the list `which` names. */
static void touch(struct sf_flow_table *t, struct sf_conn *c, uint8_t which)
{
	if (c->list == which) {
		struct conn_list *l = list_of(t, which);
		if (c->lpos + 1 == l->tail || list_move_to_tail(l, c))
			return; /* it already was, or now is (the usual case) */
	}
	list_remove(t, c);
	if (!list_append(t, c, which))
		finish(t, c, SF_END_EVICTED); /* no memory to keep it on a list: finish it now */
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
		struct sf_conn *c;
		if ((c = list_head(&t->closed)))
			finish(t, c, settled_reason(c));
		else if ((c = list_head(&t->open)))
			finish(t, c, SF_END_EVICTED);
		else
			break;
	}
}

const struct sf_flow_key *sf_flow_key(const struct sf_flow_table *t)
{
	return t->key;
}

uint32_t sf_flow_key_hash(const struct sf_flow_key *k, const struct sf_packet *p)
{
	return tuple_hash(k, &p->src, p->sport, &p->dst, p->dport);
}

uint32_t sf_flow_hash(const struct sf_flow_table *t, const struct sf_packet *p)
{
	return sf_flow_key_hash(t->key, p);
}

void sf_flow_packet(struct sf_flow_table *t, const struct sf_packet *p)
{
	sf_flow_packet_hashed(t, p, sf_flow_hash(t, p), sf_ts_ns(p->ts));
}

void sf_flow_packet_hashed(struct sf_flow_table *t, const struct sf_packet *p, uint32_t h, int64_t ts_ns)
{
	if (ts_ns > t->clock_ns)
		t->clock_ns = ts_ns;
	expire_ns(t, t->clock_ns);

	bool from0 = true;
	struct sf_conn *c = lookup(t, p, h, &from0);
	if (c && sf_track_starts_new(c, p)) {
		finish(t, c, SF_END_REUSED);
		c = NULL;
	}
	if (!c) {
		make_room(t);
		c = sf_conn_pool_get(t->pool);
		if (!c)
			return; /* out of memory: the segment cannot be tracked */
		sf_track_init(c, t->next_id++, p, t->cfg.want_ladder);
		c->pool = t->pool;
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
	}
	sf_track_segment(c, p, from0);
	c->touch_ns = t->clock_ns;
	touch(t, c, sf_track_is_closed(c) ? LIST_CLOSED : LIST_OPEN);
}

void sf_flow_prefetch(const struct sf_flow_table *t, uint32_t hash)
{
	__builtin_prefetch(&t->slots[hash & (t->n_slots - 1)]);
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
		struct sf_conn *c;
		while ((c = list_head(&t->open)))
			finish(t, c, SF_END_INPUT);
		while ((c = list_head(&t->closed)))
			finish(t, c, SF_END_INPUT);
		return;
	}
	for (size_t i = t->open.head; i < t->open.tail; i++)
		if (t->open.e[i])
			all[k++] = t->open.e[i];
	for (size_t i = t->closed.head; i < t->closed.tail; i++)
		if (t->closed.e[i])
			all[k++] = t->closed.e[i];
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
	sf_conn_pool_free(t->pool);
	free(t->slots);
	free(t->open.e);
	free(t->closed.e);
	free(t->key);
	free(t);
}
