/*
 * capture.c - the only code that talks to libpcap.
 *
 * Offline, the BPF filter is applied per frame with pcap_offline_filter()
 * instead of pcap_setfilter(), so that frame numbers count every frame of
 * the file, as Wireshark numbers them. Live, the filter runs in the kernel.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "synfin/capture.h"
#include "synfin/msg.h"

struct sf_capture {
	pcap_t *p;
	bool live;
	bool have_filter;
	struct bpf_program prog;
	uint64_t frames;
	int dlt;
	bool nano;
	pcap_dumper_t *dumper;
};

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (errlen)
		snprintf(err, errlen, "%s", msg);
}

struct sf_capture *sf_capture_open_file(const char *path, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct sf_capture *c = calloc(1, sizeof *c);
	if (!c) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	c->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!c->p) {
		set_err(err, errlen, ebuf);
		free(c);
		return NULL;
	}
	c->nano = pcap_get_tstamp_precision(c->p) == PCAP_TSTAMP_PRECISION_NANO;
	c->dlt = pcap_datalink(c->p);
	return c;
}

struct sf_capture *sf_capture_open_live(const char *iface, const struct sf_capture_live_opts *lo,
					char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct sf_capture *c = calloc(1, sizeof *c);
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
	pcap_set_timeout(c->p, 200);
	if (lo->buffer_kib > 0)
		pcap_set_buffer_size(c->p, lo->buffer_kib * 1024);
	if (lo->immediate)
		pcap_set_immediate_mode(c->p, 1);
	pcap_set_tstamp_precision(c->p, PCAP_TSTAMP_PRECISION_NANO);
	int rc = pcap_activate(c->p);
	if (rc < 0) {
		const char *why = pcap_geterr(c->p);
		switch (rc) {
		case PCAP_ERROR_PERM_DENIED:
			snprintf(err, errlen,
				 "%s: permission denied: capturing needs root or CAP_NET_RAW (e.g. sudo setcap "
				 "cap_net_raw,cap_net_admin=eip $(command -v synfin))",
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
	c->nano = pcap_get_tstamp_precision(c->p) == PCAP_TSTAMP_PRECISION_NANO;
	c->dlt = pcap_datalink(c->p);
	return c;
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

enum sf_next sf_capture_next(struct sf_capture *c, struct sf_frame *f, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(c->p, &h, &data);
	switch (rc) {
	case 1:
		break;
	case 0:
		return SF_NEXT_TIMEOUT;
	case PCAP_ERROR_BREAK:
		return SF_NEXT_END;
	default: {
		const char *msg = pcap_geterr(c->p);
		set_err(err, errlen, msg);
		if (!c->live && msg && strstr(msg, "truncated"))
			return SF_NEXT_TRUNCATED;
		return SF_NEXT_ERROR;
	}
	}
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

int sf_capture_dlt(const struct sf_capture *c)
{
	return c->dlt;
}

const char *sf_capture_linktype_name(const struct sf_capture *c)
{
	const char *n = pcap_datalink_val_to_name(c->dlt);
	return n ? n : "unknown";
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
	if (c && c->p)
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
	int i = 1;
	for (pcap_if_t *d = all; d; d = d->next, i++) {
		char name[256], desc[256];
		fprintf(out, "%d.%s", i, sf_escape(d->name, name, sizeof name));
		if (d->description)
			fprintf(out, " (%s)", sf_escape(d->description, desc, sizeof desc));
		fprintf(out, " [%s%s%s]\n", (d->flags & PCAP_IF_UP) ? "Up" : "Down",
			(d->flags & PCAP_IF_RUNNING) ? ", Running" : "",
			(d->flags & PCAP_IF_LOOPBACK) ? ", Loopback" : "");
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
	if (c->have_filter)
		pcap_freecode(&c->prog);
	if (c->p)
		pcap_close(c->p);
	free(c);
}
