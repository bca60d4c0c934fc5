/* The guest image: runs guests/mkimage.sh, which fetches the kernel, builds the initramfs
 * and keeps both in the cache under a hash of every input. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends/backend.h"
#include "harness/image.h"
#include "host/process.h"
#include "host/util.h"

#define MKIMAGE VMBENCH_SOURCE_DIR "/guests/mkimage.sh"

static void mkimage_child(void *arg)
{
	char *const *argv = arg;

	execv(argv[0], argv);
	dprintf(STDERR_FILENO, "vmbench: cannot run %s: %s\n", argv[0], strerror(errno));
}

int image_locate(const struct image_req *req, char *dir, size_t len, char *err, size_t errlen)
{
	char *argv[6];
	int n = 0, to, from, status, ret = 0;
	size_t got = 0;
	pid_t pid;

	argv[n++] = MKIMAGE;
	if (!req->build)
		argv[n++] = "--check";
	argv[n++] = (char *)req->cache;
	argv[n++] = (char *)req->agent_dir;
	if (req->kernel)
		argv[n++] = (char *)req->kernel;
	argv[n] = NULL;
	ret = proc_spawn_piped(mkimage_child, argv, &pid, &to, &from);
	if (ret < 0) {
		snprintf(err, errlen, "cannot run %s: %s", MKIMAGE, strerror(-ret));
		return ret;
	}
	close(to);
	/* The image directory on stdout; progress goes to our stderr. */
	for (;;) {
		ret = proc_wait_readable(from, -1);
		if (ret < 0)
			break;
		if (got + 1 >= len) {
			ret = -ENAMETOOLONG;
			break;
		}
		ssize_t r = read(from, dir + got, len - 1 - got);
		if (r <= 0) {
			ret = 0;
			break;
		}
		got += (size_t)r;
	}
	close(from);
	if (ret < 0) {
		proc_terminate(pid, 0);
		snprintf(err, errlen, "%s", ret == -EINTR ? "interrupted" : strerror(-ret));
		return ret;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	dir[got] = '\0';
	util_rtrim(dir);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		return -ENOENT;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !dir[0]) {
		snprintf(err, errlen, "building the guest image failed (see the messages above)");
		return -EIO;
	}
	return 0;
}

json_t *image_info(const char *dir)
{
	char path[PATH_MAX];
	json_t *obj = json_object();

	snprintf(path, sizeof(path), "%s/info", dir);
	char *text = util_read_file(path, 1 << 16, NULL);
	if (!text || !obj) {
		free(text);
		json_decref(obj);
		return NULL;
	}
	for (char *save, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		json_object_set_new(obj, line, json_string(eq + 1));
	}
	free(text);
	json_object_set_new(obj, "dir", json_string(dir));
	return obj;
}

void image_to_cfg(json_t *image, const char *reason, struct backend_cfg *cfg)
{
	cfg->kernel = json_string_value(json_object_get(image, "kernel"));
	cfg->initrd = json_string_value(json_object_get(image, "initrd"));
	cfg->rootfs = json_string_value(json_object_get(image, "rootfs"));
	cfg->image_reason = reason;
}

int image_print_info(FILE *out, const char *dir)
{
	char path[PATH_MAX];
	size_t n;

	snprintf(path, sizeof(path), "%s/info", dir);
	char *info = util_read_file(path, 1 << 16, &n);
	if (!info)
		return -errno;
	fprintf(out, "image %s\n", dir);
	fputs(info, out);
	free(info);
	return 0;
}
