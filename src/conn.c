/* conn.c - names of connection-level enums, and freeing a connection. */
#include <stdlib.h>

#include "synfin/conn.h"
#include "synfin/conn_pool.h"
#include "synfin/flow.h"

static const char *const hs_outcome_names[] = {
	[SF_HS_COMPLETE] = "complete",
	[SF_HS_NO_REPLY] = "no_reply",
	[SF_HS_REFUSED] = "refused",
	[SF_HS_NO_FINAL_ACK] = "no_final_ack",
	[SF_HS_SIMULTANEOUS_OPEN] = "simultaneous_open",
	[SF_HS_MISSING_SYN] = "missing_syn",
	[SF_HS_NOT_SEEN] = "not_seen",
};
_Static_assert(sizeof hs_outcome_names / sizeof hs_outcome_names[0] == SF_HS__COUNT,
	       "hs_outcome_names out of step with enum sf_hs_outcome");

static const char *const td_outcome_names[] = {
	[SF_TD_FOUR_WAY] = "four_way",
	[SF_TD_THREE_WAY] = "three_way",
	[SF_TD_SIMULTANEOUS] = "simultaneous",
	[SF_TD_HALF_CLOSED] = "half_closed",
	[SF_TD_INCOMPLETE] = "incomplete",
	[SF_TD_RESET] = "reset",
	[SF_TD_OPEN] = "open",
};
_Static_assert(sizeof td_outcome_names / sizeof td_outcome_names[0] == SF_TD__COUNT,
	       "td_outcome_names out of step with enum sf_td_outcome");

static const char *const roles_names[] = {
	[SF_ROLES_SYN] = "syn",
	[SF_ROLES_SYNACK] = "synack",
	[SF_ROLES_GUESS] = "guess",
};
_Static_assert(sizeof roles_names / sizeof roles_names[0] == SF_ROLES__COUNT,
	       "roles_names out of step with enum sf_roles");

static const char *const end_reason_names[] = {
	[SF_END_CLOSED] = "closed",
	[SF_END_RESET] = "reset",
	[SF_END_IDLE] = "idle_timeout",
	[SF_END_REUSED] = "port_reused",
	[SF_END_EVICTED] = "evicted",
	[SF_END_INPUT] = "end_of_input",
};
_Static_assert(sizeof end_reason_names / sizeof end_reason_names[0] == SF_END__COUNT,
	       "end_reason_names out of step with enum sf_end_reason");

const char *sf_hs_outcome_name(enum sf_hs_outcome o)
{
	return (unsigned)o < SF_HS__COUNT ? hs_outcome_names[o] : "?";
}

const char *sf_td_outcome_name(enum sf_td_outcome o)
{
	return (unsigned)o < SF_TD__COUNT ? td_outcome_names[o] : "?";
}

const char *sf_roles_name(enum sf_roles r)
{
	return (unsigned)r < SF_ROLES__COUNT ? roles_names[r] : "?";
}

const char *sf_end_reason_name(enum sf_end_reason r)
{
	return (unsigned)r < SF_END__COUNT ? end_reason_names[r] : "?";
}

void sf_conn_free(struct sf_conn *c)
{
	if (!c)
		return;
	free(c->violations);
	free(c->ladder);
	if (c->pool)
		sf_conn_pool_put(c->pool, c);
	else
		free(c);
}
