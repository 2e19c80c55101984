/* report.c - the report object shared by the sinks: totals, id-order reorder buffer, dispatch. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "synfin/addr.h"
#include "synfin/conn.h"
#include "synfin/flow.h"
#include "synfin/report.h"

#include "report_int.h"

#define REORDER_INITIAL 64

void sf_report_endpoint_text(const struct sf_endpoint *e, char *buf, size_t len)
{
	char a[SF_ADDR_STRLEN];
	const char *s;

	if (len == 0)
		return;
	a[0] = '\0';
	s = sf_addr_format(&e->addr, a, sizeof a);
	if (s == NULL || s[0] == '\0')
		s = "?";
	if (e->addr.family == 6)
		snprintf(buf, len, "[%s]:%u", s, (unsigned)e->port);
	else
		snprintf(buf, len, "%s:%u", s, (unsigned)e->port);
}

struct sf_report *sf_report_new(const struct sf_report_opts *opts)
{
	struct sf_report *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	r->opts = *opts;
	if (r->opts.out == NULL)
		r->opts.out = stdout;
	switch (r->opts.format) {
	case SF_FMT_JSON:
		r->reorder = true;
		sf_report_json_begin(r);
		break;
	case SF_FMT_JSONL:
		break;
	case SF_FMT_TEXT:
		/* -q prints no connection, so nothing need wait for order */
		r->reorder = !r->opts.quiet;
		if (r->reorder)
			sf_report_text_begin(r);
		break;
	}
	return r;
}

static void count(struct sf_summary *s, const struct sf_conn *c)
{
	uint32_t nv = sf_conn_total_violations(c);

	s->connections++;
	if ((unsigned)c->hs_outcome < SF_HS__COUNT)
		s->hs[c->hs_outcome]++;
	if ((unsigned)c->td_outcome < SF_TD__COUNT)
		s->td[c->td_outcome]++;
	if ((unsigned)c->end_reason < SF_END__COUNT)
		s->end[c->end_reason]++;
	s->violations += nv;
	if (nv > 0)
		s->with_violations++;
}

/* Hand one connection to the sink and release it. */
static void emit(struct sf_report *r, struct sf_conn *c)
{
	switch (r->opts.format) {
	case SF_FMT_JSON:
		sf_report_json_conn(r, c);
		break;
	case SF_FMT_JSONL:
		sf_report_jsonl_conn(r, c);
		break;
	case SF_FMT_TEXT:
		if (!r->opts.quiet)
			sf_report_text_conn(r, c);
		break;
	}
	sf_conn_free(c);
}

/* Write every connection that no lower id is waiting for. */
static void drain(struct sf_report *r)
{
	while (r->n_pend > 0 && r->pend[r->head] != NULL) {
		struct sf_conn *c = r->pend[r->head];

		r->pend[r->head] = NULL;
		r->head = (r->head + 1) % r->cap;
		r->n_pend--;
		r->next_id++;
		emit(r, c);
	}
}

/* Make room for at least need slots, keeping the ring's order. */
static bool grow(struct sf_report *r, uint64_t need)
{
	size_t ncap = r->cap > 0 ? r->cap : REORDER_INITIAL;
	struct sf_conn **p;

	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / sizeof *p)
			return false;
		ncap *= 2;
	}
	p = calloc(ncap, sizeof *p);
	if (p == NULL)
		return false;
	for (size_t i = 0; i < r->cap; i++)
		p[i] = r->pend[(r->head + i) % r->cap];
	free(r->pend);
	r->pend = p;
	r->cap = ncap;
	r->head = 0;
	return true;
}

static void enqueue(struct sf_report *r, struct sf_conn *c)
{
	uint64_t off;
	size_t slot;

	if (c->id < r->next_id) {
		/* an id already passed (a flow-table bug): late beats lost */
		emit(r, c);
		return;
	}
	off = c->id - r->next_id;
	if (off == 0) {
		/* the common case: nothing lower is open */
		if (r->cap > 0)
			r->head = (r->head + 1) % r->cap;
		r->next_id++;
		emit(r, c);
		drain(r);
		return;
	}
	if (off >= r->cap && !grow(r, off + 1)) {
		/* out of memory: out of order beats lost */
		emit(r, c);
		return;
	}
	slot = (size_t)((r->head + off) % r->cap);
	if (r->pend[slot] != NULL) {
		/* duplicate id: keep both */
		emit(r, c);
		return;
	}
	r->pend[slot] = c;
	r->n_pend++;
}

/* End of input: write whatever waits, in id order, past any id that never came. */
static void flush_pending(struct sf_report *r)
{
	for (size_t i = 0; i < r->cap && r->n_pend > 0; i++) {
		size_t slot = (r->head + i) % r->cap;
		struct sf_conn *c = r->pend[slot];

		if (c == NULL)
			continue;
		r->pend[slot] = NULL;
		r->n_pend--;
		emit(r, c);
	}
	r->head = 0;
}

void sf_report_conn(struct sf_report *r, struct sf_conn *c)
{
	if (c == NULL)
		return;
	if (r->ended) {
		sf_conn_free(c);
		return;
	}
	count(&r->sum, c);
	if (r->reorder)
		enqueue(r, c);
	else
		emit(r, c);
}

int sf_report_end(struct sf_report *r, const struct sf_input_info *in, const struct sf_flow_stats *fs)
{
	static const struct sf_input_info none;
	FILE *out = r->opts.out;

	if (r->ended)
		return r->error || ferror(out) ? -1 : 0;
	r->ended = true;
	if (in == NULL)
		in = &none;
	flush_pending(r);
	switch (r->opts.format) {
	case SF_FMT_JSON:
		sf_report_json_end(r, in, fs);
		break;
	case SF_FMT_JSONL:
		sf_report_jsonl_end(r, in, fs);
		break;
	case SF_FMT_TEXT:
		sf_report_text_end(r, in, fs);
		break;
	}
	if (fflush(out) != 0 || ferror(out))
		r->error = true;
	return r->error ? -1 : 0;
}

const struct sf_summary *sf_report_summary(const struct sf_report *r)
{
	return &r->sum;
}

void sf_report_free(struct sf_report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->cap; i++)
		if (r->pend[i] != NULL)
			sf_conn_free(r->pend[i]);
	free(r->pend);
	sf_report_text_fini(r);
	free(r);
}
