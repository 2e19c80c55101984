/*
 * test_reader.c - the reading thread: every frame arrives once, in order,
 * and work sent back reaches back_fn once each, in order, one call at a
 * time, whichever thread serves it.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "pcap_writer.h"
#include "synfin/capture.h"
#include "synfin/reader.h"

static uint32_t no_hash(const void *ctx, const struct sf_packet *p)
{
	(void)ctx;
	(void)p;
	return 0;
}

struct served {
	pthread_t consumer;
	uint64_t got;          /* items served */
	uint64_t by_consumer;  /* of which on the consumer's thread */
	bool in_order;
	atomic_int in_flight;  /* back_fn calls running now */
	int overlaps;
	unsigned spin;         /* work per item, to make the serving side busy */
};

static void back_fn(void *ctx, void *item)
{
	struct served *s = ctx;

	if (atomic_fetch_add(&s->in_flight, 1) != 0)
		s->overlaps++;
	if ((uint64_t)(uintptr_t)item != s->got + 1)
		s->in_order = false;
	s->got++;
	if (pthread_equal(pthread_self(), s->consumer))
		s->by_consumer++;
	for (volatile unsigned i = 0; i < s->spin; i++)
		;
	atomic_fetch_sub(&s->in_flight, 1);
}

/* n frames of junk (not TCP: each is an item with a skip reason); the consumer sends back one item per every frames */
static void run(uint32_t n, uint32_t every, unsigned spin)
{
	struct pw w;
	char err[256];

	cr_assert(pw_open(&w, false, false, 96, 1));
	for (uint32_t i = 0; i < n; i++)
		pw_frame(&w, 1 + i / 1000, i % 1000, 60, 60, (uint8_t)i);
	pw_close(&w);
	struct sf_capture *cap = sf_capture_open_file(w.path, err, sizeof err);
	cr_assert_not_null(cap, "%s", err);

	struct served s = {.consumer = pthread_self(), .in_order = true, .spin = spin};
	struct sf_reader *r = sf_reader_start(cap, no_hash, NULL, back_fn, &s);
	cr_assert_not_null(r);
	uint64_t frames = 0, sent = 0;
	const struct sf_read_batch *b;
	while ((b = sf_reader_next(r)) != NULL) {
		for (uint32_t i = 0; i < b->n; i++)
			if (++frames % every == 0)
				sf_reader_send_back(r, (void *)(uintptr_t)++sent);
		sf_reader_release(r);
	}
	cr_assert_eq(sf_reader_finish(r, err, sizeof err), SF_NEXT_END, "%s", err);
	cr_assert_eq(frames, n);
	cr_assert_eq(s.got, sent, "every item served once: %llu of %llu", (unsigned long long)s.got,
		     (unsigned long long)sent);
	cr_assert(s.in_order);
	cr_assert_eq(s.overlaps, 0, "back_fn ran on both threads at once");
	cr_log_info("%llu items, %llu served on the consumer's thread", (unsigned long long)s.got,
		    (unsigned long long)s.by_consumer);
	sf_capture_close(cap);
	pw_remove(&w);
}

/* Serving is slow: the reader falls behind, the ring runs dry and the consumer serves too. */
Test(reader, slow_work_coming_back_is_served_in_order_by_both_threads)
{
	run(200000, 4, 2000);
}

/* Serving is cheap and rare: mostly the reader thread's. */
Test(reader, every_frame_and_every_item_once_in_order)
{
	run(300000, 64, 0);
}

/* A last partial gathering of items (fewer than 64) is served too. */
Test(reader, the_last_few_items_are_served)
{
	run(1000, 100, 0);
}
