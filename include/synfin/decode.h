/* decode.h - one captured frame to an sf_packet, or a named skip reason. */
#ifndef SYNFIN_DECODE_H
#define SYNFIN_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synfin/packet.h"

/*
 * Why a frame did not yield a TCP segment. Names (sf_skip_name) are the keys
 * of the JSON report's input.skipped object; keep the table in decode.c in
 * step (a _Static_assert ties its size to SF_SKIP__COUNT).
 */
enum sf_skip {
	SF_SKIP_NONE = 0,        /* decoded */
	SF_SKIP_LINK_TRUNCATED,  /* "link_truncated": shorter than its link-layer header */
	SF_SKIP_LINK_UNSUPPORTED,/* "link_unsupported": link type synfin does not decode (pcapng interface) */
	SF_SKIP_NOT_IP,          /* "not_ip": link payload is not IPv4/IPv6 (ARP, LLC, ...) */
	SF_SKIP_IP_TRUNCATED,    /* "ip_truncated": IP header not fully captured */
	SF_SKIP_IP_MALFORMED,    /* "ip_malformed": bad version, IHL < 5, total length < header, ... */
	SF_SKIP_IPV6_EXT,        /* "ipv6_ext_malformed": extension chain cut, malformed or too long */
	SF_SKIP_IP_FRAGMENT,     /* "ip_fragment": non-first fragment */
	SF_SKIP_NOT_TCP,         /* "not_tcp": IP payload is not TCP (UDP, ICMP, tunnels, ...) */
	SF_SKIP_TCP_TRUNCATED,   /* "tcp_truncated": fewer than 20 TCP header bytes captured */
	SF_SKIP_TCP_MALFORMED,   /* "tcp_malformed": data offset < 5 or past the IP payload */
	SF_SKIP__COUNT
};

const char *sf_skip_name(enum sf_skip r);

/* Is this DLT_* link type one the decoder understands? */
bool sf_decode_linktype_supported(int dlt);

/*
 * Decode one frame of link type dlt. data holds caplen captured bytes of a
 * frame that was wirelen bytes long (wirelen >= caplen is not assumed).
 * On SF_SKIP_NONE every decoder-owned field of *out is set; frame and ts are
 * left for the caller. Never reads past data + caplen, never allocates.
 */
enum sf_skip sf_decode_frame(int dlt, const uint8_t *data, size_t caplen, size_t wirelen,
			     struct sf_packet *out);
/*
 * The same without walking the TCP option list: opt_mask, mss, wscale,
 * tsval and tsecr are 0 (options_truncated is set as above); every other
 * field and the result are sf_decode_frame()'s. For callers that read no
 * option field - the pipeline: the tracker and the views read the header's
 * fields only - it saves the walk on every segment.
 */
enum sf_skip sf_decode_frame_headers(int dlt, const uint8_t *data, size_t caplen, size_t wirelen,
				     struct sf_packet *out);

#endif
