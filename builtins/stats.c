/* stats.c - `tmplcache -s`: counters per name and in total.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"	/* bash's, as its headers expect */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bash-private.h"
#include "arrayfunc.h"
#include "assoc.h"
#include "common.h"

#include "spawntemplate.h"
#include "automode.h"
#include "cache.h"
#include "stats.h"

static unsigned long fallback_total(const struct tc_counters *c)
{
	unsigned long n = 0;
	int r;

	for (r = 0; r < TC_FB_NREASONS; r++)
		n += c->fallbacks[r];
	return n;
}

static double mean_us(const struct tc_counters *c)
{
	return c->spawns ? (double)c->spawn_ns / (double)c->spawns / 1000.0 : 0.0;
}

static void add_into(struct tc_counters *sum, const struct tc_counters *c)
{
	int r;

	sum->spawns += c->spawns;
	sum->recreated += c->recreated;
	sum->evicted += c->evicted;
	sum->spawn_ns += c->spawn_ns;
	for (r = 0; r < TC_FB_NREASONS; r++)
		sum->fallbacks[r] += c->fallbacks[r];
}

/* ---- printed table ---------------------------------------------------- */

static void print_row(const char *name, const struct tc_counters *c)
{
	int r, first = 1;

	printf("%-20s %8lu %9lu %9lu %9.2f ", name, c->spawns,
	       fallback_total(c), c->recreated, mean_us(c));
	for (r = 0; r < TC_FB_NREASONS; r++) {
		if (!c->fallbacks[r])
			continue;
		printf("%s%s=%lu", first ? "" : ",", tc_reason_names[r],
		       c->fallbacks[r]);
		first = 0;
	}
	printf("%s\n", first ? "-" : "");
}

static int print_entry(struct tc_entry *e, void *sum)
{
	print_row(e->name, e->count);
	add_into(sum, e->count);
	QUIT;
	return 0;
}

static void print_report(void)
{
	struct tc_counters sum = *tc_retired();

	printf("%-20s %8s %9s %9s %9s %s\n", "name", "spawns", "fallbacks",
	       "recreated", "mean_us", "fallback_reasons");
	tc_entry_each(print_entry, &sum);
	print_row("total", &sum);
	printf("backend: %s, templates: %zu of %zu, evicted: %lu\n",
	       spawn_template_backend_name(), tc_template_count(),
	       tc_template_cap(), sum.evicted);
	if (tc_auto_on())
		printf("automatic (-a): %zu names from PATH, %lu rescans\n",
		       tc_auto_names(), tc_auto_rescans());
}

/* ---- associative array -------------------------------------------------- */

struct sink {
	SHELL_VAR *var;
	const char *name;
};

static void put(struct sink *s, const char *prefix, const char *key,
		const char *value)
{
	char k[512];

	snprintf(k, sizeof(k), "%s%s%s", prefix ? prefix : "",
		 prefix ? ":" : "", key);
	bind_assoc_variable(s->var, (char *)s->name, savestring(k),
			    (char *)value, 0);
}

static void put_counters(struct sink *s, const char *prefix,
			 const struct tc_counters *c)
{
	char v[64];
	int r;

	snprintf(v, sizeof(v), "%lu", c->spawns);
	put(s, prefix, "spawns", v);
	snprintf(v, sizeof(v), "%lu", fallback_total(c));
	put(s, prefix, "fallbacks", v);
	snprintf(v, sizeof(v), "%lu", c->recreated);
	put(s, prefix, "recreated", v);
	snprintf(v, sizeof(v), "%lu", c->evicted);
	put(s, prefix, "evicted", v);
	snprintf(v, sizeof(v), "%.2f", mean_us(c));
	put(s, prefix, "mean_us", v);
	for (r = 0; r < TC_FB_NREASONS; r++) {
		char key[64];

		snprintf(key, sizeof(key), "fallback_%s", tc_reason_names[r]);
		snprintf(v, sizeof(v), "%lu", c->fallbacks[r]);
		put(s, prefix, key, v);
	}
}

struct store_walk {
	struct sink *sink;
	struct tc_counters sum;
};

static int store_entry(struct tc_entry *e, void *arg)
{
	struct store_walk *w = arg;

	put_counters(w->sink, e->name, e->count);
	add_into(&w->sum, e->count);
	return 0;
}

static int store_report(const char *name)
{
	struct store_walk w = { .sum = *tc_retired() };
	struct sink s = { .name = name };
	char v[32];

	s.var = find_or_make_array_variable((char *)name, 1 | 2);
	if (!s.var)
		return EXECUTION_FAILURE;
	assoc_flush(assoc_cell(s.var));
	w.sink = &s;
	tc_entry_each(store_entry, &w);
	put_counters(&s, NULL, &w.sum);
	put(&s, NULL, "backend", spawn_template_backend_name());
	snprintf(v, sizeof(v), "%zu", tc_template_count());
	put(&s, NULL, "templates", v);
	if (tc_auto_on()) {
		snprintf(v, sizeof(v), "%zu", tc_auto_names());
		put(&s, NULL, "auto_names", v);
		snprintf(v, sizeof(v), "%lu", tc_auto_rescans());
		put(&s, NULL, "auto_rescans", v);
	}
	return EXECUTION_SUCCESS;
}

int tc_stats_report(const char *var)
{
	if (var)
		return store_report(var);
	print_report();
	return EXECUTION_SUCCESS;
}
