/* conn_pool.c - connections recycled to the thread that allocates them (see conn_pool.h). */
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>

#include "synfin/alloc.h"
#include "synfin/conn.h"
#include "synfin/conn_pool.h"

/*
 * Under AddressSanitizer a connection in the pool is poisoned (all but
 * pool_next, the last field, which links the pool's lists), so a use after
 * sf_conn_free is still reported as with free().
 */
#if defined(__SANITIZE_ADDRESS__)
#define SF_POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SF_POOL_ASAN 1
#endif
#endif
#ifdef SF_POOL_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(c) ASAN_POISON_MEMORY_REGION((c), offsetof(struct sf_conn, pool_next))
#define UNPOISON(c) ASAN_UNPOISON_MEMORY_REGION((c), offsetof(struct sf_conn, pool_next))
#else
#define POISON(c) ((void)(c))
#define UNPOISON(c) ((void)(c))
#endif

struct sf_conn_pool {
	struct sf_conn *local;                   /* the owner's list */
	alignas(SF_CACHE_LINE) _Atomic(struct sf_conn *) returned; /* pushed by any thread */
};

struct sf_conn_pool *sf_conn_pool_new(void)
{
	return sf_calloc_lines(sizeof(struct sf_conn_pool));
}

struct sf_conn *sf_conn_pool_get(struct sf_conn_pool *pool)
{
	if (!pool->local)
		pool->local = atomic_exchange_explicit(&pool->returned, NULL, memory_order_acquire);
	struct sf_conn *c = pool->local;
	if (!c)
		return malloc(sizeof *c);
	pool->local = c->pool_next;
	UNPOISON(c);
	return c;
}

void sf_conn_pool_put(struct sf_conn_pool *pool, struct sf_conn *c)
{
	POISON(c);
	struct sf_conn *head = atomic_load_explicit(&pool->returned, memory_order_relaxed);
	do {
		c->pool_next = head;
	} while (!atomic_compare_exchange_weak_explicit(&pool->returned, &head, c, memory_order_release,
							memory_order_relaxed));
}

static void free_list(struct sf_conn *c)
{
	while (c) {
		struct sf_conn *next = c->pool_next;
		UNPOISON(c);
		free(c);
		c = next;
	}
}

void sf_conn_pool_free(struct sf_conn_pool *pool)
{
	if (!pool)
		return;
	free_list(pool->local);
	free_list(atomic_exchange_explicit(&pool->returned, NULL, memory_order_acquire));
	free(pool);
}
