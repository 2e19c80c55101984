/* flow.h - the connection table: 4-tuple -> current connection instance. */
#ifndef SYNFIN_FLOW_H
#define SYNFIN_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "synfin/conn.h"
#include "synfin/packet.h"

struct sf_flow_config {
	double idle_timeout;  /* seconds of capture time without a packet */
	double settle_time;   /* seconds a closed/reset connection lingers for stragglers */
	size_t max_flows;     /* open connections at once; 0 = unlimited */
	uint64_t seed;        /* hash seed; 0 = pick one at random */
	bool want_ladder;     /* record ladder rows (text -v) */
};

#define SF_FLOW_DEFAULT_IDLE 300.0
#define SF_FLOW_DEFAULT_SETTLE 5.0
#define SF_FLOW_DEFAULT_MAX 250000

/*
 * Receives every finished connection exactly once, with its end_reason set
 * but its held checks not yet settled (sf_track_finish) nor its outcomes
 * classified (sf_classify): the sink does both, or has them done, before it
 * reports the connection. It owns the connection from then on and must
 * release it with sf_conn_free(), on any thread, before sf_flow_free() of
 * the table (the table's pool keeps its memory, conn_pool.h).
 */
typedef void (*sf_flow_sink)(struct sf_conn *c, void *ctx);

struct sf_flow_stats {
	uint64_t connections;  /* created */
	uint64_t open;         /* open now */
	uint64_t peak_open;
	uint64_t evicted;      /* finished early because the table was full */
	uint64_t idle_expired;
};

struct sf_flow_table;

struct sf_flow_table *sf_flow_new(const struct sf_flow_config *cfg, sf_flow_sink sink, void *ctx);
/* Route one decoded segment to its connection, creating or finishing instances. */
void sf_flow_packet(struct sf_flow_table *t, const struct sf_packet *p);
/*
 * The same in two steps, for a caller that works on batches: sf_flow_hash()
 * gives the hash sf_flow_packet_hashed() takes, and sf_ts_ns(p->ts) its
 * ts_ns. Another thread hashes with the table's key (sf_flow_key, fixed at
 * sf_flow_new and never written after) through sf_flow_key_hash, which
 * reads nothing else: the table itself is written on every packet, and
 * reading it from a second core would bounce its cache lines between the
 * two.
 */
struct sf_flow_key;
const struct sf_flow_key *sf_flow_key(const struct sf_flow_table *t);
uint32_t sf_flow_key_hash(const struct sf_flow_key *k, const struct sf_packet *p);
uint32_t sf_flow_hash(const struct sf_flow_table *t, const struct sf_packet *p);
void sf_flow_packet_hashed(struct sf_flow_table *t, const struct sf_packet *p, uint32_t hash, int64_t ts_ns);
/*
 * A hint for a batch: the segment with this hash comes a few packets later,
 * so start loading its slot of the table now (it changes nothing).
 */
void sf_flow_prefetch(const struct sf_flow_table *t, uint32_t hash);
/* Finish connections idle at capture time now (live capture calls this on quiet links). */
void sf_flow_expire(struct sf_flow_table *t, struct sf_ts now);
/* End of input: finish every open connection, in id order. */
void sf_flow_finish_all(struct sf_flow_table *t);
const struct sf_flow_stats *sf_flow_stats(const struct sf_flow_table *t);
void sf_flow_free(struct sf_flow_table *t);

void sf_conn_free(struct sf_conn *c);

#endif
