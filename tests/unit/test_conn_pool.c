/* test_conn_pool.c - connections recycled to the allocating thread, from any thread. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "synfin/conn.h"
#include "synfin/conn_pool.h"
#include "synfin/flow.h"

#define N 1000

Test(conn_pool, a_freed_connection_is_handed_out_again)
{
	struct sf_conn_pool *pool = sf_conn_pool_new();
	cr_assert_not_null(pool);
	struct sf_conn *a = sf_conn_pool_get(pool), *b = sf_conn_pool_get(pool);
	cr_assert_not_null(a);
	cr_assert_not_null(b);
	cr_assert_neq(a, b);
	memset(a, 0, sizeof *a);
	memset(b, 0, sizeof *b);
	sf_conn_pool_put(pool, a);
	cr_assert_eq(sf_conn_pool_get(pool), a);
	sf_conn_pool_put(pool, a);
	sf_conn_pool_put(pool, b);
	sf_conn_pool_free(pool); /* frees a and b: ASan's and valgrind's leak checks see it */
}

Test(conn_pool, sf_conn_free_returns_a_pooled_connection_and_frees_its_arrays)
{
	struct sf_conn_pool *pool = sf_conn_pool_new();
	struct sf_conn *c = sf_conn_pool_get(pool);
	memset(c, 0, sizeof *c);
	c->pool = pool;
	c->violations = calloc(4, sizeof *c->violations);
	c->n_violations = 1;
	sf_conn_free(c);
	cr_assert_eq(sf_conn_pool_get(pool), c);
	sf_conn_pool_put(pool, c);
	sf_conn_pool_free(pool);
}

Test(conn_pool, a_connection_without_a_pool_goes_to_free)
{
	struct sf_conn *c = calloc(1, sizeof *c);
	cr_assert_not_null(c);
	sf_conn_free(c); /* a leak or a bad free here is reported by ASan and valgrind */
}

struct putter {
	struct sf_conn_pool *pool;
	struct sf_conn **c;
	size_t from, n;
};

static void *put_all(void *arg)
{
	struct putter *p = arg;
	for (size_t i = p->from; i < p->from + p->n; i++)
		sf_conn_pool_put(p->pool, p->c[i]);
	return NULL;
}

static int by_address(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (struct sf_conn *const *)a, y = (uintptr_t) * (struct sf_conn *const *)b;
	return x < y ? -1 : x > y;
}

Test(conn_pool, connections_put_back_by_two_other_threads_all_come_back_once)
{
	static struct sf_conn *out[N], *again[N];
	struct sf_conn_pool *pool = sf_conn_pool_new();
	for (size_t i = 0; i < N; i++) {
		out[i] = sf_conn_pool_get(pool);
		cr_assert_not_null(out[i]);
	}
	struct putter p1 = { pool, out, 0, N / 2 }, p2 = { pool, out, N / 2, N - N / 2 };
	pthread_t t1, t2;
	cr_assert_eq(pthread_create(&t1, NULL, put_all, &p1), 0);
	cr_assert_eq(pthread_create(&t2, NULL, put_all, &p2), 0);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);

	/* the owner gets exactly the N it handed out, each once, before any new memory */
	for (size_t i = 0; i < N; i++)
		again[i] = sf_conn_pool_get(pool);
	qsort(out, N, sizeof *out, by_address);
	qsort(again, N, sizeof *again, by_address);
	cr_assert_arr_eq(out, again, sizeof out);
	for (size_t i = 0; i < N; i++)
		sf_conn_pool_put(pool, again[i]);
	sf_conn_pool_free(pool);
}
