/*
 * capture.c - the only code that talks to libpcap.
 *
 * Offline, the BPF filter is applied per frame with pcap_offline_filter()
 * instead of pcap_setfilter(), so that frame numbers count every frame of
 * the file, as Wireshark numbers them. Live, the filter runs in the kernel,
 * so only frames that pass it are read, numbered and saved with -w (as
 * tcpdump -w does): re-reading the -w file gives the same frame numbers.
 *
 * Live reads do not rely on the pcap read timeout to return: on Linux a
 * blocking pcap_next_ex() in immediate mode keeps polling past it until a
 * packet arrives (pcap_set_timeout(3PCAP) documents that the timeout cannot
 * bound a read). The handle is non-blocking instead and we poll its
 * selectable descriptor ourselves, so a quiet link still yields
 * SF_NEXT_TIMEOUT every SF_CAPTURE_POLL_MS: idle expiry, --duration and
 * timely jsonl lines depend on it.
 */
#include <errno.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include "synfin/alloc.h"
#include "synfin/capture.h"
#include "synfin/msg.h"
#include "synfin/savefile.h"

struct sf_capture {
	pcap_t *p;
	bool live;
	bool have_filter;
	struct bpf_program prog;
	uint64_t frames;
	int dlt;
	bool nano;
	pcap_dumper_t *dumper;
	int sel_fd;                   /* live: descriptor to poll, -1 = rely on the pcap timeout */
	volatile sig_atomic_t stop;   /* set by sf_capture_break (from a signal handler) */
	char warning[PCAP_ERRBUF_SIZE + 64];
	char *iobuf;                  /* offline: the stream's buffer, freed after pcap_close */
	bool iobuf_is_stdin;
	struct sf_savefile *direct;   /* offline: records read without libpcap while the file is plain */
	bool direct_micro;            /* the file's time stamps are microseconds */
	bool direct_swapped;          /* the file is in the other byte order */
};

#define SF_CAPTURE_READ_BUFFER (128u << 10)

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (errlen)
		snprintf(err, errlen, "%s", msg);
}

/*
 * Link types whose frames libpcap hands over exactly as the file holds them.
 * In a file of the other byte order it rewrites the pseudo-headers of some
 * (Linux cooked, USB, NFLOG, pflog), so there only those without one.
 */
static bool direct_link_type(int dlt, bool swapped)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_RAW:
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_IPV4:
	case DLT_IPV6:
		return true;
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
		return !swapped;
	default:
		return false;
	}
}

/*
 * Read the records of a plain pcap file (version 2.4, a link type from the
 * list above) with savefile.c while they stay plain: about 400 instructions
 * a frame fewer than libpcap's reads. The first record that is not plain
 * hands the stream back to libpcap (hand_over).
 */
static void open_direct(struct sf_capture *c, FILE *fp)
{
	bool swapped = false, nano = false;
	int snap = pcap_snapshot(c->p);

	if (pcap_major_version(c->p) != 2 || pcap_minor_version(c->p) != 4 || snap <= 0)
		return;
	c->direct = sf_savefile_open(fp, (uint32_t)snap, &swapped, &nano);
	if (!c->direct)
		return; /* not seekable, not a standard header: libpcap reads it all */
	if (!direct_link_type(c->dlt, swapped) || swapped != (pcap_is_swapped(c->p) == 1)) {
		sf_savefile_free(c->direct);
		c->direct = NULL;
		return;
	}
	c->direct_micro = !nano;
	c->direct_swapped = swapped;
}

struct sf_capture *sf_capture_open_file(const char *path, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct sf_capture *c = sf_calloc_lines(sizeof *c);
	if (!c) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	/*
	 * Open the stream ourselves so it reads in 128 KiB chunks: libpcap reads
	 * each record with two small freads, and glibc's default 4 KiB buffer
	 * would make that a read(2) every few dozen packets. Much larger is
	 * slower again: the kernel's copy into a buffer that no longer fits the
	 * L2 cache misses (bench-floor-like loop on the 10M-packet benchmark:
	 * 4 KiB 0.67 s, 64-128 KiB 0.46-0.52 s, 1 MiB 0.79-0.84 s).
	 */
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *fp = is_stdin ? stdin : fopen(path, "rb");
	if (!fp) {
		set_err(err, errlen, strerror(errno));
		free(c);
		return NULL;
	}
	c->iobuf = malloc(SF_CAPTURE_READ_BUFFER);
	c->iobuf_is_stdin = is_stdin;
	if (c->iobuf)
		setvbuf(fp, c->iobuf, _IOFBF, SF_CAPTURE_READ_BUFFER);
	/*
	 * One thread at a time reads the stream (the reader thread, or this one
	 * without it), so glibc need not lock it around each of libpcap's two
	 * freads per record: it does once a second thread exists.
	 */
	__fsetlocking(fp, FSETLOCKING_BYCALLER);
	c->p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!c->p) {
		set_err(err, errlen, ebuf);
		if (!is_stdin) {
			fclose(fp);
			free(c->iobuf);
		}
		free(c);
		return NULL;
	}
	c->nano = pcap_get_tstamp_precision(c->p) == PCAP_TSTAMP_PRECISION_NANO;
	c->dlt = pcap_datalink(c->p);
	c->sel_fd = -1;
	open_direct(c, fp);
	return c;
}

struct sf_capture *sf_capture_open_live(const char *iface, const struct sf_capture_live_opts *lo,
					char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct sf_capture *c = sf_calloc_lines(sizeof *c);
	if (!c) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	c->live = true;
	c->p = pcap_create(iface, ebuf);
	if (!c->p) {
		set_err(err, errlen, ebuf);
		free(c);
		return NULL;
	}
	pcap_set_snaplen(c->p, lo->snaplen > 0 ? lo->snaplen : SF_CAPTURE_DEFAULT_SNAPLEN);
	pcap_set_promisc(c->p, 1);
	pcap_set_timeout(c->p, SF_CAPTURE_POLL_MS);
	pcap_set_buffer_size(c->p, (lo->buffer_kib > 0 ? lo->buffer_kib : SF_CAPTURE_DEFAULT_BUFFER_KIB) * 1024);
	if (lo->immediate)
		pcap_set_immediate_mode(c->p, 1);
	pcap_set_tstamp_precision(c->p, PCAP_TSTAMP_PRECISION_NANO);
	int rc = pcap_activate(c->p);
	if (rc < 0) {
		const char *why = pcap_geterr(c->p);
		switch (rc) {
		case PCAP_ERROR_PERM_DENIED:
		case PCAP_ERROR_PROMISC_PERM_DENIED:
			snprintf(err, errlen,
				 "%s: permission denied: capturing needs root or CAP_NET_RAW (run with sudo, or "
				 "sudo setcap cap_net_raw,cap_net_admin=eip $(command -v synfin))",
				 iface);
			break;
		case PCAP_ERROR_NO_SUCH_DEVICE:
			snprintf(err, errlen, "%s: no such interface (synfin -D lists them)", iface);
			break;
		case PCAP_ERROR_IFACE_NOT_UP:
			snprintf(err, errlen, "%s: interface is down (bring it up: ip link set %s up)", iface,
				 iface);
			break;
		default:
			snprintf(err, errlen, "%s: %s", iface, why && *why ? why : pcap_statustostr(rc));
			break;
		}
		pcap_close(c->p);
		free(c);
		return NULL;
	}
	if (rc > 0) {
		/* a warning (e.g. promiscuous mode not supported): capture goes on */
		const char *why = pcap_geterr(c->p);
		snprintf(c->warning, sizeof c->warning, "%s: %s", iface,
			 rc == PCAP_WARNING && why && *why ? why : pcap_statustostr(rc));
	}
	c->nano = pcap_get_tstamp_precision(c->p) == PCAP_TSTAMP_PRECISION_NANO;
	c->dlt = pcap_datalink(c->p);
	c->sel_fd = pcap_get_selectable_fd(c->p);
	if (c->sel_fd >= 0 && pcap_setnonblock(c->p, 1, ebuf) < 0)
		c->sel_fd = -1; /* fall back to blocking reads bounded by the pcap timeout */
	return c;
}

const char *sf_capture_warning(const struct sf_capture *c)
{
	return c->warning[0] ? c->warning : NULL;
}

int sf_capture_set_filter(struct sf_capture *c, const char *filter, char *err, size_t errlen)
{
	if (!filter)
		return 0;
	if (pcap_compile(c->p, &c->prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "bad filter expression: %s", pcap_geterr(c->p));
		return -1;
	}
	c->have_filter = true;
	if (c->live && pcap_setfilter(c->p, &c->prog) < 0) {
		snprintf(err, errlen, "cannot set filter: %s", pcap_geterr(c->p));
		return -1;
	}
	return 0;
}

/* Live, non-blocking: wait up to SF_CAPTURE_POLL_MS for the descriptor. 1 readable, 0 timeout, -1 error. */
static int wait_readable(struct sf_capture *c, char *err, size_t errlen)
{
	struct pollfd pfd = {.fd = c->sel_fd, .events = POLLIN};
	int n = poll(&pfd, 1, SF_CAPTURE_POLL_MS);
	if (n < 0)
		return errno == EINTR ? 0 : (set_err(err, errlen, strerror(errno)), -1);
	if (n == 0)
		return 0;
	if (pfd.revents & POLLNVAL) {
		set_err(err, errlen, "capture descriptor closed");
		return -1;
	}
	return 1;
}

/* libpcap's read failed with rc: the message in err, and whether the file was cut short. */
static enum sf_next read_failed(struct sf_capture *c, int rc, char *err, size_t errlen)
{
	const char *msg = pcap_geterr(c->p);
	set_err(err, errlen, msg && *msg ? msg : pcap_statustostr(rc));
	if (!c->live && msg && strstr(msg, "truncated"))
		return SF_NEXT_TRUNCATED;
	return SF_NEXT_ERROR;
}

/* Number the frame libpcap read, save it with -w, and describe it in f: SF_NEXT_FRAME or SF_NEXT_FILTERED. */
static enum sf_next take_frame(struct sf_capture *c, const struct pcap_pkthdr *h, const u_char *data,
			       struct sf_frame *f)
{
	c->frames++;
	if (c->dumper)
		pcap_dump((u_char *)c->dumper, h, data);
	f->data = data;
	f->caplen = h->caplen;
	f->wirelen = h->len;
	f->ts.sec = (int64_t)h->ts.tv_sec;
	long frac = (long)h->ts.tv_usec;
	if (!c->nano)
		frac *= 1000;
	if (frac < 0 || frac >= 1000000000L)
		frac = 0;
	f->ts.nsec = (uint32_t)frac;
	f->number = c->frames;
	f->dlt = c->dlt;
	if (c->have_filter && !c->live && !pcap_offline_filter(&c->prog, h, data))
		return SF_NEXT_FILTERED;
	return SF_NEXT_FRAME;
}

/*
 * From here on libpcap reads the file, starting with the first record
 * savefile.c did not hand out. False (message in err) if it cannot.
 */
static bool hand_over(struct sf_capture *c, char *err, size_t errlen)
{
	int rc = sf_savefile_handover(c->direct);
	c->direct = NULL;
	if (rc < 0)
		set_err(err, errlen, "error reading dump file: cannot seek back to the record");
	return rc == 0;
}

enum sf_next sf_capture_next(struct sf_capture *c, struct sf_frame *f, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;

	if (c->live && c->stop)
		return SF_NEXT_END;
	if (c->direct && !hand_over(c, err, errlen))
		return SF_NEXT_ERROR; /* frame by frame is libpcap's: the tests compare the two readers */
	int rc = pcap_next_ex(c->p, &h, &data);
	if (rc == 0 && c->live) {
		/* nothing queued: a quiet moment to push saved frames to disk */
		if (c->dumper)
			pcap_dump_flush(c->dumper);
		if (c->sel_fd >= 0) {
			int w = wait_readable(c, err, errlen);
			if (w < 0)
				return SF_NEXT_ERROR;
			if (c->stop)
				return SF_NEXT_END;
			/*
			 * Readable but no frame (a socket error libpcap handled,
			 * such as the interface going down): report a timeout too.
			 */
			if (w > 0)
				rc = pcap_next_ex(c->p, &h, &data);
		}
	}
	switch (rc) {
	case 1:
		break;
	case 0:
		return SF_NEXT_TIMEOUT;
	case PCAP_ERROR_BREAK:
		return SF_NEXT_END;
	default:
		return read_failed(c, rc, err, errlen);
	}
	return take_frame(c, h, data, f);
}

struct dispatch {
	struct sf_capture *c;
	sf_capture_frame_fn fn;
	void *user;
};

static void dispatch_one(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct dispatch *d = (struct dispatch *)user;
	struct sf_frame f;
	enum sf_next nx = take_frame(d->c, h, data, &f);
	d->fn(d->user, &f, nx == SF_NEXT_FILTERED);
}

enum sf_next sf_capture_dispatch(struct sf_capture *c, unsigned max, sf_capture_frame_fn fn, void *user, char *err,
				 size_t errlen)
{
	struct dispatch d = {.c = c, .fn = fn, .user = user};

	if (c->live) {
		/* live, pcap_dispatch returns 0 on a timeout too, not only at the end */
		set_err(err, errlen, "internal error: sf_capture_dispatch reads files only");
		return SF_NEXT_ERROR;
	}
	if (max == 0)
		return SF_NEXT_FRAME; /* pcap_dispatch would read every frame */
	while (c->direct && max > 0) {
		struct sf_savefile_rec rec;
		switch (sf_savefile_next(c->direct, &rec)) {
		case SF_SAVEFILE_RECORD: {
			/*
			 * The header libpcap 1.10 builds: the time stamp's two
			 * words are signed in a file of this host's byte order
			 * and unsigned in one of the other (its byte swap yields
			 * an unsigned value); microseconds are scaled to
			 * nanoseconds. test_capture compares the two readers on
			 * crafted files, so another libpcap that reads them
			 * otherwise fails the suite rather than the output.
			 */
			struct pcap_pkthdr h = {.caplen = rec.caplen, .len = rec.len};
			h.ts.tv_sec = c->direct_swapped ? (time_t)rec.sec : (time_t)(int32_t)rec.sec;
			h.ts.tv_usec = c->direct_swapped ? (suseconds_t)rec.frac : (suseconds_t)(int32_t)rec.frac;
			if (c->direct_micro)
				h.ts.tv_usec *= 1000;
			dispatch_one((u_char *)&d, &h, rec.data);
			if (--max == 0)
				return SF_NEXT_FRAME;
			break;
		}
		case SF_SAVEFILE_END:
			return SF_NEXT_END;
		case SF_SAVEFILE_HANDOVER:
			if (!hand_over(c, err, errlen))
				return SF_NEXT_ERROR;
			break;
		}
	}
	int rc = pcap_dispatch(c->p, max > INT_MAX ? INT_MAX : (int)max, dispatch_one, (u_char *)&d);

	if (rc > 0)
		return SF_NEXT_FRAME;
	if (rc == 0 || rc == PCAP_ERROR_BREAK)
		return SF_NEXT_END;
	return read_failed(c, rc, err, errlen);
}

int sf_capture_dlt(const struct sf_capture *c)
{
	return c->dlt;
}

const char *sf_capture_linktype_name(const struct sf_capture *c)
{
	const char *n = pcap_datalink_val_to_name(c->dlt);
	return n ? n : "unknown";
}

void sf_capture_describe(const struct sf_capture *c, char *buf, size_t len)
{
	const char *desc = pcap_datalink_val_to_description(c->dlt);
	snprintf(buf, len, "link-type %s (%s), snapshot length %d bytes", sf_capture_linktype_name(c),
		 desc ? desc : "unknown", pcap_snapshot(c->p));
}

bool sf_capture_stats(struct sf_capture *c, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop)
{
	struct pcap_stat st;
	if (!c->live || pcap_stats(c->p, &st) < 0)
		return false;
	*recv = st.ps_recv;
	*drop = st.ps_drop;
	*ifdrop = st.ps_ifdrop;
	return true;
}

int sf_capture_dump_open(struct sf_capture *c, const char *path, char *err, size_t errlen)
{
	c->dumper = pcap_dump_open(c->p, path);
	if (!c->dumper) {
		snprintf(err, errlen, "%s", pcap_geterr(c->p));
		return -1;
	}
	return 0;
}

void sf_capture_break(struct sf_capture *c)
{
	if (!c)
		return;
	c->stop = 1;
	if (c->p)
		pcap_breakloop(c->p);
}

int sf_capture_list_interfaces(FILE *out, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_if_t *all = NULL;
	if (pcap_findalldevs(&all, ebuf) < 0) {
		set_err(err, errlen, ebuf);
		return -1;
	}
	/* the same lines as tcpdump -D: "1.eth0 [Up, Running, Connected]" */
	int i = 1;
	for (pcap_if_t *d = all; d; d = d->next, i++) {
		char name[256], desc[256];
		fprintf(out, "%d.%s", i, sf_escape(d->name, name, sizeof name));
		if (d->description)
			fprintf(out, " (%s)", sf_escape(d->description, desc, sizeof desc));
		if (d->flags != 0) {
			static const struct {
				bpf_u_int32 bit;
				const char *name;
			} bits[] = {{PCAP_IF_UP, "Up"},
				    {PCAP_IF_RUNNING, "Running"},
				    {PCAP_IF_LOOPBACK, "Loopback"},
				    {PCAP_IF_WIRELESS, "Wireless"}};
			const char *sep = "";
			fputs(" [", out);
			for (size_t k = 0; k < sizeof bits / sizeof bits[0]; k++)
				if (d->flags & bits[k].bit) {
					fprintf(out, "%s%s", sep, bits[k].name);
					sep = ", ";
				}
			if (!*sep)
				fputs("none", out);
			bool wireless = d->flags & PCAP_IF_WIRELESS;
			switch (d->flags & PCAP_IF_CONNECTION_STATUS) {
			case PCAP_IF_CONNECTION_STATUS_UNKNOWN:
				fputs(wireless ? ", Association status unknown" : ", Connection status unknown", out);
				break;
			case PCAP_IF_CONNECTION_STATUS_CONNECTED:
				fputs(wireless ? ", Associated" : ", Connected", out);
				break;
			case PCAP_IF_CONNECTION_STATUS_DISCONNECTED:
				fputs(wireless ? ", Not associated" : ", Disconnected", out);
				break;
			default: /* not applicable */
				break;
			}
			fputc(']', out);
		}
		fputc('\n', out);
	}
	pcap_freealldevs(all);
	return 0;
}

void sf_capture_close(struct sf_capture *c)
{
	if (!c)
		return;
	if (c->dumper) {
		pcap_dump_flush(c->dumper);
		pcap_dump_close(c->dumper);
	}
	sf_savefile_free(c->direct);
	if (c->have_filter)
		pcap_freecode(&c->prog);
	if (c->p)
		pcap_close(c->p);
	/* stdin keeps its buffer for the life of the process (libpcap leaves stdin open) */
	if (!c->iobuf_is_stdin)
		free(c->iobuf);
	free(c);
}
