/* msg.c - one-line messages on stderr. */
#include <stdarg.h>
#include <stdio.h>

#include "synfin/msg.h"

static void vmsg(const char *prefix, const char *fmt, va_list ap) SF_PRINTF(2, 0);

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	char line[1024];
	vsnprintf(line, sizeof line, fmt, ap);
	fprintf(stderr, "synfin: %s%s\n", prefix, line);
	fflush(stderr);
}

void sf_errorf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void sf_warnf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

const char *sf_escape(const char *s, char *buf, unsigned long len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned long o = 0;
	if (len == 0)
		return buf;
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		char tmp[4];
		unsigned long n;
		if (ch == '\\') {
			tmp[0] = '\\';
			tmp[1] = '\\';
			n = 2;
		} else if (ch >= 0x20 && ch < 0x7f) {
			tmp[0] = (char)ch;
			n = 1;
		} else {
			tmp[0] = '\\';
			tmp[1] = 'x';
			tmp[2] = hex[ch >> 4];
			tmp[3] = hex[ch & 15];
			n = 4;
		}
		if (o + n >= len)
			break;
		for (unsigned long i = 0; i < n; i++)
			buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}
