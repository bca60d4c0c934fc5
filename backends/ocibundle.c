/* What the OCI container backends share (backends/ocibundle.h): the bundle, and a runtime's
 * words for a user. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "backends/guestuser.h"
#include "backends/ocibundle.h"
#include "host/util.h"

/* An absolute path as a JSON string: the runtime resolves relative ones against the
 * bundle, not our directory. NULL with err. */
static json_t *abs_path(const char *what, const char *path, char *err, size_t len)
{
	char abs[PATH_MAX];
	json_t *j;

	if (!realpath(path, abs)) {
		snprintf(err, len, "%s %.300s: %s", what, path, strerror(errno));
		return NULL;
	}
	j = json_string(abs);
	if (!j)
		snprintf(err, len, "%s %.300s: not valid UTF-8", what, path);
	return j;
}

/* What no workload uses and a process escaping a container would: the kernel's module,
 * mount, namespace, keyring, clock, tracing, io_uring and reboot interfaces (the calls
 * Docker's default profile denies for the same reason). They fail with EPERM; every other call is
 * allowed, so that the agent's workloads run as they do natively. */
static const char *const denied_calls[] = {
	"acct",
	"add_key",
	"bpf",
	"clock_adjtime",
	"clock_settime",
	"delete_module",
	"finit_module",
	"fanotify_init",
	"fsconfig",
	"fsmount",
	"fsopen",
	"fspick",
	"init_module",
	"ioperm",
	"io_uring_enter",
	"io_uring_register",
	"io_uring_setup",
	"iopl",
	"kcmp",
	"kexec_file_load",
	"kexec_load",
	"keyctl",
	"lookup_dcookie",
	"mount",
	"mount_setattr",
	"move_mount",
	"move_pages",
	"name_to_handle_at",
	"open_by_handle_at",
	"open_tree",
	"perf_event_open",
	"pivot_root",
	"process_vm_readv",
	"process_vm_writev",
	"ptrace",
	"quotactl",
	"quotactl_fd",
	"reboot",
	"request_key",
	"setns",
	"settimeofday",
	"swapoff",
	"swapon",
	"syslog",
	"umount2",
	"unshare",
	"uselib",
	"userfaultfd",
	"vhangup",
};

/* clone's flags that make namespaces: one rule each, since a rule's conditions must all
 * hold (a rule for "any of them" would need them all). */
static const unsigned long clone_ns_flags[] = {
	0x00020000, /* CLONE_NEWNS */
	0x02000000, /* CLONE_NEWCGROUP */
	0x04000000, /* CLONE_NEWUTS */
	0x08000000, /* CLONE_NEWIPC */
	0x10000000, /* CLONE_NEWUSER */
	0x20000000, /* CLONE_NEWPID */
	0x40000000, /* CLONE_NEWNET */
};

static json_t *seccomp_filter(void)
{
	json_t *names = json_array(), *rules;

	for (size_t i = 0; i < sizeof(denied_calls) / sizeof(denied_calls[0]); i++)
		json_array_append_new(names, json_string(denied_calls[i]));
	rules = json_pack("[{s:o, s:s, s:i}, {s:[s], s:s, s:i}]", "names", names, "action",
			  "SCMP_ACT_ERRNO", "errnoRet", EPERM, "names", "clone3", "action",
			  "SCMP_ACT_ERRNO", "errnoRet", ENOSYS);
	/* clone3's flags are in memory, out of seccomp's sight: ENOSYS makes the C library
	 * fall back to clone, whose flags it sees. */
	for (size_t i = 0; i < sizeof(clone_ns_flags) / sizeof(clone_ns_flags[0]); i++)
		json_array_append_new(
			rules,
			json_pack("{s:[s], s:s, s:i, s:[{s:i, s:I, s:I, s:s}]}", "names", "clone",
				  "action", "SCMP_ACT_ERRNO", "errnoRet", EPERM, "args", "index", 0,
				  "value", (json_int_t)clone_ns_flags[i], "valueTwo",
				  (json_int_t)clone_ns_flags[i], "op", "SCMP_CMP_MASKED_EQ"));
	return json_pack("{s:s, s:[s,s,s], s:o}", "defaultAction", "SCMP_ACT_ALLOW",
			 "architectures", "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
			 "syscalls", rules);
}

int oci_write_bundle(json_t *tmpl, const char *dir, const struct backend_cfg *cfg, const char *id,
		     const char *arg0, unsigned flags, json_t **config, char *err, size_t len)
{
	char path[PATH_MAX], cgpath[96];
	json_t *c = json_deep_copy(tmpl), *root = NULL, *disk = NULL;
	struct stat sb;
	int ret = -ENOMEM;

	if (!c)
		return -ENOMEM;
	root = abs_path("the image's rootfs", cfg->rootfs, err, len);
	if (!root)
		goto out_inval;
	if (cfg->disk_path) {
		disk = abs_path("the test disk", cfg->disk_path, err, len);
		if (!disk)
			goto out_inval;
		if (stat(json_string_value(disk), &sb) < 0) {
			snprintf(err, len, "the test disk %.300s: %s", json_string_value(disk),
				 strerror(errno));
			goto out_inval;
		}
	}
	json_t *process = json_object_get(c, "process"), *linux_ = json_object_get(c, "linux");
	json_t *mounts = json_object_get(c, "mounts");
	json_t *res = json_object_get(linux_, "resources");
	if (!json_is_object(res)) {
		res = json_object();
		json_object_set_new(linux_, "resources", res);
	}
	snprintf(cgpath, sizeof(cgpath), "/%s", id);
	int bad = 0;
	bad |= json_object_set_new(process, "terminal", json_false());
	bad |= json_object_set_new(process, "args", json_pack("[s]", arg0));
	bad |= json_object_set_new(process, "env",
				   json_pack("[s,s]", "PATH=/bin:/usr/bin", "TMPDIR=/tmp"));
	bad |= json_object_set_new(process, "cwd", json_string("/"));
	bad |= json_object_set_new(process, "noNewPrivileges", json_true());
	bad |= json_object_set_new(c, "root", json_pack("{s:O, s:b}", "path", root, "readonly", 1));
	bad |= json_object_set_new(c, "hostname", json_string("vmbench"));
	bad |= json_array_append_new(mounts, json_pack("{s:s, s:s, s:s, s:[s,s,s]}", "destination",
						       "/tmp", "type", "tmpfs", "source", "tmpfs",
						       "options", "nosuid", "nodev", "mode=1777"));
	if (disk) {
		bad |= json_array_append_new(
			mounts, json_pack("{s:s, s:s, s:O, s:[s,s]}", "destination", OCI_GUEST_DISK,
					  "type", "bind", "source", disk, "options", "bind", "rw"));
		/* The template's device cgroup denies every device: a disk that is one needs
		 * its own rule. */
		json_t *devices = json_object_get(res, "devices");
		if (S_ISBLK(sb.st_mode) && json_is_array(devices))
			bad |= json_array_append_new(
				devices,
				json_pack("{s:b, s:s, s:I, s:I, s:s}", "allow", 1, "type", "b",
					  "major", (json_int_t)major(sb.st_rdev), "minor",
					  (json_int_t)minor(sb.st_rdev), "access", "rw"));
	}
	json_t *ns = json_pack("[{s:s},{s:s},{s:s},{s:s},{s:s}]", "type", "pid", "type", "mount",
			       "type", "ipc", "type", "uts", "type", "network");
	if (flags & OCI_USERNS) {
		/* The agent's root is no host root: a process that escapes is an unprivileged
		 * user of the host. */
		json_t *map = json_pack("[{s:i, s:I, s:I}]", "containerID", 0, "hostID",
					(json_int_t)GUEST_UID, "size", (json_int_t)OCI_USERNS_SIZE);
		bad |= json_array_append_new(ns, json_pack("{s:s}", "type", "user"));
		bad |= json_object_set(linux_, "uidMappings", map);
		bad |= json_object_set_new(linux_, "gidMappings", map);
	}
	bad |= json_object_set_new(linux_, "namespaces", ns);
	if (flags & OCI_SECCOMP)
		bad |= json_object_set_new(linux_, "seccomp", seccomp_filter());
	bad |= json_object_set_new(res, "pids", json_pack("{s:i}", "limit", OCI_PIDS_MAX));
	bad |= json_object_set_new(linux_, "cgroupsPath", json_string(cgpath));
	bad |= json_object_set_new(res, "memory",
				   json_pack("{s:I}", "limit", (json_int_t)cfg->mem_mib << 20));
	if (cfg->cpu >= 0) {
		char cpus[16];
		snprintf(cpus, sizeof(cpus), "%d", cfg->cpu);
		bad |= json_object_set_new(res, "cpu", json_pack("{s:s}", "cpus", cpus));
	}
	if (bad) {
		snprintf(err, len, "cannot build config.json");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/config.json", dir);
	ret = json_dump_file(c, path, JSON_INDENT(2)) == 0 ? 0 : -EIO;
	if (ret < 0)
		snprintf(err, len, "cannot write %.300s", path);
	if (ret == 0 && config)
		*config = json_incref(c);
	goto out;
out_inval:
	ret = -EINVAL;
out:
	json_decref(root);
	json_decref(disk);
	json_decref(c);
	return ret;
}

/* A runtime's words for a user: its error line (runc logs `level=error msg="..."`), else
 * its first line, made printable; else how it ended. */
void oci_runtime_words(const char *out, int status, char *buf, size_t len)
{
	const char *line = strstr(out, "level=error");
	const char *msg = line ? strstr(line, "msg=") : NULL;

	if (msg)
		line = msg + 4 + (msg[4] == '"');
	else
		line = out + strspn(out, " \t\r\n");
	snprintf(buf, len, "%.*s", (int)strcspn(line, "\r\n"), line);
	size_t n = strlen(buf);
	if (msg && n > 0 && buf[n - 1] == '"')
		buf[--n] = '\0';
	util_printable(buf);
	if (buf[0])
		return;
	if (status < 0)
		snprintf(buf, len, "%s", strerror(-status));
	else
		snprintf(buf, len, "exited with status %d, saying nothing", status);
}
