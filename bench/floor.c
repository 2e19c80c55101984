/*
 * floor.c - bench-floor: the fastest any libpcap-based reader can go.
 *
 * Opens a capture with pcap_open_offline() and walks every record with
 * pcap_next_ex(), counting packets and summing caplen and wire length, and
 * prints the totals so the loop cannot be optimised away.  synfin's figures in
 * bench/run.sh are reported as a ratio to this one.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

int main(int argc, char **argv)
{
	if (argc != 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc == 2 ? stdout : stderr, "usage: bench-floor FILE   (pcap or pcapng, \"-\" = stdin)\n");
		return argc == 2 ? 0 : 2;
	}
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(argv[1], err);
	if (!p) {
		fprintf(stderr, "bench-floor: %s\n", err);
		return 2;
	}
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t packets = 0, caplen = 0, wirelen = 0;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		packets++;
		caplen += h->caplen;
		wirelen += h->len;
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "bench-floor: %s: %s\n", argv[1], pcap_geterr(p));
		pcap_close(p);
		return 2;
	}
	pcap_close(p);
	printf("packets %" PRIu64 " caplen %" PRIu64 " wirelen %" PRIu64 "\n", packets, caplen, wirelen);
	return 0;
}
