/*
 * pcap_writer.h - craft classic pcap files byte by byte for the reader tests:
 * either byte order, micro- or nanosecond magic, any record header (lengths
 * that lie, odd time stamps) and files cut short at any byte.
 */
#ifndef SYNFIN_TEST_PCAP_WRITER_H
#define SYNFIN_TEST_PCAP_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pw {
	FILE *f;
	bool swapped; /* write in the other byte order */
	char path[64];
};

static inline void pw_u32(struct pw *w, uint32_t v)
{
	uint8_t b[4];
	if (w->swapped) {
		b[0] = (uint8_t)(v >> 24);
		b[1] = (uint8_t)(v >> 16);
		b[2] = (uint8_t)(v >> 8);
		b[3] = (uint8_t)v;
	} else {
		memcpy(b, &v, 4);
	}
	fwrite(b, 1, 4, w->f);
}

static inline void pw_u16(struct pw *w, uint16_t v)
{
	uint8_t b[2];
	if (w->swapped) {
		b[0] = (uint8_t)(v >> 8);
		b[1] = (uint8_t)v;
	} else {
		memcpy(b, &v, 2);
	}
	fwrite(b, 1, 2, w->f);
}

/* A new file in /tmp with the 24-byte header; NULL if it could not be created. */
static inline bool pw_open(struct pw *w, bool swapped, bool nano, uint32_t snaplen, uint32_t linktype)
{
	snprintf(w->path, sizeof w->path, "/tmp/synfin-test-XXXXXX");
	int fd = mkstemp(w->path);
	if (fd < 0)
		return false;
	w->f = fdopen(fd, "wb");
	if (!w->f)
		return false;
	w->swapped = swapped;
	pw_u32(w, nano ? 0xa1b23c4du : 0xa1b2c3d4u);
	pw_u16(w, 2);
	pw_u16(w, 4);
	pw_u32(w, 0); /* thiszone */
	pw_u32(w, 0); /* sigfigs */
	pw_u32(w, snaplen);
	pw_u32(w, linktype);
	return true;
}

/* A record header as given, then stored bytes of frame data (a counting pattern starting at seed). */
static inline void pw_record(struct pw *w, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len,
			     uint32_t stored, uint8_t seed)
{
	pw_u32(w, sec);
	pw_u32(w, frac);
	pw_u32(w, caplen);
	pw_u32(w, len);
	for (uint32_t i = 0; i < stored; i++)
		fputc((uint8_t)(seed + i), w->f);
}

/* An ordinary record: caplen bytes stored, len on the wire. */
static inline void pw_frame(struct pw *w, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len, uint8_t seed)
{
	pw_record(w, sec, frac, caplen, len, caplen, seed);
}

/* Raw bytes (a header cut short, say). */
static inline void pw_bytes(struct pw *w, const void *p, size_t n)
{
	fwrite(p, 1, n, w->f);
}

static inline void pw_close(struct pw *w)
{
	fclose(w->f);
	w->f = NULL;
}

static inline void pw_remove(struct pw *w)
{
	unlink(w->path);
}

#endif
