/*
 * reader.c - a producer thread that reads and decodes a capture file.
 *
 * A ring of SF_READER_RING batches: the reader fills slot (head % RING),
 * the consumer empties slot (tail % RING); head - tail is how many batches
 * are full. One mutex and two condition variables guard the two counters;
 * a batch is touched by one side at a time, so its contents need no lock.
 * Per packet the cost is a copy of one struct sf_packet; the lock is taken
 * once per batch of SF_READER_BATCH frames.
 *
 * A side that waits is woken only when the ring is half empty (the reader)
 * or half full (the consumer), or at the end: whichever thread is faster
 * then sleeps once per SF_READER_RING / 2 batches, not once per batch, so
 * the two do not ping-pong through the kernel.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "synfin/reader.h"

#define SF_READER_RING 16

struct sf_reader {
	struct sf_capture *cap;
	sf_reader_hasher hasher;
	const void *hash_ctx;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t not_full, not_empty;
	uint64_t head, tail;  /* batches produced / consumed */
	bool done;            /* the reader has produced its last batch */
	bool stop;            /* the consumer wants no more */
	bool holding;         /* the consumer holds batch tail */
	bool reader_waits;    /* the reader sleeps on not_full */
	bool consumer_waits;  /* the consumer sleeps on not_empty */
	enum sf_next end;
	char err[512];
	struct sf_read_batch ring[SF_READER_RING];
};

static void *reader_main(void *arg)
{
	struct sf_reader *r = arg;
	enum sf_next end = SF_NEXT_END;

	for (;;) {
		pthread_mutex_lock(&r->mu);
		while (r->head - r->tail == SF_READER_RING && !r->stop) {
			r->reader_waits = true;
			pthread_cond_wait(&r->not_full, &r->mu);
		}
		r->reader_waits = false;
		bool stop = r->stop;
		pthread_mutex_unlock(&r->mu);
		if (stop)
			break;

		struct sf_read_batch *b = &r->ring[r->head % SF_READER_RING];
		b->n = 0;
		bool last = false;
		while (b->n < SF_READER_BATCH) {
			struct sf_frame f;
			enum sf_next nx = sf_capture_next(r->cap, &f, r->err, sizeof r->err);
			if (nx == SF_NEXT_TIMEOUT)
				continue; /* not on files; harmless */
			if (nx != SF_NEXT_FRAME && nx != SF_NEXT_FILTERED) {
				end = nx;
				last = true;
				break;
			}
			struct sf_read_item *it = &b->items[b->n++];
			it->filtered = nx == SF_NEXT_FILTERED;
			it->why = SF_SKIP_NONE;
			if (!it->filtered) {
				it->why = (uint8_t)sf_decode_frame(f.dlt, f.data, f.caplen, f.wirelen, &it->pkt);
				it->pkt.frame = f.number;
				it->pkt.ts = f.ts;
				if (it->why == SF_SKIP_NONE)
					it->hash = r->hasher(r->hash_ctx, &it->pkt);
			}
		}

		pthread_mutex_lock(&r->mu);
		if (b->n > 0)
			r->head++;
		if (last) {
			r->end = end;
			r->done = true;
		}
		if (r->consumer_waits && (last || r->head - r->tail >= SF_READER_RING / 2))
			pthread_cond_signal(&r->not_empty);
		pthread_mutex_unlock(&r->mu);
		if (last)
			return NULL;
	}
	pthread_mutex_lock(&r->mu);
	r->end = SF_NEXT_END;
	r->done = true;
	pthread_cond_signal(&r->not_empty);
	pthread_mutex_unlock(&r->mu);
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
	if (pthread_mutex_init(&r->mu, NULL) != 0) {
		free(r);
		return NULL;
	}
	pthread_cond_init(&r->not_full, NULL);
	pthread_cond_init(&r->not_empty, NULL);
	if (pthread_create(&r->thread, NULL, reader_main, r) != 0) {
		pthread_cond_destroy(&r->not_full);
		pthread_cond_destroy(&r->not_empty);
		pthread_mutex_destroy(&r->mu);
		free(r);
		return NULL;
	}
	return r;
}

const struct sf_read_batch *sf_reader_next(struct sf_reader *r)
{
	pthread_mutex_lock(&r->mu);
	while (r->head == r->tail && !r->done) {
		r->consumer_waits = true;
		pthread_cond_wait(&r->not_empty, &r->mu);
	}
	r->consumer_waits = false;
	const struct sf_read_batch *b = NULL;
	if (r->head != r->tail) {
		b = &r->ring[r->tail % SF_READER_RING];
		r->holding = true;
	}
	pthread_mutex_unlock(&r->mu);
	return b;
}

void sf_reader_release(struct sf_reader *r)
{
	pthread_mutex_lock(&r->mu);
	if (r->holding) {
		r->holding = false;
		r->tail++;
		if (r->reader_waits && r->head - r->tail <= SF_READER_RING / 2)
			pthread_cond_signal(&r->not_full);
	}
	pthread_mutex_unlock(&r->mu);
}

enum sf_next sf_reader_finish(struct sf_reader *r, char *err, size_t errlen)
{
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_cond_signal(&r->not_full);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->thread, NULL);

	enum sf_next end = r->end;
	if (errlen)
		snprintf(err, errlen, "%s", r->err);
	pthread_cond_destroy(&r->not_full);
	pthread_cond_destroy(&r->not_empty);
	pthread_mutex_destroy(&r->mu);
	free(r);
	return end;
}
