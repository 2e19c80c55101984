/* classify.h - pure functions of a finished connection: outcomes and states. */
#ifndef SYNFIN_CLASSIFY_H
#define SYNFIN_CLASSIFY_H

#include "synfin/conn.h"

enum sf_hs_outcome sf_classify_handshake(const struct sf_conn *c);
enum sf_td_outcome sf_classify_teardown(const struct sf_conn *c, int *initiator);
/* Fill hs_outcome, td_outcome and td_initiator. */
void sf_classify(struct sf_conn *c);

#endif
