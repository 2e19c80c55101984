/* msg.h - errors and warnings on stderr, one line each, and exit codes. */
#ifndef SYNFIN_MSG_H
#define SYNFIN_MSG_H

enum sf_exit {
	SF_EXIT_OK = 0,      /* analysis done (and --check passed) */
	SF_EXIT_CHECK = 1,   /* --check found a failing connection */
	SF_EXIT_ERROR = 2,   /* usage error, unreadable/invalid input, bad filter, not permitted */
};

#if defined(__GNUC__)
#define SF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SF_PRINTF(a, b)
#endif

/* "synfin: <message>" on stderr. */
void sf_errorf(const char *fmt, ...) SF_PRINTF(1, 2);
/* "synfin: warning: <message>" on stderr. */
void sf_warnf(const char *fmt, ...) SF_PRINTF(1, 2);
/*
 * Copy s into buf with every byte outside printable ASCII written as \xNN
 * (and backslash doubled), so names from the command line or the capture
 * cannot drive the terminal.
 */
const char *sf_escape(const char *s, char *buf, unsigned long len);

#endif
