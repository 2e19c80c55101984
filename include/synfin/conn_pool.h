/* conn_pool.h - connections recycled to the thread that allocates them. */
#ifndef SYNFIN_CONN_POOL_H
#define SYNFIN_CONN_POOL_H

struct sf_conn;

/*
 * The flow table allocates connections on the tracking thread, and they are
 * freed where they are reported, mostly on the reading thread. Through
 * malloc, each such free() took the allocating arena's lock from the other
 * thread, and the two threads met on it (strace counted 15,792 futex calls
 * in a 10M-packet jsonl run, 3,301 with the pool). The pool keeps freed
 * connections instead: any thread pushes one onto a lock-free stack, and the
 * owner takes the whole stack (one atomic exchange) when its own list runs
 * out.
 */
struct sf_conn_pool;

/* NULL when out of memory. */
struct sf_conn_pool *sf_conn_pool_new(void);
/* Owner's thread only: room for one connection, not initialised; NULL when out of memory. */
struct sf_conn *sf_conn_pool_get(struct sf_conn_pool *pool);
/* Any thread: c (from sf_conn_pool_get) is free; sf_conn_free calls this when c->pool is set. */
void sf_conn_pool_put(struct sf_conn_pool *pool, struct sf_conn *c);
/* Owner's thread, once every connection it handed out was put back: free them and the pool. */
void sf_conn_pool_free(struct sf_conn_pool *pool);

#endif
