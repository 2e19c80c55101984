/* addr.c - one IPv4/IPv6 address type: compare, hash input, RFC 5952 text. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* inet_ntop(3) */
#endif

#include "synfin/addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

_Static_assert(SF_ADDR_STRLEN >= INET6_ADDRSTRLEN, "SF_ADDR_STRLEN must fit any inet_ntop output");

/*
 * Setters clear the whole struct first: sf_addr values are compared and
 * hashed as a whole, so the unused b[4..15] of an IPv4 address must be zero.
 */
void sf_addr_set_v4(struct sf_addr *a, const uint8_t bytes[4])
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	memcpy(a->b, bytes, 4);
}

void sf_addr_set_v6(struct sf_addr *a, const uint8_t bytes[16])
{
	memset(a, 0, sizeof(*a));
	a->family = 6;
	memcpy(a->b, bytes, 16);
}

/*
 * Total order: by family (every IPv4 address sorts before every IPv6
 * address), then by the address bytes in network order, i.e. numerically.
 * Returns <0, 0 or >0.
 */
int sf_addr_cmp(const struct sf_addr *x, const struct sf_addr *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	int c = memcmp(x->b, y->b, sizeof(x->b));
	return (c > 0) - (c < 0);
}

/*
 * IPv4 as a dotted quad; IPv6 in the RFC 5952 canonical form. glibc's
 * inet_ntop(3) already produces it: lowercase hex, leading zeros dropped,
 * the longest run of two or more zero fields shortened to "::" (the first
 * one on a tie, §4.2.3), a lone zero field never shortened (§4.2.2), and
 * IPv4-mapped addresses written ::ffff:a.b.c.d (§5). test_addr.c pins this.
 *
 * Always returns buf. An unknown family or a buffer too small for the text
 * (a caller bug: buf must hold SF_ADDR_STRLEN bytes) yields "?".
 */
const char *sf_addr_format(const struct sf_addr *a, char *buf, size_t len)
{
	const char *r = NULL;

	if (buf == NULL || len == 0)
		return buf;
	if (len > SF_ADDR_STRLEN)
		len = SF_ADDR_STRLEN; /* enough for any output; keeps the socklen_t cast exact */
	if (a->family == 4)
		r = inet_ntop(AF_INET, a->b, buf, (socklen_t)len);
	else if (a->family == 6)
		r = inet_ntop(AF_INET6, a->b, buf, (socklen_t)len);
	if (r == NULL) {
		buf[0] = '\0';
		if (len >= 2) {
			buf[0] = '?';
			buf[1] = '\0';
		}
	}
	return buf;
}
