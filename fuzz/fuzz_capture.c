/*
 * fuzz_capture.c - libFuzzer target: the two file readers against each other.
 *
 * The input is a capture file. It is read twice through src/capture.c:
 * frame by frame with sf_capture_next (libpcap reads every record), and in
 * batches with sf_capture_dispatch (savefile.c reads the records of a plain
 * pcap file in place and hands the stream to libpcap at the first odd one).
 * Both must give the same frames (number, lengths, time stamp, every
 * byte), end the same way and say the same thing. The input's first byte
 * picks the batch size (1 to 8, or 512), so hand-overs land anywhere in a
 * batch. A difference aborts, which libFuzzer reports as a crash.
 */
#define _GNU_SOURCE 1 /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "synfin/capture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	uint64_t number;
	uint32_t caplen, wirelen;
	struct sf_ts ts;
	uint64_t digest; /* FNV-1a of the frame's bytes */
};

struct log {
	struct seen *f;
	size_t n, cap;
};

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3u;
	return h;
}

static void note(struct log *l, const struct sf_frame *f)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->f = realloc(l->f, l->cap * sizeof *l->f);
		if (!l->f)
			abort();
	}
	l->f[l->n++] = (struct seen){f->number, f->caplen, f->wirelen, f->ts, fnv(f->data, f->caplen)};
}

static void on_frame(void *user, const struct sf_frame *f, bool filtered)
{
	if (filtered)
		abort(); /* no filter is set */
	note(user, f);
}

static void differ(const char *what)
{
	fprintf(stderr, "fuzz_capture: property broken: the two readers differ in %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	int fd = memfd_create("fuzz_capture", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	unsigned max = data[0] % 9 == 8 ? 512 : 1 + data[0] % 9;

	struct log a = {0}, b = {0};
	char err_a[512] = "", err_b[512] = "";
	enum sf_next end_a = SF_NEXT_END, end_b = SF_NEXT_END;

	struct sf_capture *c = sf_capture_open_file(path, err_a, sizeof err_a);
	if (c) {
		struct sf_frame f;
		while ((end_a = sf_capture_next(c, &f, err_a, sizeof err_a)) == SF_NEXT_FRAME)
			note(&a, &f);
		sf_capture_close(c);

		c = sf_capture_open_file(path, err_b, sizeof err_b);
		if (!c)
			differ("whether the file opens");
		while ((end_b = sf_capture_dispatch(c, max, on_frame, &b, err_b, sizeof err_b)) == SF_NEXT_FRAME)
			;
		sf_capture_close(c);

		if (a.n != b.n)
			differ("the number of frames");
		for (size_t i = 0; i < a.n; i++) {
			const struct seen *x = &a.f[i], *y = &b.f[i];
			if (x->number != y->number || x->caplen != y->caplen || x->wirelen != y->wirelen ||
			    x->ts.sec != y->ts.sec || x->ts.nsec != y->ts.nsec || x->digest != y->digest)
				differ("a frame");
		}
		if (end_a != end_b)
			differ("how the file ends");
		if (end_a != SF_NEXT_END && strcmp(err_a, err_b) != 0)
			differ("the message");
	}
	free(a.f);
	free(b.f);
	close(fd);
	return 0;
}
