/* tcp_state.h - RFC 9293 §3.3.2 connection states of one endpoint. */
#ifndef SYNFIN_TCP_STATE_H
#define SYNFIN_TCP_STATE_H

/*
 * Ordered as OpenBSD's tcp_fsm.h: states before ESTABLISHED have not
 * completed the handshake; states after CLOSE_WAIT have sent a FIN.
 * No LISTEN: a passive endpoint that never answered is reported CLOSED.
 */
enum sf_tcp_state {
	SF_TCPS_CLOSED,       /* nothing sent, or done: reset, or the last ACK of its FIN seen */
	SF_TCPS_SYN_SENT,     /* sent a SYN, has not sent the handshake's ACK */
	SF_TCPS_SYN_RECEIVED, /* sent a SYN-ACK (or a SYN after receiving one), its SYN not yet acked */
	SF_TCPS_ESTABLISHED,  /* handshake done (or assumed, midstream) */
	SF_TCPS_CLOSE_WAIT,   /* received the peer's FIN, has not sent its own */
	SF_TCPS_FIN_WAIT_1,   /* sent FIN, not yet acked, no FIN received */
	SF_TCPS_CLOSING,      /* sent FIN, received the peer's FIN, own FIN not yet acked */
	SF_TCPS_LAST_ACK,     /* received FIN, then sent FIN, waiting for its ACK */
	SF_TCPS_FIN_WAIT_2,   /* own FIN acked, waiting for the peer's FIN */
	SF_TCPS_TIME_WAIT,    /* both FINs exchanged and own FIN acked, acked the peer's */
	SF_TCPS__COUNT
};

/* What an endpoint did or had happen to it, as inferred from one segment. */
enum sf_tcp_event {
	SF_TCPE_SEND_SYN,      /* sent SYN without ACK */
	SF_TCPE_RECV_SYN,      /* peer's SYN without ACK reached it */
	SF_TCPE_SEND_SYNACK,   /* sent SYN+ACK */
	SF_TCPE_RECV_SYNACK,   /* peer's SYN+ACK (acking its SYN) reached it */
	SF_TCPE_SEND_ACK,      /* sent a segment that completes the handshake / acks data */
	SF_TCPE_RECV_ACK_SYN,  /* its SYN was acknowledged */
	SF_TCPE_SEND_FIN,      /* sent its FIN */
	SF_TCPE_RECV_FIN,      /* peer's FIN reached it */
	SF_TCPE_RECV_ACK_FIN,  /* its FIN was acknowledged */
	SF_TCPE_SEND_RST,      /* sent a RST */
	SF_TCPE_RECV_RST,      /* received an acceptable RST */
	SF_TCPE_MIDSTREAM,     /* first seen without a handshake: assume ESTABLISHED */
	SF_TCPE__COUNT
};

const char *sf_tcp_state_name(enum sf_tcp_state s);
/* The state after event e in state s (RFC 9293 Figure 5, seen from the wire). */
enum sf_tcp_state sf_tcp_state_next(enum sf_tcp_state s, enum sf_tcp_event e);

#endif
