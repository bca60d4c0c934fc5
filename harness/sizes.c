/* The problem sizes of a run, set once for every backend. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness/sizes.h"

int sizes_plan(struct sizes *sz, const struct plan *p, const bool *usable, unsigned mem_mib,
	       uint64_t host_mem, uint64_t llc)
{
	uint64_t mem = 0;

	memset(sz, 0, sizeof(*sz));
	for (size_t i = 0; i < p->nbackends; i++) {
		if (!usable[i])
			continue;
		uint64_t m =
			(p->backends[i]->flags & BK_MEM_LIMIT) ? (uint64_t)mem_mib << 20 : host_mem;
		if (m && (!mem || m < mem))
			mem = m;
	}
	sz->mem_bytes = mem;
	sz->llc_bytes = llc;
	sz->wl = calloc(p->nworkloads + 1, sizeof(*sz->wl));
	sz->bytes = calloc(p->nworkloads + 1, sizeof(*sz->bytes));
	if (!sz->wl || !sz->bytes) {
		sizes_free(sz);
		return -ENOMEM;
	}
	for (size_t w = 0; w < p->nworkloads; w++)
		if (p->workloads[w]->size) {
			sz->wl[sz->n] = p->workloads[w];
			sz->bytes[sz->n++] = p->workloads[w]->size(mem, llc);
		}
	return 0;
}

uint64_t sizes_for(const struct sizes *sz, const struct workload_ops *wl)
{
	for (size_t i = 0; sz && i < sz->n; i++)
		if (sz->wl[i] == wl)
			return sz->bytes[i];
	return 0;
}

json_t *sizes_json(const struct sizes *sz)
{
	json_t *bytes = json_object();

	for (size_t i = 0; bytes && i < sz->n; i++)
		if (json_object_set_new(bytes, sz->wl[i]->name,
					json_integer((json_int_t)sz->bytes[i])) < 0) {
			json_decref(bytes);
			return NULL;
		}
	if (!bytes)
		return NULL;
	return json_pack("{s:I, s:o, s:o}", "memory_bytes", (json_int_t)sz->mem_bytes, "llc_bytes",
			 sz->llc_bytes ? json_integer((json_int_t)sz->llc_bytes) : json_null(),
			 "bytes", bytes);
}

void sizes_free(struct sizes *sz)
{
	free(sz->wl);
	free(sz->bytes);
	memset(sz, 0, sizeof(*sz));
}
