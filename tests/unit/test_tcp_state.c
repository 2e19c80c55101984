/* test_tcp_state.c - RFC 9293 Figure 5 transitions as seen from the wire. */
#include <criterion/criterion.h>
#include <string.h>

#include "synfin/tcp_state.h"

static enum sf_tcp_state run(enum sf_tcp_state s, const enum sf_tcp_event *ev, int n)
{
	for (int i = 0; i < n; i++)
		s = sf_tcp_state_next(s, ev[i]);
	return s;
}

Test(tcp_state, active_open_and_active_close)
{
	const enum sf_tcp_event ev[] = {SF_TCPE_SEND_SYN, SF_TCPE_RECV_SYNACK, SF_TCPE_SEND_ACK,
					SF_TCPE_SEND_FIN, SF_TCPE_RECV_ACK_FIN, SF_TCPE_RECV_FIN};
	cr_assert_eq(run(SF_TCPS_CLOSED, ev, 3), SF_TCPS_ESTABLISHED);
	cr_assert_eq(run(SF_TCPS_CLOSED, ev, 4), SF_TCPS_FIN_WAIT_1);
	cr_assert_eq(run(SF_TCPS_CLOSED, ev, 5), SF_TCPS_FIN_WAIT_2);
	cr_assert_eq(run(SF_TCPS_CLOSED, ev, 6), SF_TCPS_TIME_WAIT);
}

Test(tcp_state, passive_open_and_passive_close)
{
	const enum sf_tcp_event ev[] = {SF_TCPE_SEND_SYNACK, SF_TCPE_RECV_ACK_SYN, SF_TCPE_RECV_FIN,
					SF_TCPE_SEND_FIN, SF_TCPE_RECV_ACK_FIN};
	cr_assert_eq(run(SF_TCPS_CLOSED, ev, 1), SF_TCPS_SYN_RECEIVED);
	cr_assert_eq(run(SF_TCPS_CLOSED, ev, 2), SF_TCPS_ESTABLISHED);
	cr_assert_eq(run(SF_TCPS_CLOSED, ev, 3), SF_TCPS_CLOSE_WAIT);
	cr_assert_eq(run(SF_TCPS_CLOSED, ev, 4), SF_TCPS_LAST_ACK);
	cr_assert_eq(run(SF_TCPS_CLOSED, ev, 5), SF_TCPS_CLOSED);
}

Test(tcp_state, simultaneous_close_goes_through_closing)
{
	const enum sf_tcp_event ev[] = {SF_TCPE_SEND_FIN, SF_TCPE_RECV_FIN, SF_TCPE_RECV_ACK_FIN};
	cr_assert_eq(run(SF_TCPS_ESTABLISHED, ev, 2), SF_TCPS_CLOSING);
	cr_assert_eq(run(SF_TCPS_ESTABLISHED, ev, 3), SF_TCPS_TIME_WAIT);
}

Test(tcp_state, reset_closes_from_every_state)
{
	for (int s = 0; s < SF_TCPS__COUNT; s++) {
		cr_assert_eq(sf_tcp_state_next((enum sf_tcp_state)s, SF_TCPE_SEND_RST), SF_TCPS_CLOSED);
		cr_assert_eq(sf_tcp_state_next((enum sf_tcp_state)s, SF_TCPE_RECV_RST), SF_TCPS_CLOSED);
	}
}

Test(tcp_state, names_match_the_contract)
{
	cr_assert_str_eq(sf_tcp_state_name(SF_TCPS_SYN_RECEIVED), "SYN_RECEIVED");
	cr_assert_str_eq(sf_tcp_state_name(SF_TCPS_FIN_WAIT_2), "FIN_WAIT_2");
	cr_assert_str_eq(sf_tcp_state_name(SF_TCPS_TIME_WAIT), "TIME_WAIT");
	cr_assert_str_eq(sf_tcp_state_name(SF_TCPS__COUNT), "?");
	for (int s = 0; s < SF_TCPS__COUNT; s++)
		cr_assert(strchr(sf_tcp_state_name((enum sf_tcp_state)s), ' ') == NULL);
}
