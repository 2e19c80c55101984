/*
 * test_savefile.c - the direct record reader: records in place, both byte
 * orders, chunk boundaries, and a hand-over to libpcap at the exact start of
 * the first record that is not plain.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "pcap_writer.h"
#include "synfin/savefile.h"

/* Open w's file as libpcap leaves it: positioned after the file header. */
static FILE *after_header(struct pw *w)
{
	FILE *fp = fopen(w->path, "rb");
	cr_assert_not_null(fp);
	cr_assert_eq(fseek(fp, 24, SEEK_SET), 0);
	return fp;
}

static void expect_record(struct sf_savefile *s, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len, uint8_t seed)
{
	struct sf_savefile_rec rec;
	cr_assert_eq(sf_savefile_next(s, &rec), SF_SAVEFILE_RECORD);
	cr_assert_eq(rec.sec, sec);
	cr_assert_eq(rec.frac, frac);
	cr_assert_eq(rec.caplen, caplen);
	cr_assert_eq(rec.len, len);
	for (uint32_t i = 0; i < caplen; i++)
		cr_assert_eq(rec.data[i], (uint8_t)(seed + i), "byte %u", i);
}

Test(savefile, reads_records_in_both_byte_orders)
{
	for (int swapped = 0; swapped < 2; swapped++) {
		struct pw w;
		cr_assert(pw_open(&w, swapped, false, 192, 1));
		pw_frame(&w, 1700000000, 999999, 60, 60, 1);
		pw_frame(&w, 0xffffffffu, 0x80000000u, 0, 1514, 0); /* a negative second, an odd fraction */
		pw_frame(&w, 7, 8, 192, 9000, 3);
		pw_close(&w);

		FILE *fp = after_header(&w);
		bool sw = !swapped, nano = true;
		struct sf_savefile *s = sf_savefile_open(fp, 192, &sw, &nano);
		cr_assert_not_null(s);
		cr_assert_eq(sw, (bool)swapped);
		cr_assert_not(nano);
		expect_record(s, 1700000000, 999999, 60, 60, 1);
		expect_record(s, 0xffffffffu, 0x80000000u, 0, 1514, 0);
		expect_record(s, 7, 8, 192, 9000, 3);
		struct sf_savefile_rec rec;
		cr_assert_eq(sf_savefile_next(s, &rec), SF_SAVEFILE_END);
		cr_assert_eq(sf_savefile_next(s, &rec), SF_SAVEFILE_END, "the end stays the end");
		sf_savefile_free(s);
		fclose(fp);
		pw_remove(&w);
	}
}

Test(savefile, nanosecond_magic)
{
	struct pw w;
	cr_assert(pw_open(&w, true, true, 65535, 1));
	pw_frame(&w, 1, 123456789, 10, 10, 9);
	pw_close(&w);
	FILE *fp = after_header(&w);
	bool sw, nano;
	struct sf_savefile *s = sf_savefile_open(fp, 65535, &sw, &nano);
	cr_assert_not_null(s);
	cr_assert(sw);
	cr_assert(nano);
	expect_record(s, 1, 123456789, 10, 10, 9);
	sf_savefile_free(s);
	fclose(fp);
	pw_remove(&w);
}

Test(savefile, records_across_chunk_boundaries)
{
	/* 5000 records of 16 + 61..124 bytes: some 470 KiB, so records straddle the chunks */
	struct pw w;
	cr_assert(pw_open(&w, false, false, 192, 1));
	for (uint32_t i = 0; i < 5000; i++)
		pw_frame(&w, i, i, 61 + i % 64, 1500, (uint8_t)i);
	pw_close(&w);
	FILE *fp = after_header(&w);
	bool sw, nano;
	struct sf_savefile *s = sf_savefile_open(fp, 192, &sw, &nano);
	cr_assert_not_null(s);
	for (uint32_t i = 0; i < 5000; i++)
		expect_record(s, i, i, 61 + i % 64, 1500, (uint8_t)i);
	struct sf_savefile_rec rec;
	cr_assert_eq(sf_savefile_next(s, &rec), SF_SAVEFILE_END);
	sf_savefile_free(s);
	fclose(fp);
	pw_remove(&w);
}

/* Records, then one that is not plain: the hand-over leaves fp at that record's first byte. */
static void hands_over_at_record(void (*bad)(struct pw *w), uint32_t snapshot, int good)
{
	struct pw w;
	cr_assert(pw_open(&w, false, false, snapshot, 1));
	long off = 24;
	for (int i = 0; i < good; i++) {
		pw_frame(&w, 1, (uint32_t)i, 100, 100, (uint8_t)i);
		off += 16 + 100;
	}
	bad(&w);
	pw_close(&w);

	FILE *fp = after_header(&w);
	bool sw, nano;
	struct sf_savefile *s = sf_savefile_open(fp, snapshot, &sw, &nano);
	cr_assert_not_null(s);
	for (int i = 0; i < good; i++)
		expect_record(s, 1, (uint32_t)i, 100, 100, (uint8_t)i);
	struct sf_savefile_rec rec;
	cr_assert_eq(sf_savefile_next(s, &rec), SF_SAVEFILE_HANDOVER);
	cr_assert_eq(sf_savefile_handover(s), 0);
	cr_assert_eq(ftell(fp), off, "fp at %ld, the record starts at %ld", ftell(fp), off);
	fclose(fp);
	pw_remove(&w);
}

static void longer_than_snapshot(struct pw *w)
{
	pw_frame(w, 2, 0, 300, 300, 0);
	pw_frame(w, 3, 0, 10, 10, 0);
}

static void header_cut_short(struct pw *w)
{
	pw_bytes(w, "\x01\x02\x03\x04\x05", 5);
}

static void data_cut_short(struct pw *w)
{
	pw_record(w, 2, 0, 100, 100, 40, 0);
}

static void bigger_than_a_chunk(struct pw *w)
{
	pw_frame(w, 2, 0, SF_SAVEFILE_CHUNK, SF_SAVEFILE_CHUNK, 0);
}

Test(savefile, hands_over_a_record_longer_than_the_snapshot)
{
	hands_over_at_record(longer_than_snapshot, 192, 3);
}

Test(savefile, hands_over_a_header_cut_short)
{
	hands_over_at_record(header_cut_short, 192, 2);
}

Test(savefile, hands_over_data_cut_short)
{
	hands_over_at_record(data_cut_short, 192, 2);
	/* the same past the first chunk */
	hands_over_at_record(data_cut_short, 192, 3000);
}

Test(savefile, hands_over_a_record_bigger_than_its_buffer)
{
	hands_over_at_record(bigger_than_a_chunk, 262144, 1);
}

Test(savefile, refuses_what_it_cannot_read)
{
	/* pcapng, and a pcap header behind a pipe (no hand-over possible) */
	FILE *fp = tmpfile();
	cr_assert_not_null(fp);
	static const uint8_t shb[28] = {0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a};
	fwrite(shb, 1, sizeof shb, fp);
	fseek(fp, 24, SEEK_SET);
	bool sw, nano;
	cr_assert_null(sf_savefile_open(fp, 192, &sw, &nano));
	cr_assert_eq(ftell(fp), 24, "left where it was");
	fclose(fp);

	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	struct pw w = {.f = fdopen(fds[1], "wb")};
	pw_u32(&w, 0xa1b2c3d4u);
	fwrite("\x02\x00\x04\x00", 1, 4, w.f);
	fwrite(shb, 1, 16, w.f);
	pw_close(&w);
	FILE *rp = fdopen(fds[0], "rb");
	uint8_t skip[24];
	cr_assert_eq(fread(skip, 1, 24, rp), 24);
	cr_assert_null(sf_savefile_open(rp, 192, &sw, &nano));
	fclose(rp);
}
