/*
 * fuzz_decode.c - libFuzzer target: one frame through sf_decode_frame().
 *
 * Input layout:
 *   byte 0   index into link_types[] (mod its size): the DLT to decode as
 *   byte 1   how wirelen relates to caplen (see wirelen_for())
 *   rest     the captured frame bytes (caplen = size - 2)
 *
 * The frame is copied into a buffer of exactly caplen bytes, so that ASan
 * flags any read past the capture. Besides "no crash, no UB", the target
 * checks the decoder's documented contract (decode.h):
 *   - the result is a valid enum sf_skip with a name;
 *   - on a skip, *out is left exactly as it was;
 *   - on success, frame and ts are untouched, the flags byte is the raw TCP
 *     flags, and decoding the same bytes again gives the same packet;
 *   - the result does not depend on how wirelen exceeds caplen unless an IP
 *     length field is 0 (only the zero-length fallback may look at wirelen).
 * A broken property aborts, which libFuzzer reports as a crash.
 */
#include <pcap/dlt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synfin/decode.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

/* Every link type decode.c knows (12 and 101 are both raw IP), plus one it does not. */
static const int link_types[] = {
	DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, 101,
	DLT_IPV4,   DLT_IPV6,      DLT_NULL,       DLT_LOOP, DLT_IEEE802_11,
};
#define N_LINK_TYPES (sizeof link_types / sizeof link_types[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t wirelen_for(uint8_t mode, size_t caplen)
{
	switch (mode & 7) {
	case 0:
	default:
		return caplen;                     /* whole frame captured */
	case 1:
		return caplen + 1 + (mode >> 3);   /* cut by the snaplen */
	case 2:
		return caplen + 65536;             /* TSO super-frame, cut */
	case 3:
		return caplen / 2;                 /* bogus: wirelen < caplen */
	case 4:
		return 0;                          /* bogus: wirelen 0 */
	case 5:
		return UINT32_MAX;                 /* largest a pcap record can claim */
	case 6:
		return SIZE_MAX;                   /* largest the API accepts */
	}
}

/* Field by field: struct padding is not part of the contract. */
static int packet_same(const struct sf_packet *a, const struct sf_packet *b)
{
	return a->frame == b->frame && a->ts.sec == b->ts.sec && a->ts.nsec == b->ts.nsec &&
	       memcmp(&a->src, &b->src, sizeof a->src) == 0 &&
	       memcmp(&a->dst, &b->dst, sizeof a->dst) == 0 && a->sport == b->sport &&
	       a->dport == b->dport && a->seq == b->seq && a->ack == b->ack &&
	       a->flags == b->flags && a->window == b->window && a->payload_len == b->payload_len &&
	       a->opt_mask == b->opt_mask && a->mss == b->mss && a->wscale == b->wscale &&
	       a->tsval == b->tsval && a->tsecr == b->tsecr &&
	       a->options_truncated == b->options_truncated;
}

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_decode: property broken: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int dlt = link_types[data[0] % N_LINK_TYPES];
	size_t caplen = size - 2;
	size_t wirelen = wirelen_for(data[1], caplen);

	/* Exact-size copy (NULL for an empty frame, as a caller may pass). */
	uint8_t *frame = caplen ? malloc(caplen) : NULL;
	if (caplen && !frame)
		return 0;
	if (caplen)
		memcpy(frame, data + 2, caplen);

	struct sf_packet before, p, again;
	memset(&before, 0xA5, sizeof before);
	memcpy(&p, &before, sizeof p);
	enum sf_skip r = sf_decode_frame(dlt, frame, caplen, wirelen, &p);

	if ((unsigned)r >= SF_SKIP__COUNT || strcmp(sf_skip_name(r), "unknown") == 0)
		fail("result is not a named enum sf_skip");
	if (!sf_decode_linktype_supported(dlt) && r != SF_SKIP_LINK_UNSUPPORTED)
		fail("unsupported link type decoded");
	if (r != SF_SKIP_NONE) {
		if (memcmp(&p, &before, sizeof p) != 0)
			fail("*out changed on a skip");
		memcpy(&again, &before, sizeof again);
		if (sf_decode_frame_headers(dlt, frame, caplen, wirelen, &again) != r ||
		    memcmp(&again, &before, sizeof again) != 0)
			fail("sf_decode_frame_headers skips otherwise");
	} else {
		if (p.frame != before.frame || p.ts.sec != before.ts.sec || p.ts.nsec != before.ts.nsec)
			fail("decoder wrote frame/ts");
		if (p.opt_mask & ~0x3F)
			fail("unknown option bit");
		memcpy(&again, &before, sizeof again);
		if (sf_decode_frame(dlt, frame, caplen, wirelen, &again) != r || !packet_same(&again, &p))
			fail("decoding is not deterministic");
		/* without the options: the same but for the option fields, which are 0 */
		memcpy(&again, &before, sizeof again);
		if (sf_decode_frame_headers(dlt, frame, caplen, wirelen, &again) != r)
			fail("sf_decode_frame_headers gives another result");
		if (again.opt_mask || again.mss || again.wscale || again.tsval || again.tsecr)
			fail("sf_decode_frame_headers set an option field");
		again.opt_mask = p.opt_mask;
		again.mss = p.mss;
		again.wscale = p.wscale;
		again.tsval = p.tsval;
		again.tsecr = p.tsecr;
		if (!packet_same(&again, &p))
			fail("sf_decode_frame_headers differs outside the option fields");
	}

	/*
	 * wirelen only matters through the IP zero-length fallback (a datagram
	 * whose IP length field is 0 runs to the end of the frame on the wire).
	 * Rather than re-derive when a length field is 0, check the reasons
	 * decided before any IP length is read: they must not move with wirelen.
	 */
	if (r == SF_SKIP_LINK_TRUNCATED || r == SF_SKIP_LINK_UNSUPPORTED || r == SF_SKIP_NOT_IP) {
		struct sf_packet q;
		memcpy(&q, &before, sizeof q);
		if (sf_decode_frame(dlt, frame, caplen, caplen, &q) != r)
			fail("link-level result depends on wirelen");
	}
	free(frame);
	return 0;
}
