/*
 * reader.c - a producer thread that reads and decodes a capture file.
 *
 * Batches of SF_READER_BATCH frames go to the consumer through a ring
 * (ring.h: one lock per batch, wake-ups only at half full or half empty).
 * Frames come from sf_capture_dispatch, a batch per call (records read in
 * place from plain pcap files, else one pcap_dispatch call). Per segment
 * the cost is a copy of one struct sf_packet.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "synfin/reader.h"
#include "synfin/ring.h"

struct sf_reader {
	struct sf_capture *cap;
	sf_reader_hasher hasher;
	const void *hash_ctx;
	pthread_t thread;
	struct sf_ring *ring;
	struct sf_read_batch *batch; /* the one being filled */
	enum sf_next end;     /* written by the thread, read after the join */
	char err[512];
};

/* One frame from sf_capture_dispatch: decoded and hashed into the next item of r->batch. */
static void add_item(void *user, const struct sf_frame *f, bool filtered)
{
	struct sf_reader *r = user;
	struct sf_read_item *it = &r->batch->items[r->batch->n++];

	it->filtered = filtered;
	it->why = SF_SKIP_NONE;
	if (filtered)
		return;
	/*
	 * Decode and hash on the stack, then copy: the item's lines were last
	 * read by the consumer's core, and the hasher's loads of fields just
	 * stored there waited for those lines to come back (perf annotate: 17%
	 * of the run on one load).
	 */
	struct sf_packet pkt;
	it->why = (uint8_t)sf_decode_frame(f->dlt, f->data, f->caplen, f->wirelen, &pkt);
	if (it->why == SF_SKIP_NONE) {
		pkt.frame = f->number;
		pkt.ts = f->ts;
		it->hash = r->hasher(r->hash_ctx, &pkt);
		it->pkt = pkt;
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

static void *reader_main(void *arg)
{
	struct sf_reader *r = arg;
	struct sf_read_batch *b;

	while ((b = sf_ring_fill(r->ring)) != NULL) {
		bool last = read_batch(r, b);
		if (b->n > 0)
			sf_ring_put(r->ring, last);
		else if (last)
			sf_ring_close(r->ring);
		if (last)
			return NULL;
	}
	r->end = SF_NEXT_END; /* the consumer stopped */
	return NULL;
}

struct sf_reader *sf_reader_start(struct sf_capture *cap, sf_reader_hasher hasher, const void *hash_ctx)
{
	struct sf_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->cap = cap;
	r->hasher = hasher;
	r->hash_ctx = hash_ctx;
	r->end = SF_NEXT_END;
	r->ring = sf_ring_new(sizeof(struct sf_read_batch));
	if (!r->ring || pthread_create(&r->thread, NULL, reader_main, r) != 0) {
		sf_ring_free(r->ring);
		free(r);
		return NULL;
	}
	return r;
}

const struct sf_read_batch *sf_reader_next(struct sf_reader *r)
{
	return sf_ring_take(r->ring);
}

void sf_reader_release(struct sf_reader *r)
{
	sf_ring_done(r->ring);
}

enum sf_next sf_reader_finish(struct sf_reader *r, char *err, size_t errlen)
{
	sf_ring_stop(r->ring);
	pthread_join(r->thread, NULL);

	enum sf_next end = r->end;
	if (errlen)
		snprintf(err, errlen, "%s", r->err);
	sf_ring_free(r->ring);
	free(r);
	return end;
}
