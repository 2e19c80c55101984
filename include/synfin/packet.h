/* packet.h - the decoded, host-order view of one TCP segment. */
#ifndef SYNFIN_PACKET_H
#define SYNFIN_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "synfin/addr.h"

/* TCP header flag bits (RFC 9293 §3.1, RFC 3168). */
enum {
	SF_TH_FIN = 0x01,
	SF_TH_SYN = 0x02,
	SF_TH_RST = 0x04,
	SF_TH_PSH = 0x08,
	SF_TH_ACK = 0x10,
	SF_TH_URG = 0x20,
	SF_TH_ECE = 0x40,
	SF_TH_CWR = 0x80,
};

/* TCP options seen in the captured part of the header (bits of opt_mask). */
enum {
	SF_OPT_MSS = 0x01,
	SF_OPT_WSCALE = 0x02,
	SF_OPT_SACK_PERM = 0x04,
	SF_OPT_SACK = 0x08,
	SF_OPT_TS = 0x10,
	SF_OPT_TFO = 0x20, /* RFC 7413 Fast Open cookie option (kind 34 or 254/0xF989) */
};

/* Capture time; nsec < 1e9. */
struct sf_ts {
	int64_t sec;
	uint32_t nsec;
};

/*
 * Capture time as signed nanoseconds since the epoch, for cheap integer
 * comparisons on the per-packet path. Seconds are clamped to +-9e9 (year
 * 2255) so a corrupt time stamp cannot overflow.
 */
static inline int64_t sf_ts_ns(struct sf_ts t)
{
	int64_t sec = t.sec;
	if (sec > 9000000000LL)
		sec = 9000000000LL;
	else if (sec < -9000000000LL)
		sec = -9000000000LL;
	return sec * 1000000000LL + (int64_t)t.nsec;
}

/* a - b in seconds */
static inline double sf_ts_sub(struct sf_ts a, struct sf_ts b)
{
	return (double)(a.sec - b.sec) + ((double)a.nsec - (double)b.nsec) / 1e9;
}

struct sf_packet {
	/* filled by the capture layer */
	uint64_t frame; /* 1-based, counting every frame of the input before filtering */
	struct sf_ts ts;
	/* filled by the decoder */
	struct sf_addr src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack;   /* raw 32-bit values */
	uint8_t flags;       /* SF_TH_* */
	uint16_t window;     /* raw, unscaled */
	uint32_t payload_len; /* from the IP length fields, never from caplen */
	uint8_t opt_mask;    /* SF_OPT_* found in the captured option bytes */
	uint16_t mss;
	uint8_t wscale;
	uint32_t tsval, tsecr;
	bool options_truncated; /* the option bytes were cut by the snaplen */
};

#endif
