/* Shared by the backends: the command line a backend runs (kept whole for provenance),
 * the programs it needs, and the guest image it boots. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "backends/backend.h"
#include "common/sysutil.h"

int backend_need_image(const struct backend_cfg *cfg, bool has, char *reason, size_t len)
{
	if (has)
		return 0;
	snprintf(reason, len, "no guest image: %s",
		 cfg->image_reason ? cfg->image_reason : "run 'vmbench image build'");
	return -ENOENT;
}

int backend_find_program(const char *name, const char *package, char *path, size_t len,
			 char *reason, size_t rlen)
{
	if (sys_find_program(name, "/usr/bin:/bin", path, len) == 0)
		return 0;
	snprintf(reason, rlen, "%s is not installed (Debian: %s)", name, package);
	return -ENOENT;
}

void backend_cmd_add(struct backend_cmd *c, const char *arg)
{
	if (c->n + 1 < (int)(sizeof(c->argv) / sizeof(c->argv[0])))
		c->argv[c->n++] = (char *)arg;
	else
		c->overflow = true;
	c->argv[c->n] = NULL;
}

void backend_cmd_addf(struct backend_cmd *c, const char *fmt, ...)
{
	const int slots = (int)(sizeof(c->strings) / sizeof(c->strings[0]));
	va_list ap;

	if (c->ns == slots) {
		c->overflow = true;
		return;
	}
	va_start(ap, fmt);
	if (vsnprintf(c->strings[c->ns], sizeof(c->strings[0]), fmt, ap) >=
	    (int)sizeof(c->strings[0]))
		c->overflow = true;
	va_end(ap);
	backend_cmd_add(c, c->strings[c->ns++]);
}

int backend_cmd_check(const struct backend_cmd *c, struct guest *g)
{
	if (!c->overflow)
		return 0;
	snprintf(g->reason, sizeof(g->reason), "the command line of %s does not fit (%d arguments)",
		 c->n ? c->argv[0] : "the backend", c->n);
	return -E2BIG;
}

json_t *backend_cmd_json(const struct backend_cmd *c)
{
	json_t *a = json_array();

	for (int i = 0; a && i < c->n; i++)
		json_array_append_new(a, json_string(c->argv[i]));
	return a;
}
