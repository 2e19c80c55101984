/* report_int.h - private to src/report*.c: the report object and the sinks' entry points. */
#ifndef SYNFIN_REPORT_INT_H
#define SYNFIN_REPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "synfin/report.h"

/*
 * Lifecycle: sf_report_new (the sink's begin), sf_report_conn per finished
 * connection (counted into sum at once; handed to the sink at once for jsonl,
 * in id order through the reorder buffer for json and text), sf_report_end
 * (pending connections in id order, then the sink's end), sf_report_free.
 */
struct sf_report {
	struct sf_report_opts opts;
	struct sf_summary sum;
	bool ended;
	bool error;        /* a write or an allocation failed: sf_report_end returns -1 */

	/*
	 * Reorder buffer. Ids are dense from 0; connection next_id + k waits in
	 * pend[(head + k) % cap]. It holds only connections that finished while a
	 * lower id was still open.
	 */
	bool reorder;
	struct sf_conn **pend;
	size_t cap, head, n_pend;
	uint64_t next_id;

	/* json: connections written so far (for the separators) */
	uint64_t n_written;

	/*
	 * text: connection blocks, in id order, wait here until the header
	 * (which needs the totals) has been written.
	 */
	FILE *body;
	bool body_is_mem;  /* open_memstream fallback when tmpfile() fails */
	char *body_buf;
	size_t body_len;
};

/* Violations stored in c->violations (NULL when there are none). */
static inline uint32_t stored_violations(const struct sf_conn *c)
{
	if (c->violations == NULL)
		return 0;
	return c->n_violations < SF_VIOLATIONS_MAX ? c->n_violations : SF_VIOLATIONS_MAX;
}

/* report_json.c */
void sf_report_json_begin(struct sf_report *r);
void sf_report_json_conn(struct sf_report *r, const struct sf_conn *c);
void sf_report_json_end(struct sf_report *r, const struct sf_input_info *in, const struct sf_flow_stats *fs);
void sf_report_jsonl_conn(struct sf_report *r, const struct sf_conn *c);
void sf_report_jsonl_end(struct sf_report *r, const struct sf_input_info *in, const struct sf_flow_stats *fs);

/* report_text.c */
void sf_report_text_begin(struct sf_report *r);
void sf_report_text_conn(struct sf_report *r, const struct sf_conn *c);
void sf_report_text_end(struct sf_report *r, const struct sf_input_info *in, const struct sf_flow_stats *fs);
void sf_report_text_fini(struct sf_report *r);

#endif
