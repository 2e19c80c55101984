/* check.c - CI mode: a connection passes when it meets every requested criterion. */
#include "synfin/check.h"
#include "synfin/cli.h"
#include "synfin/report.h"

static bool handshake_ok(const struct sf_conn *c)
{
	return c->hs_outcome == SF_HS_COMPLETE || c->hs_outcome == SF_HS_SIMULTANEOUS_OPEN;
}

static bool close_ok(const struct sf_conn *c)
{
	return c->td_outcome == SF_TD_FOUR_WAY || c->td_outcome == SF_TD_THREE_WAY ||
	       c->td_outcome == SF_TD_SIMULTANEOUS;
}

unsigned sf_check_conn(unsigned mask, const struct sf_conn *c)
{
	unsigned failed = 0;
	if ((mask & SF_CHECK_VIOLATIONS) && sf_conn_total_violations(c) > 0)
		failed |= SF_CHECK_VIOLATIONS;
	if ((mask & SF_CHECK_HANDSHAKE) && !handshake_ok(c))
		failed |= SF_CHECK_HANDSHAKE;
	if ((mask & SF_CHECK_CLOSE) && !close_ok(c))
		failed |= SF_CHECK_CLOSE;
	return failed;
}

void sf_check_emit(FILE *f, const struct sf_conn *c, unsigned failed)
{
	char cli[SF_ADDR_STRLEN + 16], srv[SF_ADDR_STRLEN + 16];
	sf_report_endpoint_text(&c->ep[c->client], cli, sizeof cli);
	sf_report_endpoint_text(&c->ep[sf_conn_server(c)], srv, sizeof srv);
	fprintf(f, "synfin: check failed: connection %llu %s -> %s:", (unsigned long long)c->id, cli, srv);
	const char *sep = " ";
	if (failed & SF_CHECK_VIOLATIONS) {
		fprintf(f, "%s%u violation%s (", sep, sf_conn_total_violations(c),
			sf_conn_total_violations(c) == 1 ? "" : "s");
		for (uint32_t i = 0; i < c->n_violations && i < 4; i++)
			fprintf(f, "%s%s at frame %llu", i ? ", " : "", sf_violation_name(c->violations[i].code),
				(unsigned long long)c->violations[i].frame);
		if (c->n_violations > 4 || c->n_violations_dropped)
			fprintf(f, ", ...");
		fprintf(f, ")");
		sep = "; ";
	}
	if (failed & SF_CHECK_HANDSHAKE) {
		fprintf(f, "%shandshake %s", sep, sf_hs_outcome_name(c->hs_outcome));
		sep = "; ";
	}
	if (failed & SF_CHECK_CLOSE)
		fprintf(f, "%sclose %s", sep, sf_td_outcome_name(c->td_outcome));
	fprintf(f, "\n");
}
