/* jsonw.h - private to src/: a growable byte buffer, and a streaming JSON writer that appends to one. */
#ifndef SYNFIN_JSONW_H
#define SYNFIN_JSONW_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- growable buffer ---- */

struct sf_buf {
	char *p;
	size_t len, cap;
	bool oom; /* an allocation failed: the contents are incomplete */
};

/* Make room for n more bytes past len. False (and oom set) when that fails. */
bool sf_buf_grow(struct sf_buf *b, size_t n);
void sf_buf_free(struct sf_buf *b);
__attribute__((format(printf, 2, 3)))
void sf_buf_printf(struct sf_buf *b, const char *fmt, ...);
__attribute__((format(printf, 2, 0)))
void sf_buf_vprintf(struct sf_buf *b, const char *fmt, va_list ap);

static inline bool sf_buf_room(struct sf_buf *b, size_t n)
{
	return b->cap - b->len >= n || sf_buf_grow(b, n);
}

static inline void sf_buf_put(struct sf_buf *b, const void *s, size_t n)
{
	if (n == 0 || !sf_buf_room(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void sf_buf_puts(struct sf_buf *b, const char *s)
{
	sf_buf_put(b, s, strlen(s));
}

static inline void sf_buf_putc(struct sf_buf *b, char c)
{
	if (!sf_buf_room(b, 1))
		return;
	b->p[b->len++] = c;
}

/* n spaces */
void sf_buf_spaces(struct sf_buf *b, size_t n);

/* ---- numbers ---- */

#define SF_U64_DEC_MAX 20

/*
 * The decimal digits of v at dst; returns their count. dst must have room
 * for SF_U64_DEC_MAX bytes: the bytes past the digits may be overwritten.
 */
size_t sf_u64_dec(char *dst, uint64_t v);

/*
 * Exact decimal seconds: [-]whole.frac with frac (0 .. 999999999
 * nanoseconds) written with 9 digits less its trailing zeros, at least one
 * ("1.5", "1.000001", "2.0"). dst must have room for SF_FIXED9_MAX bytes
 * (the bytes past the text may be overwritten). Returns the length.
 */
#define SF_FIXED9_MAX 32
size_t sf_fixed9(char *dst, bool neg, uint64_t whole, uint32_t frac);

/* ---- JSON writer ---- */

#define SF_JW_MAX_DEPTH 63

/*
 * Appends one JSON value to b as its pieces are given: containers open and
 * close, a key precedes each object member. indent 0 writes jansson's
 * JSON_COMPACT form ("," and ":"); indent n > 0 writes jansson's
 * JSON_INDENT(n) form ("," newline, ": ", "[]" and "{}" when empty), each
 * new line further indented by base spaces so the value can nest inside an
 * outer document. Misuse (too deep, a closing without an opening, a value
 * without its key, a key outside an object) sets bad.
 */
struct sf_jw {
	struct sf_buf *b;
	unsigned indent, base, depth;
	unsigned nl;       /* spaces after a line break at this depth: base + depth * indent */
	bool after_key;
	bool bad;
	uint64_t nonempty; /* bit d: the container at depth d has a member */
	uint64_t objbits;  /* bit d (d >= 1): the container at depth d is an object */
};

void sf_jw_init(struct sf_jw *w, struct sf_buf *b, unsigned indent, unsigned base);
void sf_jw_obj(struct sf_jw *w);
void sf_jw_obj_end(struct sf_jw *w);
void sf_jw_arr(struct sf_jw *w);
void sf_jw_arr_end(struct sf_jw *w);
/* An object member's name (any bytes: escaped, invalid UTF-8 replaced); NULL is treated as "". */
void sf_jw_key(struct sf_jw *w, const char *k);
/*
 * A string of n bytes: '"' '\\' and control characters escaped as jansson
 * does (\b \f \n \r \t, else \u00XX), each byte that does not start a
 * well-formed UTF-8 sequence (RFC 3629) replaced by U+FFFD. NULL gives null.
 */
void sf_jw_strn(struct sf_jw *w, const char *s, size_t n);
void sf_jw_str(struct sf_jw *w, const char *s);
void sf_jw_i64(struct sf_jw *w, int64_t v);
void sf_jw_null(struct sf_jw *w);
void sf_jw_bool(struct sf_jw *w, bool v);
/* Epoch seconds sec + nsec / 1e9, exactly (see sf_fixed9); nsec >= 1e9 carries into sec. */
void sf_jw_ts(struct sf_jw *w, int64_t sec, uint32_t nsec);
/* (a_sec + a_nsec / 1e9) - (b_sec + b_nsec / 1e9) in seconds, exactly; may be negative. */
void sf_jw_ts_diff(struct sf_jw *w, int64_t a_sec, uint32_t a_nsec, int64_t b_sec, uint32_t b_nsec);
/* Text already in JSON form, written as one value. */
void sf_jw_raw(struct sf_jw *w, const char *s, size_t n);

/* ---- the hot path, inline: one room check per piece, the cursor in a register ---- */

#define SF_JW_INLINE static inline __attribute__((always_inline))

/* "\n" and 63 spaces. */
extern const char sf_jw_nl_spaces_[64];

/* Most a separator takes: ',' '\n' and nl spaces, or ',' and a 32-byte copy. */
#define SF_JW_SEP_MAX(w) ((size_t)(w)->nl + 34)

/* Write at o (room checked) the separator and line break of a new member; returns the new o. */
SF_JW_INLINE char *sf_jw_sep_(struct sf_jw *w, char *o)
{
	uint64_t bit = (uint64_t)1 << w->depth;

	if (w->nonempty & bit)
		*o++ = ',';
	w->nonempty |= bit;
	if (w->indent > 0) {
		unsigned k = w->nl;

		if (k < 32) {
			memcpy(o, sf_jw_nl_spaces_, 32); /* a fixed-size copy: a few moves */
		} else {
			o[0] = '\n';
			memset(o + 1, ' ', k);
		}
		o += k + 1;
	}
	return o;
}

/*
 * Start a value needing up to need bytes: after a key nothing, in an array
 * its separator. Returns where to write it, or NULL when out of memory.
 */
SF_JW_INLINE char *sf_jw_value_(struct sf_jw *w, size_t need)
{
	struct sf_buf *b = w->b;

	if (w->after_key) {
		w->after_key = false;
		return sf_buf_room(b, need) ? b->p + b->len : NULL;
	}
	if (w->depth == 0)
		return sf_buf_room(b, need) ? b->p + b->len : NULL;
	if (w->objbits & ((uint64_t)1 << w->depth))
		w->bad = true; /* a value in an object without a key */
	if (!sf_buf_room(b, need + SF_JW_SEP_MAX(w)))
		return NULL;
	return sf_jw_sep_(w, b->p + b->len);
}

/* The value just written ends at o. */
SF_JW_INLINE void sf_jw_end_(struct sf_jw *w, char *o)
{
	w->b->len = (size_t)(o - w->b->p);
}

/* A member name given already quoted and escaped (q: n bytes); see SF_JW_KEY. */
SF_JW_INLINE void sf_jw_key_raw(struct sf_jw *w, const char *q, size_t n)
{
	struct sf_buf *b = w->b;
	char *o;

	/* objbits has no bit 0: this also refuses a key outside any container */
	if (w->after_key || !(w->objbits & ((uint64_t)1 << w->depth))) {
		w->bad = true;
		return;
	}
	if (!sf_buf_room(b, n + 2 + SF_JW_SEP_MAX(w)))
		return;
	o = sf_jw_sep_(w, b->p + b->len);
	memcpy(o, q, n);
	o += n;
	*o++ = ':';
	if (w->indent > 0)
		*o++ = ' ';
	sf_jw_end_(w, o);
	w->after_key = true;
}

/* A member name that is a string literal of plain ASCII needing no escape. */
#define SF_JW_KEY(w, lit) sf_jw_key_raw((w), "\"" lit "\"", sizeof(lit) + 1)

/* v's digits at o (room for SF_U64_DEC_MAX checked); returns the end. */
SF_JW_INLINE char *sf_jw_put_u64_(char *o, uint64_t v)
{
	if (v < 10) /* counters that are mostly 0 */
		*o++ = (char)('0' + v);
	else
		o += sf_u64_dec(o, v);
	return o;
}

SF_JW_INLINE void sf_jw_u64(struct sf_jw *w, uint64_t v)
{
	char *o = sf_jw_value_(w, SF_U64_DEC_MAX);

	if (o != NULL)
		sf_jw_end_(w, sf_jw_put_u64_(o, v));
}

/*
 * At o (room for n + 2 checked): a string the caller knows needs no
 * escaping, printable ASCII without '"' or '\\' (the names of outcomes,
 * states and codes, a formatted address, Zeek's history letters). Copied
 * between quotes, not scanned.
 */
SF_JW_INLINE char *sf_jw_put_plain_(char *o, const char *s, size_t n)
{
	*o++ = '"';
	memcpy(o, s, n);
	o += n;
	*o++ = '"';
	return o;
}

/*
 * The pieces below write at o, with the room already checked, and return
 * the end: for a caller that checks room once for many pieces.
 */
/* sec + nsec / 1e9 as sf_jw_ts writes it (SF_FIXED9_MAX bytes at most). */
char *sf_jw_put_ts_(char *o, int64_t sec, uint32_t nsec);
/* a - b as sf_jw_ts_diff writes it (SF_FIXED9_MAX bytes at most). */
char *sf_jw_put_ts_diff_(char *o, int64_t a_sec, uint32_t a_nsec, int64_t b_sec, uint32_t b_nsec);
/* s quoted and escaped as sf_jw_strn writes it (6 * n + 2 bytes at most). */
char *sf_jw_put_string_(char *o, const char *s, size_t n);

/* Length of the well-formed UTF-8 sequence at s (n > 0 bytes left), or 0. */
size_t sf_utf8_len(const unsigned char *s, size_t n);

#endif
