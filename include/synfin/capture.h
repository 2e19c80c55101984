/* capture.h - the only libpcap user: files, stdin, interfaces, filters. */
#ifndef SYNFIN_CAPTURE_H
#define SYNFIN_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "synfin/packet.h"

struct sf_capture;

/* One frame as read; data is valid until the next sf_capture_next call. */
struct sf_frame {
	const uint8_t *data;
	uint32_t caplen;  /* bytes in data */
	uint32_t wirelen; /* length on the wire */
	struct sf_ts ts;
	uint64_t number;  /* 1-based, every frame read, before filtering */
	int dlt;
};

enum sf_next {
	SF_NEXT_FRAME,     /* a frame that passed the filter */
	SF_NEXT_FILTERED,  /* a frame the filter rejected (still numbered) */
	SF_NEXT_TIMEOUT,   /* live: nothing arrived within the read timeout */
	SF_NEXT_END,       /* end of file, or the loop was broken */
	SF_NEXT_TRUNCATED, /* the file ends in the middle of a record (message in err) */
	SF_NEXT_ERROR,     /* read error (message in err) */
};

struct sf_capture_live_opts {
	int snaplen;     /* 0 = default (headers only) */
	int buffer_kib;  /* 0 = libpcap default */
	bool immediate;
};

/* Offline: path may be "-" for stdin. On failure returns NULL with a one-line reason in err. */
struct sf_capture *sf_capture_open_file(const char *path, char *err, size_t errlen);
struct sf_capture *sf_capture_open_live(const char *iface, const struct sf_capture_live_opts *lo,
					char *err, size_t errlen);
/* Compile and apply a BPF filter (offline: applied per frame so numbering counts every frame). */
int sf_capture_set_filter(struct sf_capture *c, const char *filter, char *err, size_t errlen);
enum sf_next sf_capture_next(struct sf_capture *c, struct sf_frame *f, char *err, size_t errlen);
int sf_capture_dlt(const struct sf_capture *c);
/* DLT name as libpcap spells it ("EN10MB", "LINUX_SLL2", ...). */
const char *sf_capture_linktype_name(const struct sf_capture *c);
/* Live: pcap_stats figures; false when unavailable. */
bool sf_capture_stats(struct sf_capture *c, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop);
/* Live: -w, save every captured frame (before the BPF filter is applied offline-style). */
int sf_capture_dump_open(struct sf_capture *c, const char *path, char *err, size_t errlen);
/* Async-signal-safe enough: only pcap_breakloop. */
void sf_capture_break(struct sf_capture *c);
int sf_capture_list_interfaces(FILE *out, char *err, size_t errlen);
void sf_capture_close(struct sf_capture *c);

/* Default live snaplen: link (incl. two VLAN tags / SLL2) + IPv6 with options + TCP with options. */
#define SF_CAPTURE_DEFAULT_SNAPLEN 192

#endif
