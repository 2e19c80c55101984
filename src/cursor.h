/*
 * cursor.h - bounded reader over captured packet bytes (private to the decoders).
 *
 * Packet memory is only ever read through a cursor. A cursor is a pointer
 * plus the number of bytes that may be read from it; every getter checks its
 * offset against that count before touching a byte and assembles multi-byte
 * fields from network (big-endian) byte order, so a decoder never casts
 * packet memory to a struct and never depends on the alignment or byte
 * order of the host.
 *
 * Invariant: for a cursor made by sf_cur_init(c, p, n), every byte it will
 * ever read lies in [p, p + n). sf_cur_advance() and sf_cur_limit() only
 * shrink the window; nothing widens it.
 *
 * Decoders are expected to test sf_cur_has() first, so that a short capture
 * maps to the right named skip reason. The getters still check on their own:
 * an out-of-range read returns 0 (and copies zeros) instead of reading past
 * the capture, so a logic slip in a decoder is a wrong answer, never an
 * out-of-bounds access.
 *
 * Fixed-size headers on the per-packet path are checked once instead:
 * sf_cur_peek(c, n) returns a pointer to the n bytes at the cursor only if
 * all n are in the window; the decoder then reads fields at constant offsets
 * below n from that pointer with the unchecked sf_ld_be16/32() loads (or
 * p[off] for a byte). Only a peeked pointer may be read that way, and only
 * within the n bytes the peek covered.
 */
#ifndef SYNFIN_CURSOR_H
#define SYNFIN_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct sf_cursor {
	const uint8_t *p; /* next unread byte */
	size_t left;      /* bytes readable at p */
};

static inline void sf_cur_init(struct sf_cursor *c, const uint8_t *p, size_t len)
{
	c->p = p;
	c->left = p != NULL ? len : 0;
}

static inline size_t sf_cur_left(const struct sf_cursor *c)
{
	return c->left;
}

/* Are the n bytes at the cursor readable? */
static inline bool sf_cur_has(const struct sf_cursor *c, size_t n)
{
	return n <= c->left;
}

/* Is [off, off + n) inside the window? Written so that off + n cannot wrap. */
static inline bool sf_cur_has_at(const struct sf_cursor *c, size_t off, size_t n)
{
	return off <= c->left && n <= c->left - off;
}

/* Consume n bytes; false (and the cursor unchanged) if fewer are left. */
static inline bool sf_cur_advance(struct sf_cursor *c, size_t n)
{
	if (!sf_cur_has(c, n))
		return false;
	if (n == 0)
		return true; /* p may be NULL for an empty window: no arithmetic on it */
	c->p += n;
	c->left -= n;
	return true;
}

/* End the window after at most n bytes (the view ends at min(left, n)). */
static inline void sf_cur_limit(struct sf_cursor *c, size_t n)
{
	if (n < c->left)
		c->left = n;
}

/*
 * A pointer to the n (>= 1) bytes at the cursor if all of them are in the
 * window, else NULL. The window is unchanged.
 */
static inline const uint8_t *sf_cur_peek(const struct sf_cursor *c, size_t n)
{
	return sf_cur_has(c, n) && n > 0 ? c->p : NULL;
}

/* Unchecked network-order loads: p + [0, width) must lie inside a peeked range. */
static inline uint16_t sf_ld_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | (unsigned)p[1]);
}

static inline uint32_t sf_ld_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline uint8_t sf_cur_u8_at(const struct sf_cursor *c, size_t off)
{
	if (!sf_cur_has_at(c, off, 1))
		return 0;
	return c->p[off];
}

static inline uint16_t sf_cur_be16_at(const struct sf_cursor *c, size_t off)
{
	if (!sf_cur_has_at(c, off, 2))
		return 0;
	return (uint16_t)((unsigned)c->p[off] << 8 | (unsigned)c->p[off + 1]);
}

static inline uint32_t sf_cur_be32_at(const struct sf_cursor *c, size_t off)
{
	if (!sf_cur_has_at(c, off, 4))
		return 0;
	return (uint32_t)c->p[off] << 24 | (uint32_t)c->p[off + 1] << 16 |
	       (uint32_t)c->p[off + 2] << 8 | (uint32_t)c->p[off + 3];
}

/* Copy n bytes at off into dst; zero-fills dst if they are not all readable. */
static inline void sf_cur_copy_at(const struct sf_cursor *c, size_t off, void *dst, size_t n)
{
	if (!sf_cur_has_at(c, off, n)) {
		memset(dst, 0, n);
		return;
	}
	if (n > 0)
		memcpy(dst, c->p + off, n);
}

#endif
