/* tcp_state.c - RFC 9293 endpoint state names and transitions as seen on the wire. */
#include "synfin/tcp_state.h"

static const char *const tcp_state_names[] = {
	[SF_TCPS_CLOSED] = "CLOSED",
	[SF_TCPS_SYN_SENT] = "SYN_SENT",
	[SF_TCPS_SYN_RECEIVED] = "SYN_RECEIVED",
	[SF_TCPS_ESTABLISHED] = "ESTABLISHED",
	[SF_TCPS_CLOSE_WAIT] = "CLOSE_WAIT",
	[SF_TCPS_FIN_WAIT_1] = "FIN_WAIT_1",
	[SF_TCPS_CLOSING] = "CLOSING",
	[SF_TCPS_LAST_ACK] = "LAST_ACK",
	[SF_TCPS_FIN_WAIT_2] = "FIN_WAIT_2",
	[SF_TCPS_TIME_WAIT] = "TIME_WAIT",
};
_Static_assert(sizeof tcp_state_names / sizeof tcp_state_names[0] == SF_TCPS__COUNT,
	       "tcp_state_names out of step with enum sf_tcp_state");

const char *sf_tcp_state_name(enum sf_tcp_state s)
{
	return (unsigned)s < SF_TCPS__COUNT ? tcp_state_names[s] : "?";
}

/*
 * RFC 9293 Figure 5, driven by what the capture shows an endpoint send and
 * receive. Events that do not apply in a state leave it unchanged, except a
 * RST, which closes from anywhere (§3.10.7.4), and a FIN, which an endpoint
 * that skipped the handshake in our view (midstream) may still send.
 */
enum sf_tcp_state sf_tcp_state_next(enum sf_tcp_state s, enum sf_tcp_event e)
{
	switch (e) {
	case SF_TCPE_SEND_RST:
	case SF_TCPE_RECV_RST:
		return SF_TCPS_CLOSED;
	case SF_TCPE_MIDSTREAM:
		return s == SF_TCPS_CLOSED ? SF_TCPS_ESTABLISHED : s;
	case SF_TCPE_SEND_SYN:
		return s == SF_TCPS_CLOSED ? SF_TCPS_SYN_SENT : s;
	case SF_TCPE_RECV_SYN:
		/* simultaneous open: SYN-SENT + SYN -> SYN-RECEIVED (§3.5, Figure 8) */
		return s == SF_TCPS_SYN_SENT ? SF_TCPS_SYN_RECEIVED : s;
	case SF_TCPE_SEND_SYNACK:
		return (s == SF_TCPS_CLOSED || s == SF_TCPS_SYN_SENT) ? SF_TCPS_SYN_RECEIVED : s;
	case SF_TCPE_RECV_SYNACK:
		/* the SYN-ACK reached a SYN-SENT endpoint; it becomes ESTABLISHED once it acks */
		return s;
	case SF_TCPE_SEND_ACK:
		return (s == SF_TCPS_SYN_SENT || s == SF_TCPS_CLOSED) ? SF_TCPS_ESTABLISHED : s;
	case SF_TCPE_RECV_ACK_SYN:
		return s == SF_TCPS_SYN_RECEIVED ? SF_TCPS_ESTABLISHED : s;
	case SF_TCPE_SEND_FIN:
		switch (s) {
		case SF_TCPS_CLOSED:
		case SF_TCPS_SYN_SENT:
		case SF_TCPS_SYN_RECEIVED:
		case SF_TCPS_ESTABLISHED:
			return SF_TCPS_FIN_WAIT_1;
		case SF_TCPS_CLOSE_WAIT:
			return SF_TCPS_LAST_ACK;
		case SF_TCPS_FIN_WAIT_1:
		case SF_TCPS_CLOSING:
		case SF_TCPS_LAST_ACK:
		case SF_TCPS_FIN_WAIT_2:
		case SF_TCPS_TIME_WAIT:
		case SF_TCPS__COUNT:
			return s;
		}
		return s;
	case SF_TCPE_RECV_FIN:
		switch (s) {
		case SF_TCPS_CLOSED:
		case SF_TCPS_SYN_SENT:
		case SF_TCPS_SYN_RECEIVED:
		case SF_TCPS_ESTABLISHED:
			return SF_TCPS_CLOSE_WAIT;
		case SF_TCPS_FIN_WAIT_1:
			return SF_TCPS_CLOSING;
		case SF_TCPS_FIN_WAIT_2:
			return SF_TCPS_TIME_WAIT;
		case SF_TCPS_CLOSE_WAIT:
		case SF_TCPS_CLOSING:
		case SF_TCPS_LAST_ACK:
		case SF_TCPS_TIME_WAIT:
		case SF_TCPS__COUNT:
			return s;
		}
		return s;
	case SF_TCPE_RECV_ACK_FIN:
		switch (s) {
		case SF_TCPS_FIN_WAIT_1:
			return SF_TCPS_FIN_WAIT_2;
		case SF_TCPS_CLOSING:
			return SF_TCPS_TIME_WAIT;
		case SF_TCPS_LAST_ACK:
			return SF_TCPS_CLOSED;
		case SF_TCPS_CLOSED:
		case SF_TCPS_SYN_SENT:
		case SF_TCPS_SYN_RECEIVED:
		case SF_TCPS_ESTABLISHED:
		case SF_TCPS_CLOSE_WAIT:
		case SF_TCPS_FIN_WAIT_2:
		case SF_TCPS_TIME_WAIT:
		case SF_TCPS__COUNT:
			return s;
		}
		return s;
	case SF_TCPE__COUNT:
		break;
	}
	return s;
}
