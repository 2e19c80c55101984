/*
 * test_decode.c - sf_decode_frame on hand-built frames.
 *
 * Every frame is copied into a malloc'd buffer of exactly caplen bytes
 * before decoding, so under ASan any read past data + caplen is caught.
 */
#include <criterion/criterion.h>
#include <pcap/dlt.h>
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
#define LINKTYPE_RAW 101

/* ---- frame building ---------------------------------------------------- */

struct frame {
	uint8_t b[2048];
	size_t n;
};

static void put(struct frame *f, const void *p, size_t n)
{
	cr_assert_leq(f->n + n, sizeof(f->b), "test frame too long");
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void put8(struct frame *f, uint8_t v)
{
	put(f, &v, 1);
}

static void put16(struct frame *f, uint16_t v)
{
	const uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	put(f, b, 2);
}

static void put32(struct frame *f, uint32_t v)
{
	const uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	put(f, b, 4);
}

static void put_le32(struct frame *f, uint32_t v)
{
	const uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	put(f, b, 4);
}

static void put_fill(struct frame *f, uint8_t byte, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(f, byte);
}

static const uint8_t SRC4[4] = {10, 0, 0, 1};
static const uint8_t DST4[4] = {10, 0, 0, 2};
static const uint8_t SRC6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t DST6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

enum {
	ET_IPV4 = 0x0800,
	ET_IPV6 = 0x86DD,
	ET_ARP = 0x0806,
	ET_8021Q = 0x8100,
	ET_8021AD = 0x88A8,
	ET_QINQ_OLD = 0x9100,
	P_TCP = 6,
	P_UDP = 17,
};

static void put_eth(struct frame *f, uint16_t type)
{
	static const uint8_t mac_dst[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
	static const uint8_t mac_src[6] = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
	put(f, mac_dst, 6);
	put(f, mac_src, 6);
	put16(f, type);
}

/* One 802.1Q/802.1ad tag body: TCI, then the type of what follows. */
static void put_vlan(struct frame *f, uint16_t vid, uint16_t inner)
{
	put16(f, vid & 0x0FFF);
	put16(f, inner);
}

/* Linux cooked v1: pkttype, ARPHRD_ETHER, halen 6, address padded to 8, protocol. */
static void put_sll(struct frame *f, uint16_t proto)
{
	static const uint8_t addr[8] = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0, 0};
	put16(f, 0);
	put16(f, 1);
	put16(f, 6);
	put(f, addr, 8);
	put16(f, proto);
}

/* Linux cooked v2: protocol, reserved, ifindex, ARPHRD_ETHER, pkttype (outgoing), halen, address. */
static void put_sll2(struct frame *f, uint16_t proto)
{
	static const uint8_t addr[8] = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0, 0};
	put16(f, proto);
	put16(f, 0);
	put32(f, 2);
	put16(f, 1);
	put8(f, 4);
	put8(f, 6);
	put(f, addr, 8);
}

/*
 * IPv4 10.0.0.1 -> 10.0.0.2 with IHL 5 + opt_words: a Router Alert option
 * (RFC 2113) in the first option word, NOPs after it.
 */
static void put_ipv4_full(struct frame *f, uint16_t total_len, uint8_t proto, uint16_t frag,
			  unsigned opt_words)
{
	put8(f, (uint8_t)(0x40 | (5 + opt_words)));
	put8(f, 0);
	put16(f, total_len);
	put16(f, 0x1234);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0); /* checksum: not verified by the decoder */
	put(f, SRC4, 4);
	put(f, DST4, 4);
	if (opt_words > 0) {
		static const uint8_t ra[4] = {0x94, 0x04, 0x00, 0x00};
		put(f, ra, 4);
		put_fill(f, 0x01, (opt_words - 1) * 4);
	}
}

static void put_ipv4(struct frame *f, uint16_t total_len, uint8_t proto)
{
	put_ipv4_full(f, total_len, proto, 0x4000 /* DF */, 0);
}

/* IPv6 2001:db8::1 -> 2001:db8::2. */
static void put_ipv6(struct frame *f, uint16_t payload_len, uint8_t nxt)
{
	put32(f, 0x60000000);
	put16(f, payload_len);
	put8(f, nxt);
	put8(f, 64);
	put(f, SRC6, 16);
	put(f, DST6, 16);
}

/* An options extension header (HBH, DST, ...) of 8 * (units + 1) bytes, PadN inside. */
static void put_ext_opts(struct frame *f, uint8_t nxt, uint8_t units)
{
	size_t len = ((size_t)units + 1) * 8;
	put8(f, nxt);
	put8(f, units);
	put8(f, 0x01); /* PadN */
	put8(f, (uint8_t)(len - 4));
	put_fill(f, 0, len - 4);
}

/* Fragment header (RFC 8200 §4.5): offset in 8-byte units, M flag. */
static void put_frag6(struct frame *f, uint8_t nxt, uint16_t offset, bool more)
{
	put8(f, nxt);
	put8(f, 0);
	put16(f, (uint16_t)(offset << 3 | (more ? 1 : 0)));
	put32(f, 0xdeadbeef);
}

/* A Linux-style SYN: 40000 -> 80, MSS 1460, SACK_PERM, TS, NOP, WSCALE 7. */
static const uint8_t TCP_SYN[40] = {
	0x9c, 0x40, 0x00, 0x50,             /* ports 40000 -> 80 */
	0x01, 0x02, 0x03, 0x04,             /* seq */
	0x00, 0x00, 0x00, 0x00,             /* ack */
	0xa0, 0x02, 0xfa, 0xf0,             /* data offset 10, SYN, window 64240 */
	0x00, 0x00, 0x00, 0x00,             /* checksum, urgent pointer */
	0x02, 0x04, 0x05, 0xb4,             /* MSS 1460 */
	0x04, 0x02,                         /* SACK permitted */
	0x08, 0x0a, 0x11, 0x22, 0x33, 0x44, /* TS val 0x11223344 */
	0x00, 0x00, 0x00, 0x00,             /*    ecr 0 */
	0x01,                               /* NOP */
	0x03, 0x03, 0x07,                   /* window scale 7 */
};

/* PSH|ACK with timestamps: data offset 8. */
static const uint8_t TCP_DATA[32] = {
	0x9c, 0x40, 0x00, 0x50,
	0x01, 0x02, 0x03, 0x05,
	0xa0, 0xb0, 0xc0, 0xd1,
	0x80, 0x18, 0x01, 0xf6,             /* data offset 8, PSH|ACK, window 502 */
	0x00, 0x00, 0x00, 0x00,
	0x01, 0x01, 0x08, 0x0a,             /* NOP NOP TS */
	0x11, 0x22, 0x33, 0x55,
	0x66, 0x77, 0x88, 0x99,
};

/* Bare ACK, no options. */
static const uint8_t TCP_ACK[20] = {
	0x9c, 0x40, 0x00, 0x50,
	0x01, 0x02, 0x03, 0x05,
	0xa0, 0xb0, 0xc0, 0xd1,
	0x50, 0x10, 0x01, 0xf6,
	0x00, 0x00, 0x00, 0x00,
};

static void put_payload(struct frame *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(f, (uint8_t)('a' + i % 26));
}

/* TCP header 40000 -> 80 with the given flags and options (optlen % 4 == 0). */
static void put_tcp(struct frame *f, uint8_t flags, const uint8_t *opts, size_t optlen)
{
	cr_assert_eq(optlen % 4, 0);
	put16(f, 40000);
	put16(f, 80);
	put32(f, 1000);
	put32(f, 2000);
	put8(f, (uint8_t)(((20 + optlen) / 4) << 4));
	put8(f, flags);
	put16(f, 1024);
	put32(f, 0);
	if (optlen > 0)
		put(f, opts, optlen);
}

/* ---- decoding ------------------------------------------------------------ */

/* Decode the first caplen bytes of f from an exact-size heap copy. */
static enum sf_skip decode_n(int dlt, const struct frame *f, size_t caplen, size_t wirelen,
			     struct sf_packet *out)
{
	uint8_t *copy = malloc(caplen);
	if (caplen > 0) {
		cr_assert_not_null(copy);
		memcpy(copy, f->b, caplen);
	}
	enum sf_skip r = sf_decode_frame(dlt, copy, caplen, wirelen, out);
	free(copy);
	return r;
}

static enum sf_skip decode(int dlt, const struct frame *f, struct sf_packet *out)
{
	memset(out, 0, sizeof(*out));
	return decode_n(dlt, f, f->n, f->n, out);
}

#define assert_skip(got, want)                                                            \
	cr_assert_eq((got), (want), "want %s, got %s", sf_skip_name(want), sf_skip_name(got))

static void assert_v4_endpoints(const struct sf_packet *p)
{
	struct sf_addr s, d;
	sf_addr_set_v4(&s, SRC4);
	sf_addr_set_v4(&d, DST4);
	cr_assert(sf_addr_eq(&p->src, &s), "src is not 10.0.0.1");
	cr_assert(sf_addr_eq(&p->dst, &d), "dst is not 10.0.0.2");
}

static void assert_v6_endpoints(const struct sf_packet *p)
{
	struct sf_addr s, d;
	sf_addr_set_v6(&s, SRC6);
	sf_addr_set_v6(&d, DST6);
	cr_assert(sf_addr_eq(&p->src, &s), "src is not 2001:db8::1");
	cr_assert(sf_addr_eq(&p->dst, &d), "dst is not 2001:db8::2");
}

/* Every field of TCP_SYN. */
static void assert_syn(const struct sf_packet *p)
{
	cr_assert_eq(p->sport, 40000);
	cr_assert_eq(p->dport, 80);
	cr_assert_eq(p->seq, 0x01020304u);
	cr_assert_eq(p->ack, 0);
	cr_assert_eq(p->flags, SF_TH_SYN);
	cr_assert_eq(p->window, 64240);
	cr_assert_eq(p->payload_len, 0);
	cr_assert_eq(p->opt_mask, SF_OPT_MSS | SF_OPT_SACK_PERM | SF_OPT_TS | SF_OPT_WSCALE);
	cr_assert_eq(p->mss, 1460);
	cr_assert_eq(p->wscale, 7);
	cr_assert_eq(p->tsval, 0x11223344u);
	cr_assert_eq(p->tsecr, 0);
	cr_assert_not(p->options_truncated);
}

/* Every field of TCP_DATA. */
static void assert_data(const struct sf_packet *p, uint32_t payload_len)
{
	cr_assert_eq(p->sport, 40000);
	cr_assert_eq(p->dport, 80);
	cr_assert_eq(p->seq, 0x01020305u);
	cr_assert_eq(p->ack, 0xa0b0c0d1u);
	cr_assert_eq(p->flags, SF_TH_PSH | SF_TH_ACK);
	cr_assert_eq(p->window, 502);
	cr_assert_eq(p->payload_len, payload_len, "payload_len %u, want %u", p->payload_len, payload_len);
	cr_assert_eq(p->opt_mask, SF_OPT_TS);
	cr_assert_eq(p->tsval, 0x11223355u);
	cr_assert_eq(p->tsecr, 0x66778899u);
	cr_assert_eq(p->mss, 0);
	cr_assert_eq(p->wscale, 0);
	cr_assert_not(p->options_truncated);
}

/* ---- canonical frames ---------------------------------------------------- */

static struct frame eth_ipv4_syn(void)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV4);
	put_ipv4(&f, 20 + 40, P_TCP);
	put(&f, TCP_SYN, sizeof(TCP_SYN));
	return f;
}

static struct frame eth_ipv4_data(size_t payload)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV4);
	put_ipv4(&f, (uint16_t)(20 + 32 + payload), P_TCP);
	put(&f, TCP_DATA, sizeof(TCP_DATA));
	put_payload(&f, payload);
	return f;
}

static struct frame eth_ipv6_syn(void)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV6);
	put_ipv6(&f, 40, P_TCP);
	put(&f, TCP_SYN, sizeof(TCP_SYN));
	return f;
}

/* Ethernet / IPv6 / hop-by-hop (8) / destination options (16) / SYN. */
static struct frame eth_ipv6_hbh_dst_syn(void)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV6);
	put_ipv6(&f, 8 + 16 + 40, 0);
	put_ext_opts(&f, 60, 0);
	put_ext_opts(&f, P_TCP, 1);
	put(&f, TCP_SYN, sizeof(TCP_SYN));
	return f;
}

/* ---- decode_tcp ---------------------------------------------------------- */

Test(decode_tcp, ethernet_ipv4_syn_decodes_every_field)
{
	struct frame f = eth_ipv4_syn();
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
	assert_v4_endpoints(&p);
	cr_assert_eq(p.src.family, 4);
	assert_syn(&p);
}

Test(decode_tcp, payload_len_is_ip_total_minus_headers)
{
	struct frame f = eth_ipv4_data(5);
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
	assert_v4_endpoints(&p);
	assert_data(&p, 5);
}

/* 14 + 20 + 20 + 2 = 56 bytes, padded to Ethernet's 60-byte minimum. */
Test(decode_tcp, ethernet_padding_is_not_payload)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV4);
	put_ipv4(&f, 20 + 20 + 2, P_TCP);
	put(&f, TCP_ACK, sizeof(TCP_ACK));
	put_payload(&f, 2);
	put_fill(&f, 0xEE, 4); /* padding, deliberately not zero */
	cr_assert_eq(f.n, 60);
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
	cr_assert_eq(p.payload_len, 2);
	cr_assert_eq(p.flags, SF_TH_ACK);
	cr_assert_eq(p.opt_mask, 0);
	cr_assert_not(p.options_truncated);
}

Test(decode_tcp, bare_ack_in_padded_frame_has_zero_payload)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV4);
	put_ipv4(&f, 40, P_TCP);
	put(&f, TCP_ACK, sizeof(TCP_ACK));
	put_fill(&f, 0, 6);
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
	cr_assert_eq(p.payload_len, 0);
	cr_assert_eq(p.seq, 0x01020305u);
	cr_assert_eq(p.ack, 0xa0b0c0d1u);
	cr_assert_eq(p.window, 502);
}

Test(decode_tcp, snaplen_cut_frame_keeps_payload_len_from_ip_length)
{
	struct frame f = eth_ipv4_data(1400);
	struct sf_packet p;
	memset(&p, 0, sizeof(p));
	/* tcpdump -s 96: headers and a little payload */
	assert_skip(decode_n(DLT_EN10MB, &f, 96, f.n, &p), SF_SKIP_NONE);
	assert_v4_endpoints(&p);
	assert_data(&p, 1400);
}

Test(decode_tcp, snaplen_cut_right_after_base_header_still_decodes)
{
	struct frame f = eth_ipv4_data(1400);
	struct sf_packet p;
	memset(&p, 0, sizeof(p));
	assert_skip(decode_n(DLT_EN10MB, &f, 14 + 20 + 20, f.n, &p), SF_SKIP_NONE);
	cr_assert_eq(p.payload_len, 1400);
	cr_assert_eq(p.flags, SF_TH_PSH | SF_TH_ACK);
	cr_assert_eq(p.opt_mask, 0);
	cr_assert(p.options_truncated);
}

Test(decode_tcp, options_cut_by_snaplen_are_partial_and_flagged)
{
	struct frame f = eth_ipv4_syn();
	const size_t base = 14 + 20 + 20;
	/* captured option bytes -> options that must be seen */
	static const struct {
		size_t opt_bytes;
		uint8_t mask;
	} cases[] = {
		{0, 0},
		{3, 0},
		{4, SF_OPT_MSS},
		{5, SF_OPT_MSS},
		{6, SF_OPT_MSS | SF_OPT_SACK_PERM},
		{15, SF_OPT_MSS | SF_OPT_SACK_PERM},
		{16, SF_OPT_MSS | SF_OPT_SACK_PERM | SF_OPT_TS},
		{19, SF_OPT_MSS | SF_OPT_SACK_PERM | SF_OPT_TS},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sf_packet p;
		memset(&p, 0, sizeof(p));
		enum sf_skip r = decode_n(DLT_EN10MB, &f, base + cases[i].opt_bytes, f.n, &p);
		assert_skip(r, SF_SKIP_NONE);
		cr_assert_eq(p.opt_mask, cases[i].mask, "%zu option bytes: mask %#x, want %#x",
			     cases[i].opt_bytes, p.opt_mask, cases[i].mask);
		cr_assert(p.options_truncated);
		cr_assert_eq(p.flags, SF_TH_SYN);
		if (p.opt_mask & SF_OPT_MSS)
			cr_assert_eq(p.mss, 1460);
		if (p.opt_mask & SF_OPT_TS)
			cr_assert_eq(p.tsval, 0x11223344u);
	}
}

Test(decode_tcp, data_offset_below_five_is_skipped)
{
	for (uint8_t doff = 0; doff < 5; doff++) {
		struct frame f = {.n = 0};
		put_eth(&f, ET_IPV4);
		put_ipv4(&f, 40, P_TCP);
		put(&f, TCP_ACK, sizeof(TCP_ACK));
		f.b[14 + 20 + 12] = (uint8_t)(doff << 4);
		struct sf_packet p;
		assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_TCP_MALFORMED);
	}
}

Test(decode_tcp, data_offset_past_ip_payload_is_malformed)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV4);
	put_ipv4(&f, 20 + 36, P_TCP); /* IP says 36 TCP bytes; the SYN header is 40 */
	put(&f, TCP_SYN, sizeof(TCP_SYN));
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_TCP_MALFORMED);
}

Test(decode_tcp, data_offset_fifteen_in_short_segment_is_malformed)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV4);
	put_ipv4(&f, 40, P_TCP);
	put(&f, TCP_ACK, sizeof(TCP_ACK));
	put_fill(&f, 0x01, 40); /* bytes that would be options if IP allowed them */
	f.b[14 + 20 + 12] = 0xF0;
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_TCP_MALFORMED);
}

/* IP declares 12 TCP bytes; the frame has more (padding), which must not count. */
Test(decode_tcp, ip_payload_shorter_than_tcp_header_is_malformed)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV4);
	put_ipv4(&f, 20 + 12, P_TCP);
	put(&f, TCP_ACK, sizeof(TCP_ACK));
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_TCP_MALFORMED);
}

Test(decode_tcp, fewer_than_twenty_captured_bytes_is_truncated)
{
	struct frame f = eth_ipv4_syn();
	struct sf_packet p;
	memset(&p, 0, sizeof(p));
	assert_skip(decode_n(DLT_EN10MB, &f, 14 + 20 + 19, f.n, &p), SF_SKIP_TCP_TRUNCATED);
	assert_skip(decode_n(DLT_EN10MB, &f, 14 + 20, f.n, &p), SF_SKIP_TCP_TRUNCATED);
}

Test(decode_tcp, all_eight_flag_bits)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV4);
	put_ipv4(&f, 40, P_TCP);
	put_tcp(&f, 0xFF, NULL, 0);
	f.b[14 + 20 + 12] |= 0x01; /* AE/NS bit lives outside the flag byte: ignored */
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
	cr_assert_eq(p.flags, SF_TH_FIN | SF_TH_SYN | SF_TH_RST | SF_TH_PSH | SF_TH_ACK | SF_TH_URG |
				      SF_TH_ECE | SF_TH_CWR);
	cr_assert_eq(p.seq, 1000);
	cr_assert_eq(p.ack, 2000);
	cr_assert_eq(p.window, 1024);
}

static struct frame eth_ipv4_tcp_opts(const uint8_t *opts, size_t optlen)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV4);
	put_ipv4(&f, (uint16_t)(20 + 20 + optlen), P_TCP);
	put_tcp(&f, SF_TH_ACK, opts, optlen);
	return f;
}

static struct sf_packet decode_opts(const uint8_t *opts, size_t optlen)
{
	struct frame f = eth_ipv4_tcp_opts(opts, optlen);
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
	cr_assert_eq(p.payload_len, 0);
	cr_assert_not(p.options_truncated);
	return p;
}

Test(decode_tcp, sack_blocks_are_recognised)
{
	static const uint8_t one[] = {1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2};
	static const uint8_t two[] = {1, 1, 5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4};
	cr_assert_eq(decode_opts(one, sizeof(one)).opt_mask, SF_OPT_SACK);
	cr_assert_eq(decode_opts(two, sizeof(two)).opt_mask, SF_OPT_SACK);
}

Test(decode_tcp, sack_with_partial_block_is_ignored)
{
	static const uint8_t opts[] = {5, 6, 0, 0, 0, 1, 1, 1};
	cr_assert_eq(decode_opts(opts, sizeof(opts)).opt_mask, 0);
}

Test(decode_tcp, fast_open_cookie_request_and_cookie)
{
	static const uint8_t req[] = {34, 2, 1, 1};
	static const uint8_t cookie[] = {34, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1};
	cr_assert_eq(decode_opts(req, sizeof(req)).opt_mask, SF_OPT_TFO);
	cr_assert_eq(decode_opts(cookie, sizeof(cookie)).opt_mask, SF_OPT_TFO);
}

Test(decode_tcp, experimental_fast_open_needs_magic)
{
	static const uint8_t tfo[] = {254, 4, 0xF9, 0x89};
	static const uint8_t tfo_cookie[] = {254, 12, 0xF9, 0x89, 1, 2, 3, 4, 5, 6, 7, 8};
	static const uint8_t other[] = {254, 4, 0x12, 0x34};
	static const uint8_t too_short[] = {254, 2, 1, 1};
	cr_assert_eq(decode_opts(tfo, sizeof(tfo)).opt_mask, SF_OPT_TFO);
	cr_assert_eq(decode_opts(tfo_cookie, sizeof(tfo_cookie)).opt_mask, SF_OPT_TFO);
	cr_assert_eq(decode_opts(other, sizeof(other)).opt_mask, 0);
	cr_assert_eq(decode_opts(too_short, sizeof(too_short)).opt_mask, 0);
}

Test(decode_tcp, zero_option_length_stops_parsing_keeping_earlier_options)
{
	static const uint8_t opts[] = {2, 4, 0x05, 0x78, 8, 0, 0, 0, 3, 3, 7, 1};
	struct sf_packet p = decode_opts(opts, sizeof(opts));
	cr_assert_eq(p.opt_mask, SF_OPT_MSS);
	cr_assert_eq(p.mss, 1400);
	cr_assert_eq(p.wscale, 0);
}

Test(decode_tcp, option_length_one_stops_parsing)
{
	static const uint8_t opts[] = {3, 3, 9, 2, 1, 4, 5, 0xb4};
	struct sf_packet p = decode_opts(opts, sizeof(opts));
	cr_assert_eq(p.opt_mask, SF_OPT_WSCALE);
	cr_assert_eq(p.wscale, 9);
}

Test(decode_tcp, option_past_header_end_stops_parsing)
{
	/* TS claims 10 bytes, 4 remain in the header: the payload must not be read as options */
	static const uint8_t opts[] = {2, 4, 0x05, 0xb4, 8, 10, 0, 0};
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV4);
	put_ipv4(&f, 20 + 28 + 6, P_TCP);
	put_tcp(&f, SF_TH_ACK, opts, sizeof(opts));
	put_fill(&f, 0x01, 6);
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
	cr_assert_eq(p.opt_mask, SF_OPT_MSS);
	cr_assert_eq(p.mss, 1460);
	cr_assert_eq(p.tsval, 0);
	cr_assert_eq(p.payload_len, 6);
	cr_assert_not(p.options_truncated);
}

Test(decode_tcp, kind_in_last_option_byte_without_length_stops)
{
	static const uint8_t opts[] = {1, 1, 1, 2};
	cr_assert_eq(decode_opts(opts, sizeof(opts)).opt_mask, 0);
}

Test(decode_tcp, eol_ends_option_list)
{
	static const uint8_t opts[] = {3, 3, 7, 0, 2, 4, 5, 0xb4};
	struct sf_packet p = decode_opts(opts, sizeof(opts));
	cr_assert_eq(p.opt_mask, SF_OPT_WSCALE);
	cr_assert_eq(p.wscale, 7);
	cr_assert_eq(p.mss, 0);
}

Test(decode_tcp, known_option_with_wrong_length_is_ignored_but_parsing_goes_on)
{
	static const uint8_t opts[] = {2, 3, 5, 3, 3, 14, 8, 6, 1, 2, 3, 4, 4, 3, 0, 1};
	struct sf_packet p = decode_opts(opts, sizeof(opts));
	/* MSS len 3, TS len 6, SACK_PERM len 3: all wrong; WSCALE right */
	cr_assert_eq(p.opt_mask, SF_OPT_WSCALE);
	cr_assert_eq(p.wscale, 14);
	cr_assert_eq(p.mss, 0);
	cr_assert_eq(p.tsval, 0);
}

Test(decode_tcp, unknown_options_are_skipped)
{
	static const uint8_t opts[] = {30, 4, 0, 0, 2, 4, 0x23, 0x28, 99, 2, 1, 1};
	struct sf_packet p = decode_opts(opts, sizeof(opts));
	cr_assert_eq(p.opt_mask, SF_OPT_MSS);
	cr_assert_eq(p.mss, 9000);
}

Test(decode_tcp, timestamps_with_large_values)
{
	static const uint8_t opts[] = {1, 1, 8, 10, 0xff, 0xff, 0xff, 0xfe, 0x80, 0, 0, 1};
	struct sf_packet p = decode_opts(opts, sizeof(opts));
	cr_assert_eq(p.opt_mask, SF_OPT_TS);
	cr_assert_eq(p.tsval, 0xfffffffeu);
	cr_assert_eq(p.tsecr, 0x80000001u);
}

/* ---- decode_frame: output contract --------------------------------------- */

Test(decode_frame, skip_leaves_output_untouched)
{
	struct frame f = eth_ipv4_syn();
	f.b[14 + 9] = P_UDP;
	struct sf_packet p, before;
	memset(&p, 0x5A, sizeof(p));
	before = p;
	assert_skip(decode_n(DLT_EN10MB, &f, f.n, f.n, &p), SF_SKIP_NOT_TCP);
	cr_assert_arr_eq(&p, &before, sizeof(p));
}

Test(decode_frame, frame_and_ts_are_left_for_the_caller)
{
	struct frame f = eth_ipv4_data(5);
	struct sf_packet p;
	memset(&p, 0x5A, sizeof(p)); /* stale option values from an earlier packet */
	p.frame = 77;
	p.ts.sec = 1700000000;
	p.ts.nsec = 123456789;
	assert_skip(decode_n(DLT_EN10MB, &f, f.n, f.n, &p), SF_SKIP_NONE);
	cr_assert_eq(p.frame, 77);
	cr_assert_eq(p.ts.sec, 1700000000);
	cr_assert_eq(p.ts.nsec, 123456789);
	assert_v4_endpoints(&p);
	assert_data(&p, 5); /* mss and wscale reset to 0 */
	for (size_t i = 4; i < sizeof(p.src.b); i++)
		cr_assert_eq(p.src.b[i], 0);
}

Test(decode_frame, empty_frame)
{
	struct sf_packet p;
	memset(&p, 0, sizeof(p));
	assert_skip(sf_decode_frame(DLT_EN10MB, NULL, 0, 0, &p), SF_SKIP_LINK_TRUNCATED);
	assert_skip(sf_decode_frame(DLT_RAW, NULL, 0, 0, &p), SF_SKIP_IP_TRUNCATED);
	assert_skip(sf_decode_frame(DLT_NULL, NULL, 0, 60, &p), SF_SKIP_LINK_TRUNCATED);
}

Test(decode_frame, wirelen_below_caplen_is_tolerated)
{
	struct frame f = eth_ipv4_syn();
	struct sf_packet p;
	memset(&p, 0, sizeof(p));
	assert_skip(decode_n(DLT_EN10MB, &f, f.n, 10, &p), SF_SKIP_NONE);
	assert_syn(&p);
}

Test(decode_frame, unsupported_link_type)
{
	struct frame f = eth_ipv4_syn();
	struct sf_packet p;
	assert_skip(decode(DLT_PPP, &f, &p), SF_SKIP_LINK_UNSUPPORTED);
	assert_skip(decode(DLT_IEEE802_11, &f, &p), SF_SKIP_LINK_UNSUPPORTED);
	assert_skip(decode(-1, &f, &p), SF_SKIP_LINK_UNSUPPORTED);
	assert_skip(sf_decode_frame(12345, NULL, 0, 0, &p), SF_SKIP_LINK_UNSUPPORTED);
}

Test(decode_frame, supported_link_types)
{
	static const int yes[] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, LINKTYPE_RAW,
				  DLT_IPV4, DLT_IPV6, DLT_NULL, DLT_LOOP};
	static const int no[] = {DLT_PPP, DLT_IEEE802_11, DLT_IEEE802_11_RADIO, DLT_USB_LINUX, -1, 1000};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		cr_assert(sf_decode_linktype_supported(yes[i]), "DLT %d", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		cr_assert_not(sf_decode_linktype_supported(no[i]), "DLT %d", no[i]);
}

/* ---- decode_link --------------------------------------------------------- */

static void assert_eth_vlan_stack(const uint16_t *tpids, size_t n_tags)
{
	struct frame f = {.n = 0};
	put_eth(&f, n_tags > 0 ? tpids[0] : ET_IPV4);
	for (size_t i = 0; i < n_tags; i++)
		put_vlan(&f, (uint16_t)(100 + i), i + 1 < n_tags ? tpids[i + 1] : ET_IPV4);
	put_ipv4(&f, 60, P_TCP);
	put(&f, TCP_SYN, sizeof(TCP_SYN));
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
	assert_v4_endpoints(&p);
	assert_syn(&p);
}

Test(decode_link, ethernet_one_8021q_tag)
{
	static const uint16_t t[] = {ET_8021Q};
	assert_eth_vlan_stack(t, 1);
}

Test(decode_link, ethernet_qinq_8021ad_then_8021q)
{
	static const uint16_t t[] = {ET_8021AD, ET_8021Q};
	assert_eth_vlan_stack(t, 2);
}

Test(decode_link, ethernet_three_tags)
{
	static const uint16_t t[] = {ET_8021AD, ET_8021Q, ET_8021Q};
	assert_eth_vlan_stack(t, 3);
}

Test(decode_link, ethernet_legacy_9100_tag)
{
	static const uint16_t t[] = {ET_QINQ_OLD, ET_8021Q};
	assert_eth_vlan_stack(t, 2);
}

Test(decode_link, ethernet_eight_tags_is_the_limit)
{
	static const uint16_t t[] = {ET_8021AD, ET_8021Q, ET_8021Q, ET_8021Q,
				     ET_8021Q, ET_8021Q, ET_8021Q, ET_8021Q};
	assert_eth_vlan_stack(t, 8);
}

Test(decode_link, ethernet_nine_tags_is_not_ip)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_8021Q);
	for (int i = 0; i < 9; i++)
		put_vlan(&f, 1, i < 8 ? ET_8021Q : ET_IPV4);
	put_ipv4(&f, 60, P_TCP);
	put(&f, TCP_SYN, sizeof(TCP_SYN));
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NOT_IP);
}

Test(decode_link, vlan_tag_cut_is_link_truncated)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_8021Q);
	put_vlan(&f, 5, ET_IPV4);
	put_ipv4(&f, 60, P_TCP);
	struct sf_packet p;
	memset(&p, 0, sizeof(p));
	for (size_t cap = 14; cap < 18; cap++)
		assert_skip(decode_n(DLT_EN10MB, &f, cap, 100, &p), SF_SKIP_LINK_TRUNCATED);
	assert_skip(decode_n(DLT_EN10MB, &f, 18, 100, &p), SF_SKIP_IP_TRUNCATED);
}

Test(decode_link, ethernet_ipv6)
{
	struct frame f = eth_ipv6_syn();
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
	assert_v6_endpoints(&p);
	cr_assert_eq(p.src.family, 6);
	assert_syn(&p);
}

Test(decode_link, arp_is_not_ip)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_ARP);
	put16(&f, 1);      /* htype */
	put16(&f, 0x0800); /* ptype */
	put8(&f, 6);
	put8(&f, 4);
	put16(&f, 1); /* request */
	put_fill(&f, 0, 20);
	put_fill(&f, 0, 18);
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NOT_IP);
}

Test(decode_link, vlan_tagged_arp_is_not_ip)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_8021Q);
	put_vlan(&f, 7, ET_ARP);
	put_fill(&f, 0, 46);
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NOT_IP);
}

Test(decode_link, ieee8023_length_field_is_not_ip)
{
	struct frame f = {.n = 0};
	put_eth(&f, 46); /* 802.3 length, LLC follows */
	put8(&f, 0x42);  /* STP LLC */
	put8(&f, 0x42);
	put8(&f, 0x03);
	put_fill(&f, 0, 43);
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NOT_IP);
}

Test(decode_link, short_ethernet_header_is_link_truncated)
{
	struct frame f = eth_ipv4_syn();
	struct sf_packet p;
	memset(&p, 0, sizeof(p));
	assert_skip(decode_n(DLT_EN10MB, &f, 13, f.n, &p), SF_SKIP_LINK_TRUNCATED);
}

Test(decode_link, linux_sll_ipv4)
{
	struct frame f = {.n = 0};
	put_sll(&f, ET_IPV4);
	put_ipv4(&f, 60, P_TCP);
	put(&f, TCP_SYN, sizeof(TCP_SYN));
	cr_assert_eq(f.n, 16 + 60);
	struct sf_packet p;
	assert_skip(decode(DLT_LINUX_SLL, &f, &p), SF_SKIP_NONE);
	assert_v4_endpoints(&p);
	assert_syn(&p);
}

Test(decode_link, linux_sll_ipv6_behind_vlan_tag)
{
	struct frame f = {.n = 0};
	put_sll(&f, ET_8021Q);
	put_vlan(&f, 10, ET_IPV6);
	put_ipv6(&f, 40, P_TCP);
	put(&f, TCP_SYN, sizeof(TCP_SYN));
	struct sf_packet p;
	assert_skip(decode(DLT_LINUX_SLL, &f, &p), SF_SKIP_NONE);
	assert_v6_endpoints(&p);
	assert_syn(&p);
}

Test(decode_link, linux_sll_llc_protocol_is_not_ip)
{
	struct frame f = {.n = 0};
	put_sll(&f, 0x0004); /* LINUX_SLL_P_802_2 */
	put_fill(&f, 0x42, 40);
	struct sf_packet p;
	assert_skip(decode(DLT_LINUX_SLL, &f, &p), SF_SKIP_NOT_IP);
}

Test(decode_link, linux_sll_short_header_is_link_truncated)
{
	struct frame f = {.n = 0};
	put_sll(&f, ET_IPV4);
	struct sf_packet p;
	memset(&p, 0, sizeof(p));
	assert_skip(decode_n(DLT_LINUX_SLL, &f, 15, 100, &p), SF_SKIP_LINK_TRUNCATED);
}

Test(decode_link, linux_sll2_ipv6)
{
	struct frame f = {.n = 0};
	put_sll2(&f, ET_IPV6);
	put_ipv6(&f, 40, P_TCP);
	put(&f, TCP_SYN, sizeof(TCP_SYN));
	cr_assert_eq(f.n, 20 + 80);
	struct sf_packet p;
	assert_skip(decode(DLT_LINUX_SLL2, &f, &p), SF_SKIP_NONE);
	assert_v6_endpoints(&p);
	assert_syn(&p);
}

Test(decode_link, linux_sll2_ipv4)
{
	struct frame f = {.n = 0};
	put_sll2(&f, ET_IPV4);
	put_ipv4(&f, 20 + 32 + 5, P_TCP);
	put(&f, TCP_DATA, sizeof(TCP_DATA));
	put_payload(&f, 5);
	struct sf_packet p;
	assert_skip(decode(DLT_LINUX_SLL2, &f, &p), SF_SKIP_NONE);
	assert_v4_endpoints(&p);
	assert_data(&p, 5);
}

Test(decode_link, linux_sll2_non_ip)
{
	struct frame f = {.n = 0};
	put_sll2(&f, ET_ARP);
	put_fill(&f, 0, 28);
	struct sf_packet p;
	assert_skip(decode(DLT_LINUX_SLL2, &f, &p), SF_SKIP_NOT_IP);
}

static struct frame raw_ipv4_syn(void)
{
	struct frame f = {.n = 0};
	put_ipv4(&f, 60, P_TCP);
	put(&f, TCP_SYN, sizeof(TCP_SYN));
	return f;
}

static struct frame raw_ipv6_syn(void)
{
	struct frame f = {.n = 0};
	put_ipv6(&f, 40, P_TCP);
	put(&f, TCP_SYN, sizeof(TCP_SYN));
	return f;
}

Test(decode_link, raw_ipv4_and_ipv6_by_version_nibble)
{
	static const int dlts[] = {DLT_RAW, LINKTYPE_RAW};
	for (size_t i = 0; i < 2; i++) {
		struct frame f4 = raw_ipv4_syn(), f6 = raw_ipv6_syn();
		struct sf_packet p;
		assert_skip(decode(dlts[i], &f4, &p), SF_SKIP_NONE);
		assert_v4_endpoints(&p);
		assert_syn(&p);
		assert_skip(decode(dlts[i], &f6, &p), SF_SKIP_NONE);
		assert_v6_endpoints(&p);
		assert_syn(&p);
	}
}

Test(decode_link, raw_other_version_is_not_ip)
{
	struct frame f = raw_ipv4_syn();
	f.b[0] = 0x55;
	struct sf_packet p;
	assert_skip(decode(DLT_RAW, &f, &p), SF_SKIP_NOT_IP);
}

Test(decode_link, dlt_ipv4_and_ipv6)
{
	struct frame f4 = raw_ipv4_syn(), f6 = raw_ipv6_syn();
	struct sf_packet p;
	assert_skip(decode(DLT_IPV4, &f4, &p), SF_SKIP_NONE);
	assert_v4_endpoints(&p);
	assert_syn(&p);
	assert_skip(decode(DLT_IPV6, &f6, &p), SF_SKIP_NONE);
	assert_v6_endpoints(&p);
	assert_syn(&p);
}

Test(decode_link, dlt_ipv4_carrying_ipv6_is_malformed)
{
	struct frame f4 = raw_ipv4_syn(), f6 = raw_ipv6_syn();
	struct sf_packet p;
	assert_skip(decode(DLT_IPV4, &f6, &p), SF_SKIP_IP_MALFORMED);
	assert_skip(decode(DLT_IPV6, &f4, &p), SF_SKIP_IP_MALFORMED);
}

static struct frame null_frame(bool big_endian, uint32_t af, bool v6)
{
	struct frame f = {.n = 0};
	if (big_endian)
		put32(&f, af);
	else
		put_le32(&f, af);
	if (v6)
		put_ipv6(&f, 40, P_TCP);
	else
		put_ipv4(&f, 60, P_TCP);
	put(&f, TCP_SYN, sizeof(TCP_SYN));
	return f;
}

Test(decode_link, null_ipv4_in_both_byte_orders)
{
	for (int be = 0; be < 2; be++) {
		struct frame f = null_frame(be, 2, false);
		struct sf_packet p;
		assert_skip(decode(DLT_NULL, &f, &p), SF_SKIP_NONE);
		assert_v4_endpoints(&p);
		assert_syn(&p);
	}
}

Test(decode_link, null_every_ipv6_family_value_in_both_byte_orders)
{
	static const uint32_t afs[] = {10, 24, 28, 30};
	for (int be = 0; be < 2; be++) {
		for (size_t i = 0; i < sizeof(afs) / sizeof(afs[0]); i++) {
			struct frame f = null_frame(be, afs[i], true);
			struct sf_packet p;
			assert_skip(decode(DLT_NULL, &f, &p), SF_SKIP_NONE);
			assert_v6_endpoints(&p);
			assert_syn(&p);
		}
	}
}

Test(decode_link, null_unknown_family_is_not_ip)
{
	static const uint32_t afs[] = {0, 1, 7, 23, 0x02000002, 0x00020000};
	for (size_t i = 0; i < sizeof(afs) / sizeof(afs[0]); i++) {
		struct frame f = null_frame(true, afs[i], false);
		struct sf_packet p;
		assert_skip(decode(DLT_NULL, &f, &p), SF_SKIP_NOT_IP);
	}
}

Test(decode_link, loop_is_network_byte_order_only)
{
	struct frame f4 = null_frame(true, 2, false), f6 = null_frame(true, 24, true);
	struct sf_packet p;
	assert_skip(decode(DLT_LOOP, &f4, &p), SF_SKIP_NONE);
	assert_v4_endpoints(&p);
	assert_syn(&p);
	assert_skip(decode(DLT_LOOP, &f6, &p), SF_SKIP_NONE);
	assert_v6_endpoints(&p);
	assert_syn(&p);
	struct frame le = null_frame(false, 2, false);
	assert_skip(decode(DLT_LOOP, &le, &p), SF_SKIP_NOT_IP);
}

Test(decode_link, null_short_header_is_link_truncated)
{
	struct frame f = null_frame(false, 2, false);
	struct sf_packet p;
	memset(&p, 0, sizeof(p));
	assert_skip(decode_n(DLT_NULL, &f, 3, f.n, &p), SF_SKIP_LINK_TRUNCATED);
	assert_skip(decode_n(DLT_LOOP, &f, 3, f.n, &p), SF_SKIP_LINK_TRUNCATED);
}

/* ---- decode_ip: IPv4 ----------------------------------------------------- */

Test(decode_ip, ipv4_options_are_skipped)
{
	for (unsigned words = 1; words <= 10; words++) {
		struct frame f = {.n = 0};
		put_eth(&f, ET_IPV4);
		put_ipv4_full(&f, (uint16_t)(20 + words * 4 + 32 + 7), P_TCP, 0, words);
		put(&f, TCP_DATA, sizeof(TCP_DATA));
		put_payload(&f, 7);
		struct sf_packet p;
		assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
		assert_v4_endpoints(&p);
		assert_data(&p, 7);
	}
}

Test(decode_ip, ipv4_version_mismatch_is_malformed)
{
	struct frame f = eth_ipv4_syn();
	f.b[14] = 0x65;
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_IP_MALFORMED);
}

Test(decode_ip, ipv4_ihl_below_five_is_malformed)
{
	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		struct frame f = eth_ipv4_syn();
		f.b[14] = (uint8_t)(0x40 | ihl);
		struct sf_packet p;
		assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_IP_MALFORMED);
	}
}

Test(decode_ip, ipv4_header_past_capture_is_truncated)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV4);
	put_ipv4_full(&f, 60 + 20, P_TCP, 0, 10); /* IHL 15: 60-byte header */
	put(&f, TCP_ACK, sizeof(TCP_ACK));
	struct sf_packet p;
	memset(&p, 0, sizeof(p));
	assert_skip(decode_n(DLT_EN10MB, &f, 14 + 59, f.n, &p), SF_SKIP_IP_TRUNCATED);
	assert_skip(decode_n(DLT_EN10MB, &f, 14 + 20, f.n, &p), SF_SKIP_IP_TRUNCATED);
	assert_skip(decode_n(DLT_EN10MB, &f, 14 + 60, f.n, &p), SF_SKIP_TCP_TRUNCATED);
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
	cr_assert_eq(p.payload_len, 0);
}

Test(decode_ip, ipv4_total_length_below_header_is_malformed)
{
	struct frame f = eth_ipv4_syn();
	struct sf_packet p;
	f.b[14 + 2] = 0;
	f.b[14 + 3] = 19;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_IP_MALFORMED);

	struct frame g = {.n = 0};
	put_eth(&g, ET_IPV4);
	put_ipv4_full(&g, 22, P_TCP, 0, 1); /* IHL 6 = 24 bytes > 22 */
	put(&g, TCP_ACK, sizeof(TCP_ACK));
	assert_skip(decode(DLT_EN10MB, &g, &p), SF_SKIP_IP_MALFORMED);
}

Test(decode_ip, ipv4_total_length_zero_tso_uses_captured_length)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV4);
	put_ipv4(&f, 0, P_TCP); /* TSO super-frame captured on the sender */
	put(&f, TCP_DATA, sizeof(TCP_DATA));
	put_payload(&f, 1800);
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
	assert_v4_endpoints(&p);
	assert_data(&p, 1800);
}

Test(decode_ip, ipv4_total_length_zero_in_cut_frame_uses_wire_length)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV4);
	put_ipv4(&f, 0, P_TCP);
	put(&f, TCP_DATA, sizeof(TCP_DATA));
	put_payload(&f, 1800);
	struct sf_packet p;
	memset(&p, 0, sizeof(p));
	assert_skip(decode_n(DLT_EN10MB, &f, 128, f.n, &p), SF_SKIP_NONE);
	assert_data(&p, 1800);
}

Test(decode_ip, ipv4_non_first_fragment_is_skipped)
{
	static const uint16_t frags[] = {0x00B9, 0x20B9, 0x0001, 0x1FFF, 0x4001};
	for (size_t i = 0; i < sizeof(frags) / sizeof(frags[0]); i++) {
		struct frame f = {.n = 0};
		put_eth(&f, ET_IPV4);
		put_ipv4_full(&f, 20 + 40, P_TCP, frags[i], 0);
		put(&f, TCP_SYN, sizeof(TCP_SYN));
		struct sf_packet p;
		assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_IP_FRAGMENT);
	}
}

Test(decode_ip, ipv4_first_fragment_is_decoded)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV4);
	put_ipv4_full(&f, 20 + 32 + 8, P_TCP, 0x2000 /* MF, offset 0 */, 0);
	put(&f, TCP_DATA, sizeof(TCP_DATA));
	put_payload(&f, 8);
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
	assert_data(&p, 8); /* this fragment's share of the payload */
}

Test(decode_ip, udp_is_not_tcp)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV4);
	put_ipv4(&f, 20 + 8 + 4, P_UDP);
	put16(&f, 53);
	put16(&f, 5353);
	put16(&f, 12);
	put16(&f, 0);
	put32(&f, 0xdeadbeef);
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NOT_TCP);
}

Test(decode_ip, icmp_is_not_tcp)
{
	struct frame f = eth_ipv4_syn();
	f.b[14 + 9] = 1;
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NOT_TCP);
}

/* ---- decode_ip: IPv6 ----------------------------------------------------- */

Test(decode_ip, ipv6_hop_by_hop_and_destination_options_chain)
{
	struct frame f = eth_ipv6_hbh_dst_syn();
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
	assert_v6_endpoints(&p);
	assert_syn(&p);
}

Test(decode_ip, ipv6_payload_len_excludes_extension_headers)
{
	/* HBH (8) -> segment routing header (24, RFC 8754) -> DST (8) -> TCP 32 + 11 */
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV6);
	put_ipv6(&f, 8 + 24 + 8 + 32 + 11, 0);
	put_ext_opts(&f, 43, 0);
	put8(&f, 60);
	put8(&f, 2); /* (2 + 1) * 8 = 24 */
	put8(&f, 4); /* routing type 4: SRH */
	put8(&f, 0); /* segments left */
	put_fill(&f, 0, 4);
	put(&f, DST6, 16);
	put_ext_opts(&f, P_TCP, 0);
	put(&f, TCP_DATA, sizeof(TCP_DATA));
	put_payload(&f, 11);
	cr_assert_eq(f.n, 14 + 40 + 8 + 24 + 8 + 32 + 11);
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
	assert_v6_endpoints(&p);
	assert_data(&p, 11);
}

Test(decode_ip, ipv6_authentication_header_length_in_four_byte_units)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV6);
	put_ipv6(&f, 24 + 40, 51);
	put8(&f, P_TCP);
	put8(&f, 4); /* (4 + 2) * 4 = 24 bytes: SPI, seq, 96-bit ICV */
	put16(&f, 0);
	put32(&f, 0x100);
	put32(&f, 1);
	put_fill(&f, 0xAB, 12);
	put(&f, TCP_SYN, sizeof(TCP_SYN));
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
	assert_v6_endpoints(&p);
	assert_syn(&p);
}

Test(decode_ip, ipv6_mobility_hip_shim6_headers_are_walked)
{
	static const uint8_t kinds[] = {135, 139, 140};
	for (size_t i = 0; i < sizeof(kinds); i++) {
		struct frame f = {.n = 0};
		put_eth(&f, ET_IPV6);
		put_ipv6(&f, 16 + 40, kinds[i]);
		put_ext_opts(&f, P_TCP, 1);
		put(&f, TCP_SYN, sizeof(TCP_SYN));
		struct sf_packet p;
		assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
		assert_syn(&p);
	}
}

Test(decode_ip, ipv6_first_fragment_is_decoded)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV6);
	put_ipv6(&f, 8 + 32 + 16, 44);
	put_frag6(&f, P_TCP, 0, true);
	put(&f, TCP_DATA, sizeof(TCP_DATA));
	put_payload(&f, 16);
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
	assert_v6_endpoints(&p);
	assert_data(&p, 16);
}

Test(decode_ip, ipv6_non_first_fragment_is_skipped)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV6);
	put_ipv6(&f, 8 + 40, 44);
	put_frag6(&f, P_TCP, 185, false);
	put(&f, TCP_SYN, sizeof(TCP_SYN)); /* looks like TCP, but is the middle of a segment */
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_IP_FRAGMENT);
}

Test(decode_ip, ipv6_no_next_header_esp_and_udp_are_not_tcp)
{
	static const uint8_t nxts[] = {59, 50, P_UDP, 58 /* ICMPv6 */};
	for (size_t i = 0; i < sizeof(nxts); i++) {
		struct frame f = {.n = 0};
		put_eth(&f, ET_IPV6);
		put_ipv6(&f, 40, nxts[i]);
		put(&f, TCP_SYN, sizeof(TCP_SYN));
		struct sf_packet p;
		assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NOT_TCP);
	}
}

Test(decode_ip, ipv6_no_next_header_after_extension_is_not_tcp)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV6);
	put_ipv6(&f, 8, 60);
	put_ext_opts(&f, 59, 0);
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NOT_TCP);
}

static struct frame ipv6_dst_chain(unsigned n_ext)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV6);
	put_ipv6(&f, (uint16_t)(n_ext * 8 + 40), n_ext > 0 ? 60 : P_TCP);
	for (unsigned i = 0; i < n_ext; i++)
		put_ext_opts(&f, i + 1 < n_ext ? 60 : P_TCP, 0);
	put(&f, TCP_SYN, sizeof(TCP_SYN));
	return f;
}

Test(decode_ip, ipv6_sixteen_extension_headers_is_the_limit)
{
	struct frame f = ipv6_dst_chain(16);
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
	assert_syn(&p);
}

Test(decode_ip, ipv6_seventeen_extension_headers_is_malformed)
{
	struct frame f = ipv6_dst_chain(17);
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_IPV6_EXT);
}

Test(decode_ip, ipv6_extension_past_payload_length_is_malformed)
{
	/* payload length 8, but the DST header says 16; the frame holds all 16 and more */
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV6);
	put_ipv6(&f, 8, 60);
	put_ext_opts(&f, P_TCP, 1);
	put(&f, TCP_SYN, sizeof(TCP_SYN));
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_IPV6_EXT);
}

Test(decode_ip, ipv6_payload_length_ending_inside_extension_length_byte)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV6);
	put_ipv6(&f, 1, 0);
	put_ext_opts(&f, P_TCP, 0);
	put(&f, TCP_SYN, sizeof(TCP_SYN));
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_IPV6_EXT);
}

Test(decode_ip, ipv6_extension_cut_by_snaplen_is_ext_malformed)
{
	struct frame f = eth_ipv6_hbh_dst_syn();
	struct sf_packet p;
	memset(&p, 0, sizeof(p));
	assert_skip(decode_n(DLT_EN10MB, &f, 14 + 40 + 8 + 10, f.n, &p), SF_SKIP_IPV6_EXT);
}

Test(decode_ip, ipv6_version_mismatch_is_malformed)
{
	struct frame f = eth_ipv6_syn();
	f.b[14] = 0x45;
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_IP_MALFORMED);
}

Test(decode_ip, ipv6_short_header_is_truncated)
{
	struct frame f = eth_ipv6_syn();
	struct sf_packet p;
	memset(&p, 0, sizeof(p));
	assert_skip(decode_n(DLT_EN10MB, &f, 14 + 39, f.n, &p), SF_SKIP_IP_TRUNCATED);
}

Test(decode_ip, ipv6_payload_length_zero_uses_captured_length)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV6);
	put_ipv6(&f, 0, 60);
	put_ext_opts(&f, P_TCP, 0);
	put(&f, TCP_DATA, sizeof(TCP_DATA));
	put_payload(&f, 1500);
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
	assert_v6_endpoints(&p);
	assert_data(&p, 1500);
}

Test(decode_ip, ipv6_padding_after_short_datagram_is_not_payload)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV6);
	put_ipv6(&f, 20 + 3, P_TCP);
	put(&f, TCP_ACK, sizeof(TCP_ACK));
	put_payload(&f, 3);
	put_fill(&f, 0x77, 9);
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
	cr_assert_eq(p.payload_len, 3);
}

/* ---- skip-reason names --------------------------------------------------- */

Test(decode_names, every_reason_has_a_distinct_name)
{
	for (int i = 0; i < SF_SKIP__COUNT; i++) {
		const char *a = sf_skip_name((enum sf_skip)i);
		cr_assert_not_null(a);
		cr_assert_str_neq(a, "unknown", "reason %d unnamed", i);
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(a, sf_skip_name((enum sf_skip)j));
	}
}

Test(decode_names, json_keys)
{
	cr_assert_str_eq(sf_skip_name(SF_SKIP_LINK_TRUNCATED), "link_truncated");
	cr_assert_str_eq(sf_skip_name(SF_SKIP_LINK_UNSUPPORTED), "link_unsupported");
	cr_assert_str_eq(sf_skip_name(SF_SKIP_NOT_IP), "not_ip");
	cr_assert_str_eq(sf_skip_name(SF_SKIP_IP_TRUNCATED), "ip_truncated");
	cr_assert_str_eq(sf_skip_name(SF_SKIP_IP_MALFORMED), "ip_malformed");
	cr_assert_str_eq(sf_skip_name(SF_SKIP_IPV6_EXT), "ipv6_ext_malformed");
	cr_assert_str_eq(sf_skip_name(SF_SKIP_IP_FRAGMENT), "ip_fragment");
	cr_assert_str_eq(sf_skip_name(SF_SKIP_NOT_TCP), "not_tcp");
	cr_assert_str_eq(sf_skip_name(SF_SKIP_TCP_TRUNCATED), "tcp_truncated");
	cr_assert_str_eq(sf_skip_name(SF_SKIP_TCP_MALFORMED), "tcp_malformed");
}

Test(decode_names, out_of_range_is_unknown)
{
	cr_assert_str_eq(sf_skip_name(SF_SKIP__COUNT), "unknown");
	cr_assert_str_eq(sf_skip_name((enum sf_skip)-1), "unknown");
}

/* ---- every truncated prefix ---------------------------------------------- */

/* A prefix shorter than end yields reason (stages in increasing end order). */
struct stage {
	size_t end;
	enum sf_skip reason;
};

/*
 * Decode every prefix 0..n-1 of f (wire length n) from an exact-size heap
 * buffer. Each must give the reason of the first stage it does not cover,
 * or, once the TCP base header is in, a decode that agrees with the full one
 * on every field, reports only options it fully captured, and sets
 * options_truncated exactly when the prefix ends before tcp_hdr_end.
 */
static void check_every_prefix(int dlt, const struct frame *f, const struct stage *st, size_t n_st,
			       size_t tcp_hdr_end)
{
	struct sf_packet full;
	assert_skip(decode(dlt, f, &full), SF_SKIP_NONE);

	for (size_t cap = 0; cap < f->n; cap++) {
		enum sf_skip want = SF_SKIP_NONE;
		for (size_t i = 0; i < n_st; i++) {
			if (cap < st[i].end) {
				want = st[i].reason;
				break;
			}
		}
		struct sf_packet p;
		memset(&p, 0, sizeof(p));
		enum sf_skip r = decode_n(dlt, f, cap, f->n, &p);
		cr_assert_eq(r, want, "caplen %zu of %zu: want %s, got %s", cap, f->n,
			     sf_skip_name(want), sf_skip_name(r));
		if (r != SF_SKIP_NONE)
			continue;
		cr_assert(sf_addr_eq(&p.src, &full.src));
		cr_assert(sf_addr_eq(&p.dst, &full.dst));
		cr_assert_eq(p.sport, full.sport);
		cr_assert_eq(p.dport, full.dport);
		cr_assert_eq(p.seq, full.seq);
		cr_assert_eq(p.ack, full.ack);
		cr_assert_eq(p.flags, full.flags);
		cr_assert_eq(p.window, full.window);
		cr_assert_eq(p.payload_len, full.payload_len, "caplen %zu: payload_len %u, want %u", cap,
			     p.payload_len, full.payload_len);
		cr_assert_eq(p.options_truncated, cap < tcp_hdr_end, "caplen %zu", cap);
		cr_assert_eq(p.opt_mask & ~full.opt_mask, 0, "caplen %zu: invented options", cap);
		if (p.opt_mask & SF_OPT_MSS)
			cr_assert_eq(p.mss, full.mss);
		if (p.opt_mask & SF_OPT_WSCALE)
			cr_assert_eq(p.wscale, full.wscale);
		if (p.opt_mask & SF_OPT_TS) {
			cr_assert_eq(p.tsval, full.tsval);
			cr_assert_eq(p.tsecr, full.tsecr);
		}
		if (cap >= tcp_hdr_end)
			cr_assert_eq(p.opt_mask, full.opt_mask);
	}
}

#define N_STAGES(a) (sizeof(a) / sizeof((a)[0]))

Test(decode_prefix, ethernet_ipv4_syn)
{
	struct frame f = eth_ipv4_syn();
	const struct stage st[] = {
		{14, SF_SKIP_LINK_TRUNCATED},
		{14 + 20, SF_SKIP_IP_TRUNCATED},
		{14 + 20 + 20, SF_SKIP_TCP_TRUNCATED},
	};
	check_every_prefix(DLT_EN10MB, &f, st, N_STAGES(st), 14 + 20 + 40);
}

Test(decode_prefix, ethernet_two_vlan_tags_ipv4_data)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_8021AD);
	put_vlan(&f, 100, ET_8021Q);
	put_vlan(&f, 200, ET_IPV4);
	put_ipv4(&f, 20 + 32 + 9, P_TCP);
	put(&f, TCP_DATA, sizeof(TCP_DATA));
	put_payload(&f, 9);
	const struct stage st[] = {
		{22, SF_SKIP_LINK_TRUNCATED},
		{22 + 20, SF_SKIP_IP_TRUNCATED},
		{22 + 20 + 20, SF_SKIP_TCP_TRUNCATED},
	};
	check_every_prefix(DLT_EN10MB, &f, st, N_STAGES(st), 22 + 20 + 32);
}

Test(decode_prefix, ethernet_padded_ack_with_two_payload_bytes)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV4);
	put_ipv4(&f, 42, P_TCP);
	put(&f, TCP_ACK, sizeof(TCP_ACK));
	put_payload(&f, 2);
	put_fill(&f, 0, 4);
	const struct stage st[] = {
		{14, SF_SKIP_LINK_TRUNCATED},
		{34, SF_SKIP_IP_TRUNCATED},
		{54, SF_SKIP_TCP_TRUNCATED},
	};
	check_every_prefix(DLT_EN10MB, &f, st, N_STAGES(st), 54);
}

Test(decode_prefix, ethernet_ipv6_hop_by_hop_destination_syn)
{
	struct frame f = eth_ipv6_hbh_dst_syn();
	const struct stage st[] = {
		{14, SF_SKIP_LINK_TRUNCATED},
		{54, SF_SKIP_IP_TRUNCATED},
		{54 + 8 + 16, SF_SKIP_IPV6_EXT},
		{54 + 8 + 16 + 20, SF_SKIP_TCP_TRUNCATED},
	};
	check_every_prefix(DLT_EN10MB, &f, st, N_STAGES(st), 54 + 8 + 16 + 40);
}

Test(decode_prefix, sll_ipv4_with_ip_options)
{
	struct frame f = {.n = 0};
	put_sll(&f, ET_IPV4);
	put_ipv4_full(&f, 24 + 40, P_TCP, 0x4000, 1);
	put(&f, TCP_SYN, sizeof(TCP_SYN));
	const struct stage st[] = {
		{16, SF_SKIP_LINK_TRUNCATED},
		{16 + 24, SF_SKIP_IP_TRUNCATED},
		{16 + 24 + 20, SF_SKIP_TCP_TRUNCATED},
	};
	check_every_prefix(DLT_LINUX_SLL, &f, st, N_STAGES(st), 16 + 24 + 40);
}

Test(decode_prefix, sll2_ipv6_first_fragment_data)
{
	struct frame f = {.n = 0};
	put_sll2(&f, ET_IPV6);
	put_ipv6(&f, 8 + 32 + 6, 44);
	put_frag6(&f, P_TCP, 0, true);
	put(&f, TCP_DATA, sizeof(TCP_DATA));
	put_payload(&f, 6);
	const struct stage st[] = {
		{20, SF_SKIP_LINK_TRUNCATED},
		{60, SF_SKIP_IP_TRUNCATED},
		{68, SF_SKIP_IPV6_EXT},
		{88, SF_SKIP_TCP_TRUNCATED},
	};
	check_every_prefix(DLT_LINUX_SLL2, &f, st, N_STAGES(st), 100);
}

Test(decode_prefix, null_little_endian_ipv4_syn)
{
	struct frame f = null_frame(false, 2, false);
	const struct stage st[] = {
		{4, SF_SKIP_LINK_TRUNCATED},
		{24, SF_SKIP_IP_TRUNCATED},
		{44, SF_SKIP_TCP_TRUNCATED},
	};
	check_every_prefix(DLT_NULL, &f, st, N_STAGES(st), 64);
}

Test(decode_prefix, loop_ipv6_syn)
{
	struct frame f = null_frame(true, 30, true);
	const struct stage st[] = {
		{4, SF_SKIP_LINK_TRUNCATED},
		{44, SF_SKIP_IP_TRUNCATED},
		{64, SF_SKIP_TCP_TRUNCATED},
	};
	check_every_prefix(DLT_LOOP, &f, st, N_STAGES(st), 84);
}

Test(decode_prefix, raw_ipv4_syn)
{
	struct frame f = raw_ipv4_syn();
	const struct stage st[] = {
		{20, SF_SKIP_IP_TRUNCATED},
		{40, SF_SKIP_TCP_TRUNCATED},
	};
	check_every_prefix(DLT_RAW, &f, st, N_STAGES(st), 60);
}

Test(decode_prefix, raw_ipv6_authentication_header_data)
{
	struct frame f = {.n = 0};
	put_ipv6(&f, 16 + 32 + 4, 51);
	put8(&f, P_TCP);
	put8(&f, 2); /* (2 + 2) * 4 = 16 */
	put16(&f, 0);
	put32(&f, 7);
	put32(&f, 9);
	put32(&f, 0x12345678);
	put(&f, TCP_DATA, sizeof(TCP_DATA));
	put_payload(&f, 4);
	const struct stage st[] = {
		{40, SF_SKIP_IP_TRUNCATED},
		{56, SF_SKIP_IPV6_EXT},
		{76, SF_SKIP_TCP_TRUNCATED},
	};
	check_every_prefix(LINKTYPE_RAW, &f, st, N_STAGES(st), 88);
}

/* ---- random inputs ------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t rng(void)
{
	/* xorshift64*: deterministic, so a failure reproduces */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1Du) >> 32);
}

static const int fuzz_dlts[] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW,
				LINKTYPE_RAW, DLT_IPV4, DLT_IPV6, DLT_NULL, DLT_LOOP};

static void fuzz_one(int dlt, const struct frame *f, size_t caplen, size_t wirelen)
{
	struct sf_packet p;
	memset(&p, 0, sizeof(p));
	p.frame = 42;
	enum sf_skip r = decode_n(dlt, f, caplen, wirelen, &p);
	cr_assert_lt((int)r, SF_SKIP__COUNT);
	cr_assert_eq(p.frame, 42);
	if (r == SF_SKIP_NONE) {
		cr_assert(p.src.family == 4 || p.src.family == 6);
		cr_assert_eq(p.src.family, p.dst.family);
		if (p.src.family == 4)
			for (size_t i = 4; i < 16; i++)
				cr_assert_eq(p.src.b[i] | p.dst.b[i], 0);
	}
}

/* Valid frames with a few bytes flipped, every link type, random cut points. */
Test(decode_fuzz, mutated_frames_never_read_out_of_bounds, .timeout = 60)
{
	struct frame seeds[6];
	seeds[0] = eth_ipv4_syn();
	seeds[1] = eth_ipv6_hbh_dst_syn();
	seeds[2] = eth_ipv4_data(20);
	seeds[3] = raw_ipv6_syn();
	seeds[4] = null_frame(false, 30, true);
	seeds[5] = ipv6_dst_chain(5);

	for (int iter = 0; iter < 200000; iter++) {
		struct frame f = seeds[rng() % 6];
		int flips = 1 + (int)(rng() % 4);
		for (int k = 0; k < flips; k++) {
			size_t at = rng() % (f.n < 100 ? f.n : 100); /* headers live up front */
			f.b[at] = (rng() & 1) ? (uint8_t)rng() : (uint8_t)(f.b[at] ^ (1u << (rng() % 8)));
		}
		int dlt = (rng() % 4 == 0) ? fuzz_dlts[rng() % N_STAGES(fuzz_dlts)] : DLT_EN10MB;
		if (f.b[0] >> 4 == 4 || f.b[0] >> 4 == 6)
			dlt = (rng() % 2) ? DLT_RAW : dlt;
		size_t caplen = (rng() % 3 == 0) ? rng() % (f.n + 1) : f.n;
		size_t wirelen = (rng() % 4 == 0) ? rng() % 4096 : f.n;
		fuzz_one(dlt, &f, caplen, wirelen);
	}
}

/* Pure noise: every link type, every length up to 160. */
Test(decode_fuzz, random_bytes_never_read_out_of_bounds, .timeout = 60)
{
	for (int iter = 0; iter < 100000; iter++) {
		struct frame f = {.n = rng() % 161};
		for (size_t i = 0; i < f.n; i++)
			f.b[i] = (uint8_t)rng();
		/* steer some frames past the first checks */
		if (f.n > 14 && rng() % 2) {
			f.b[12] = 0x86;
			f.b[13] = 0xDD;
			f.b[14] = (uint8_t)(0x60 | (f.b[14] & 0x0F));
		}
		int dlt = fuzz_dlts[rng() % N_STAGES(fuzz_dlts)];
		fuzz_one(dlt, &f, f.n, (rng() % 2) ? f.n : rng());
	}
}

/* Every prefix of every seed under every link type: skip or decode, never overread. */
Test(decode_fuzz, every_prefix_under_every_link_type, .timeout = 60)
{
	struct frame seeds[4];
	seeds[0] = eth_ipv4_syn();
	seeds[1] = eth_ipv6_hbh_dst_syn();
	seeds[2] = raw_ipv4_syn();
	seeds[3] = null_frame(true, 2, false);
	for (size_t s = 0; s < 4; s++)
		for (size_t d = 0; d < N_STAGES(fuzz_dlts); d++)
			for (size_t cap = 0; cap <= seeds[s].n; cap++)
				fuzz_one(fuzz_dlts[d], &seeds[s], cap, seeds[s].n);
}

Test(decode_ip, ipv4_total_length_past_the_wire_frame_is_clamped)
{
	/* kday4.pcap frame 10: IP claims 820 bytes, the frame on the wire held 66 */
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV4);
	put_ipv4(&f, 820, P_TCP);
	put(&f, TCP_ACK, sizeof(TCP_ACK));
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
	cr_assert_eq(p.payload_len, 0, "payload beyond the wire frame does not exist");
	/* the same bytes cut by a snaplen (wire length 874) keep the IP length */
	memset(&p, 0, sizeof p);
	assert_skip(decode_n(DLT_EN10MB, &f, f.n, 14 + 820, &p), SF_SKIP_NONE);
	cr_assert_eq(p.payload_len, 820 - 20 - sizeof(TCP_ACK));
}

Test(decode_ip, ipv6_payload_length_past_the_wire_frame_is_clamped)
{
	struct frame f = {.n = 0};
	put_eth(&f, ET_IPV6);
	put_ipv6(&f, 1000, P_TCP);
	put(&f, TCP_ACK, sizeof(TCP_ACK));
	struct sf_packet p;
	assert_skip(decode(DLT_EN10MB, &f, &p), SF_SKIP_NONE);
	cr_assert_eq(p.payload_len, 0);
}

/*
 * sf_decode_frame_headers(): the same result and fields as sf_decode_frame()
 * but the option ones, which stay 0, on frames with and without options
 * (SYN: MSS, SACK-permitted, timestamps, window scale; data: NOP NOP TS),
 * over IPv4 and IPv6, and on a frame that is skipped.
 */
Test(decode_tcp, headers_only_decode_leaves_out_just_the_options)
{
	struct frame frames[] = {eth_ipv4_syn(), eth_ipv4_data(100), eth_ipv6_syn(), eth_ipv6_hbh_dst_syn()};
	for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
		struct sf_packet full, hdr;
		memset(&full, 0, sizeof full);
		memset(&hdr, 0, sizeof hdr);
		assert_skip(sf_decode_frame(DLT_EN10MB, frames[i].b, frames[i].n, frames[i].n, &full),
			    SF_SKIP_NONE);
		assert_skip(sf_decode_frame_headers(DLT_EN10MB, frames[i].b, frames[i].n, frames[i].n, &hdr),
			    SF_SKIP_NONE);
		cr_assert_neq(full.opt_mask, 0, "frame %zu carries options", i);
		cr_assert(hdr.opt_mask == 0 && hdr.mss == 0 && hdr.wscale == 0 && hdr.tsval == 0 &&
			  hdr.tsecr == 0, "frame %zu: an option field was set", i);
		hdr.opt_mask = full.opt_mask;
		hdr.mss = full.mss;
		hdr.wscale = full.wscale;
		hdr.tsval = full.tsval;
		hdr.tsecr = full.tsecr;
		cr_assert(memcmp(&hdr, &full, sizeof hdr) == 0, "frame %zu differs outside the options", i);
	}
	struct frame cut = eth_ipv4_syn();
	struct sf_packet p;
	memset(&p, 0, sizeof p);
	assert_skip(sf_decode_frame_headers(DLT_EN10MB, cut.b, 14 + 20 + 10, 14 + 20 + 40, &p),
		    SF_SKIP_TCP_TRUNCATED);
}
