/* jsonw.c - a growable byte buffer and a streaming JSON writer (no allocation per value, no floats). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

#define NS_PER_SEC 1000000000u
#define BUF_MIN 256

/* ---- growable buffer ---- */

bool sf_buf_grow(struct sf_buf *b, size_t n)
{
	size_t ncap;
	char *p;

	if (b->cap - b->len >= n)
		return true;
	if (n > SIZE_MAX - b->len) {
		b->oom = true;
		return false;
	}
	ncap = b->cap > BUF_MIN ? b->cap : BUF_MIN;
	while (ncap < b->len + n) {
		if (ncap > SIZE_MAX / 2) {
			ncap = b->len + n;
			break;
		}
		ncap *= 2;
	}
	p = realloc(b->p, ncap);
	if (p == NULL) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = ncap;
	return true;
}

void sf_buf_free(struct sf_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = false;
}

void sf_buf_vprintf(struct sf_buf *b, const char *fmt, va_list ap)
{
	size_t room = b->cap - b->len;
	va_list ap2;
	int k;

	va_copy(ap2, ap);
	k = vsnprintf(b->p != NULL ? b->p + b->len : NULL, room, fmt, ap);
	if (k < 0) {
		b->oom = true;
	} else if ((size_t)k < room) {
		b->len += (size_t)k;
	} else if (sf_buf_grow(b, (size_t)k + 1)) {
		vsnprintf(b->p + b->len, (size_t)k + 1, fmt, ap2);
		b->len += (size_t)k;
	}
	va_end(ap2);
}

void sf_buf_printf(struct sf_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sf_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void sf_buf_spaces(struct sf_buf *b, size_t n)
{
	if (n == 0 || !sf_buf_room(b, n))
		return;
	memset(b->p + b->len, ' ', n);
	b->len += n;
}

/* ---- numbers ---- */

static const char digit_pairs[201] =
	"00010203040506070809"
	"10111213141516171819"
	"20212223242526272829"
	"30313233343536373839"
	"40414243444546474849"
	"50515253545556575859"
	"60616263646566676869"
	"70717273747576777879"
	"80818283848586878889"
	"90919293949596979899";

/* Decimal digits in v (1 .. 20). */
static inline unsigned dec_len(uint64_t v)
{
	static const uint64_t pow10[20] = {
		1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u, 1000000000u,
		10000000000u, 100000000000u, 1000000000000u, 10000000000000u, 100000000000000u,
		1000000000000000u, 10000000000000000u, 100000000000000000u, 1000000000000000000u,
		10000000000000000000u,
	};
	/* log10 from log2: bits * 1233 / 4096, then one correction */
	unsigned bits = 64 - (unsigned)__builtin_clzll(v | 1);
	unsigned t = (bits * 1233) >> 12;

	return t + ((v | 1) >= pow10[t]); /* v | 1: 0 has one digit; no power of ten is odd past 1 */
}

/* Write v's digits ending at end: four at a time, then pairs. */
static inline void dec_write(char *end, uint64_t v)
{
	uint32_t x;

	while (v >= 10000) {
		uint32_t r = (uint32_t)(v % 10000);
		uint32_t hi = r / 100, lo = r % 100;

		v /= 10000;
		end -= 4;
		memcpy(end, digit_pairs + 2 * hi, 2);
		memcpy(end + 2, digit_pairs + 2 * lo, 2);
	}
	x = (uint32_t)v;
	if (x >= 100) {
		uint32_t lo = x % 100;

		x /= 100;
		end -= 2;
		memcpy(end, digit_pairs + 2 * lo, 2);
	}
	if (x >= 10) {
		end -= 2;
		memcpy(end, digit_pairs + 2 * x, 2);
	} else {
		*--end = (char)('0' + x);
	}
}

size_t sf_u64_dec(char *dst, uint64_t v)
{
	unsigned n = dec_len(v);

	dec_write(dst + n, v);
	return n;
}

size_t sf_fixed9(char *dst, bool neg, uint64_t whole, uint32_t frac)
{
	char *o = dst;
	uint32_t hi, lo;
	size_t k = 9;

	if (frac >= NS_PER_SEC) {
		/* not a fraction: carry (saturating; never happens with valid input) */
		uint64_t carry = frac / NS_PER_SEC;

		whole = whole > UINT64_MAX - carry ? UINT64_MAX : whole + carry;
		frac %= NS_PER_SEC;
	}
	if (neg && (whole != 0 || frac != 0))
		*o++ = '-';
	o += sf_u64_dec(o, whole);
	*o++ = '.';
	/* nine digits: one, then four pairs */
	hi = frac / 100000000u;
	lo = frac % 100000000u;
	o[0] = (char)('0' + hi);
	for (int i = 7; i >= 1; i -= 2) {
		unsigned d = (lo % 100) * 2;

		lo /= 100;
		o[i] = digit_pairs[d];
		o[i + 1] = digit_pairs[d + 1];
	}
	while (k > 1 && o[k - 1] == '0')
		k--;
	return (size_t)(o + k - dst);
}

/* sec + nsec / 1e9 as sign and magnitude, nsec normalised below 1e9. */
static void ts_split(int64_t sec, uint32_t nsec, bool *neg, uint64_t *whole, uint32_t *frac)
{
	uint64_t carry = nsec / NS_PER_SEC;

	nsec %= NS_PER_SEC;
	if (sec >= 0) {
		/* sec <= 2^63 - 1 and carry <= 4: no overflow */
		*neg = false;
		*whole = (uint64_t)sec + carry;
		*frac = nsec;
		return;
	}
	{
		uint64_t m = (uint64_t)0 - (uint64_t)sec; /* |sec|, 1 .. 2^63 */

		if (carry >= m) {
			*neg = false;
			*whole = carry - m;
			*frac = nsec;
		} else if (nsec == 0) {
			*neg = true;
			*whole = m - carry;
			*frac = 0;
		} else {
			/* -(k) + nsec/1e9 = -((k - 1) + (1e9 - nsec)/1e9) */
			*neg = true;
			*whole = m - carry - 1;
			*frac = NS_PER_SEC - nsec;
		}
	}
}

/* ---- JSON writer ---- */

/* 0: copied as is; 1: escaped; 2: the first byte of a multi-byte (or invalid) UTF-8 sequence */
static const uint8_t str_class[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* '"' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* '\\' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

size_t sf_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t need;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		if (c == 0xE0)
			lo = 0xA0;  /* no overlong forms */
		else if (c == 0xED)
			hi = 0x9F;  /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		if (c == 0xF0)
			lo = 0x90;  /* no overlong forms */
		else if (c == 0xF4)
			hi = 0x8F;  /* nothing above U+10FFFF */
	} else {
		return 0;
	}
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < need; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return need;
}

#define ONES ((uint64_t)0x0101010101010101u)
#define HIGHS ((uint64_t)0x8080808080808080u)

/* Some byte of x is below 0x20, '"', '\\' or 0x80 and above (exact: no false negatives). */
static inline bool needs_care(uint64_t x)
{
	uint64_t q = x ^ (ONES * '"'), s = x ^ (ONES * '\\');
	/* per byte: below 0x20, zero after ^ '"', zero after ^ '\\', or high bit (the classic tests) */
	uint64_t t = ((x - ONES * 0x20) & ~x) | ((q - ONES) & ~q) | ((s - ONES) & ~s) | x;

	return (t & HIGHS) != 0;
}

/* Bytes a string of n bytes may take quoted and escaped: 6 per byte (\u00XX), 2 quotes. */
static bool string_room(struct sf_jw *w, size_t n, size_t *need)
{
	if (n > (SIZE_MAX - 64) / 6) {
		w->bad = true;
		return false;
	}
	*need = 6 * n + 2;
	return true;
}

/* Write s (n bytes) quoted and escaped at o (room checked); returns the end. */
char *sf_jw_put_string_(char *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	*o++ = '"';
	for (;;) {
		unsigned char c;

		/* eight plain bytes at a time, then byte by byte up to the next special one */
		while (n - i >= 8) {
			uint64_t x;

			memcpy(&x, u + i, 8);
			if (needs_care(x))
				break;
			memcpy(o, &x, 8);
			o += 8;
			i += 8;
		}
		while (i < n && str_class[u[i]] == 0)
			*o++ = (char)u[i++];
		if (i >= n)
			break;
		c = u[i];
		if (str_class[c] == 1) {
			*o++ = '\\';
			switch (c) {
			case '"':
			case '\\':
				*o++ = (char)c;
				break;
			case '\b':
				*o++ = 'b';
				break;
			case '\f':
				*o++ = 'f';
				break;
			case '\n':
				*o++ = 'n';
				break;
			case '\r':
				*o++ = 'r';
				break;
			case '\t':
				*o++ = 't';
				break;
			default:
				memcpy(o, "u00", 3);
				o[3] = hex[c >> 4];
				o[4] = hex[c & 15];
				o += 5;
				break;
			}
			i++;
		} else {
			size_t k = sf_utf8_len(u + i, n - i);

			if (k == 0) {
				memcpy(o, "\xEF\xBF\xBD", 3); /* U+FFFD */
				o += 3;
				i++;
			} else {
				memcpy(o, u + i, k);
				o += k;
				i += k;
			}
		}
	}
	*o++ = '"';
	return o;
}

const char sf_jw_nl_spaces_[64] =
	"\n                                                               ";

void sf_jw_init(struct sf_jw *w, struct sf_buf *b, unsigned indent, unsigned base)
{
	memset(w, 0, sizeof *w);
	w->b = b;
	w->indent = indent;
	w->base = base;
	w->nl = base;
}

static void open_container(struct sf_jw *w, char c, bool obj)
{
	uint64_t bit;
	char *o;

	if (w->depth >= SF_JW_MAX_DEPTH) {
		w->bad = true;
		return;
	}
	o = sf_jw_value_(w, 1);
	if (o == NULL)
		return;
	*o++ = c;
	sf_jw_end_(w, o);
	w->depth++;
	w->nl += w->indent;
	bit = (uint64_t)1 << w->depth;
	w->nonempty &= ~bit;
	if (obj)
		w->objbits |= bit;
	else
		w->objbits &= ~bit;
}

static void close_container(struct sf_jw *w, char c, bool obj)
{
	struct sf_buf *b = w->b;
	uint64_t bit = (uint64_t)1 << w->depth;
	bool had = (w->nonempty & bit) != 0;
	char *o;

	if (w->depth == 0 || ((w->objbits & bit) != 0) != obj || w->after_key) {
		w->bad = true;
		return;
	}
	w->depth--;
	w->nl -= w->indent;
	if (!sf_buf_room(b, (size_t)w->nl + 34))
		return;
	o = b->p + b->len;
	if (had && w->indent > 0) {
		if (w->nl < 32) {
			memcpy(o, sf_jw_nl_spaces_, 32);
		} else {
			o[0] = '\n';
			memset(o + 1, ' ', w->nl);
		}
		o += w->nl + 1;
	}
	*o++ = c;
	sf_jw_end_(w, o);
}

void sf_jw_obj(struct sf_jw *w)
{
	open_container(w, '{', true);
}

void sf_jw_obj_end(struct sf_jw *w)
{
	close_container(w, '}', true);
}

void sf_jw_arr(struct sf_jw *w)
{
	open_container(w, '[', false);
}

void sf_jw_arr_end(struct sf_jw *w)
{
	close_container(w, ']', false);
}

void sf_jw_key(struct sf_jw *w, const char *k)
{
	struct sf_buf *b = w->b;
	size_t n, need;
	char *o;

	if (w->after_key || !(w->objbits & ((uint64_t)1 << w->depth))) {
		w->bad = true;
		return;
	}
	if (k == NULL)
		k = "";
	n = strlen(k);
	if (!string_room(w, n, &need) || !sf_buf_room(b, need + 2 + SF_JW_SEP_MAX(w)))
		return;
	o = sf_jw_sep_(w, b->p + b->len);
	o = sf_jw_put_string_(o, k, n);
	*o++ = ':';
	if (w->indent > 0)
		*o++ = ' ';
	sf_jw_end_(w, o);
	w->after_key = true;
}

void sf_jw_strn(struct sf_jw *w, const char *s, size_t n)
{
	size_t need;
	char *o;

	if (s == NULL) {
		sf_jw_null(w);
		return;
	}
	if (!string_room(w, n, &need))
		return;
	o = sf_jw_value_(w, need);
	if (o != NULL)
		sf_jw_end_(w, sf_jw_put_string_(o, s, n));
}

void sf_jw_str(struct sf_jw *w, const char *s)
{
	sf_jw_strn(w, s, s != NULL ? strlen(s) : 0);
}

void sf_jw_i64(struct sf_jw *w, int64_t v)
{
	char *o = sf_jw_value_(w, SF_U64_DEC_MAX + 1);

	if (o == NULL)
		return;
	if (v < 0) {
		*o++ = '-';
		o += sf_u64_dec(o, (uint64_t)0 - (uint64_t)v);
	} else {
		o += sf_u64_dec(o, (uint64_t)v);
	}
	sf_jw_end_(w, o);
}

void sf_jw_raw(struct sf_jw *w, const char *s, size_t n)
{
	char *o = sf_jw_value_(w, n);

	if (o == NULL)
		return;
	memcpy(o, s, n);
	sf_jw_end_(w, o + n);
}

void sf_jw_null(struct sf_jw *w)
{
	char *o = sf_jw_value_(w, 4);

	if (o != NULL) {
		memcpy(o, "null", 4);
		sf_jw_end_(w, o + 4);
	}
}

void sf_jw_bool(struct sf_jw *w, bool v)
{
	char *o = sf_jw_value_(w, 5);

	if (o == NULL)
		return;
	if (v) {
		memcpy(o, "true", 4);
		o += 4;
	} else {
		memcpy(o, "false", 5);
		o += 5;
	}
	sf_jw_end_(w, o);
}

char *sf_jw_put_ts_(char *o, int64_t sec, uint32_t nsec)
{
	bool neg;
	uint64_t whole;
	uint32_t frac;

	ts_split(sec, nsec, &neg, &whole, &frac);
	return o + sf_fixed9(o, neg, whole, frac);
}

void sf_jw_ts(struct sf_jw *w, int64_t sec, uint32_t nsec)
{
	char *o = sf_jw_value_(w, SF_FIXED9_MAX);

	if (o != NULL)
		sf_jw_end_(w, sf_jw_put_ts_(o, sec, nsec));
}

/* Normalise nsec below 1e9, saturating sec (only invalid input has nsec >= 1e9). */
static void ts_norm(int64_t *sec, uint32_t *nsec)
{
	uint32_t carry = *nsec / NS_PER_SEC;

	*nsec %= NS_PER_SEC;
	*sec = *sec > INT64_MAX - (int64_t)carry ? INT64_MAX : *sec + (int64_t)carry;
}

char *sf_jw_put_ts_diff_(char *o, int64_t a_sec, uint32_t a_nsec, int64_t b_sec, uint32_t b_nsec)
{
	bool neg = false;
	uint64_t whole;
	uint32_t frac;

	ts_norm(&a_sec, &a_nsec);
	ts_norm(&b_sec, &b_nsec);
	if (a_sec < b_sec || (a_sec == b_sec && a_nsec < b_nsec)) {
		int64_t ts = a_sec;
		uint32_t tn = a_nsec;

		a_sec = b_sec;
		a_nsec = b_nsec;
		b_sec = ts;
		b_nsec = tn;
		neg = true;
	}
	/* a >= b: the difference of two int64 is below 2^64, exact modulo 2^64 */
	whole = (uint64_t)a_sec - (uint64_t)b_sec;
	if (a_nsec >= b_nsec) {
		frac = a_nsec - b_nsec;
	} else {
		whole--;
		frac = a_nsec + NS_PER_SEC - b_nsec;
	}
	return o + sf_fixed9(o, neg, whole, frac);
}

void sf_jw_ts_diff(struct sf_jw *w, int64_t a_sec, uint32_t a_nsec, int64_t b_sec, uint32_t b_nsec)
{
	char *o = sf_jw_value_(w, SF_FIXED9_MAX);

	if (o != NULL)
		sf_jw_end_(w, sf_jw_put_ts_diff_(o, a_sec, a_nsec, b_sec, b_nsec));
}
