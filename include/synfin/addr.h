/* addr.h - one IPv4/IPv6 address type: compare, hash input, RFC 5952 text. */
#ifndef SYNFIN_ADDR_H
#define SYNFIN_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Long enough for any RFC 5952 IPv6 text form plus NUL (INET6_ADDRSTRLEN). */
#define SF_ADDR_STRLEN 46

/*
 * An IPv4 address lives in b[0..3] with b[4..15] zero; family is 4 or 6.
 * The whole struct is compared and hashed, so always zero-initialise it.
 */
struct sf_addr {
	uint8_t family;
	uint8_t b[16];
};

void sf_addr_set_v4(struct sf_addr *a, const uint8_t bytes[4]);
void sf_addr_set_v6(struct sf_addr *a, const uint8_t bytes[16]);
int sf_addr_cmp(const struct sf_addr *x, const struct sf_addr *y);
/* Inline: the flow table compares two addresses per packet. */
static inline bool sf_addr_eq(const struct sf_addr *x, const struct sf_addr *y)
{
	uint64_t x0, x1, y0, y1;
	memcpy(&x0, x->b, 8);
	memcpy(&x1, x->b + 8, 8);
	memcpy(&y0, y->b, 8);
	memcpy(&y1, y->b + 8, 8);
	return x->family == y->family && ((x0 ^ y0) | (x1 ^ y1)) == 0;
}
/* RFC 5952 text (IPv4 dotted quad); buf must hold SF_ADDR_STRLEN bytes. */
const char *sf_addr_format(const struct sf_addr *a, char *buf, size_t len);

#endif
