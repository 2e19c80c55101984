/* test_ring.c - the batch ring between two threads: order, end, early stop. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>

#include "synfin/ring.h"

struct slot {
	uint64_t seq;
	uint32_t n;
};

struct prod {
	struct sf_ring *ring;
	uint64_t count;  /* slots to put */
	bool mark_last;  /* put the last slot with last = true, else close after it */
	uint64_t put;    /* slots put before the ring refused more */
};

static void *producer(void *arg)
{
	struct prod *p = arg;
	for (uint64_t i = 0; i < p->count; i++) {
		struct slot *s = sf_ring_fill(p->ring);
		if (!s)
			return NULL; /* the consumer stopped */
		s->seq = i;
		s->n = (uint32_t)(i % 7);
		bool last = p->mark_last && i + 1 == p->count;
		sf_ring_put(p->ring, last);
		p->put++;
	}
	if (!p->mark_last)
		sf_ring_close(p->ring);
	return NULL;
}

static void run_all(bool mark_last)
{
	struct prod p = {.ring = sf_ring_new(sizeof(struct slot)), .count = 10000, .mark_last = mark_last};
	cr_assert_not_null(p.ring);
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, producer, &p), 0);
	uint64_t next = 0;
	struct slot *s;
	while ((s = sf_ring_take(p.ring)) != NULL) {
		cr_assert_eq(s->seq, next, "slot %llu arrived as %llu", (unsigned long long)next,
			     (unsigned long long)s->seq);
		cr_assert_eq(s->n, (uint32_t)(next % 7));
		next++;
		sf_ring_done(p.ring);
	}
	pthread_join(t, NULL);
	cr_assert_eq(next, 10000);
	cr_assert_eq(p.put, 10000);
	sf_ring_free(p.ring);
}

Test(ring, every_slot_arrives_in_order_with_a_last_slot)
{
	run_all(true);
}

Test(ring, every_slot_arrives_in_order_then_close)
{
	run_all(false);
}

Test(ring, a_stopped_consumer_releases_a_waiting_producer)
{
	struct prod p = {.ring = sf_ring_new(sizeof(struct slot)), .count = 1000000, .mark_last = true};
	cr_assert_not_null(p.ring);
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, producer, &p), 0);
	for (int i = 0; i < 3; i++) {
		struct slot *s = sf_ring_take(p.ring);
		cr_assert_not_null(s);
		cr_assert_eq(s->seq, (uint64_t)i);
		sf_ring_done(p.ring);
	}
	sf_ring_stop(p.ring);
	pthread_join(t, NULL); /* returns: the producer's fill gave NULL */
	cr_assert_lt(p.put, 1000000);
	cr_assert_geq(p.put, 3);
	sf_ring_free(p.ring);
}

Test(ring, an_empty_closed_ring_ends_at_once)
{
	struct sf_ring *r = sf_ring_new(1);
	cr_assert_not_null(r);
	sf_ring_close(r);
	cr_assert_null(sf_ring_take(r));
	sf_ring_free(r);
}

/*
 * The way back: a consumer that sends an item back for every slot it takes
 * and a producer that serves the way back between slots (as sf_reader does).
 * Every item arrives once, in order, and neither side waits for ever: the
 * consumer sends three items per slot, so the way back fills while the
 * ring is full too.
 */
struct both {
	struct sf_ring *ring;
	uint64_t slots;    /* to put */
	uint64_t got;      /* items that came back */
	bool in_order;
};

static void serve(struct both *b, void **items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((uint64_t)(uintptr_t)items[i] != b->got + 1)
			b->in_order = false;
		b->got++;
	}
}

static void *both_producer(void *arg)
{
	struct both *b = arg;
	void *items[64];
	size_t n;
	for (uint64_t i = 0; i < b->slots;) {
		while ((n = sf_ring_back_take(b->ring, items, 64)) > 0)
			serve(b, items, n);
		struct slot *s = sf_ring_fill(b->ring);
		if (!s) {
			n = sf_ring_back_take(b->ring, items, 64);
			cr_assert_gt(n, 0, "fill gave NULL while the consumer still takes: items must wait");
			serve(b, items, n);
			continue;
		}
		s->seq = i;
		sf_ring_put(b->ring, ++i == b->slots);
	}
	while ((n = sf_ring_back_wait(b->ring, items, 64)) > 0)
		serve(b, items, n);
	return NULL;
}

Test(ring, work_comes_back_in_order_and_neither_side_waits_for_ever)
{
	struct both b = {.ring = sf_ring_new(sizeof(struct slot)), .slots = 20000, .in_order = true};
	cr_assert_not_null(b.ring);
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, both_producer, &b), 0);
	uint64_t sent = 0, next = 0;
	struct slot *s;
	while ((s = sf_ring_take(b.ring)) != NULL) {
		cr_assert_eq(s->seq, next++);
		sf_ring_done(b.ring);
		void *items[3];
		for (int k = 0; k < 3; k++)
			items[k] = (void *)(uintptr_t)++sent;
		sf_ring_back_send(b.ring, items, 3);
	}
	/* a burst bigger than the way back holds, after the producer's last slot */
	for (int k = 0; k < 3 * SF_RING_BACK; k++) {
		void *item = (void *)(uintptr_t)++sent;
		sf_ring_back_send(b.ring, &item, 1);
	}
	sf_ring_back_close(b.ring);
	pthread_join(t, NULL);
	cr_assert_eq(next, 20000);
	cr_assert_eq(b.got, sent);
	cr_assert(b.in_order);
	sf_ring_free(b.ring);
}

Test(ring, the_way_back_ends_once_closed_and_empty)
{
	struct sf_ring *r = sf_ring_new(1);
	cr_assert_not_null(r);
	void *items[4] = {(void *)1, (void *)2}, *got[4];
	sf_ring_back_send(r, items, 2);
	sf_ring_back_close(r);
	cr_assert_eq(sf_ring_back_wait(r, got, 4), 2);
	cr_assert_eq(got[0], (void *)1);
	cr_assert_eq(got[1], (void *)2);
	cr_assert_eq(sf_ring_back_wait(r, got, 4), 0);
	cr_assert_eq(sf_ring_back_take(r, got, 4), 0);
	sf_ring_free(r);
}

Test(ring, try_take_never_waits)
{
	struct sf_ring *r = sf_ring_new(sizeof(struct slot));
	cr_assert_not_null(r);
	cr_assert_null(sf_ring_try_take(r), "empty: NULL at once");
	for (uint64_t i = 0; i < 3; i++) {
		struct slot *s = sf_ring_fill(r);
		cr_assert_not_null(s);
		s->seq = i;
		sf_ring_put(r, false);
	}
	for (uint64_t i = 0; i < 3; i++) {
		struct slot *s = sf_ring_try_take(r);
		cr_assert_not_null(s);
		cr_assert_eq(s->seq, i);
		sf_ring_done(r);
	}
	cr_assert_null(sf_ring_try_take(r));
	sf_ring_close(r);
	cr_assert_null(sf_ring_try_take(r), "closed and empty: NULL");
	cr_assert_null(sf_ring_take(r));
	sf_ring_free(r);
}

Test(ring, fill_tells_a_stop_from_work_coming_back)
{
	struct sf_ring *r = sf_ring_new(sizeof(struct slot));
	cr_assert_not_null(r);
	void *item = (void *)1, *got[2];
	for (int i = 0; i < SF_RING_SLOTS; i++) {
		cr_assert_not_null(sf_ring_fill(r));
		sf_ring_put(r, false);
	}
	sf_ring_back_send(r, &item, 1);
	cr_assert_null(sf_ring_fill(r), "full, and an item came back");
	cr_assert_not(sf_ring_stopped(r));
	cr_assert_eq(sf_ring_back_take(r, got, 2), 1);
	sf_ring_stop(r);
	cr_assert_null(sf_ring_fill(r));
	cr_assert(sf_ring_stopped(r));
	sf_ring_free(r);
}
