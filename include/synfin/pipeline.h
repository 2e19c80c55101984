/* pipeline.h - one frame at a time through decode -> flow table -> report. */
#ifndef SYNFIN_PIPELINE_H
#define SYNFIN_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "synfin/capture.h"
#include "synfin/flow.h"
#include "synfin/report.h"

struct sf_pipeline_opts {
	struct sf_report_opts report;
	struct sf_flow_config flow;
	unsigned check;      /* SF_CHECK_* criteria, 0 = off */
	FILE *check_out;     /* where --check lines go (stderr) */
};

struct sf_pipeline;

struct sf_pipeline *sf_pipeline_new(const struct sf_pipeline_opts *o);
/* Account one frame as read (filtered frames are numbered and counted, not decoded). */
void sf_pipeline_frame(struct sf_pipeline *pl, const struct sf_frame *f, bool filtered);
/*
 * The same in two halves, for a reader that decodes on another thread:
 * sf_pipeline_decoded takes what sf_decode_frame made of one frame (why ==
 * SF_SKIP_NONE: p is a segment with frame and ts set), or a filtered frame.
 */
void sf_pipeline_decoded(struct sf_pipeline *pl, enum sf_skip why, const struct sf_packet *p, bool filtered);
/*
 * Batches (see sf_flow_hash): the reader thread hashes each decoded segment
 * with sf_flow_key_hash(sf_pipeline_flow_key(pl), p), the only part of the
 * pipeline it reads, and works out sf_ts_ns(p->ts); this thread passes both
 * back with the segment.
 */
const struct sf_flow_key *sf_pipeline_flow_key(const struct sf_pipeline *pl);
void sf_pipeline_decoded_hashed(struct sf_pipeline *pl, enum sf_skip why, const struct sf_packet *p,
				bool filtered, uint32_t hash, int64_t ts_ns);
/* The segment with this hash comes a few packets later (see sf_flow_prefetch). */
void sf_pipeline_prefetch(const struct sf_pipeline *pl, uint32_t hash);
/*
 * Files: hand each finished connection to fn instead of delivering it here;
 * fn must pass them, in order and one at a time, to sf_pipeline_deliver on
 * whichever thread, before sf_pipeline_end. NULL: they are delivered here
 * again.
 */
typedef void (*sf_pipeline_handoff_fn)(void *ctx, struct sf_conn *c);
void sf_pipeline_set_handoff(struct sf_pipeline *pl, sf_pipeline_handoff_fn fn, void *ctx);
/*
 * A finished connection's last stage: settle its held checks, classify it,
 * run --check on it, and hand it to the report (which frees it). While a
 * handoff is set, only the thread fn hands connections to calls this.
 */
void sf_pipeline_deliver(struct sf_pipeline *pl, struct sf_conn *c);
/* The report stage. */
struct sf_report *sf_pipeline_report(struct sf_pipeline *pl);
/* Live capture on a quiet link: finish connections idle at wall time now. */
void sf_pipeline_tick(struct sf_pipeline *pl, struct sf_ts now);
/* The report's input section, for the caller to fill source/name/linktype/stats. */
struct sf_input_info *sf_pipeline_input(struct sf_pipeline *pl);
/* Finish every connection and write the rest of the report. 0, or -1 on a write error. */
int sf_pipeline_end(struct sf_pipeline *pl);
/* Connections that failed --check so far. */
uint64_t sf_pipeline_check_failures(const struct sf_pipeline *pl);
void sf_pipeline_free(struct sf_pipeline *pl);

#endif
