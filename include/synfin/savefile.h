/*
 * savefile.h - the records of a classic pcap file, read straight from a buffer.
 *
 * libpcap reads each record with two freads into its own buffer: some 400
 * instructions a frame, most of the reading thread's work on headers-only
 * captures. This reader takes whole chunks of the file and hands out
 * records in place, for the plain case only: a record that is complete and
 * no longer than the snapshot length. At anything else (a record cut short,
 * one longer than the snapshot length or the buffer, a read error) it stops
 * and puts the stream back at the start of that record, so libpcap reads
 * it and everything after it exactly as it always did: its checks, its
 * messages, its handling of odd files stay the only ones.
 *
 * It needs a seekable stream (to hand back) positioned just after a file
 * header with one of the two standard magic numbers, in either byte order.
 * Which link types are safe (libpcap rewrites the pseudo-headers of a few
 * when the byte order is swapped) is the caller's decision.
 */
#ifndef SYNFIN_SAVEFILE_H
#define SYNFIN_SAVEFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct sf_savefile;

/* One record as the file holds it, byte order fixed; data is valid until the next call. */
struct sf_savefile_rec {
	uint32_t sec;
	uint32_t frac;    /* microseconds, or nanoseconds in a nanosecond file */
	uint32_t caplen;  /* at most the snapshot length */
	uint32_t len;
	const uint8_t *data;
};

enum sf_savefile_step {
	SF_SAVEFILE_RECORD,   /* *rec holds the next record */
	SF_SAVEFILE_END,      /* the file ended cleanly after the last record */
	SF_SAVEFILE_HANDOVER, /* libpcap must read on: call sf_savefile_handover */
};

/*
 * Read the records of fp, which libpcap has just opened: fp stands after the
 * file header. snapshot is libpcap's (pcap_snapshot). NULL when the stream
 * cannot be read this way (not seekable, not a standard pcap header, no
 * memory). Reads with pread on fp's descriptor: fp itself is never moved
 * until the hand-over. *swapped and *nano describe the file.
 */
struct sf_savefile *sf_savefile_open(FILE *fp, uint32_t snapshot, bool *swapped, bool *nano);
enum sf_savefile_step sf_savefile_next(struct sf_savefile *s, struct sf_savefile_rec *rec);
/*
 * Put fp at the start of the first record not handed out (so libpcap reads
 * on from there) and free s. -1 if the stream could not be repositioned.
 */
int sf_savefile_handover(struct sf_savefile *s);
/* Free s; fp is left wherever it is (the caller is closing it). */
void sf_savefile_free(struct sf_savefile *s);

/* Bytes read at a time: fits the L2 cache with room to spare, as the stream buffer did. */
#define SF_SAVEFILE_CHUNK (256u << 10)

#endif
