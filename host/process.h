/* Child processes and interruption: Ctrl-C ends a run cleanly, children are always reaped. */
#ifndef VMBENCH_PROCESS_H
#define VMBENCH_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/compiler.h"

/* Installs SIGINT/SIGTERM/SIGHUP handlers that record the signal and wake
 * proc_wait_readable; ignores SIGPIPE. 0 or -errno. */
int proc_signals_init(void) __must_check;
bool proc_interrupted(void);
/* The signal that interrupted us, or 0. */
int proc_interrupt_signal(void);

/* Waits until fd is readable: 1 readable (or hung up), 0 timed out, -EINTR interrupted
 * by the user, other -errno. timeout_ms < 0 waits forever. */
int proc_wait_readable(int fd, int timeout_ms) __must_check;

/* Runs argv (PATH search) in its own process group, captures up to len-1 bytes of stdout
 * and stderr in out.
 * Returns the exit status (0..255), -ETIMEDOUT (killed after timeout_ms), -errno. */
int proc_capture(char *const argv[], char *out, size_t len, int timeout_ms) __must_check;
/* proc_capture for a long command the user may stop (a checkpoint): -EINTR, the command
 * killed, once the user interrupts (proc_interrupted). proc_capture itself runs on: it
 * also runs the clean-up on the way out of an interrupted run. */
int proc_capture_stoppable(char *const argv[], char *out, size_t len, int timeout_ms) __must_check;

/* Two pipes, close-on-exec, none of their ends on descriptors 0 to 2 (in: to a child's
 * stdin, out: from its stdout). 0 or -errno, nothing left open then. */
int proc_pipes(int in[2], int out[2]) __must_check;

/* The child's side of a start with proc_pipes: its own process group, death with the
 * parent (the process parent, checked), default SIGINT/TERM/HUP/PIPE, in[0] and out[1] as
 * stdin and stdout. Only system calls, so it also serves a child that shares the parent's
 * memory (host/spawn.c). 0 or -errno (-ESRCH: the parent is gone). */
int proc_child_stdio(pid_t parent, const int in[2], const int out[2]) __must_check;

/*
 * Forks a child whose stdin and stdout are pipes to us and runs child(arg) in it (which
 * execs or _exits; the child leads its own process group and dies with us). *to writes the child's
 * stdin, *from reads its stdout; stderr is shared. 0 or -errno.
 */
int proc_spawn_piped(void (*child)(void *arg), void *arg, pid_t *pid, int *to, int *from)
	__must_check;

/* Waits grace_ms for pid to exit, then SIGTERM, then SIGKILL, to its whole process group
 * when it leads one (proc_spawn_piped children do); reaps it. */
void proc_terminate(pid_t pid, int grace_ms);
/* What process pid has in memory (/proc/PID/smaps_rollup), in KiB: resident, and its
 * proportional share of pages shared with others. 0 or -errno. */
int proc_memory(pid_t pid, uint64_t *rss_kib, uint64_t *pss_kib) __must_check;

#endif
