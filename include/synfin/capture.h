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
	SF_NEXT_TIMEOUT,   /* live: nothing arrived within SF_CAPTURE_POLL_MS */
	SF_NEXT_END,       /* end of file, or the loop was broken */
	SF_NEXT_TRUNCATED, /* the file ends in the middle of a record (message in err) */
	SF_NEXT_ERROR,     /* read error (message in err) */
};

struct sf_capture_live_opts {
	int snaplen;     /* 0 = default (headers only) */
	int buffer_kib;  /* 0 = SF_CAPTURE_DEFAULT_BUFFER_KIB */
	bool immediate;
};

/* Offline: path may be "-" for stdin. On failure returns NULL with a one-line reason in err. */
struct sf_capture *sf_capture_open_file(const char *path, char *err, size_t errlen);
/*
 * Live: open and activate iface (promiscuous, immediate mode, non-blocking).
 * On failure returns NULL with one line naming the cause and the fix in err
 * (permission: root or CAP_NET_RAW; no such interface; interface down).
 */
struct sf_capture *sf_capture_open_live(const char *iface, const struct sf_capture_live_opts *lo,
					char *err, size_t errlen);
/* Live: the warning pcap_activate gave (promiscuous mode unsupported, ...), or NULL. */
const char *sf_capture_warning(const struct sf_capture *c);
/*
 * Compile and apply a BPF filter. Offline it is applied per frame so numbering
 * counts every frame; live it runs in the kernel, so frames it rejects are
 * never read, numbered or saved with -w (as tcpdump -w).
 */
int sf_capture_set_filter(struct sf_capture *c, const char *filter, char *err, size_t errlen);
/*
 * Next frame. Live, never blocks longer than SF_CAPTURE_POLL_MS (SF_NEXT_TIMEOUT),
 * and returns SF_NEXT_END once sf_capture_break was called.
 */
enum sf_next sf_capture_next(struct sf_capture *c, struct sf_frame *f, char *err, size_t errlen);
/* Called for each frame sf_capture_dispatch reads; f->data is valid only during the call. */
typedef void (*sf_capture_frame_fn)(void *user, const struct sf_frame *f, bool filtered);
/*
 * Files: read up to max frames, calling fn for each (filtered ones too,
 * flagged, as sf_capture_next numbers them). A plain pcap file's records
 * are read in place (savefile.h) until one is not plain, from which on
 * libpcap reads (one pcap_dispatch call: itself about 70 instructions a
 * frame fewer than pcap_next_ex). sf_capture_next always reads with
 * libpcap: calling it hands the file over for good.
 * SF_NEXT_FRAME while more may follow; else how the input ended
 * (SF_NEXT_END, SF_NEXT_TRUNCATED, SF_NEXT_ERROR with the message in err),
 * after fn saw every frame read before it.
 */
enum sf_next sf_capture_dispatch(struct sf_capture *c, unsigned max, sf_capture_frame_fn fn, void *user, char *err,
				 size_t errlen);
int sf_capture_dlt(const struct sf_capture *c);
/* DLT name as libpcap spells it ("EN10MB", "LINUX_SLL2", ...). */
const char *sf_capture_linktype_name(const struct sf_capture *c);
/* "link-type EN10MB (Ethernet), snapshot length 192 bytes", as tcpdump's "listening on" line. */
void sf_capture_describe(const struct sf_capture *c, char *buf, size_t len);
/* Live: pcap_stats figures; false when unavailable. */
bool sf_capture_stats(struct sf_capture *c, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop);
/*
 * Live: -w, save every frame read (all passed the kernel filter) to a pcap
 * file with the capture's snaplen and nanosecond time stamps. Flushed
 * whenever the link goes quiet and at sf_capture_close.
 */
int sf_capture_dump_open(struct sf_capture *c, const char *path, char *err, size_t errlen);
/* Async-signal-safe: sets a flag and calls pcap_breakloop (which writes an eventfd). */
void sf_capture_break(struct sf_capture *c);
/* -D: the interface list as tcpdump -D writes it ("1.eth0 [Up, Running, Connected]"). */
int sf_capture_list_interfaces(FILE *out, char *err, size_t errlen);
void sf_capture_close(struct sf_capture *c);

/*
 * Default live snaplen: link (Ethernet + two VLAN tags = 22, SLL2 = 20) +
 * IPv6 (40, or IPv4 with options 60) + TCP with options (60) = 142 at most
 * for the common cases, rounded up to leave room for a few IPv6 extension
 * headers. synfin never needs payload bytes: payload lengths come from the
 * IP header, not from the captured length.
 */
#define SF_CAPTURE_DEFAULT_SNAPLEN 192
/*
 * Default live capture buffer (-B): 8 MiB, four times libpcap's 2 MiB. At the
 * default snaplen that is some 28,000 frames, enough to ride out a scheduling
 * stall of ~0.5 s at 50,000 packets/s: a dropped SYN or FIN would show up as
 * a wrong outcome, so synfin trades a little memory for fewer drops.
 */
#define SF_CAPTURE_DEFAULT_BUFFER_KIB 8192
/* Live: how long one wait for a frame may take before SF_NEXT_TIMEOUT. */
#define SF_CAPTURE_POLL_MS 200

#endif
