/* alloc.h - zeroed memory on cache lines of its own, for objects written on every packet. */
#ifndef SYNFIN_ALLOC_H
#define SYNFIN_ALLOC_H

#include <stdlib.h>
#include <string.h>

#define SF_CACHE_LINE 64

/*
 * Files are read on one thread and tracked on another, each writing its own
 * objects on every packet (the capture and libpcap's buffers on one; the
 * pipeline, flow table and report on the other). Allocated side by side by
 * malloc, two of them can share a cache line, which then moves between the
 * cores on every packet. Objects written per packet are allocated here:
 * aligned to a line and rounded up to whole lines. Free them with free().
 */
static inline void *sf_calloc_lines(size_t size)
{
	size_t n = (size + SF_CACHE_LINE - 1) & ~(size_t)(SF_CACHE_LINE - 1);
	void *p = aligned_alloc(SF_CACHE_LINE, n ? n : SF_CACHE_LINE);
	if (p)
		memset(p, 0, n ? n : SF_CACHE_LINE);
	return p;
}

#endif
