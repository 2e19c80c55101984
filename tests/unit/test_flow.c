/* test_flow.c - the connection table: instances, ids, expiry, eviction, hashing. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "synfin/classify.h"
#include "synfin/flow.h"
#include "synfin/track.h"

struct got {
	uint64_t ids[64];
	enum sf_end_reason why[64];
	enum sf_hs_outcome hs[64];
	size_t n;
	size_t total;
};

static void collect(struct sf_conn *c, void *ctx)
{
	struct got *g = ctx;
	/* what the pipeline does before it reports a connection */
	sf_track_finish(c);
	sf_classify(c);
	if (g->n < 64) {
		g->ids[g->n] = c->id;
		g->why[g->n] = c->end_reason;
		g->hs[g->n] = c->hs_outcome;
		g->n++;
	}
	g->total++;
	sf_conn_free(c);
}

static struct sf_packet pkt(uint32_t cli, uint16_t cport, bool from_client, uint8_t flags, uint32_t seq,
			    uint32_t ack, int64_t sec)
{
	struct sf_packet p;
	memset(&p, 0, sizeof p);
	uint8_t a[4] = {10, 0, (uint8_t)(cli >> 8), (uint8_t)cli}, b[4] = {10, 9, 9, 9};
	struct sf_addr ca, sa;
	memset(&ca, 0, sizeof ca);
	memset(&sa, 0, sizeof sa);
	sf_addr_set_v4(&ca, a);
	sf_addr_set_v4(&sa, b);
	p.src = from_client ? ca : sa;
	p.dst = from_client ? sa : ca;
	p.sport = from_client ? cport : 443;
	p.dport = from_client ? 443 : cport;
	p.flags = flags;
	p.seq = seq;
	p.ack = ack;
	p.ts.sec = sec;
	return p;
}

static struct sf_flow_config cfg(size_t max)
{
	struct sf_flow_config c = {.idle_timeout = 60, .settle_time = 5, .max_flows = max, .seed = 42};
	return c;
}

static void feed(struct sf_flow_table *t, struct sf_packet p, uint64_t frame)
{
	p.frame = frame;
	sf_flow_packet(t, &p);
}

Test(flow, both_directions_are_one_connection)
{
	struct got g = {0};
	struct sf_flow_config c = cfg(0);
	struct sf_flow_table *t = sf_flow_new(&c, collect, &g);
	feed(t, pkt(1, 5000, true, SF_TH_SYN, 100, 0, 1), 1);
	feed(t, pkt(1, 5000, false, SF_TH_SYN | SF_TH_ACK, 900, 101, 1), 2);
	feed(t, pkt(1, 5000, true, SF_TH_ACK, 101, 901, 1), 3);
	cr_assert_eq(sf_flow_stats(t)->connections, 1);
	sf_flow_finish_all(t);
	cr_assert_eq(g.n, 1);
	cr_assert_eq(g.hs[0], SF_HS_COMPLETE);
	cr_assert_eq(g.why[0], SF_END_INPUT);
	sf_flow_free(t);
}

Test(flow, port_reuse_after_close_makes_a_second_instance)
{
	struct got g = {0};
	struct sf_flow_config c = cfg(0);
	struct sf_flow_table *t = sf_flow_new(&c, collect, &g);
	feed(t, pkt(1, 5000, true, SF_TH_SYN, 100, 0, 1), 1);
	feed(t, pkt(1, 5000, false, SF_TH_RST | SF_TH_ACK, 0, 101, 1), 2);
	feed(t, pkt(1, 5000, true, SF_TH_SYN, 7000, 0, 2), 3);
	cr_assert_eq(g.n, 1, "the refused instance is finished by the reuse");
	cr_assert_eq(g.ids[0], 0);
	cr_assert_eq(g.why[0], SF_END_REUSED);
	sf_flow_finish_all(t);
	cr_assert_eq(g.n, 2);
	cr_assert_eq(g.ids[1], 1);
	sf_flow_free(t);
}

Test(flow, idle_connections_expire_and_closed_ones_settle)
{
	struct got g = {0};
	struct sf_flow_config c = cfg(0);
	struct sf_flow_table *t = sf_flow_new(&c, collect, &g);
	feed(t, pkt(1, 5000, true, SF_TH_SYN, 100, 0, 10), 1);          /* no reply: open */
	feed(t, pkt(2, 5001, true, SF_TH_SYN, 100, 0, 10), 2);
	feed(t, pkt(2, 5001, false, SF_TH_RST | SF_TH_ACK, 0, 101, 10), 3); /* refused: closed */
	feed(t, pkt(3, 5002, true, SF_TH_SYN, 100, 0, 20), 4);          /* 10 s later */
	cr_assert_eq(g.n, 1);
	cr_assert_eq(g.ids[0], 1);
	cr_assert_eq(g.why[0], SF_END_RESET);
	feed(t, pkt(3, 5002, true, SF_TH_SYN, 100, 0, 75), 5);          /* 65 s after #0 */
	cr_assert_eq(g.n, 2);
	cr_assert_eq(g.ids[1], 0);
	cr_assert_eq(g.why[1], SF_END_IDLE);
	cr_assert_eq(sf_flow_stats(t)->idle_expired, 1);
	sf_flow_finish_all(t);
	sf_flow_free(t);
}

Test(flow, full_table_evicts_least_recently_active)
{
	struct got g = {0};
	struct sf_flow_config c = cfg(3);
	struct sf_flow_table *t = sf_flow_new(&c, collect, &g);
	for (uint32_t i = 0; i < 5; i++)
		feed(t, pkt(i, (uint16_t)(6000 + i), true, SF_TH_SYN, 1, 0, 1), i + 1);
	cr_assert_eq(sf_flow_stats(t)->evicted, 2);
	cr_assert_eq(sf_flow_stats(t)->open, 3);
	cr_assert_eq(g.ids[0], 0);
	cr_assert_eq(g.ids[1], 1);
	cr_assert_eq(g.why[0], SF_END_EVICTED);
	sf_flow_finish_all(t);
	cr_assert_eq(g.total, 5);
	sf_flow_free(t);
}

/*
 * The activity lists are logs compacted as they fill: thousands of touches
 * in a scrambled order (several compactions and a growth) must still evict
 * exactly the least recently active connections, oldest first.
 */
Test(flow, eviction_order_survives_many_touches)
{
	enum { N = 200, TOUCHES = 20000, NEW = 64 };
	struct got g = {0};
	struct sf_flow_config c = cfg(N);
	struct sf_flow_table *t = sf_flow_new(&c, collect, &g);
	uint64_t frame = 1, last[N];
	for (uint32_t i = 0; i < N; i++) {
		feed(t, pkt(i, (uint16_t)(6000 + i), true, SF_TH_SYN, 1, 0, 1), frame);
		last[i] = frame++;
	}
	uint32_t x = 12345;
	for (int k = 0; k < TOUCHES; k++) {
		x = x * 1103515245u + 12345u;
		uint32_t i = (x >> 8) % N;
		feed(t, pkt(i, (uint16_t)(6000 + i), true, SF_TH_ACK, 2, 0, 1), frame);
		last[i] = frame++;
	}
	cr_assert_eq(g.total, 0);
	for (uint32_t i = 0; i < NEW; i++)
		feed(t, pkt(N + i, (uint16_t)(6000 + N + i), true, SF_TH_SYN, 1, 0, 1), frame++);
	cr_assert_eq(g.total, NEW);
	cr_assert_eq(sf_flow_stats(t)->evicted, NEW);
	/* the expected victims: the NEW connections with the oldest last touch, in that order */
	bool taken[N] = {false};
	for (size_t k = 0; k < NEW; k++) {
		uint32_t best = N;
		for (uint32_t i = 0; i < N; i++)
			if (!taken[i] && (best == N || last[i] < last[best]))
				best = i;
		taken[best] = true;
		cr_assert_eq(g.ids[k], best, "victim %zu: id %llu, expected %u", k, (unsigned long long)g.ids[k],
			     best);
		cr_assert_eq(g.why[k], SF_END_EVICTED);
	}
	sf_flow_finish_all(t);
	cr_assert_eq(g.total, N + NEW);
	sf_flow_free(t);
}

Test(flow, finish_all_goes_in_id_order)
{
	struct got g = {0};
	struct sf_flow_config c = cfg(0);
	struct sf_flow_table *t = sf_flow_new(&c, collect, &g);
	for (uint32_t i = 0; i < 20; i++)
		feed(t, pkt(i, (uint16_t)(7000 + i), true, SF_TH_SYN, 1, 0, 1), i + 1);
	/* touch them in reverse so list order differs from id order */
	for (uint32_t i = 20; i-- > 0;)
		feed(t, pkt(i, (uint16_t)(7000 + i), true, SF_TH_SYN, 1, 0, 2), 100 + i);
	sf_flow_finish_all(t);
	cr_assert_eq(g.n, 20);
	for (size_t i = 0; i < g.n; i++)
		cr_assert_eq(g.ids[i], i);
	sf_flow_free(t);
}

Test(flow, many_connections_grow_the_table)
{
	struct got g = {0};
	struct sf_flow_config c = cfg(0);
	struct sf_flow_table *t = sf_flow_new(&c, collect, &g);
	for (uint32_t i = 0; i < 50000; i++)
		feed(t, pkt(i, (uint16_t)(1024 + i % 60000), true, SF_TH_SYN, 1, 0, 1), i + 1);
	cr_assert_eq(sf_flow_stats(t)->connections, 50000);
	cr_assert_eq(sf_flow_stats(t)->peak_open, 50000);
	/* every packet of an existing tuple finds its instance */
	feed(t, pkt(49999, (uint16_t)(1024 + 49999 % 60000), false, SF_TH_SYN | SF_TH_ACK, 5, 2, 1), 60000);
	cr_assert_eq(sf_flow_stats(t)->connections, 50000);
	sf_flow_finish_all(t);
	cr_assert_eq(g.total, 50000);
	sf_flow_free(t);
}

Test(flow, deletions_keep_every_other_tuple_reachable)
{
	/*
	 * Evictions delete from the middle of probe runs (backward shift); after
	 * each, every connection still open must be found again, not re-created.
	 */
	struct got g = {0};
	struct sf_flow_config c = cfg(700);
	struct sf_flow_table *t = sf_flow_new(&c, collect, &g);
	uint64_t frame = 1;
	for (uint32_t i = 0; i < 5000; i++) {
		feed(t, pkt(i, (uint16_t)(2000 + i), true, SF_TH_SYN, 1, 0, 1), frame++);
		if (i % 7 == 0) {
			/* revisit the 100 most recent tuples: all must still be there */
			uint64_t before = sf_flow_stats(t)->connections;
			for (uint32_t j = i >= 100 ? i - 99 : 0; j <= i; j++)
				feed(t, pkt(j, (uint16_t)(2000 + j), false, SF_TH_SYN | SF_TH_ACK, 9, 2, 1), frame++);
			cr_assert_eq(sf_flow_stats(t)->connections, before, "a live tuple was lost at i=%u", i);
		}
	}
	cr_assert_eq(sf_flow_stats(t)->connections, 5000);
	cr_assert_leq(sf_flow_stats(t)->open, 700);
	sf_flow_finish_all(t);
	cr_assert_eq(g.total, 5000);
	sf_flow_free(t);
}

static struct sf_packet pkt6(uint8_t last, uint16_t sport, uint16_t dport)
{
	struct sf_packet p;
	memset(&p, 0, sizeof p);
	uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = last}, b[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 9, [15] = 9};
	sf_addr_set_v6(&p.src, a);
	sf_addr_set_v6(&p.dst, b);
	p.sport = sport;
	p.dport = dport;
	p.flags = SF_TH_SYN;
	return p;
}

static struct sf_packet reversed(struct sf_packet p)
{
	struct sf_addr a = p.src;
	uint16_t port = p.sport;
	p.src = p.dst;
	p.sport = p.dport;
	p.dst = a;
	p.dport = port;
	return p;
}

Test(flow, hash_is_direction_free_and_depends_on_every_tuple_field)
{
	struct got g = {0};
	struct sf_flow_config c = cfg(0);
	struct sf_flow_table *t = sf_flow_new(&c, collect, &g);
	struct sf_packet v4 = pkt(7, 5000, true, SF_TH_SYN, 1, 0, 1), v6 = pkt6(7, 5000, 443);

	struct sf_packet r4 = reversed(v4), r6 = reversed(v6);
	cr_assert_eq(sf_flow_hash(t, &v4), sf_flow_hash(t, &r4));
	cr_assert_eq(sf_flow_hash(t, &v6), sf_flow_hash(t, &r6));

	/* change one field at a time: a 32-bit hash that ignored it would repeat */
	struct sf_packet other = v4;
	other.sport++;
	cr_assert_neq(sf_flow_hash(t, &v4), sf_flow_hash(t, &other));
	other = v4;
	other.dport++;
	cr_assert_neq(sf_flow_hash(t, &v4), sf_flow_hash(t, &other));
	other = v4;
	other.src.b[3] ^= 1;
	cr_assert_neq(sf_flow_hash(t, &v4), sf_flow_hash(t, &other));
	other = v4;
	other.dst.b[0] ^= 0x80;
	cr_assert_neq(sf_flow_hash(t, &v4), sf_flow_hash(t, &other));
	for (int i = 0; i < 16; i++) {
		other = v6;
		other.src.b[i] ^= 1;
		cr_assert_neq(sf_flow_hash(t, &v6), sf_flow_hash(t, &other), "IPv6 byte %d ignored", i);
	}
	sf_flow_free(t);
}

Test(flow, hash_is_keyed_by_the_seed)
{
	struct got g = {0};
	struct sf_flow_config c1 = cfg(0), c2 = cfg(0);
	c2.seed = 43;
	struct sf_flow_table *t1 = sf_flow_new(&c1, collect, &g), *t2 = sf_flow_new(&c2, collect, &g);
	/* the same tuples, two keys: the values (and so the buckets) differ */
	unsigned same = 0;
	for (uint32_t i = 0; i < 1000; i++) {
		struct sf_packet p = pkt(i, (uint16_t)(1024 + i), true, SF_TH_SYN, 1, 0, 1);
		same += sf_flow_hash(t1, &p) == sf_flow_hash(t2, &p);
	}
	cr_assert_leq(same, 1);
	sf_flow_free(t1);
	sf_flow_free(t2);
}

Test(flow, hashed_routing_is_the_same_as_plain_routing)
{
	struct got g = {0};
	struct sf_flow_config c = cfg(0);
	struct sf_flow_table *t = sf_flow_new(&c, collect, &g);
	struct sf_packet p = pkt(1, 5000, true, SF_TH_SYN, 100, 0, 1);
	p.frame = 1;
	sf_flow_packet_hashed(t, &p, sf_flow_hash(t, &p), sf_ts_ns(p.ts));
	p = pkt(1, 5000, false, SF_TH_SYN | SF_TH_ACK, 900, 101, 1);
	p.frame = 2;
	sf_flow_packet_hashed(t, &p, sf_flow_hash(t, &p), sf_ts_ns(p.ts));
	feed(t, pkt(1, 5000, true, SF_TH_ACK, 101, 901, 1), 3);
	cr_assert_eq(sf_flow_stats(t)->connections, 1);
	sf_flow_finish_all(t);
	cr_assert_eq(g.n, 1);
	cr_assert_eq(g.hs[0], SF_HS_COMPLETE);
	sf_flow_free(t);
}
