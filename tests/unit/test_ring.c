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
