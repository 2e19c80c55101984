/*
 * decode.c - frame -> struct sf_packet: link-type table, skip-reason names
 * and the entry point that runs link -> IP -> TCP.
 */
#include "synfin/decode.h"

#include <pcap/dlt.h>
#include <stddef.h>

#include "decode_int.h"

/* Values from libpcap's dlt.h, for headers that predate them. */
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif
/*
 * LINKTYPE_RAW: the value pcap files use for raw IP. libpcap translates it
 * to DLT_RAW (12, or 14 on OpenBSD), but accept it as given too.
 */
#define SF_LINKTYPE_RAW 101

/*
 * Link type -> decoder. A list, not an array indexed by DLT: DLT_RAW and
 * DLT_LOOP have platform-dependent values that may collide with each other
 * or with SF_LINKTYPE_RAW. The first match wins.
 */
struct link_decoder {
	int dlt;
	enum sf_skip (*decode)(struct sf_cursor *c, enum sf_net *net);
};

static const struct link_decoder link_decoders[] = {
	{DLT_EN10MB, sf_decode_link_ether},
	{DLT_LINUX_SLL, sf_decode_link_sll},
	{DLT_LINUX_SLL2, sf_decode_link_sll2},
	{DLT_RAW, sf_decode_link_raw},
	{SF_LINKTYPE_RAW, sf_decode_link_raw},
	{DLT_IPV4, sf_decode_link_ipv4},
	{DLT_IPV6, sf_decode_link_ipv6},
	{DLT_NULL, sf_decode_link_null},
	{DLT_LOOP, sf_decode_link_loop},
};

/* JSON keys of input.skipped; index = enum sf_skip. */
static const char *const skip_names[] = {
	[SF_SKIP_NONE] = "none",
	[SF_SKIP_LINK_TRUNCATED] = "link_truncated",
	[SF_SKIP_LINK_UNSUPPORTED] = "link_unsupported",
	[SF_SKIP_NOT_IP] = "not_ip",
	[SF_SKIP_IP_TRUNCATED] = "ip_truncated",
	[SF_SKIP_IP_MALFORMED] = "ip_malformed",
	[SF_SKIP_IPV6_EXT] = "ipv6_ext_malformed",
	[SF_SKIP_IP_FRAGMENT] = "ip_fragment",
	[SF_SKIP_NOT_TCP] = "not_tcp",
	[SF_SKIP_TCP_TRUNCATED] = "tcp_truncated",
	[SF_SKIP_TCP_MALFORMED] = "tcp_malformed",
};
_Static_assert(sizeof(skip_names) / sizeof(skip_names[0]) == SF_SKIP__COUNT,
	       "skip_names[] must name every enum sf_skip value");

const char *sf_skip_name(enum sf_skip r)
{
	if ((unsigned)r >= SF_SKIP__COUNT || skip_names[r] == NULL)
		return "unknown";
	return skip_names[r];
}

static const struct link_decoder *find_link_decoder(int dlt)
{
	for (size_t i = 0; i < sizeof(link_decoders) / sizeof(link_decoders[0]); i++)
		if (link_decoders[i].dlt == dlt)
			return &link_decoders[i];
	return NULL;
}

bool sf_decode_linktype_supported(int dlt)
{
	return find_link_decoder(dlt) != NULL;
}

/*
 * At entry nothing about the frame is trusted: data may be NULL when
 * caplen is 0, and wirelen may be below caplen. The cursor bounds every
 * read to [data, data + caplen). On a skip *out is left as it was.
 */
enum sf_skip sf_decode_frame(int dlt, const uint8_t *data, size_t caplen, size_t wirelen,
			     struct sf_packet *out)
{
	const struct link_decoder *link = find_link_decoder(dlt);
	if (link == NULL)
		return SF_SKIP_LINK_UNSUPPORTED;

	struct sf_cursor c;
	sf_cur_init(&c, data, caplen);
	enum sf_net net;
	enum sf_skip r = link->decode(&c, &net);
	if (r != SF_SKIP_NONE)
		return r;

	/*
	 * Bytes after the link header as the frame was on the wire; only the
	 * IP layer's zero-length (TSO/jumbogram) fallback uses it. At this
	 * point: link_len <= caplen, so nothing below wraps, and the result is
	 * never below the captured remainder.
	 */
	size_t link_len = caplen - sf_cur_left(&c);
	size_t wire_left = wirelen > caplen ? wirelen - link_len : sf_cur_left(&c);

	struct sf_ip_info ip;
	r = sf_decode_ip(&c, net, wire_left, &ip);
	if (r != SF_SKIP_NONE)
		return r;
	return sf_decode_tcp(&c, &ip, out);
}
