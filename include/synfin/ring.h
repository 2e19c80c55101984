/* ring.h - hand batches of work from one thread to another, in order. */
#ifndef SYNFIN_RING_H
#define SYNFIN_RING_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A single-producer, single-consumer ring of SF_RING_SLOTS fixed-size
 * slots. The producer fills the slot sf_ring_fill() gives it and passes it
 * on with sf_ring_put(); the consumer takes the oldest full slot with
 * sf_ring_take() and gives it back with sf_ring_done(). A slot belongs to
 * one side at a time, so its contents need no lock; one mutex guards the
 * two counters, taken once per slot.
 *
 * A side that waits is woken only when the ring is half empty (the
 * producer) or half full (the consumer), or at the end: whichever thread is
 * faster then sleeps once per SF_RING_SLOTS / 2 slots, not once per slot,
 * so the two do not ping-pong through the kernel.
 */
#define SF_RING_SLOTS 16

struct sf_ring;

/* A ring of slots of slot_size bytes each (zeroed); NULL when out of memory. */
struct sf_ring *sf_ring_new(size_t slot_size);
/*
 * Producer: an empty slot to fill, waiting for one; NULL once the consumer
 * stopped (sf_ring_stopped tells), or while the ring is full and items wait
 * on the way back (sf_ring_back_take them, then ask again).
 */
void *sf_ring_fill(struct sf_ring *r);
/* Producer: has the consumer stopped? */
bool sf_ring_stopped(struct sf_ring *r);
/* Producer: the slot sf_ring_fill gave is full; last: nothing comes after it. */
void sf_ring_put(struct sf_ring *r, bool last);
/* Producer: nothing more is coming (when the last slot was not marked so). */
void sf_ring_close(struct sf_ring *r);
/* Consumer: the oldest full slot, waiting for one; NULL once the producer closed and all were taken. */
void *sf_ring_take(struct sf_ring *r);
/* Consumer: the oldest full slot, or NULL at once when there is none (closed or not). */
void *sf_ring_try_take(struct sf_ring *r);
/* Consumer: done with the slot sf_ring_take gave. */
void sf_ring_done(struct sf_ring *r);
/* Consumer: wants no more; a producer waiting in sf_ring_fill gets NULL. */
void sf_ring_stop(struct sf_ring *r);
void sf_ring_free(struct sf_ring *r);

/*
 * The way back: the consumer returns finished work (pointers) to the
 * producer, in order, through SF_RING_BACK places under the same lock. A
 * producer waiting for an empty slot also wakes for items coming back, and
 * a consumer waiting for room on the way back first wakes the producer, so
 * neither can wait on the other at once.
 */
#define SF_RING_BACK 1024
/* Consumer: send n items back, waiting while the way back is full. */
void sf_ring_back_send(struct sf_ring *r, void *const *items, size_t n);
/* Consumer: nothing more comes back. */
void sf_ring_back_close(struct sf_ring *r);
/*
 * Up to max items that came back, without waiting; 0 if none. The producer
 * takes them, and so may the consumer (one side at a time: the caller keeps
 * the two apart, as sf_reader does).
 */
size_t sf_ring_back_take(struct sf_ring *r, void **items, size_t max);
/* Producer: up to max items, waiting for some; 0 once the way back is closed and empty. */
size_t sf_ring_back_wait(struct sf_ring *r, void **items, size_t max);

#endif
