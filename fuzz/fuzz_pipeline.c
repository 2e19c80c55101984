/*
 * fuzz_pipeline.c - libFuzzer target: a whole pcap/pcapng file through
 * libpcap -> sf_pipeline (decode -> flow table -> tracker -> report).
 *
 * The input is the capture file itself. Its last two bytes (also part of
 * the file: libpcap sees every byte) pick the command-line options. Last byte:
 *   bits 0-1  format: 0 text, 1 json, 2 jsonl, 3 json
 *   bit  2    -v (text ladder)       bit 3  -q
 *   bit  4    colour                 bits 5-7  --check criteria
 * Byte before it (flow-table options, so that small inputs reach eviction
 * and expiry; values the CLI accepts, extremes included):
 *   bits 0-1  --max-flows      default (250000-ish), 1, 3, 0 (no limit)
 *   bits 2-3  --idle-timeout   default (300), 1, 1e-9, 1e300
 *   bits 4-5  --settle         default (5), 0, 0.5, 1e300
 *
 * The frame loop mirrors src/main.c capture_loop() and src/capture.c
 * sf_capture_next(): nanosecond precision requested, microsecond files
 * scaled, frames numbered from 1 before any filter, filtered = false (no
 * BPF filter), a truncated file or read error ends the loop with
 * in->truncated set as main.c does, an unsupported link type stops before
 * the pipeline (main.c exits 2 there). The flow table has a fixed hash
 * seed so that runs are reproducible.
 *
 * The report goes to a memory stream, then is checked:
 *   json   one valid JSON document (jansson rejects invalid UTF-8);
 *   jsonl  every line a valid JSON document;
 *   text   valid UTF-8 without control characters but newline (ESC only
 *          with colour on), so nothing from the capture can drive a terminal.
 * A broken property aborts, which libFuzzer reports as a crash.
 */
#include <jansson.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synfin/capture.h"
#include "synfin/cli.h"
#include "synfin/decode.h"
#include "synfin/flow.h"
#include "synfin/pipeline.h"
#include "synfin/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A file name that needs escaping in every output format. */
static const char hostile_name[] = "fz\x1b[31m\\\xff\xc3(\n.pcap";

static void fail(const char *what, const char *out, size_t len)
{
	fprintf(stderr, "fuzz_pipeline: property broken: %s\n--- report (%zu bytes) ---\n", what, len);
	fwrite(out, 1, len < 4096 ? len : 4096, stderr);
	fputc('\n', stderr);
	abort();
}

static void check_json(const char *out, size_t len)
{
	json_error_t e;
	json_t *j = json_loadb(out, len, 0, &e);
	if (!j)
		fail("json report is not one valid JSON document", out, len);
	json_decref(j);
}

static void check_jsonl(const char *out, size_t len)
{
	size_t lines = 0;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(out + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - out) : len;
		json_error_t e;
		json_t *j = json_loadb(out + i, end - i, 0, &e);
		if (!j)
			fail("jsonl line is not a valid JSON document", out + i, end - i);
		json_decref(j);
		lines++;
		i = end + 1;
	}
	if (lines == 0)
		fail("jsonl report is empty (no summary line)", out, len);
}

/* Length of the well-formed UTF-8 sequence at s (n > 0 bytes left), or 0 (RFC 3629). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t k;
	unsigned lo = 0x80, hi = 0xBF;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		k = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		k = 3;
		if (c == 0xE0)
			lo = 0xA0; /* no overlong forms */
		if (c == 0xED)
			hi = 0x9F; /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		k = 4;
		if (c == 0xF0)
			lo = 0x90;
		if (c == 0xF4)
			hi = 0x8F; /* <= U+10FFFF */
	} else
		return 0;
	if (n < k || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < k; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return k;
}

/*
 * Terminal safety: valid UTF-8, and no control character but newline (and
 * ESC when colour is on): no C0 control, DEL, or C1 control (U+0080-U+009F,
 * which some terminals obey as escape sequences). synfin's own text may use
 * non-ASCII characters (the violation rules cite "RFC 5961 §3").
 */
static void check_text(const char *out, size_t len, int color)
{
	const unsigned char *u = (const unsigned char *)out;
	for (size_t i = 0; i < len;) {
		size_t k = utf8_seq(u + i, len - i);
		if (k == 0)
			fail("text report is not valid UTF-8", out, len);
		if (k == 1) {
			unsigned char ch = u[i];
			if (!(ch == '\n' || (ch >= 0x20 && ch < 0x7f) || (ch == 0x1b && color)))
				fail("text report holds a control character", out, len);
		} else if (k == 2 && u[i] == 0xC2 && u[i + 1] < 0xA0) {
			fail("text report holds a C1 control character", out, len);
		}
		i += k;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	uint8_t sel = data[size - 1];
	uint8_t flow_sel = size >= 2 ? data[size - 2] : 0;
	static const size_t max_flows[] = {SF_FLOW_DEFAULT_MAX, 1, 3, 0};
	static const double idle[] = {SF_FLOW_DEFAULT_IDLE, 1, 1e-9, 1e300};
	static const double settle[] = {SF_FLOW_DEFAULT_SETTLE, 0, 0.5, 1e300};

	/* libpcap's fmemopen-backed reader: a private copy keeps the input const. */
	void *copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	FILE *in = fmemopen(copy, size, "rb");
	if (!in) {
		free(copy);
		return 0;
	}
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(in, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!p) {
		fclose(in); /* libpcap closes it only on success */
		free(copy);
		return 0;
	}
	int dlt = pcap_datalink(p);
	if (!sf_decode_linktype_supported(dlt)) {
		pcap_close(p);
		free(copy);
		return 0; /* main.c: "unsupported link type", exit 2 */
	}
	int nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;

	char *out = NULL;
	size_t out_len = 0;
	FILE *rep = open_memstream(&out, &out_len);
	if (!rep) {
		pcap_close(p);
		free(copy);
		return 0;
	}
	static const enum sf_format formats[] = {SF_FMT_TEXT, SF_FMT_JSON, SF_FMT_JSONL, SF_FMT_JSON};
	enum sf_format fmt = formats[sel & 3];
	int color = fmt == SF_FMT_TEXT && (sel & 0x10);
	struct sf_pipeline_opts po = {
		.report = {
			.format = fmt,
			.out = rep,
			.quiet = (sel & 0x08) != 0,
			.verbose = (sel & 0x04) != 0,
			.color = color,
		},
		.flow = {
			.idle_timeout = idle[flow_sel >> 2 & 3],
			.settle_time = settle[flow_sel >> 4 & 3],
			.max_flows = max_flows[flow_sel & 3],
			.seed = 0x5f1a5eed,
			.want_ladder = fmt == SF_FMT_TEXT && (sel & 0x04),
		},
		.check = (unsigned)(sel >> 5) & (SF_CHECK_VIOLATIONS | SF_CHECK_HANDSHAKE | SF_CHECK_CLOSE),
		/* main.c sends these to stderr; text keeps them in the checked stream */
		.check_out = rep,
	};
	/* A --check line is text: keep JSON reports pure by sending it to /dev/null. */
	FILE *devnull = NULL;
	if (po.check && fmt != SF_FMT_TEXT) {
		devnull = fopen("/dev/null", "w");
		po.check_out = devnull;
		if (!devnull)
			po.check = 0;
	}
	struct sf_pipeline *pl = sf_pipeline_new(&po);
	if (!pl) {
		fclose(rep);
		free(out);
		if (devnull)
			fclose(devnull);
		pcap_close(p);
		free(copy);
		return 0;
	}
	struct sf_input_info *info = sf_pipeline_input(pl);
	info->source = "file";
	info->name = hostile_name;
	const char *ln = pcap_datalink_val_to_name(dlt);
	info->linktype = ln ? ln : "unknown";

	/* main.c capture_loop() + capture.c sf_capture_next(), offline, no filter, no -c. */
	uint64_t number = 0;
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *bytes;
		int rc = pcap_next_ex(p, &h, &bytes);
		if (rc == PCAP_ERROR_BREAK)
			break; /* SF_NEXT_END */
		if (rc != 1) {
			/* SF_NEXT_TRUNCATED / SF_NEXT_ERROR: report what was read before it */
			const char *msg = pcap_geterr(p);
			info->truncated = msg && strstr(msg, "truncated");
			break;
		}
		struct sf_frame f;
		f.data = bytes;
		f.caplen = h->caplen;
		f.wirelen = h->len;
		f.ts.sec = (int64_t)h->ts.tv_sec;
		long frac = (long)h->ts.tv_usec;
		if (!nano)
			frac *= 1000;
		if (frac < 0 || frac >= 1000000000L)
			frac = 0;
		f.ts.nsec = (uint32_t)frac;
		f.number = ++number;
		f.dlt = dlt;
		sf_pipeline_frame(pl, &f, false);
	}

	int wrc = sf_pipeline_end(pl);
	sf_pipeline_free(pl);
	pcap_close(p);
	free(copy);
	if (devnull)
		fclose(devnull);
	fclose(rep);
	if (wrc != 0)
		fail("sf_pipeline_end reported a write error on a memory stream", out, out_len);

	switch (fmt) {
	case SF_FMT_JSON:
		check_json(out, out_len);
		break;
	case SF_FMT_JSONL:
		check_jsonl(out, out_len);
		break;
	case SF_FMT_TEXT:
		check_text(out, out_len, color);
		break;
	}
	free(out);
	return 0;
}
