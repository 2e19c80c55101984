/* report.c - the report object shared by the sinks: totals, id-order reorder ring and spill, dispatch. */
#define _GNU_SOURCE 1 /* fallocate(FALLOC_FL_PUNCH_HOLE) */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include "synfin/addr.h"
#include "synfin/alloc.h"
#include "synfin/conn.h"
#include "synfin/flow.h"
#include "synfin/msg.h"
#include "synfin/report.h"

#include "jsonw.h"
#include "report_int.h"

#define REORDER_INITIAL 64
/* Spill bytes gathered in memory before one pwrite. */
#define SPILL_CHUNK (256u * 1024u)
/* Drained spill bytes between two looks for file space to give back. */
#define SPILL_PUNCH_STEP (64u * 1024u * 1024u)
/* A spill file larger than this is truncated when it starts over. */
#define SPILL_TRUNCATE (64u * 1024u * 1024u)
/* Address space mapped at first for reading the spill back; doubled as the file outgrows it. */
#define SPILL_MAP_MIN (256u * 1024u * 1024u)
/*
 * Bytes read through the map between two drops of its pages. Each page fault
 * maps up to 16 pages around the one read (the kernel's fault-around), and
 * the records are scattered, so this bounds what the map adds to RSS (about
 * 9.5 MiB on the benchmark capture; 18 MiB with 2 MiB here, 33 with 8).
 */
#define SPILL_MAP_DROP (512u * 1024u)
/*
 * Records queued for the output straight from a spill's mapping go out with
 * one writev(2) once they reach this many bytes; fewer are copied through
 * the output's stdio buffer (a system call for a handful of records would
 * cost more than the copy).
 */
#define OUT_WRITEV_MIN (64u * 1024u)
/* Queued bytes that start a writev(2) even before SF_REPORT_OUT_IOV records are queued. */
#define OUT_WRITEV_MAX (4u * 1024u * 1024u)
/* Bytes of records made just now (not read back) that join the queue, copied. */
#define OUT_STAGE (256u * 1024u)

/* Dotted quad of b[0..3] at o; returns the end. */
static char *v4_text(const uint8_t *b, char *o)
{
	for (int i = 0; i < 4; i++) {
		unsigned v = b[i];

		if (i > 0)
			*o++ = '.';
		if (v >= 100) {
			*o++ = (char)('0' + v / 100);
			v %= 100;
			*o++ = (char)('0' + v / 10);
		} else if (v >= 10) {
			*o++ = (char)('0' + v / 10);
		}
		*o++ = (char)('0' + v % 10);
	}
	return o;
}

/*
 * RFC 5952 text, the same as glibc's inet_ntop (without its printf): lower
 * case hex without leading zeros, the first longest run of two or more zero
 * groups as "::", and the last 32 bits as a dotted quad after ::ffff:0:0/96
 * and ::/96 (except :: and ::1, whose last group is not zero-padded IPv4).
 */
static char *v6_text(const uint8_t *b, char *o)
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;

	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
		if (w[i] == 0) {
			if (cur < 0) {
				cur = i;
				cur_len = 0;
			}
			cur_len++;
		} else if (cur >= 0) {
			if (best < 0 || cur_len > best_len) {
				best = cur;
				best_len = cur_len;
			}
			cur = -1;
		}
	}
	if (cur >= 0 && (best < 0 || cur_len > best_len)) {
		best = cur;
		best_len = cur_len;
	}
	if (best >= 0 && best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		unsigned v = w[i];
		int sh;

		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*o++ = ':';
			continue;
		}
		if (i != 0)
			*o++ = ':';
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)))
			return v4_text(b + 12, o);
		for (sh = 12; sh > 0 && (v >> sh) == 0; sh -= 4)
			;
		for (; sh >= 0; sh -= 4)
			*o++ = hex[(v >> sh) & 15];
	}
	if (best >= 0 && best + best_len == 8)
		*o++ = ':';
	return o;
}

size_t sf_report_addr_text(const struct sf_addr *a, char *out)
{
	char *o;

	if (a->family == 4) {
		o = v4_text(a->b, out);
	} else if (a->family == 6) {
		o = v6_text(a->b, out);
	} else {
		out[0] = '\0';
		sf_addr_format(a, out, SF_ADDR_STRLEN);
		return strlen(out);
	}
	*o = '\0';
	return (size_t)(o - out);
}

void sf_report_endpoint_text(const struct sf_endpoint *e, char *buf, size_t len)
{
	/* "[" address "]:" port, composed without snprintf (two per text record) */
	char t[1 + SF_ADDR_STRLEN + 2 + SF_U64_DEC_MAX];
	char *o = t;
	bool v6 = e->addr.family == 6;
	size_t n;

	if (len == 0)
		return;
	if (v6)
		*o++ = '[';
	n = sf_report_addr_text(&e->addr, o);
	if (n == 0) {
		*o = '?';
		n = 1;
	}
	o += n;
	if (v6)
		*o++ = ']';
	*o++ = ':';
	o += sf_u64_dec(o, e->port);
	n = (size_t)(o - t);
	if (n > len - 1)
		n = len - 1; /* cut as snprintf would */
	memcpy(buf, t, n);
	buf[n] = '\0';
}

struct sf_report *sf_report_new(const struct sf_report_opts *opts)
{
	struct sf_report *r = sf_calloc_lines(sizeof *r);

	if (r == NULL)
		return NULL;
	r->opts = *opts;
	sf_spill_init(&r->spill, "the records that wait for a lower id are kept in memory instead");
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

/* ---- temporary files ---- */

/* $TMPDIR when set and not empty, else /tmp: where sort(1) and gcc put theirs. */
static const char *tmp_dir(void)
{
	const char *d = getenv("TMPDIR");

	return d != NULL && d[0] != '\0' ? d : "/tmp";
}

FILE *sf_report_tmpfile(void)
{
	const char *dir = tmp_dir();
	size_t n = strlen(dir);
	char *path = malloc(n + sizeof "/synfin-XXXXXX");
	FILE *f = NULL;
	int fd, saved;

	if (path == NULL)
		return NULL;
	memcpy(path, dir, n);
	memcpy(path + n, "/synfin-XXXXXX", sizeof "/synfin-XXXXXX");
	fd = mkstemp(path);
	if (fd >= 0) {
		unlink(path); /* nameless from here on: it goes when it is closed */
		f = fdopen(fd, "w+");
		if (f == NULL) {
			saved = errno;
			close(fd);
			errno = saved;
		}
	}
	saved = errno;
	free(path);
	errno = saved;
	return f;
}

void sf_report_tmpfile_warn(const char *what, int err, const char *instead)
{
	char esc[512];

	sf_warnf("%s in %s (%s): %s (TMPDIR chooses the directory)", what, sf_escape(tmp_dir(), esc, sizeof esc),
		 strerror(err), instead);
}

/* ---- spill ---- */

static bool pwrite_all(int fd, const char *p, size_t n, uint64_t off)
{
	while (n > 0) {
		ssize_t k = pwrite(fd, p, n, (off_t)off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = EIO; /* no progress and no reason given */
			return false;
		}
		p += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return true;
}

static bool pread_all(int fd, char *p, size_t n, uint64_t off)
{
	while (n > 0) {
		ssize_t k = pread(fd, p, n, (off_t)off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return true;
}

static bool spill_flush(struct sf_spill *s)
{
	if (s->mem || s->wbuf.len == 0)
		return true;
	if (!pwrite_all(s->fd, s->wbuf.p, s->wbuf.len, s->flushed))
		return false;
	s->flushed += s->wbuf.len;
	if (s->flushed > s->file_hi)
		s->file_hi = s->flushed;
	s->wbuf.len = 0;
	return true;
}

/*
 * The file could not be made or written (err): the bytes not yet in it stay
 * in wbuf, and so do all the records that follow (the order is kept).
 */
static void spill_to_memory(struct sf_spill *s, const char *what, int err)
{
	s->mem = true;
	sf_report_tmpfile_warn(what, err, s->instead);
}

void sf_spill_init(struct sf_spill *s, const char *instead)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
	s->instead = instead;
}

bool sf_spill_append(struct sf_spill *s, const char *p, size_t n, uint64_t *off)
{
	if (s->f == NULL && !s->mem) {
		s->f = sf_report_tmpfile();
		if (s->f != NULL)
			s->fd = fileno(s->f);
		else
			spill_to_memory(s, "cannot make a temporary file", errno);
	}
	if (!s->mem && s->wbuf.len + n > SPILL_CHUNK && !spill_flush(s))
		spill_to_memory(s, "cannot write the temporary file", errno);
	*off = s->flushed + s->wbuf.len;
	if (!s->mem && n >= SPILL_CHUNK) {
		if (pwrite_all(s->fd, p, n, s->flushed)) {
			s->flushed += n;
			if (s->flushed > s->file_hi)
				s->file_hi = s->flushed;
			return true;
		}
		spill_to_memory(s, "cannot write the temporary file", errno);
	}
	sf_buf_put(&s->wbuf, p, n);
	return !s->wbuf.oom;
}

static void spill_unmap(struct sf_spill *s)
{
	if (s->map != NULL)
		munmap((void *)(uintptr_t)s->map, (size_t)s->map_len);
	s->map = NULL;
	s->map_len = 0;
	s->map_read = 0;
}

/*
 * Map the file so that [0, end) can be read: false when it cannot be. The
 * mapping reserves more address space than the file holds (a page past the
 * end is never read: only [0, flushed) is), so a growing file is remapped
 * only when it doubles.
 */
static bool spill_map(struct sf_spill *s, uint64_t end)
{
	uint64_t len = s->map_len > 0 ? s->map_len : SPILL_MAP_MIN;
	void *m;

	if (s->map != NULL && end <= s->map_len)
		return true;
	while (len < end) {
		if (len > SIZE_MAX / 4)
			return false;
		len *= 2;
	}
	spill_unmap(s);
	m = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, s->fd, 0);
	if (m == MAP_FAILED)
		return false;
	s->map = m;
	s->map_len = len;
	return true;
}

/* Count n bytes read through the mapping: true when its pages are due to be dropped (spill_drop_pages). */
static bool spill_map_read(struct sf_spill *s, size_t n)
{
	s->map_read += n;
	return s->map_read >= SPILL_MAP_DROP;
}

static void spill_drop_pages(struct sf_spill *s)
{
	/* a shared file mapping: the bytes stay in the file, only the pages go */
	madvise((void *)(uintptr_t)s->map, (size_t)s->map_len, MADV_DONTNEED);
	s->map_read = 0;
}

/*
 * The record at [off, off + n): NULL when it cannot be read back. Records
 * drain in id order, far from the order they were spilled in, so reading
 * ahead in big blocks does not pay; they are read through a mapping of the
 * file, not one pread(2) each, and its pages are dropped every
 * SPILL_MAP_DROP bytes read so that the records already written out do not
 * stay in memory.
 */
const char *sf_spill_get(struct sf_spill *s, uint64_t off, size_t n)
{
	size_t from_file;

	if (off >= s->flushed)
		return s->wbuf.p + (off - s->flushed);
	from_file = off + n <= s->flushed ? n : (size_t)(s->flushed - off);
	if (from_file == n && spill_map(s, off + n)) {
		if (spill_map_read(s, n))
			spill_drop_pages(s);
		return s->map + off;
	}
	s->rbuf.len = 0;
	if (!sf_buf_room(&s->rbuf, n) || !pread_all(s->fd, s->rbuf.p, from_file, off))
		return NULL;
	if (from_file < n)
		memcpy(s->rbuf.p + from_file, s->wbuf.p, n - from_file);
	return s->rbuf.p;
}

/* Nothing is pending: start the spill over. */
static void spill_restart(struct sf_spill *s)
{
	s->wbuf.len = 0;
	s->flushed = 0;
	s->drained = 0;
	s->punched = 0;
	if (s->f != NULL && s->file_hi > SPILL_TRUNCATE) {
		spill_unmap(s);
		if (ftruncate(s->fd, 0) == 0)
			s->file_hi = 0;
	}
	if (s->mem && s->wbuf.cap > SPILL_TRUNCATE)
		sf_buf_free(&s->wbuf);
}

/* Give back the file space below the oldest pending record. */
static void spill_punch(struct sf_report *r)
{
	struct sf_spill *s = &r->spill;
	uint64_t lo = s->flushed + s->wbuf.len;

	s->drained = 0;
	if (s->f == NULL)
		return;
	for (size_t i = 0; i < r->cap; i++)
		if (r->pend[i].present && r->pend[i].off < lo)
			lo = r->pend[i].off;
	if (lo > s->flushed)
		lo = s->flushed;
	lo &= ~(uint64_t)0xFFFF;
	if (lo <= s->punched)
		return;
#if defined(FALLOC_FL_PUNCH_HOLE) && defined(FALLOC_FL_KEEP_SIZE)
	if (fallocate(s->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)s->punched,
		      (off_t)(lo - s->punched)) == 0)
		s->punched = lo;
#endif
}

void sf_spill_close(struct sf_spill *s)
{
	spill_unmap(s);
	if (s->f != NULL)
		fclose(s->f);
	s->f = NULL;
	s->fd = -1;
	sf_buf_free(&s->wbuf);
	sf_buf_free(&s->rbuf);
}

/* ---- output straight from a spill's mapping ---- */

/*
 * writev(2) v[0..n) to fd, going on after short writes, until all is written
 * or a call fails; returns how many of the entries are left (0: all
 * written), the first of them trimmed to what it still has to write.
 */
static size_t writev_all(int fd, struct iovec *v, size_t n)
{
	while (n > 0) {
		ssize_t k = writev(fd, v, n < SF_REPORT_OUT_IOV ? (int)n : SF_REPORT_OUT_IOV);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		for (; n > 0 && (size_t)k >= v->iov_len; v++, n--)
			k -= (ssize_t)v->iov_len;
		if (n > 0) {
			v->iov_base = (char *)v->iov_base + k;
			v->iov_len -= (size_t)k;
		}
	}
	return n;
}

/*
 * What is queued goes out: a batch of OUT_WRITEV_MIN bytes or more with
 * writev(2) (after what stdio holds), a smaller one through stdio. Whatever
 * writev(2) could not write goes through stdio too, so that a failure (a
 * reader gone, a full disk) leaves the stream in error as a write through it
 * would (a live capture stops on that).
 */
void sf_report_out_flush(struct sf_report *r)
{
	FILE *out = r->opts.out;
	struct iovec *v = r->out_iov;
	size_t n = r->out_n;
	int fd;

	r->out_n = 0;
	if (n == 0)
		return;
	if (r->out_bytes >= OUT_WRITEV_MIN && (fd = fileno(out)) >= 0 && fflush(out) == 0) {
		size_t left = writev_all(fd, v, n);
		v += n - left;
		n = left;
	}
	for (size_t i = 0; i < n; i++)
		if (fwrite(v[i].iov_base, 1, v[i].iov_len, out) != v[i].iov_len)
			r->error = true;
	r->out_bytes = 0;
	r->out_stage_len = 0;
}

/* Queue n bytes at p (which stay put until the queue is written); written at once when it is full. */
static void out_queue(struct sf_report *r, const char *p, size_t n)
{
	if (n == 0)
		return;
	r->out_iov[r->out_n].iov_base = (void *)(uintptr_t)p;
	r->out_iov[r->out_n].iov_len = n;
	r->out_n++;
	r->out_bytes += n;
	if (r->out_n == SF_REPORT_OUT_IOV || r->out_bytes >= OUT_WRITEV_MAX)
		sf_report_out_flush(r);
}

bool sf_report_out_mapped(struct sf_report *r, struct sf_spill *s, uint64_t off, size_t n)
{
	const char *p;

	if (off + n > s->flushed)
		return false; /* not all in the file yet */
	if (off + n > s->map_len)
		sf_report_out_flush(r); /* the mapping is about to move */
	if (!spill_map(s, off + n))
		return false;
	bool drop = spill_map_read(s, n);
	p = s->map + off;
	if (r->opts.format == SF_FMT_JSON)
		sf_report_json_take(r, &p, &n);
	out_queue(r, p, n);
	if (drop) {
		sf_report_out_flush(r); /* written before their pages go */
		spill_drop_pages(s);
	}
	return true;
}

/* ---- id order ---- */

/* Can records drained from the spill go out straight from its mapping? (text: once its header is out) */
static bool out_direct(const struct sf_report *r)
{
	return r->opts.format == SF_FMT_JSON || (r->opts.format == SF_FMT_TEXT && r->head_done);
}

/* Queue a record made just now, copied (false when there is no room for it: it goes as before). */
static bool out_stage(struct sf_report *r, const char *p, size_t n)
{
	if (n > OUT_STAGE)
		return false;
	if (r->out_stage == NULL && (r->out_stage = malloc(OUT_STAGE)) == NULL)
		return false;
	if (r->out_stage_len + n > OUT_STAGE)
		sf_report_out_flush(r);
	if (r->opts.format == SF_FMT_JSON)
		sf_report_json_take(r, &p, &n);
	char *q = r->out_stage + r->out_stage_len;
	memcpy(q, p, n);
	r->out_stage_len += n;
	out_queue(r, q, n);
	return true;
}

/* Hand one record to the sink. */
static void put(struct sf_report *r, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (out_direct(r) && out_stage(r, p, n))
		return;
	sf_report_out_flush(r); /* what waits goes first */
	if (r->opts.format == SF_FMT_JSON)
		sf_report_json_put(r, p, n);
	else
		sf_report_text_put(r, p, n);
}

/* A drained record: straight from the spill's mapping when it can, else read back and handed to the sink. */
static void put_drained(struct sf_report *r, const struct sf_pending *e)
{
	const char *p;

	if (out_direct(r) && sf_report_out_mapped(r, &r->spill, e->off, e->len))
		return;
	sf_report_out_flush(r); /* before anything that could move the mapping */
	p = sf_spill_get(&r->spill, e->off, e->len);
	if (p == NULL)
		r->error = true;
	else
		put(r, p, e->len);
}

/* Write every record that no lower id is waiting for. */
static void drain(struct sf_report *r)
{
	while (r->n_pend > 0 && r->pend[r->head].present) {
		struct sf_pending e = r->pend[r->head];

		r->pend[r->head].present = false;
		r->head = (r->head + 1) % r->cap;
		r->n_pend--;
		r->next_id++;
		put_drained(r, &e);
		r->spill.drained += e.len;
	}
	if (r->n_pend == 0) {
		sf_report_out_flush(r); /* the spill starts over: its file will be written again */
		spill_restart(&r->spill);
	} else if (r->spill.drained >= SPILL_PUNCH_STEP) {
		sf_report_out_flush(r); /* a hole is punched under what was drained */
		spill_punch(r);
	}
}

/* Make room for at least need slots, keeping the ring's order. */
static bool grow(struct sf_report *r, uint64_t need)
{
	size_t ncap = r->cap > 0 ? r->cap : REORDER_INITIAL;
	struct sf_pending *p;

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

/* A record that cannot wait for its turn: late or out of order beats lost, with one warning. */
static void put_unordered(struct sf_report *r, const char *p, size_t n, const char *why)
{
	if (!r->unordered_warned) {
		r->unordered_warned = true;
		sf_warnf("%s: connections from id %" PRIu64 " on may be written out of id order", why, r->next_id);
	}
	put(r, p, n);
}

/* Place the record of connection id: out now if every lower id is done, else into the spill. */
static void place(struct sf_report *r, uint64_t id, const char *p, size_t n)
{
	uint64_t off;
	size_t slot;

	if (id < r->next_id) {
		put_unordered(r, p, n, "a connection id came twice or late (a flow-table bug)");
		return;
	}
	off = id - r->next_id;
	if (off == 0 && !r->hold) {
		/* the common case: nothing lower is open */
		if (r->cap > 0)
			r->head = (r->head + 1) % r->cap;
		r->next_id++;
		put(r, p, n);
		drain(r);
		return;
	}
	if (off >= r->cap && !grow(r, off + 1)) {
		put_unordered(r, p, n, "out of memory for the id-order index");
		return;
	}
	slot = (size_t)((r->head + off) % r->cap);
	if (r->pend[slot].present) {
		put_unordered(r, p, n, "a connection id came twice (a flow-table bug)");
		return;
	}
	if (n > UINT32_MAX || !sf_spill_append(&r->spill, p, n, &r->pend[slot].off)) {
		put_unordered(r, p, n, "out of memory for the records that wait for a lower id");
		return;
	}
	r->pend[slot].len = (uint32_t)n;
	r->pend[slot].present = true;
	r->n_pend++;
}

/* End of input: write whatever waits, in id order, past any id that never came. */
static void flush_pending(struct sf_report *r)
{
	for (size_t i = 0; i < r->cap && r->n_pend > 0; i++) {
		size_t slot = (r->head + i) % r->cap;
		struct sf_pending e = r->pend[slot];

		if (!e.present)
			continue;
		r->pend[slot].present = false;
		r->n_pend--;
		put_drained(r, &e);
	}
	sf_report_out_flush(r);
	r->head = 0;
	spill_restart(&r->spill);
}

void sf_report_conn(struct sf_report *r, struct sf_conn *c)
{
	struct sf_buf *b = &r->rec;
	uint64_t id;

	if (c == NULL)
		return;
	if (r->ended) {
		sf_conn_free(c);
		return;
	}
	count(&r->sum, c);
	id = c->id;
	b->len = 0;
	b->oom = false;
	switch (r->opts.format) {
	case SF_FMT_JSON:
		sf_report_json_record(r, b, c);
		break;
	case SF_FMT_JSONL:
		sf_report_jsonl_record(r, b, c);
		break;
	case SF_FMT_TEXT:
		if (!r->opts.quiet)
			sf_report_text_record(r, b, c);
		break;
	}
	sf_conn_free(c);
	if (b->oom) {
		/* a partial record would break the document: leave it out */
		r->error = true;
		b->len = 0;
	}
	if (r->opts.format == SF_FMT_JSONL) {
		FILE *out = r->opts.out;

		if (b->len > 0 && fwrite(b->p, 1, b->len, out) != b->len)
			r->error = true;
		if (r->opts.flush_each)
			fflush(out);
	} else if (r->reorder) {
		place(r, id, b->p, b->len);
	}
}

void sf_report_input_ended(struct sf_report *r)
{
	if (r->opts.format == SF_FMT_TEXT)
		r->hold = true;
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
	switch (r->opts.format) {
	case SF_FMT_JSON:
		flush_pending(r);
		sf_report_json_end(r, in, fs);
		break;
	case SF_FMT_JSONL:
		flush_pending(r);
		sf_report_jsonl_end(r, in, fs);
		break;
	case SF_FMT_TEXT:
		/*
		 * The header needs only the totals, counted as each connection
		 * came: it goes first, then the blocks drained so far, then the
		 * waiting ones straight to the output, not through the body file.
		 */
		sf_report_text_head(r, in, fs);
		flush_pending(r);
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
	free(r->pend);
	sf_spill_close(&r->spill);
	sf_buf_free(&r->rec);
	sf_buf_free(&r->scratch);
	free(r->out_stage);
	sf_report_text_fini(r);
	free(r);
}
