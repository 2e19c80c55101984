/* ring.c - a single-producer, single-consumer ring of batches (see ring.h). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "synfin/alloc.h"
#include "synfin/ring.h"

struct sf_ring {
	pthread_mutex_t mu;
	pthread_cond_t not_full, not_empty;
	uint64_t head, tail;  /* slots put / done */
	bool closed;          /* the producer put its last slot */
	bool stopped;         /* the consumer wants no more */
	bool holding;         /* the consumer holds slot tail */
	bool producer_waits;  /* sleeps on not_full */
	bool consumer_waits;  /* sleeps on not_empty */
	size_t slot_size;     /* a multiple of the cache line: the two sides never share one */
	unsigned char *slots;

	/* the way back: consumer -> producer, pointers in order */
	void *back[SF_RING_BACK];
	uint64_t back_head, back_tail; /* sent / taken */
	bool back_closed;              /* the consumer sends no more */
	bool back_producer_waits;      /* sleeps on not_full in sf_ring_back_wait */
	bool sender_waits;             /* the consumer sleeps on back_space */
	pthread_cond_t back_space;
};

struct sf_ring *sf_ring_new(size_t slot_size)
{
	struct sf_ring *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->slot_size = (slot_size + SF_CACHE_LINE - 1) & ~(size_t)(SF_CACHE_LINE - 1);
	r->slots = sf_calloc_lines(SF_RING_SLOTS * r->slot_size);
	if (!r->slots || pthread_mutex_init(&r->mu, NULL) != 0) {
		free(r->slots);
		free(r);
		return NULL;
	}
	pthread_cond_init(&r->not_full, NULL);
	pthread_cond_init(&r->not_empty, NULL);
	pthread_cond_init(&r->back_space, NULL);
	return r;
}

static void *slot(struct sf_ring *r, uint64_t i)
{
	return r->slots + (size_t)(i % SF_RING_SLOTS) * r->slot_size;
}

void *sf_ring_fill(struct sf_ring *r)
{
	pthread_mutex_lock(&r->mu);
	while (r->head - r->tail == SF_RING_SLOTS && !r->stopped && r->back_head == r->back_tail) {
		r->producer_waits = true;
		pthread_cond_wait(&r->not_full, &r->mu);
	}
	r->producer_waits = false;
	void *s = r->stopped || r->head - r->tail == SF_RING_SLOTS ? NULL : slot(r, r->head);
	pthread_mutex_unlock(&r->mu);
	return s;
}

bool sf_ring_stopped(struct sf_ring *r)
{
	pthread_mutex_lock(&r->mu);
	bool stopped = r->stopped;
	pthread_mutex_unlock(&r->mu);
	return stopped;
}

void sf_ring_put(struct sf_ring *r, bool last)
{
	pthread_mutex_lock(&r->mu);
	r->head++;
	if (last)
		r->closed = true;
	if (r->consumer_waits && (last || r->head - r->tail >= SF_RING_SLOTS / 2))
		pthread_cond_signal(&r->not_empty);
	pthread_mutex_unlock(&r->mu);
}

void sf_ring_close(struct sf_ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->closed = true;
	pthread_cond_signal(&r->not_empty);
	pthread_mutex_unlock(&r->mu);
}

/* The oldest full slot, now held, or NULL when there is none; the caller holds the lock. */
static void *take_locked(struct sf_ring *r)
{
	if (r->head == r->tail)
		return NULL;
	r->holding = true;
	return slot(r, r->tail);
}

void *sf_ring_take(struct sf_ring *r)
{
	pthread_mutex_lock(&r->mu);
	while (r->head == r->tail && !r->closed) {
		r->consumer_waits = true;
		pthread_cond_wait(&r->not_empty, &r->mu);
	}
	r->consumer_waits = false;
	void *s = take_locked(r);
	pthread_mutex_unlock(&r->mu);
	return s;
}

void *sf_ring_try_take(struct sf_ring *r)
{
	pthread_mutex_lock(&r->mu);
	void *s = take_locked(r);
	pthread_mutex_unlock(&r->mu);
	return s;
}

void sf_ring_done(struct sf_ring *r)
{
	pthread_mutex_lock(&r->mu);
	if (r->holding) {
		r->holding = false;
		r->tail++;
		if (r->producer_waits && r->head - r->tail <= SF_RING_SLOTS / 2)
			pthread_cond_signal(&r->not_full);
	}
	pthread_mutex_unlock(&r->mu);
}

void sf_ring_stop(struct sf_ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->stopped = true;
	pthread_cond_signal(&r->not_full);
	pthread_mutex_unlock(&r->mu);
}

/* ---- the way back ---- */

void sf_ring_back_send(struct sf_ring *r, void *const *items, size_t n)
{
	pthread_mutex_lock(&r->mu);
	for (size_t i = 0; i < n; i++) {
		while (r->back_head - r->back_tail == SF_RING_BACK) {
			/* full: make sure the producer is not asleep, then wait for room */
			pthread_cond_signal(&r->not_full);
			r->sender_waits = true;
			pthread_cond_wait(&r->back_space, &r->mu);
		}
		r->sender_waits = false;
		r->back[r->back_head++ % SF_RING_BACK] = items[i];
	}
	/* a producer asleep in sf_ring_back_wait wants every item; in sf_ring_fill, half a ring's worth */
	if (r->back_producer_waits || (r->producer_waits && r->back_head - r->back_tail >= SF_RING_BACK / 2))
		pthread_cond_signal(&r->not_full);
	pthread_mutex_unlock(&r->mu);
}

void sf_ring_back_close(struct sf_ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->back_closed = true;
	pthread_cond_signal(&r->not_full);
	pthread_mutex_unlock(&r->mu);
}

/* Move up to max items out; the caller holds the lock. */
static size_t back_take_locked(struct sf_ring *r, void **items, size_t max)
{
	size_t n = 0;
	while (n < max && r->back_tail != r->back_head)
		items[n++] = r->back[r->back_tail++ % SF_RING_BACK];
	if (n > 0 && r->sender_waits)
		pthread_cond_signal(&r->back_space);
	return n;
}

size_t sf_ring_back_take(struct sf_ring *r, void **items, size_t max)
{
	pthread_mutex_lock(&r->mu);
	size_t n = back_take_locked(r, items, max);
	pthread_mutex_unlock(&r->mu);
	return n;
}

size_t sf_ring_back_wait(struct sf_ring *r, void **items, size_t max)
{
	pthread_mutex_lock(&r->mu);
	while (r->back_tail == r->back_head && !r->back_closed) {
		r->back_producer_waits = true;
		pthread_cond_wait(&r->not_full, &r->mu);
	}
	r->back_producer_waits = false;
	size_t n = back_take_locked(r, items, max);
	pthread_mutex_unlock(&r->mu);
	return n;
}

void sf_ring_free(struct sf_ring *r)
{
	if (!r)
		return;
	pthread_cond_destroy(&r->not_full);
	pthread_cond_destroy(&r->not_empty);
	pthread_cond_destroy(&r->back_space);
	pthread_mutex_destroy(&r->mu);
	free(r->slots);
	free(r);
}
