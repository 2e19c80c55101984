/*
 * decode_int.h - prototypes shared by the decoder files (private).
 *
 * The pipeline is link -> IP -> TCP, each stage a function that takes a
 * cursor positioned at its header. On success a stage leaves the cursor on
 * the next header, its window cut to min(captured bytes, declared length),
 * and returns SF_SKIP_NONE; otherwise it returns the reason and the caller
 * stops. Stages never print, allocate or exit.
 */
#ifndef SYNFIN_DECODE_INT_H
#define SYNFIN_DECODE_INT_H

#include <stddef.h>

#include "synfin/addr.h"
#include "synfin/decode.h"
#include "synfin/packet.h"

#include "cursor.h"

/* What a link layer says comes next. */
enum sf_net {
	SF_NET_IPV4, /* must be IPv4: a version nibble other than 4 is malformed */
	SF_NET_IPV6, /* must be IPv6 */
	SF_NET_IP,   /* raw IP: the version nibble decides */
};

/*
 * Link decoders (decode_link.c). Each consumes its link-layer header from
 * *c and sets *net. Failures: SF_SKIP_LINK_TRUNCATED (header or a VLAN tag
 * not captured), SF_SKIP_NOT_IP.
 */
enum sf_skip sf_decode_link_ether(struct sf_cursor *c, enum sf_net *net);
enum sf_skip sf_decode_link_sll(struct sf_cursor *c, enum sf_net *net);
enum sf_skip sf_decode_link_sll2(struct sf_cursor *c, enum sf_net *net);
enum sf_skip sf_decode_link_null(struct sf_cursor *c, enum sf_net *net);
enum sf_skip sf_decode_link_loop(struct sf_cursor *c, enum sf_net *net);
enum sf_skip sf_decode_link_raw(struct sf_cursor *c, enum sf_net *net);
enum sf_skip sf_decode_link_ipv4(struct sf_cursor *c, enum sf_net *net);
enum sf_skip sf_decode_link_ipv6(struct sf_cursor *c, enum sf_net *net);

/* What the IP layer hands to TCP. */
struct sf_ip_info {
	struct sf_addr src, dst;
	size_t l4_len; /* declared length of the TCP segment, header + payload */
};

/*
 * IP decoder (decode_ip.c). *c is at the IP header; wire_left is how many
 * bytes followed the link header on the wire (>= sf_cur_left(c)), used only
 * when the IP length field is 0 (TSO/GSO captures on the sending host, IPv6
 * jumbograms). On success *c is at the TCP header, its window ends at
 * min(captured, info->l4_len), and *info is filled.
 */
enum sf_skip sf_decode_ip(struct sf_cursor *c, enum sf_net net, size_t wire_left,
			  struct sf_ip_info *info);

/*
 * TCP decoder (decode_tcp.c). *c is at the TCP header with its window
 * already cut to the IP payload; ip holds the addresses and the declared
 * segment length. Writes every decoder-owned field of *out (all but frame
 * and ts), and only on success, so *out is untouched on a skip.
 */
enum sf_skip sf_decode_tcp(const struct sf_cursor *c, const struct sf_ip_info *ip,
			   struct sf_packet *out);

#endif
