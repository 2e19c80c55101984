/* seq.h - TCP sequence-number arithmetic, modulo 2^32 (RFC 9293 §3.4). */
#ifndef SYNFIN_SEQ_H
#define SYNFIN_SEQ_H

#include <stdbool.h>
#include <stdint.h>

/*
 * a - b as a signed distance in [-2^31, 2^31). Computed on uint32_t and
 * widened explicitly, so there is no implementation-defined signed cast.
 * Numbers exactly 2^31 apart are undefined in RFC 1982; here each counts as
 * behind the other, so neither ever "acknowledges past" the other.
 */
static inline int64_t sf_seq_diff(uint32_t a, uint32_t b)
{
	uint32_t d = a - b;
	return d < 0x80000000u ? (int64_t)d : (int64_t)d - 4294967296LL;
}

static inline bool sf_seq_lt(uint32_t a, uint32_t b) { return sf_seq_diff(a, b) < 0; }
static inline bool sf_seq_leq(uint32_t a, uint32_t b) { return sf_seq_diff(a, b) <= 0; }
static inline bool sf_seq_gt(uint32_t a, uint32_t b) { return sf_seq_diff(a, b) > 0; }
static inline bool sf_seq_geq(uint32_t a, uint32_t b) { return sf_seq_diff(a, b) >= 0; }
static inline uint32_t sf_seq_max(uint32_t a, uint32_t b) { return sf_seq_gt(a, b) ? a : b; }

#endif
