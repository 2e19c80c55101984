/* test_check.c - CI-mode criteria. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "synfin/check.h"
#include "synfin/cli.h"
#include "track_harness.h"

Test(check, clean_graceful_connection_passes_everything)
{
	struct h h;
	h_init(&h);
	h_handshake(&h, 1, 100);
	h_seg(&h, 1, FIN | ACK, 2, 101, 0);
	h_seg(&h, 0, FIN | ACK, 101, 3, 0);
	h_seg(&h, 1, ACK, 3, 102, 0);
	h_done(&h);
	cr_assert_eq(sf_check_conn(7, &h.c), 0);
	h_free(&h);
}

Test(check, each_criterion_fails_on_its_own)
{
	struct h h;
	h_init(&h);
	h_seg(&h, 1, SYN, 1, 0, 0);
	h_seg(&h, 0, SYN | ACK, 100, 9, 0); /* SYNACK_BAD_ACK */
	h_done(&h);
	cr_assert_eq(sf_check_conn(SF_CHECK_VIOLATIONS, &h.c), SF_CHECK_VIOLATIONS);
	cr_assert_eq(sf_check_conn(SF_CHECK_HANDSHAKE, &h.c), SF_CHECK_HANDSHAKE);
	cr_assert_eq(sf_check_conn(SF_CHECK_CLOSE, &h.c), SF_CHECK_CLOSE);

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	sf_check_emit(f, &h.c, 7);
	fclose(f);
	cr_assert_not_null(strstr(buf, "connection 0 10.0.0.1:40000 -> 10.0.0.2:80"));
	cr_assert_not_null(strstr(buf, "SYNACK_BAD_ACK at frame 2"));
	cr_assert_not_null(strstr(buf, "handshake no_final_ack"));
	cr_assert_not_null(strstr(buf, "close open"));
	cr_assert_eq(strchr(buf, '\n'), buf + len - 1, "one line");
	free(buf);
	h_free(&h);
}

Test(check, half_closed_fails_close_only)
{
	struct h h;
	h_init(&h);
	h_handshake(&h, 1, 100);
	h_seg(&h, 1, FIN | ACK, 2, 101, 0);
	h_seg(&h, 0, ACK, 101, 3, 0);
	h_done(&h);
	cr_assert_eq(sf_check_conn(7, &h.c), SF_CHECK_CLOSE);
	h_free(&h);
}
