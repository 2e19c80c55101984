/* reader.h - read and decode a capture file on a second thread, in batches. */
#ifndef SYNFIN_READER_H
#define SYNFIN_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synfin/capture.h"
#include "synfin/decode.h"
#include "synfin/packet.h"

/*
 * The reader thread owns the capture while it runs: it calls
 * sf_capture_dispatch() and the stateless sf_decode_frame() and hands the
 * results over in batches. The caller's thread keeps everything with state
 * (flow table, tracker, report), so the data still flows one way and the
 * two halves of the per-packet work overlap on two cores.
 */

struct sf_read_item {
	struct sf_packet pkt; /* valid when why == SF_SKIP_NONE and !filtered */
	int64_t ts_ns;        /* sf_ts_ns(pkt.ts) (when it is a segment) */
	uint32_t hash;        /* the hasher's value for pkt when it is a segment, else 0 */
	uint8_t why;          /* enum sf_skip */
	bool filtered;
};

/* Called on the reader thread for each decoded segment: must only read immutable state. */
typedef uint32_t (*sf_reader_hasher)(const void *ctx, const struct sf_packet *p);

#define SF_READER_BATCH 512

struct sf_read_batch {
	uint32_t n;
	struct sf_read_item items[SF_READER_BATCH];
};

struct sf_reader;

/*
 * Called for each item sf_reader_send_back sent, in the order sent, one call
 * at a time: mostly on the reader thread, and on the consumer's while it
 * would otherwise wait for a batch.
 */
typedef void (*sf_reader_back_fn)(void *ctx, void *item);

/*
 * Start reading cap; NULL when no thread could be started (read inline
 * instead). hasher (required: the consumer routes by the value) fills each
 * segment's hash. back_fn (may be NULL when nothing is sent back) runs the
 * last stage: the consumer's finished work goes back to the reader thread,
 * so the two cores share the per-packet work more evenly. The reader fills
 * the ring first and serves what came back while the ring is full; the
 * consumer serves it itself when the ring is empty and the reader is busy
 * reading, so neither thread waits while there is work of either kind.
 */
struct sf_reader *sf_reader_start(struct sf_capture *cap, sf_reader_hasher hasher, const void *hash_ctx,
				  sf_reader_back_fn back_fn, void *back_ctx);
/*
 * Consumer: have back_fn(back_ctx, item) called after the items sent before
 * it. Gathered 64 at a time (one lock); all have been handled once
 * sf_reader_finish returns.
 */
void sf_reader_send_back(struct sf_reader *r, void *item);
/*
 * The next batch in file order, or NULL once the input ended. While none is
 * ready, items that came back are served here (when the reader thread is
 * not serving them) before it waits.
 */
const struct sf_read_batch *sf_reader_next(struct sf_reader *r);
/* Give back the batch sf_reader_next returned, before asking for another. */
void sf_reader_release(struct sf_reader *r);
/*
 * Send back what is still gathered, stop (if still running) and join the
 * thread once back_fn has seen every item. Returns how the input ended:
 * SF_NEXT_END, SF_NEXT_TRUNCATED or SF_NEXT_ERROR (message in err).
 */
enum sf_next sf_reader_finish(struct sf_reader *r, char *err, size_t errlen);

#endif
