/* track_harness.h - feed packet sequences (no bytes) to the tracker. */
#ifndef SYNFIN_TEST_TRACK_HARNESS_H
#define SYNFIN_TEST_TRACK_HARNESS_H

#include <string.h>

#include "synfin/classify.h"
#include "synfin/flow.h"
#include "synfin/track.h"

#define SYN SF_TH_SYN
#define ACK SF_TH_ACK
#define FIN SF_TH_FIN
#define RST SF_TH_RST
#define PSH SF_TH_PSH

struct h {
	struct sf_conn c;
	bool started;
	uint64_t frame;
	uint8_t cli_ip[4], srv_ip[4];
	uint16_t cli_port, srv_port;
};

static inline void h_init(struct h *h)
{
	memset(h, 0, sizeof *h);
	const uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
	memcpy(h->cli_ip, a, 4);
	memcpy(h->srv_ip, b, 4);
	h->cli_port = 40000;
	h->srv_port = 80;
}

/*
 * The next segment from the client (from_client=1) or the server, made
 * into p; the connection starts with the first one. Returns whether p
 * comes from the connection's ep[0].
 */
static inline bool h_packet(struct h *h, int from_client, uint8_t flags, uint32_t seq, uint32_t ack,
			    uint32_t len, struct sf_packet *out)
{
	struct sf_packet p;
	memset(&p, 0, sizeof p);
	p.frame = ++h->frame;
	p.ts.sec = 1000 + (int64_t)h->frame;
	p.ts.nsec = 0;
	if (from_client) {
		sf_addr_set_v4(&p.src, h->cli_ip);
		sf_addr_set_v4(&p.dst, h->srv_ip);
		p.sport = h->cli_port;
		p.dport = h->srv_port;
	} else {
		sf_addr_set_v4(&p.src, h->srv_ip);
		sf_addr_set_v4(&p.dst, h->cli_ip);
		p.sport = h->srv_port;
		p.dport = h->cli_port;
	}
	p.flags = flags;
	p.seq = seq;
	p.ack = ack;
	p.payload_len = len;
	p.window = 1000;
	if (!h->started) {
		sf_track_init(&h->c, 0, &p, true);
		h->started = true;
	}
	*out = p;
	return p.sport == h->c.ep[0].port && sf_addr_eq(&p.src, &h->c.ep[0].addr);
}

/* One segment from the client (from_client=1) or the server; returns its frame number. */
static inline uint64_t h_seg(struct h *h, int from_client, uint8_t flags, uint32_t seq, uint32_t ack,
			     uint32_t len)
{
	struct sf_packet p;
	bool from0 = h_packet(h, from_client, flags, seq, ack, len, &p);
	sf_track_segment(&h->c, &p, from0);
	return p.frame;
}

static inline void h_done(struct h *h)
{
	sf_track_finish(&h->c);
	sf_classify(&h->c);
}

static inline void h_free(struct h *h)
{
	free(h->c.violations);
	free(h->c.ladder);
	h->c.violations = NULL;
	h->c.ladder = NULL;
}

static inline const struct sf_endpoint *h_client(const struct h *h) { return &h->c.ep[h->c.client]; }
static inline const struct sf_endpoint *h_server(const struct h *h) { return &h->c.ep[1 - h->c.client]; }

/* Count of violations with this code. */
static inline int h_count(const struct h *h, enum sf_violation_code code)
{
	int n = 0;
	for (uint32_t i = 0; i < h->c.n_violations; i++)
		n += h->c.violations[i].code == code;
	return n;
}

static inline const struct sf_violation *h_find(const struct h *h, enum sf_violation_code code)
{
	for (uint32_t i = 0; i < h->c.n_violations; i++)
		if (h->c.violations[i].code == code)
			return &h->c.violations[i];
	return NULL;
}

/* SYN, SYN-ACK, ACK with ISNs ci and si; returns nothing, frames 1..3. */
static inline void h_handshake(struct h *h, uint32_t ci, uint32_t si)
{
	h_seg(h, 1, SYN, ci, 0, 0);
	h_seg(h, 0, SYN | ACK, si, ci + 1, 0);
	h_seg(h, 1, ACK, ci + 1, si + 1, 0);
}

#endif
