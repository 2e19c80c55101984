/*
 * savefile.c - the records of a classic pcap file, read straight from a buffer.
 *
 * The file is read SF_SAVEFILE_CHUNK bytes at a time with pread; a record is
 * handed out in place once it is whole in the buffer. The bytes of a record that
 * straddles two chunks move to the front before the next read. Nothing is
 * read past the bytes pread returned, and every length comes from the file,
 * so each is checked against what is buffered before it is used.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "synfin/savefile.h"

#define PCAP_MAGIC_USEC 0xa1b2c3d4u
#define PCAP_MAGIC_NSEC 0xa1b23c4du
#define FILE_HEADER_LEN 24
#define RECORD_HEADER_LEN 16

struct sf_savefile {
	FILE *fp;
	int fd;        /* fp's descriptor, read with pread: fp's own position and buffer stay as they were */
	bool failed;   /* a read error: libpcap reads on and reports it */
	uint8_t *buf;
	size_t pos;    /* first byte not handed out */
	size_t end;    /* bytes in buf */
	off_t buf_off; /* file offset of buf[0] */
	uint32_t snapshot;
	bool swapped;
};

static uint32_t swap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

static uint32_t load32(const uint8_t *p, bool swapped)
{
	uint32_t v;
	memcpy(&v, p, sizeof v);
	return swapped ? swap32(v) : v;
}

struct sf_savefile *sf_savefile_open(FILE *fp, uint32_t snapshot, bool *swapped, bool *nano)
{
	uint8_t hdr[FILE_HEADER_LEN];
	off_t start = ftello(fp); /* -1 on a pipe: there is no handing back */

	if (start < FILE_HEADER_LEN ||
	    pread(fileno(fp), hdr, sizeof hdr, start - FILE_HEADER_LEN) != (ssize_t)sizeof hdr)
		return NULL;
	uint32_t magic = load32(hdr, false);
	if (magic == PCAP_MAGIC_USEC || magic == PCAP_MAGIC_NSEC)
		*swapped = false;
	else if (magic == swap32(PCAP_MAGIC_USEC) || magic == swap32(PCAP_MAGIC_NSEC))
		*swapped = true;
	else
		return NULL;
	*nano = load32(hdr, *swapped) == PCAP_MAGIC_NSEC;

	struct sf_savefile *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->buf = malloc(SF_SAVEFILE_CHUNK);
	if (!s->buf) {
		free(s);
		return NULL;
	}
	s->fp = fp;
	s->fd = fileno(fp);
	s->buf_off = start;
	s->snapshot = snapshot;
	s->swapped = *swapped;
	return s;
}

/*
 * Keep the bytes not handed out, at the front, and read as many more as fit
 * (or up to the end of the file). pread, not fread: the stream's buffer
 * would be one more copy of every byte, and the stream must still read from
 * where it stood when libpcap takes over.
 */
static void refill(struct sf_savefile *s)
{
	size_t keep = s->end - s->pos;
	memmove(s->buf, s->buf + s->pos, keep);
	s->buf_off += (off_t)s->pos;
	s->pos = 0;
	s->end = keep;
	while (s->end < SF_SAVEFILE_CHUNK && !s->failed) {
		ssize_t got = pread(s->fd, s->buf + s->end, SF_SAVEFILE_CHUNK - s->end, s->buf_off + (off_t)s->end);
		if (got > 0)
			s->end += (size_t)got;
		else if (got == 0)
			break;
		else if (errno != EINTR)
			s->failed = true;
	}
}

enum sf_savefile_step sf_savefile_next(struct sf_savefile *s, struct sf_savefile_rec *rec)
{
	if (s->end - s->pos < RECORD_HEADER_LEN) {
		refill(s);
		if (s->end == 0 && !s->failed)
			return SF_SAVEFILE_END;
		if (s->end < RECORD_HEADER_LEN)
			return SF_SAVEFILE_HANDOVER; /* a header cut short, or a read error */
	}
	const uint8_t *h = s->buf + s->pos;
	uint32_t caplen = load32(h + 8, s->swapped);
	if (caplen > s->snapshot)
		return SF_SAVEFILE_HANDOVER; /* libpcap cuts it to the snapshot length, or refuses it */
	size_t need = RECORD_HEADER_LEN + (size_t)caplen;
	if (s->end - s->pos < need) {
		refill(s);
		if (s->end < need)
			return SF_SAVEFILE_HANDOVER; /* cut short, or bigger than the buffer */
		h = s->buf;
	}
	rec->sec = load32(h, s->swapped);
	rec->frac = load32(h + 4, s->swapped);
	rec->caplen = caplen;
	rec->len = load32(h + 12, s->swapped);
	rec->data = h + RECORD_HEADER_LEN;
	s->pos += need;
	return SF_SAVEFILE_RECORD;
}

int sf_savefile_handover(struct sf_savefile *s)
{
	int rc = fseeko(s->fp, s->buf_off + (off_t)s->pos, SEEK_SET);
	sf_savefile_free(s);
	return rc == 0 ? 0 : -1;
}

void sf_savefile_free(struct sf_savefile *s)
{
	if (!s)
		return;
	free(s->buf);
	free(s);
}
