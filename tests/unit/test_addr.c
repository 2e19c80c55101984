/* test_addr.c - sf_addr: setters, ordering, equality and RFC 5952 text. */
#include <criterion/criterion.h>
#include <string.h>

#include "synfin/addr.h"

static struct sf_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	const uint8_t bytes[4] = {a, b, c, d};
	struct sf_addr x;
	memset(&x, 0xA5, sizeof(x)); /* the setter must clear what it does not set */
	sf_addr_set_v4(&x, bytes);
	return x;
}

static struct sf_addr v6(const uint8_t bytes[16])
{
	struct sf_addr x;
	memset(&x, 0xA5, sizeof(x));
	sf_addr_set_v6(&x, bytes);
	return x;
}

static void check_v6_text(const uint8_t bytes[16], const char *want)
{
	char buf[SF_ADDR_STRLEN];
	struct sf_addr a = v6(bytes);
	cr_assert_str_eq(sf_addr_format(&a, buf, sizeof(buf)), want);
}

Test(addr, set_v4_zeroes_unused_bytes)
{
	struct sf_addr a = v4(192, 0, 2, 1);
	cr_assert_eq(a.family, 4);
	cr_assert_eq(a.b[0], 192);
	cr_assert_eq(a.b[3], 1);
	for (size_t i = 4; i < sizeof(a.b); i++)
		cr_assert_eq(a.b[i], 0, "b[%zu] must be zero for IPv4", i);
}

Test(addr, set_v6_copies_all_sixteen_bytes)
{
	uint8_t bytes[16];
	for (size_t i = 0; i < 16; i++)
		bytes[i] = (uint8_t)(i + 1);
	struct sf_addr a = v6(bytes);
	cr_assert_eq(a.family, 6);
	cr_assert_arr_eq(a.b, bytes, 16);
}

Test(addr, v4_dotted_quad)
{
	char buf[SF_ADDR_STRLEN];
	struct sf_addr a = v4(192, 0, 2, 1);
	cr_assert_str_eq(sf_addr_format(&a, buf, sizeof(buf)), "192.0.2.1");
	a = v4(0, 0, 0, 0);
	cr_assert_str_eq(sf_addr_format(&a, buf, sizeof(buf)), "0.0.0.0");
	a = v4(255, 255, 255, 255);
	cr_assert_str_eq(sf_addr_format(&a, buf, sizeof(buf)), "255.255.255.255");
}

Test(addr, format_returns_the_buffer)
{
	char buf[SF_ADDR_STRLEN];
	struct sf_addr a = v4(10, 0, 0, 1);
	cr_assert_eq(sf_addr_format(&a, buf, sizeof(buf)), buf);
}

Test(addr, v6_documentation_prefix_compresses_zero_run)
{
	const uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	check_v6_text(b, "2001:db8::1");
}

Test(addr, v6_loopback)
{
	const uint8_t b[16] = {[15] = 1};
	check_v6_text(b, "::1");
}

Test(addr, v6_unspecified)
{
	const uint8_t b[16] = {0};
	check_v6_text(b, "::");
}

/* RFC 5952 §4.2.2: "::" must not shorten just one 16-bit 0 field. */
Test(addr, v6_single_zero_field_not_compressed)
{
	const uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
	check_v6_text(b, "2001:db8:0:1:1:1:1:1");
}

/* RFC 5952 §4.2.3: the longest run is shortened; on a tie, the first. */
Test(addr, v6_longest_zero_run_compressed)
{
	const uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
	check_v6_text(b, "2001:db8:0:1::1");
}

Test(addr, v6_first_of_equal_zero_runs_compressed)
{
	const uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1};
	check_v6_text(b, "2001:db8::1:0:0:1");
}

/* RFC 5952 §4.3: lowercase; §4.1: leading zeros dropped. */
Test(addr, v6_lowercase_without_leading_zeros)
{
	const uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, 0x0a, 0xbc, 0, 0, 0, 0, 0, 0, 0x00, 0x0e, 0xff, 0xff};
	check_v6_text(b, "2001:db8:abc::e:ffff");
}

Test(addr, v6_no_zero_fields)
{
	const uint8_t b[16] = {0xfe, 0x80, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7};
	check_v6_text(b, "fe80:1:2:3:4:5:6:7");
}

/* RFC 5952 §5: IPv4-mapped addresses keep the dotted quad. */
Test(addr, v6_ipv4_mapped_uses_dotted_quad)
{
	const uint8_t b[16] = {[10] = 0xff, [11] = 0xff, [12] = 192, [13] = 0, [14] = 2, [15] = 1};
	check_v6_text(b, "::ffff:192.0.2.1");
}

Test(addr, v6_longest_text_fits_strlen)
{
	const uint8_t b[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	check_v6_text(b, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

Test(addr, unknown_family_formats_as_question_mark)
{
	char buf[SF_ADDR_STRLEN];
	struct sf_addr a;
	memset(&a, 0, sizeof(a));
	cr_assert_str_eq(sf_addr_format(&a, buf, sizeof(buf)), "?");
}

Test(addr, buffer_too_small_never_overflows)
{
	char buf[8];
	memset(buf, 'x', sizeof(buf));
	const uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	struct sf_addr a = v6(b);
	const char *s = sf_addr_format(&a, buf, 4);
	cr_assert_eq(s, buf);
	cr_assert(strlen(buf) < 4);
	cr_assert_eq(buf[4], 'x', "wrote past len");
}

Test(addr, equal_addresses_compare_equal)
{
	struct sf_addr a = v4(10, 0, 0, 1), b = v4(10, 0, 0, 1);
	cr_assert_eq(sf_addr_cmp(&a, &b), 0);
	cr_assert(sf_addr_eq(&a, &b));
}

Test(addr, cmp_orders_numerically_within_a_family)
{
	struct sf_addr a = v4(10, 0, 0, 2), b = v4(10, 0, 1, 1), c = v4(9, 255, 255, 255);
	cr_assert_lt(sf_addr_cmp(&a, &b), 0);
	cr_assert_gt(sf_addr_cmp(&b, &a), 0);
	cr_assert_lt(sf_addr_cmp(&c, &a), 0);
	cr_assert_not(sf_addr_eq(&a, &b));
}

Test(addr, cmp_is_antisymmetric_and_returns_sign)
{
	struct sf_addr a = v4(1, 2, 3, 4), b = v4(200, 2, 3, 4);
	cr_assert_eq(sf_addr_cmp(&a, &b), -1);
	cr_assert_eq(sf_addr_cmp(&b, &a), 1);
}

Test(addr, every_v4_address_sorts_before_every_v6_address)
{
	const uint8_t zero6[16] = {0};
	struct sf_addr a = v4(255, 255, 255, 255), b = v6(zero6);
	cr_assert_lt(sf_addr_cmp(&a, &b), 0);
	cr_assert_gt(sf_addr_cmp(&b, &a), 0);
	cr_assert_not(sf_addr_eq(&a, &b));
}

/* 0.0.0.0 and :: have identical bytes: only the family tells them apart. */
Test(addr, same_bytes_different_family_differ)
{
	const uint8_t zero6[16] = {0};
	struct sf_addr a = v4(0, 0, 0, 0), b = v6(zero6);
	cr_assert_neq(sf_addr_cmp(&a, &b), 0);
	cr_assert_not(sf_addr_eq(&a, &b));
}

Test(addr, v6_cmp_uses_all_bytes)
{
	uint8_t x[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	uint8_t y[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	struct sf_addr a = v6(x), b = v6(y);
	cr_assert_lt(sf_addr_cmp(&a, &b), 0);
	cr_assert_not(sf_addr_eq(&a, &b));
	y[15] = 1;
	b = v6(y);
	cr_assert(sf_addr_eq(&a, &b));
	cr_assert_eq(sf_addr_cmp(&a, &b), 0);
}
