/*
 * reader.c - a producer thread that reads and decodes a capture file.
 *
 * Batches of SF_READER_BATCH frames go to the consumer through a ring
 * (ring.h: one lock per batch, wake-ups only at half full or half empty);
 * the consumer's finished work comes back through the same ring, and
 * whichever thread would otherwise wait serves it (serve_mu keeps the
 * calls to back_fn one at a time and in order).
 * Frames come from sf_capture_dispatch, a batch per call (records read in
 * place from plain pcap files, else one pcap_dispatch call). Per segment
 * the cost is a copy of one struct sf_packet.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "synfin/alloc.h"
#include "synfin/reader.h"
#include "synfin/ring.h"

/* Items on their way back, gathered on the consumer's thread (on lines of their own). */
#define SEND_BATCH 64
struct sendbuf {
	void *items[SEND_BATCH];
	size_t n;
};

struct sf_reader {
	struct sf_capture *cap;
	sf_reader_hasher hasher;
	const void *hash_ctx;
	sf_reader_back_fn back_fn;
	void *back_ctx;
	pthread_t thread;
	pthread_mutex_t serve_mu; /* held while items that came back are taken and passed to back_fn (either thread) */
	struct sf_ring *ring;
	struct sf_read_batch *batch; /* the one being filled */
	enum sf_next end;     /* written by the thread, read after the join */
	char err[512];
	struct sendbuf *out;  /* the consumer's */
};

/* One frame from sf_capture_dispatch: decoded and hashed into the next item of r->batch. */
static void add_item(void *user, const struct sf_frame *f, bool filtered)
{
	struct sf_reader *r = user;
	struct sf_read_item *it = &r->batch->items[r->batch->n++];

	it->filtered = filtered;
	it->why = SF_SKIP_NONE;
	if (filtered) {
		it->hash = 0; /* defined for every item: the consumer may read it ahead */
		return;
	}
	/*
	 * Decode and hash on the stack, then copy: the item's lines were last
	 * read by the consumer's core, and the hasher's loads of fields just
	 * stored there waited for those lines to come back (perf annotate: 17%
	 * of the run on one load).
	 */
	struct sf_packet pkt;
	it->why = (uint8_t)sf_decode_frame_headers(f->dlt, f->data, f->caplen, f->wirelen, &pkt);
	if (it->why == SF_SKIP_NONE) {
		pkt.frame = f->number;
		pkt.ts = f->ts;
		it->hash = r->hasher(r->hash_ctx, &pkt);
		it->ts_ns = sf_ts_ns(pkt.ts);
		it->pkt = pkt;
	} else {
		it->hash = 0;
	}
}

/* Fill b up to SF_READER_BATCH frames; true when the input ended (how: r->end). */
static bool read_batch(struct sf_reader *r, struct sf_read_batch *b)
{
	b->n = 0;
	r->batch = b;
	while (b->n < SF_READER_BATCH) {
		enum sf_next nx = sf_capture_dispatch(r->cap, SF_READER_BATCH - b->n, add_item, r, r->err,
						      sizeof r->err);
		if (nx != SF_NEXT_FRAME) {
			r->end = nx;
			return true;
		}
	}
	return false;
}

/* Either thread, holding serve_mu: pass what came back to back_fn, waiting for it or not; how many items. */
static size_t serve_locked(struct sf_reader *r, bool wait)
{
	void *items[SEND_BATCH];
	size_t n = wait ? sf_ring_back_wait(r->ring, items, SEND_BATCH) : sf_ring_back_take(r->ring, items, SEND_BATCH);
	for (size_t i = 0; i < n; i++)
		r->back_fn(r->back_ctx, items[i]);
	return n;
}

/* Reader thread: serve_locked, waiting for serve_mu while the consumer serves. */
static size_t serve_back(struct sf_reader *r, bool wait)
{
	pthread_mutex_lock(&r->serve_mu);
	size_t n = serve_locked(r, wait);
	pthread_mutex_unlock(&r->serve_mu);
	return n;
}

static void *reader_main(void *arg)
{
	struct sf_reader *r = arg;

	for (;;) {
		struct sf_read_batch *b = sf_ring_fill(r->ring);
		if (!b) {
			if (sf_ring_stopped(r->ring)) {
				r->end = SF_NEXT_END; /* the consumer stopped */
				break;
			}
			serve_back(r, false); /* the ring is full and work came back */
			continue;
		}
		bool last = read_batch(r, b);
		if (b->n > 0)
			sf_ring_put(r->ring, last);
		else if (last)
			sf_ring_close(r->ring);
		if (last)
			break;
	}
	/* the input ended or the consumer stopped: what still comes back, until the way back closes */
	while (serve_back(r, true) > 0)
		;
	return NULL;
}

struct sf_reader *sf_reader_start(struct sf_capture *cap, sf_reader_hasher hasher, const void *hash_ctx,
				  sf_reader_back_fn back_fn, void *back_ctx)
{
	struct sf_reader *r = sf_calloc_lines(sizeof *r);
	if (!r)
		return NULL;
	r->cap = cap;
	r->hasher = hasher;
	r->hash_ctx = hash_ctx;
	r->back_fn = back_fn; /* called only for items sent back */
	r->back_ctx = back_ctx;
	r->end = SF_NEXT_END;
	r->out = sf_calloc_lines(sizeof *r->out);
	pthread_mutex_init(&r->serve_mu, NULL);
	r->ring = r->out ? sf_ring_new(sizeof(struct sf_read_batch)) : NULL;
	if (!r->ring || pthread_create(&r->thread, NULL, reader_main, r) != 0) {
		sf_ring_free(r->ring);
		free(r->out);
		free(r);
		return NULL;
	}
	return r;
}

/* Consumer: send back the items gathered so far. */
static void send_gathered(struct sf_reader *r)
{
	struct sendbuf *o = r->out;
	if (o->n > 0) {
		sf_ring_back_send(r->ring, o->items, o->n);
		o->n = 0;
	}
}

void sf_reader_send_back(struct sf_reader *r, void *item)
{
	struct sendbuf *o = r->out;
	o->items[o->n++] = item;
	if (o->n == SEND_BATCH)
		send_gathered(r);
}

/*
 * Consumer, finding the ring empty: send back what is gathered, then serve
 * what came back unless the reader thread is at it. False when nothing was
 * served (wait for a batch then).
 */
static bool help(struct sf_reader *r)
{
	send_gathered(r);
	if (pthread_mutex_trylock(&r->serve_mu) != 0)
		return false;
	size_t n = serve_locked(r, false);
	pthread_mutex_unlock(&r->serve_mu);
	return n > 0;
}

const struct sf_read_batch *sf_reader_next(struct sf_reader *r)
{
	const struct sf_read_batch *b;

	while ((b = sf_ring_try_take(r->ring)) == NULL)
		if (r->back_fn == NULL || !help(r))
			return sf_ring_take(r->ring);
	return b;
}

void sf_reader_release(struct sf_reader *r)
{
	sf_ring_done(r->ring);
}

enum sf_next sf_reader_finish(struct sf_reader *r, char *err, size_t errlen)
{
	send_gathered(r);
	sf_ring_back_close(r->ring);
	sf_ring_stop(r->ring);
	pthread_join(r->thread, NULL);

	enum sf_next end = r->end;
	if (errlen)
		snprintf(err, errlen, "%s", r->err);
	sf_ring_free(r->ring);
	pthread_mutex_destroy(&r->serve_mu);
	free(r->out);
	free(r);
	return end;
}
