/* test_pipeline.c - frames through decode -> flow -> report, counted and numbered. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

#include "synfin/pipeline.h"

/* Ethernet + IPv4 + 20-byte TCP header, checksum fields left zero (synfin never checks them). */
static size_t frame(uint8_t *b, bool from_client, uint8_t flags, uint32_t seq, uint32_t ack)
{
	static const uint8_t cli[4] = {198, 18, 0, 1}, srv[4] = {198, 18, 0, 2};
	memset(b, 0, 54);
	b[12] = 0x08;
	uint8_t *ip = b + 14;
	ip[0] = 0x45;
	ip[3] = 40;
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, from_client ? cli : srv, 4);
	memcpy(ip + 16, from_client ? srv : cli, 4);
	uint8_t *t = ip + 20;
	uint16_t sp = from_client ? 40000 : 80, dp = from_client ? 80 : 40000;
	t[0] = (uint8_t)(sp >> 8);
	t[1] = (uint8_t)sp;
	t[2] = (uint8_t)(dp >> 8);
	t[3] = (uint8_t)dp;
	for (int i = 0; i < 4; i++) {
		t[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
		t[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
	}
	t[12] = 0x50;
	t[13] = flags;
	t[14] = 0xff;
	return 54;
}

/* A pipeline reporting in fmt to out, with small fixed flow-table settings. */
static struct sf_pipeline *test_pipeline(enum sf_format fmt, FILE *out)
{
	struct sf_pipeline_opts o = {
		.report = {.format = fmt, .out = out},
		.flow = {.idle_timeout = 300, .settle_time = 5, .max_flows = 100, .seed = 7},
	};
	struct sf_pipeline *pl = sf_pipeline_new(&o);
	cr_assert_not_null(pl);
	return pl;
}

Test(pipeline, frames_are_numbered_counted_and_reported)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct sf_pipeline *pl = test_pipeline(SF_FMT_JSON, out);
	struct sf_input_info *in = sf_pipeline_input(pl);
	in->source = "file";
	in->name = "mem";
	in->linktype = "EN10MB";

	uint8_t b[64];
	struct sf_frame f = {.data = b, .dlt = DLT_EN10MB};
	struct {
		bool cli;
		uint8_t flags;
		uint32_t seq, ack;
	} segs[] = {{true, 0x02, 100, 0}, {false, 0x12, 900, 101}, {true, 0x10, 101, 901}};
	uint64_t n = 0;
	for (size_t i = 0; i < 3; i++) {
		f.caplen = f.wirelen = (uint32_t)frame(b, segs[i].cli, segs[i].flags, segs[i].seq, segs[i].ack);
		f.number = ++n;
		f.ts.sec = 1000;
		sf_pipeline_frame(pl, &f, false);
		if (i == 0) {
			/* a frame the filter rejected still takes a number */
			f.number = ++n;
			sf_pipeline_frame(pl, &f, true);
		}
	}
	uint8_t arp[60] = {[12] = 0x08, [13] = 0x06};
	f.data = arp;
	f.caplen = f.wirelen = sizeof arp;
	f.number = ++n;
	sf_pipeline_frame(pl, &f, false);

	cr_assert_eq(sf_pipeline_end(pl), 0);
	fclose(out);
	json_error_t err;
	json_t *doc = json_loadb(buf, len, 0, &err);
	cr_assert_not_null(doc, "bad JSON: %s", err.text);
	json_t *input = json_object_get(doc, "input");
	cr_assert_eq(json_integer_value(json_object_get(input, "packets")), 5);
	cr_assert_eq(json_integer_value(json_object_get(input, "tcp_packets")), 3);
	cr_assert_eq(json_integer_value(json_object_get(input, "filtered")), 1);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(input, "skipped"), "not_ip")), 1);
	json_t *c0 = json_array_get(json_object_get(doc, "connections"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(c0, "handshake"), "outcome")), "complete");
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(json_object_get(c0, "handshake"), "ack"), "frame")), 4);
	json_decref(doc);
	sf_pipeline_free(pl);
	free(buf);
}

/* Finished connections collected by a handoff, to be reported later (as the reader thread does). */
struct handed {
	struct sf_conn *c[8];
	size_t n;
};

static void collect(void *ctx, struct sf_conn *c)
{
	struct handed *h = ctx;
	cr_assert_lt(h->n, 8);
	h->c[h->n++] = c;
}

Test(pipeline, a_handoff_takes_finished_connections_instead_of_the_report)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct sf_pipeline *pl = test_pipeline(SF_FMT_JSONL, out);
	struct handed h = {0};
	sf_pipeline_set_handoff(pl, collect, &h);

	uint8_t b[64];
	struct sf_frame f = {.data = b, .dlt = DLT_EN10MB};
	/* a SYN answered by a RST, then the same ports again 100 s later (past the settle time) */
	static const struct {
		bool cli;
		uint8_t flags;
		uint32_t seq, ack;
		int64_t sec;
	} segs[] = {{true, 0x02, 100, 0, 1000}, {false, 0x14, 0, 101, 1000}, {true, 0x02, 5000, 0, 1100}};
	for (size_t i = 0; i < 3; i++) {
		f.caplen = f.wirelen = (uint32_t)frame(b, segs[i].cli, segs[i].flags, segs[i].seq, segs[i].ack);
		f.number = i + 1;
		f.ts.sec = segs[i].sec;
		sf_pipeline_frame(pl, &f, false);
	}
	cr_assert_eq(h.n, 1, "the refused connection was handed off");
	cr_assert_eq(h.c[0]->id, 0);
	fflush(out);
	cr_assert_eq(len, 0, "nothing reached the report");

	/* the other side reports it; then the handoff ends and the rest is reported here */
	sf_pipeline_deliver(pl, h.c[0]);
	sf_pipeline_set_handoff(pl, NULL, NULL);
	cr_assert_eq(sf_pipeline_end(pl), 0);
	fclose(out);
	cr_assert_eq(h.n, 1);
	char *second = strchr(buf, '\n');
	cr_assert_not_null(second);
	cr_assert_not_null(strstr(buf, "\"id\":0"), "%s", buf);
	cr_assert_not_null(strstr(second, "\"id\":1"), "%s", buf);
	sf_pipeline_free(pl);
	free(buf);
}
