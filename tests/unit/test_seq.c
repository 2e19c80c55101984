/* test_seq.c - modulo-2^32 sequence comparisons. */
#include <criterion/criterion.h>

#include "synfin/seq.h"

Test(seq, ordinary_comparisons)
{
	cr_assert(sf_seq_lt(1, 2));
	cr_assert(sf_seq_gt(2, 1));
	cr_assert(sf_seq_leq(5, 5));
	cr_assert(sf_seq_geq(5, 5));
	cr_assert_eq(sf_seq_diff(10, 3), 7);
	cr_assert_eq(sf_seq_diff(3, 10), -7);
}

Test(seq, wrap_past_2_32)
{
	cr_assert(sf_seq_lt(0xFFFFFFF0u, 0x10u));
	cr_assert(sf_seq_gt(0x10u, 0xFFFFFFF0u));
	cr_assert_eq(sf_seq_diff(0x10u, 0xFFFFFFF0u), 0x20);
	cr_assert_eq(sf_seq_max(0xFFFFFFFFu, 0u), 0u);
	cr_assert_eq((uint32_t)(0xFFFFFFFFu + 1u), 0u);
}

Test(seq, half_space_boundary)
{
	/* exactly 2^31 apart (undefined in RFC 1982): each is behind the other */
	cr_assert(sf_seq_lt(0x80000000u, 0u));
	cr_assert(sf_seq_lt(0u, 0x80000000u));
	cr_assert_eq(sf_seq_diff(0x80000000u, 0u), -2147483648LL);
	cr_assert_eq(sf_seq_diff(0x7FFFFFFFu, 0u), 0x7FFFFFFF);
	cr_assert_eq(sf_seq_diff(0u, 0x7FFFFFFFu), -0x7FFFFFFF);
}
