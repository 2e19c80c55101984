/* report_int.h - private to src/report*.c: the report object and the sinks' entry points. */
#ifndef SYNFIN_REPORT_INT_H
#define SYNFIN_REPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/uio.h>

#include "synfin/report.h"

#include "jsonw.h"

/* One connection that finished while a lower id was still open: its record waits in the spill. */
struct sf_pending {
	uint64_t off;  /* offset of its record in the spill */
	uint32_t len;
	bool present;
};

/*
 * Spill: records appended in arrival order to an unlinked temporary file
 * (written with pwrite in SPILL_CHUNK pieces, read back through a mapping of
 * the file, or one pread each when it cannot be mapped) or, when no file can
 * be made or written, kept in memory (with one warning). The reorder spill
 * holds the records of pending connections: it starts over whenever nothing
 * is pending, and gives back (punches a hole over) the space below the
 * oldest pending record as records drain. The text body is a second one,
 * read back once from its start.
 */
struct sf_spill {
	const char *instead; /* the warning's words for the memory fallback */
	FILE *f;             /* the temporary file behind fd (sf_report_tmpfile), NULL before the first record */
	int fd;
	bool mem;            /* no file, or it failed: from flushed on, everything stays in wbuf */
	struct sf_buf wbuf;  /* spill bytes [flushed, flushed + wbuf.len) not yet in the file */
	uint64_t flushed;    /* file offset where wbuf starts */
	uint64_t file_hi;    /* bytes the file holds */
	uint64_t punched;    /* file bytes below this offset were given back */
	uint64_t drained;    /* record bytes drained since the last hole punch */
	struct sf_buf rbuf;  /* a record read back from the file (when it cannot be mapped) */
	const char *map;     /* the file mapped for reading back, NULL before the first read */
	uint64_t map_len;    /* bytes of address space mapped (may run past the file's end) */
	uint64_t map_read;   /* bytes read through the map since its pages were last dropped */
};

/* An empty spill; instead: what the warning says is done when the file fails. */
void sf_spill_init(struct sf_spill *s, const char *instead);
/* Append n bytes; *off receives their spill offset. False when they could not be kept. */
bool sf_spill_append(struct sf_spill *s, const char *p, size_t n, uint64_t *off);
/* The n bytes at off: valid until the next call on s; NULL when they cannot be read back. */
const char *sf_spill_get(struct sf_spill *s, uint64_t off, size_t n);
/* Close the file and free the buffers. */
void sf_spill_close(struct sf_spill *s);

/* Records gathered for one writev(2) of the output, at most (IOV_MAX is 1024 on Linux). */
#define SF_REPORT_OUT_IOV 512

/*
 * Lifecycle: sf_report_new (the sink's begin), sf_report_conn per finished
 * connection (counted into sum at once, serialised at once into its
 * record - a jsonl line, a json object, a text block - and freed; jsonl
 * writes the record at once, json and text hand records to the sink in id
 * order: a record whose lower ids are all done goes at once, any other
 * waits in the spill), sf_report_end (pending records in id order, then the
 * sink's end), sf_report_free.
 */
struct sf_report {
	struct sf_report_opts opts;
	struct sf_summary sum;
	bool ended;
	bool error;        /* a write or an allocation failed: sf_report_end returns -1 */

	struct sf_buf rec;     /* the record being serialised */
	struct sf_buf scratch; /* the sinks' begin and end */

	/*
	 * Reorder ring. Ids are dense from 0; connection next_id + k waits in
	 * pend[(head + k) % cap]. It holds only connections that finished while
	 * a lower id was still open, 16 bytes each; their records are in spill.
	 */
	bool reorder;
	bool hold; /* sf_report_input_ended (text): every record waits in the spill until the end */
	struct sf_pending *pend;
	size_t cap, head, n_pend;
	uint64_t next_id;
	struct sf_spill spill;
	bool unordered_warned; /* a record had to go out of id order (warned once) */

	/* json: connections written so far (for the separators) */
	uint64_t n_written;

	/*
	 * Records on their way out, in order: those read back from a spill are
	 * written with one writev(2) from the spill's mapping itself
	 * (sf_report_out_flush), not copied through the output's stdio buffer
	 * first. Whatever could move or change those pages (a remap, the spill
	 * starting over, a hole punched, the text body closed) flushes them
	 * first, and so does any other write to the output, which keeps the
	 * order.
	 */
	struct iovec out_iov[SF_REPORT_OUT_IOV];
	size_t out_n;
	size_t out_bytes;
	/* records made just now (not from a spill) are copied here to join them */
	char *out_stage;
	size_t out_stage_len;

	/*
	 * text: connection blocks, in id order, wait here (appended, read back
	 * once) until the header (which needs the totals) has been written;
	 * once it has (head_done), blocks go straight to the output.
	 */
	bool head_done;
	struct sf_spill body;
	uint64_t body_len;
};

/*
 * Queue the n bytes at off of spill s (part of r) for the output, straight
 * from the spill's mapping: false when they cannot be (not all in the file
 * yet, or no mapping), and the caller writes them as before.
 */
bool sf_report_out_mapped(struct sf_report *r, struct sf_spill *s, uint64_t off, size_t n);
/* Write what is queued for the output (a failure sets r->error). */
void sf_report_out_flush(struct sf_report *r);

/*
 * RFC 5952 text of a (dotted quad for IPv4), the same as sf_addr_format
 * gives with glibc, without its printf: out holds SF_ADDR_STRLEN bytes.
 * Returns the length.
 */
size_t sf_report_addr_text(const struct sf_addr *a, char *out);

/*
 * An unlinked temporary file opened "w+" in $TMPDIR (else /tmp), for the
 * spill and the text body; NULL with errno set when none can be made.
 */
FILE *sf_report_tmpfile(void);
/* One warning: what failed in the temporary directory (with err), and what is done instead. */
void sf_report_tmpfile_warn(const char *what, int err, const char *instead);

/* Violations stored in c->violations (NULL when there are none). */
static inline uint32_t stored_violations(const struct sf_conn *c)
{
	if (c->violations == NULL)
		return 0;
	return c->n_violations < SF_VIOLATIONS_MAX ? c->n_violations : SF_VIOLATIONS_MAX;
}

/*
 * Each sink: *_record appends connection c's record to b (b->oom set when it
 * could not be made whole); *_put writes one record, in id order.
 */

/* report_json.c */
/* A violation's message is cut to this many bytes, NUL included. */
#define VIOLATION_MSG_MAX 256
/* Room checked for a json(l) record without its violations: the widest takes 2,462 bytes (json; test_report). */
#define REC_BASE_ROOM 4096u
/* Room checked for each violation: its message escaped (6 bytes a byte at most) and the rest. */
#define REC_VIOLATION_ROOM (6u * VIOLATION_MSG_MAX + 512u)
void sf_report_json_begin(struct sf_report *r);
void sf_report_json_record(struct sf_report *r, struct sf_buf *b, const struct sf_conn *c);
void sf_report_json_put(struct sf_report *r, const char *p, size_t n);
/* The part of record [*p, *p + *n) that goes out (the first one has no separator), counted as written. */
void sf_report_json_take(struct sf_report *r, const char **p, size_t *n);
void sf_report_json_end(struct sf_report *r, const struct sf_input_info *in, const struct sf_flow_stats *fs);
void sf_report_jsonl_record(struct sf_report *r, struct sf_buf *b, const struct sf_conn *c);
void sf_report_jsonl_end(struct sf_report *r, const struct sf_input_info *in, const struct sf_flow_stats *fs);

/* report_text.c */
void sf_report_text_begin(struct sf_report *r);
void sf_report_text_record(struct sf_report *r, struct sf_buf *b, const struct sf_conn *c);
void sf_report_text_put(struct sf_report *r, const char *p, size_t n);
/* End of input, before the blocks still waiting for a lower id: the header, then the body so far. */
void sf_report_text_head(struct sf_report *r, const struct sf_input_info *in, const struct sf_flow_stats *fs);
void sf_report_text_fini(struct sf_report *r);

#endif
