/* The guest image (guests/mkimage.sh): one kernel and initramfs for every VM backend,
 * named by a hash of its inputs and cached. */
#ifndef VMBENCH_IMAGE_H
#define VMBENCH_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "common/compiler.h"

struct image_req {
	const char *cache;     /* the cache directory */
	const char *agent_dir; /* holds vmbench-agent, vmbench-true, fio/ */
	const char *kernel;    /* an unpacked kernel tree, or NULL for Debian's */
	bool build;	       /* false: only find an image that is already built */
};

/*
 * Finds (and with req->build, builds) the image for the current inputs: 0 with its
 * directory in dir; -ENOENT when it is not built and build is false; -EINTR; other -errno
 * with a reason in err.
 */
int image_locate(const struct image_req *req, char *dir, size_t len, char *err, size_t errlen)
	__must_check;
/* The image's info file as a JSON object of strings (kernel, initrd, their sha256s and
 * sizes, kernel_version, ...). NULL with errno set. */
json_t *image_info(const char *dir);
struct backend_cfg;
/* Points cfg's kernel, initrd and rootfs into image (NULL when image is NULL, with reason
 * as image_reason). */
void image_to_cfg(json_t *image, const char *reason, struct backend_cfg *cfg);
/* Prints the image's paths, sizes and sha256s. 0 or -errno. */
int image_print_info(FILE *out, const char *dir) __must_check;

#endif
