/* track.h - one connection's TCP tracker: roles, handshake, FINs, RST, checks. */
#ifndef SYNFIN_TRACK_H
#define SYNFIN_TRACK_H

#include <stdbool.h>

#include "synfin/conn.h"
#include "synfin/packet.h"

/*
 * Start a connection whose first segment is p (p's sender becomes ep[0]).
 * want_ladder: record handshake/close segments for the -v ladder diagram.
 */
void sf_track_init(struct sf_conn *c, uint64_t id, const struct sf_packet *p, bool want_ladder);
/* Account one segment; from0 is true when p was sent by ep[0]. */
void sf_track_segment(struct sf_conn *c, const struct sf_packet *p, bool from0);
/* The connection is being finished: settle held-back checks. */
void sf_track_finish(struct sf_conn *c);
/* Does p start a new connection on c's 4-tuple (port reuse after a close or reset)? */
bool sf_track_starts_new(const struct sf_conn *c, const struct sf_packet *p);
/* Has c closed (both FINs, or a RST), so that it may be finished once settled? */
bool sf_track_is_closed(const struct sf_conn *c);

#endif
