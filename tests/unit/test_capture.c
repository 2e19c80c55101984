/*
 * test_capture.c - reading files: sf_capture_dispatch gives what
 * sf_capture_next gives, and ends the same way. sf_capture_next reads every
 * record with libpcap; sf_capture_dispatch reads plain pcap files with
 * savefile.c and hands odd records to libpcap, so on crafted files the two
 * check each other byte for byte.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "pcap_writer.h"
#include "synfin/capture.h"

#define MAX_FRAMES 4096

struct seen {
	uint64_t number;
	uint32_t caplen, wirelen;
	struct sf_ts ts;
	uint8_t head[16]; /* the first bytes of the frame */
	bool filtered;
};

struct log {
	struct seen f[MAX_FRAMES];
	size_t n;
};

static void note(struct log *l, const struct sf_frame *f, bool filtered)
{
	cr_assert_lt(l->n, MAX_FRAMES);
	struct seen *s = &l->f[l->n++];
	s->number = f->number;
	s->caplen = f->caplen;
	s->wirelen = f->wirelen;
	s->ts = f->ts;
	memset(s->head, 0, sizeof s->head);
	memcpy(s->head, f->data, f->caplen < sizeof s->head ? f->caplen : sizeof s->head);
	s->filtered = filtered;
}

static void on_frame(void *user, const struct sf_frame *f, bool filtered)
{
	note(user, f, filtered);
}

static struct sf_capture *open_case(const char *rel, const char *filter)
{
	char path[512], err[512] = "";
	if (rel[0] == '/')
		snprintf(path, sizeof path, "%s", rel); /* a crafted file */
	else
		snprintf(path, sizeof path, "%s/%s", SF_TESTDATA, rel);
	struct sf_capture *c = sf_capture_open_file(path, err, sizeof err);
	cr_assert_not_null(c, "%s: %s", path, err);
	if (filter)
		cr_assert_eq(sf_capture_set_filter(c, filter, err, sizeof err), 0, "%s", err);
	return c;
}

/* Every frame through sf_capture_next; returns how the input ended. */
static enum sf_next read_next(const char *rel, const char *filter, struct log *l, char *err, size_t errlen)
{
	struct sf_capture *c = open_case(rel, filter);
	enum sf_next nx;
	struct sf_frame f;
	while ((nx = sf_capture_next(c, &f, err, errlen)) == SF_NEXT_FRAME || nx == SF_NEXT_FILTERED)
		note(l, &f, nx == SF_NEXT_FILTERED);
	sf_capture_close(c);
	return nx;
}

/* Every frame through sf_capture_dispatch, at most max per call; returns how the input ended. */
static enum sf_next read_dispatch(const char *rel, const char *filter, unsigned max, struct log *l, char *err,
				  size_t errlen)
{
	struct sf_capture *c = open_case(rel, filter);
	enum sf_next nx;
	size_t calls = 0;
	do {
		size_t before = l->n;
		nx = sf_capture_dispatch(c, max, on_frame, l, err, errlen);
		cr_assert_leq(l->n - before, max, "a call read %zu frames, more than %u", l->n - before, max);
		cr_assert_lt(++calls, 1000, "dispatch never ended");
	} while (nx == SF_NEXT_FRAME);
	/* once ended it stays ended, and reads nothing more */
	size_t n = l->n;
	if (nx == SF_NEXT_END)
		cr_assert_eq(sf_capture_dispatch(c, max, on_frame, l, err, errlen), SF_NEXT_END);
	cr_assert_eq(l->n, n);
	sf_capture_close(c);
	return nx;
}

static void same_frames(const struct log *a, const struct log *b)
{
	cr_assert_eq(a->n, b->n, "next read %zu frames, dispatch %zu", a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct seen *x = &a->f[i], *y = &b->f[i];
		cr_assert_eq(x->number, y->number, "frame %zu", i);
		cr_assert_eq(x->caplen, y->caplen, "frame %zu", i);
		cr_assert_eq(x->wirelen, y->wirelen, "frame %zu", i);
		cr_assert_eq(x->ts.sec, y->ts.sec, "frame %zu: %lld vs %lld", i, (long long)x->ts.sec, (long long)y->ts.sec);
		cr_assert_eq(x->ts.nsec, y->ts.nsec, "frame %zu: %lu vs %lu", i, (unsigned long)x->ts.nsec, (unsigned long)y->ts.nsec);
		cr_assert_eq(memcmp(x->head, y->head, sizeof x->head), 0, "frame %zu", i);
		cr_assert_eq(x->filtered, y->filtered, "frame %zu", i);
	}
}

Test(capture, dispatch_reads_what_next_reads)
{
	static const unsigned maxes[] = {1, 3, 512};
	char err[512] = "";
	struct log a = {0};
	cr_assert_eq(read_next("four_way/input.pcap", NULL, &a, err, sizeof err), SF_NEXT_END);
	cr_assert_eq(a.n, 11);
	for (size_t k = 0; k < sizeof maxes / sizeof maxes[0]; k++) {
		struct log b = {0};
		cr_assert_eq(read_dispatch("four_way/input.pcap", NULL, maxes[k], &b, err, sizeof err), SF_NEXT_END);
		same_frames(&a, &b);
		cr_assert_eq(b.f[0].number, 1);
		cr_assert_eq(b.f[b.n - 1].number, 11);
	}
}

Test(capture, dispatch_numbers_and_flags_filtered_frames)
{
	char err[512] = "";
	struct log a = {0}, b = {0};
	size_t kept = 0;
	read_next("bpf_filter/input.pcap", "port 8080", &a, err, sizeof err);
	read_dispatch("bpf_filter/input.pcap", "port 8080", 4, &b, err, sizeof err);
	same_frames(&a, &b);
	for (size_t i = 0; i < b.n; i++) {
		cr_assert_eq(b.f[i].number, i + 1, "filtered frames keep their place in the numbering");
		kept += !b.f[i].filtered;
	}
	cr_assert_gt(kept, 0);
	cr_assert_lt(kept, b.n, "the case has frames the filter rejects");
}

Test(capture, dispatch_truncated_file_gives_the_frames_before_the_cut)
{
	char err_a[512] = "", err_b[512] = "";
	struct log a = {0}, b = {0};
	cr_assert_eq(read_next("errors/truncated.pcap", NULL, &a, err_a, sizeof err_a), SF_NEXT_TRUNCATED);
	cr_assert_eq(read_dispatch("errors/truncated.pcap", NULL, 4, &b, err_b, sizeof err_b), SF_NEXT_TRUNCATED);
	cr_assert_eq(a.n, 10);
	same_frames(&a, &b);
	cr_assert_str_eq(err_a, err_b);
	cr_assert_not_null(strstr(err_b, "truncated"), "%s", err_b);
}

Test(capture, dispatch_zero_reads_nothing)
{
	char err[512] = "";
	struct log l = {0};
	struct sf_capture *c = open_case("four_way/input.pcap", NULL);
	cr_assert_eq(sf_capture_dispatch(c, 0, on_frame, &l, err, sizeof err), SF_NEXT_FRAME);
	cr_assert_eq(l.n, 0);
	cr_assert_eq(sf_capture_dispatch(c, 2, on_frame, &l, err, sizeof err), SF_NEXT_FRAME);
	cr_assert_eq(l.n, 2);
	cr_assert_eq(l.f[1].number, 2);
	sf_capture_close(c);
}

/*
 * A crafted file read both ways: the same frames, the same end, the same
 * message. Returns how it ended and the number of frames.
 */
static enum sf_next both_ways(struct pw *w, size_t *frames, char *err, size_t errlen)
{
	static struct log a, b;
	char err_b[512] = "";
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	enum sf_next na = read_next(w->path, NULL, &a, err, errlen);
	static const unsigned maxes[] = {7, 512};
	for (size_t k = 0; k < sizeof maxes / sizeof maxes[0]; k++) {
		memset(&b, 0, sizeof b);
		err_b[0] = 0;
		enum sf_next nb = read_dispatch(w->path, NULL, maxes[k], &b, err_b, sizeof err_b);
		cr_assert_eq(na, nb, "next ended with %d, dispatch with %d", (int)na, (int)nb);
		same_frames(&a, &b);
		if (na != SF_NEXT_END)
			cr_assert_str_eq(err, err_b);
	}
	pw_remove(w);
	*frames = a.n;
	return na;
}

Test(capture, crafted_time_stamps_read_as_libpcap_reads_them)
{
	for (int swapped = 0; swapped < 2; swapped++)
		for (int nano = 0; nano < 2; nano++) {
			struct pw w;
			char err[512] = "";
			size_t n;
			cr_assert(pw_open(&w, swapped, nano, 192, 1));
			pw_frame(&w, 1700000000, 999999, 60, 60, 1);
			pw_frame(&w, 1700000000, 1000000, 60, 60, 2);       /* a fraction of a whole second */
			pw_frame(&w, 1700000000, 999999999, 60, 60, 3);
			pw_frame(&w, 1700000000, 1000000000, 60, 60, 4);
			pw_frame(&w, 0xffffffffu, 0x80000000u, 60, 60, 5);  /* negative */
			pw_frame(&w, 0x80000000u, 0xfffffc18u, 0, 0, 6);
			pw_frame(&w, 0x7fffffffu, 0x7fffffffu, 192, 40, 7); /* caplen above len */
			pw_close(&w);
			cr_assert_eq(both_ways(&w, &n, err, sizeof err), SF_NEXT_END);
			cr_assert_eq(n, 7);
		}
}

Test(capture, crafted_record_longer_than_the_snapshot_is_cut_as_libpcap_cuts_it)
{
	struct pw w;
	char err[512] = "";
	size_t n;
	cr_assert(pw_open(&w, false, false, 100, 1));
	pw_frame(&w, 1, 0, 60, 60, 1);
	pw_frame(&w, 2, 0, 150, 150, 2); /* libpcap hands out its first 100 bytes */
	for (uint32_t i = 0; i < 3000; i++)
		pw_frame(&w, 3 + i, 0, 40 + i % 60, 1500, (uint8_t)i);
	pw_close(&w);
	cr_assert_eq(both_ways(&w, &n, err, sizeof err), SF_NEXT_END);
	cr_assert_eq(n, 3002);
}

Test(capture, crafted_files_cut_short_end_as_libpcap_ends_them)
{
	static const uint32_t good[] = {0, 1, 2500};
	for (size_t k = 0; k < sizeof good / sizeof good[0]; k++)
		for (int how = 0; how < 3; how++) {
			struct pw w;
			char err[512] = "";
			size_t n;
			cr_assert(pw_open(&w, how == 2, false, 192, 1));
			for (uint32_t i = 0; i < good[k]; i++)
				pw_frame(&w, i, 0, 100 + i % 92, 1500, (uint8_t)i);
			if (how == 0)
				pw_bytes(&w, "\x01\x00\x00\x00\x02\x00\x00", 7); /* half a header */
			else
				pw_record(&w, 9, 0, 150, 150, 149, 0); /* one byte short */
			pw_close(&w);
			cr_assert_eq(both_ways(&w, &n, err, sizeof err), SF_NEXT_TRUNCATED, "%s", err);
			cr_assert_eq(n, good[k]);
			cr_assert_not_null(strstr(err, "truncated"), "%s", err);
		}
}

Test(capture, crafted_capture_length_beyond_any_snapshot_is_refused_as_libpcap_refuses_it)
{
	struct pw w;
	char err[512] = "";
	size_t n;
	cr_assert(pw_open(&w, false, false, 262144, 1));
	pw_frame(&w, 1, 0, 60, 60, 1);
	pw_record(&w, 2, 0, 0x7fffffffu, 60, 10, 0);
	pw_close(&w);
	cr_assert_eq(both_ways(&w, &n, err, sizeof err), SF_NEXT_ERROR);
	cr_assert_eq(n, 1);
	cr_assert_not_null(strstr(err, "invalid packet capture length"), "%s", err);
}

Test(capture, crafted_cooked_captures_of_either_byte_order)
{
	/* Linux cooked (113, 276): libpcap rewrites parts of their headers in swapped files */
	static const uint32_t types[] = {113, 276, 0, 101};
	for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
		for (int swapped = 0; swapped < 2; swapped++) {
			struct pw w;
			char err[512] = "";
			size_t n;
			cr_assert(pw_open(&w, swapped, false, 192, types[t]));
			for (uint32_t i = 0; i < 20; i++)
				pw_frame(&w, i, i, 44 + i, 1500, (uint8_t)(i * 7));
			pw_close(&w);
			cr_assert_eq(both_ways(&w, &n, err, sizeof err), SF_NEXT_END);
			cr_assert_eq(n, 20);
		}
}
