/* test_cli.c - option parsing, validation and the BPF text. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <string.h>

#include "synfin/cli.h"

/* getopt wants writable strings: copy into per-test storage (each test is its own process). */
static char store[16][64];
static char *args[17];

static enum sf_cli_status parse(struct sf_options *o, int argc, const char **argv)
{
	for (int i = 0; i < argc && i < 16; i++) {
		snprintf(store[i], sizeof store[i], "%s", argv[i]);
		args[i] = store[i];
	}
	args[argc] = NULL;
	return sf_cli_parse(argc, args, o);
}

static void quiet(void)
{
	cr_redirect_stderr();
	cr_redirect_stdout();
}

Test(cli, read_file_with_trailing_filter_words)
{
	struct sf_options o;
	const char *argv[] = {"synfin", "-r", "x.pcap", "-F", "json", "tcp", "and", "port", "443", NULL};
	cr_assert_eq(parse(&o, 9, argv), SF_CLI_RUN);
	cr_assert_str_eq(o.read_file, "x.pcap");
	cr_assert_eq(o.format, SF_FMT_JSON);
	cr_assert_str_eq(o.filter, "tcp and port 443");
	sf_options_free(&o);
}

Test(cli, defaults)
{
	struct sf_options o;
	const char *argv[] = {"synfin", "-r", "-", NULL};
	cr_assert_eq(parse(&o, 3, argv), SF_CLI_RUN);
	cr_assert_eq(o.format, SF_FMT_TEXT);
	cr_assert_null(o.filter);
	cr_assert_eq(o.check, 0);
	cr_assert_gt(o.idle_timeout, 0);
	cr_assert_gt(o.max_flows, 0);
	sf_options_free(&o);
}

Test(cli, check_lists)
{
	unsigned m;
	cr_assert(sf_cli_parse_check(NULL, &m));
	cr_assert_eq(m, SF_CHECK_VIOLATIONS);
	cr_assert(sf_cli_parse_check("handshake,close", &m));
	cr_assert_eq(m, SF_CHECK_HANDSHAKE | SF_CHECK_CLOSE);
	cr_assert(sf_cli_parse_check("violations,handshake,close", &m));
	cr_assert_eq(m, 7);
	cr_assert_not(sf_cli_parse_check("handshake,", &m));
	cr_assert_not(sf_cli_parse_check("bogus", &m));
	cr_assert_not(sf_cli_parse_check("", &m));

	struct sf_options o;
	const char *argv[] = {"synfin", "-r", "x", "--check", NULL};
	cr_assert_eq(parse(&o, 4, argv), SF_CLI_RUN);
	cr_assert_eq(o.check, SF_CHECK_VIOLATIONS);
	sf_options_free(&o);
	const char *argv2[] = {"synfin", "-r", "x", "--check=close", NULL};
	cr_assert_eq(parse(&o, 4, argv2), SF_CLI_RUN);
	cr_assert_eq(o.check, SF_CHECK_CLOSE);
	sf_options_free(&o);
}

Test(cli, bad_values_are_errors, .init = quiet)
{
	struct sf_options o;
	const char *a1[] = {"synfin", "-r", "x", "-F", "xml", NULL};
	cr_assert_eq(parse(&o, 5, a1), SF_CLI_ERROR);
	const char *a2[] = {"synfin", "-r", "x", "-c", "0", NULL};
	cr_assert_eq(parse(&o, 5, a2), SF_CLI_ERROR);
	const char *a3[] = {"synfin", "-r", "x", "-c", "12abc", NULL};
	cr_assert_eq(parse(&o, 5, a3), SF_CLI_ERROR);
	const char *a4[] = {"synfin", "-r", "x", "--idle-timeout", "-5", NULL};
	cr_assert_eq(parse(&o, 5, a4), SF_CLI_ERROR);
	const char *a5[] = {"synfin", "-r", "x", "--bogus", NULL};
	cr_assert_eq(parse(&o, 4, a5), SF_CLI_ERROR);
	const char *a6[] = {"synfin", "-X", NULL};
	cr_assert_eq(parse(&o, 2, a6), SF_CLI_ERROR);
	const char *a7[] = {"synfin", NULL};
	cr_assert_eq(parse(&o, 1, a7), SF_CLI_ERROR);
	const char *a8[] = {"synfin", "-r", "x", "-i", "eth0", NULL};
	cr_assert_eq(parse(&o, 5, a8), SF_CLI_ERROR);
	const char *a9[] = {"synfin", "-r", NULL};
	cr_assert_eq(parse(&o, 2, a9), SF_CLI_ERROR);
	const char *a10[] = {"synfin", "-r", "x", "--check=bogus", NULL};
	cr_assert_eq(parse(&o, 4, a10), SF_CLI_ERROR);
	const char *a11[] = {"synfin", "-r", "x", "-w", "out.pcap", NULL};
	cr_assert_eq(parse(&o, 5, a11), SF_CLI_ERROR);
}

Test(cli, help_and_version_are_done, .init = quiet)
{
	struct sf_options o;
	const char *a1[] = {"synfin", "--version", NULL};
	cr_assert_eq(parse(&o, 2, a1), SF_CLI_DONE);
	const char *a2[] = {"synfin", "-h", NULL};
	cr_assert_eq(parse(&o, 2, a2), SF_CLI_DONE);
}

Test(cli, usage_names_every_long_option)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	sf_cli_usage(f);
	fclose(f);
	const char *opts[] = {"--read", "--interface", "--list-interfaces", "--format", "--output", "--count",
			      "--duration", "--check", "--quiet", "--verbose", "--color", "--idle-timeout",
			      "--settle", "--max-flows", "--snapshot-length", "--buffer-size", "--write",
			      "--relinquish-privileges", "--help", "--version"};
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		cr_assert_not_null(strstr(buf, opts[i]), "usage lacks %s", opts[i]);
	free(buf);
}
