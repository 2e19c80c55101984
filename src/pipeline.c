/* pipeline.c - decode each frame, route it to its connection, hand finished ones to the report. */
#include <stdlib.h>

#include "synfin/alloc.h"
#include "synfin/check.h"
#include "synfin/classify.h"
#include "synfin/decode.h"
#include "synfin/pipeline.h"
#include "synfin/track.h"

struct sf_pipeline {
	struct sf_flow_table *flows;
	struct sf_report *report;
	struct sf_input_info in;
	unsigned check;
	FILE *check_out;
	uint64_t check_failures;
	bool ended;
	sf_pipeline_handoff_fn handoff; /* where finished connections go instead of sf_pipeline_deliver */
	void *handoff_ctx;
};

void sf_pipeline_deliver(struct sf_pipeline *pl, struct sf_conn *c)
{
	sf_track_finish(c);
	sf_classify(c);
	if (pl->check) {
		unsigned failed = sf_check_conn(pl->check, c);
		if (failed) {
			pl->check_failures++;
			sf_check_emit(pl->check_out ? pl->check_out : stderr, c, failed);
		}
	}
	sf_report_conn(pl->report, c);
}

/* The flow table's sink: a finished connection, delivered here or on the handoff's side. */
static void sink(struct sf_conn *c, void *ctx)
{
	struct sf_pipeline *pl = ctx;
	if (pl->handoff)
		pl->handoff(pl->handoff_ctx, c);
	else
		sf_pipeline_deliver(pl, c);
}

void sf_pipeline_set_handoff(struct sf_pipeline *pl, sf_pipeline_handoff_fn fn, void *ctx)
{
	pl->handoff = fn;
	pl->handoff_ctx = ctx;
}

struct sf_report *sf_pipeline_report(struct sf_pipeline *pl)
{
	return pl->report;
}

struct sf_pipeline *sf_pipeline_new(const struct sf_pipeline_opts *o)
{
	struct sf_pipeline *pl = sf_calloc_lines(sizeof *pl);
	if (!pl)
		return NULL;
	pl->check = o->check;
	pl->check_out = o->check_out;
	pl->report = sf_report_new(&o->report);
	pl->flows = pl->report ? sf_flow_new(&o->flow, sink, pl) : NULL;
	if (!pl->flows) {
		sf_pipeline_free(pl);
		return NULL;
	}
	return pl;
}

/* Count one frame; true when it is a segment for the flow table. */
static inline bool account(struct sf_pipeline *pl, enum sf_skip why, bool filtered)
{
	pl->in.packets++;
	if (filtered) {
		pl->in.filtered++;
		return false;
	}
	if (why != SF_SKIP_NONE) {
		if ((unsigned)why < SF_SKIP__COUNT)
			pl->in.skipped[why]++;
		return false;
	}
	pl->in.tcp_packets++;
	return true;
}

void sf_pipeline_decoded(struct sf_pipeline *pl, enum sf_skip why, const struct sf_packet *p, bool filtered)
{
	if (account(pl, why, filtered))
		sf_flow_packet(pl->flows, p);
}

const struct sf_flow_key *sf_pipeline_flow_key(const struct sf_pipeline *pl)
{
	return sf_flow_key(pl->flows);
}

void sf_pipeline_decoded_hashed(struct sf_pipeline *pl, enum sf_skip why, const struct sf_packet *p,
				bool filtered, uint32_t hash, int64_t ts_ns)
{
	if (account(pl, why, filtered))
		sf_flow_packet_hashed(pl->flows, p, hash, ts_ns);
}

void sf_pipeline_prefetch(const struct sf_pipeline *pl, uint32_t hash)
{
	sf_flow_prefetch(pl->flows, hash);
}

void sf_pipeline_frame(struct sf_pipeline *pl, const struct sf_frame *f, bool filtered)
{
	struct sf_packet p;
	enum sf_skip why = SF_SKIP_NONE;
	if (!filtered) {
		why = sf_decode_frame_headers(f->dlt, f->data, f->caplen, f->wirelen, &p);
		p.frame = f->number;
		p.ts = f->ts;
	}
	sf_pipeline_decoded(pl, why, &p, filtered);
}

void sf_pipeline_tick(struct sf_pipeline *pl, struct sf_ts now)
{
	sf_flow_expire(pl->flows, now);
}

struct sf_input_info *sf_pipeline_input(struct sf_pipeline *pl)
{
	return &pl->in;
}

int sf_pipeline_end(struct sf_pipeline *pl)
{
	if (pl->ended)
		return 0;
	pl->ended = true;
	sf_report_input_ended(pl->report);
	sf_flow_finish_all(pl->flows);
	return sf_report_end(pl->report, &pl->in, sf_flow_stats(pl->flows));
}

uint64_t sf_pipeline_check_failures(const struct sf_pipeline *pl)
{
	return pl->check_failures;
}

void sf_pipeline_free(struct sf_pipeline *pl)
{
	if (!pl)
		return;
	sf_flow_free(pl->flows);
	sf_report_free(pl->report);
	free(pl);
}
