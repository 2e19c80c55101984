/* check.h - CI mode (--check): which connections fail, and why. */
#ifndef SYNFIN_CHECK_H
#define SYNFIN_CHECK_H

#include <stdio.h>

#include "synfin/conn.h"

/* The SF_CHECK_* criteria of mask that c fails (0 = passes). */
unsigned sf_check_conn(unsigned mask, const struct sf_conn *c);
/* One line naming the connection and each failed criterion. */
void sf_check_emit(FILE *f, const struct sf_conn *c, unsigned failed);

#endif
