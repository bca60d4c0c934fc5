/* Signal workloads (lmbench lat_sig): installing a handler, delivering a signal to
 * ourselves, and a protection fault fixed up by a SIGSEGV handler. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "workloads/workload.h"

static volatile sig_atomic_t sig_count;
static char *prot_page;
static long prot_size;

static void on_usr1(int sig)
{
	sig_count++;
}

/* Makes the faulting page writable again; the faulting write is then retried. */
static void on_segv(int sig, siginfo_t *si, void *uc)
{
	char *addr = si->si_addr;

	if (!prot_page || addr < prot_page || addr >= prot_page + prot_size ||
	    mprotect(prot_page, (size_t)prot_size, PROT_READ | PROT_WRITE) < 0) {
		/* Not our fault: die of it as we would have. */
		signal(SIGSEGV, SIG_DFL);
		return;
	}
	sig_count++;
}

struct sig_state {
	struct sigaction old;
	int signo;
	pid_t pid;
};

static int sig_install(struct wl_ctx *ctx, int signo, struct sigaction *sa)
{
	static struct sig_state st;

	st.signo = signo;
	st.pid = getpid();
	sigemptyset(&sa->sa_mask);
	if (sigaction(signo, sa, &st.old) < 0)
		return -errno;
	ctx->priv = &st;
	sig_count = 0;
	return 0;
}

static void sig_teardown(struct wl_ctx *ctx)
{
	struct sig_state *st = ctx->priv;

	if (st)
		sigaction(st->signo, &st->old, NULL);
	if (prot_page) {
		munmap(prot_page, (size_t)prot_size);
		prot_page = NULL;
	}
	ctx->priv = NULL;
}

/* The handler signal.install installs again and again. */
static struct sigaction usr1_action = { .sa_handler = on_usr1 };

static int sig_usr1_setup(struct wl_ctx *ctx)
{
	return sig_install(ctx, SIGUSR1, &usr1_action);
}

/* One operation: sigaction() installing the handler (lat_sig install). */
WL_LOOP_OPS(sig_install, 0, sigaction(SIGUSR1, &usr1_action, NULL))

/* One operation: kill() to ourselves and the handler's run (lat_sig catch). */
static int sig_handle_op(struct wl_ctx *ctx, uint64_t iters)
{
	struct sig_state *st = ctx->priv;
	sig_atomic_t before = sig_count;

	for (uint64_t i = 0; i < iters; i++)
		if (kill(st->pid, SIGUSR1) < 0)
			return -errno;
	if ((uint64_t)(sig_count - before) != iters) {
		snprintf(ctx->reason, sizeof(ctx->reason), "%llu signals sent, %llu handled",
			 (unsigned long long)iters, (unsigned long long)(sig_count - before));
		return -EIO;
	}
	return 0;
}

static int sig_prot_setup(struct wl_ctx *ctx)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };

	prot_size = sysconf(_SC_PAGESIZE);
	prot_page = mmap(NULL, (size_t)prot_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (prot_page == MAP_FAILED) {
		prot_page = NULL;
		return -errno;
	}
	prot_page[0] = 1;
	int ret = sig_install(ctx, SIGSEGV, &sa);
	if (ret < 0) {
		munmap(prot_page, (size_t)prot_size);
		prot_page = NULL;
	}
	return ret;
}

/* One operation: mprotect() the page read-only, write to it, take the SIGSEGV, and the
 * handler's mprotect() back to writable (lat_sig prot, with both mprotects). */
static int sig_prot_op(struct wl_ctx *ctx, uint64_t iters)
{
	volatile char *p = prot_page;
	sig_atomic_t before = sig_count;

	for (uint64_t i = 0; i < iters; i++) {
		if (mprotect(prot_page, (size_t)prot_size, PROT_READ) < 0)
			return -errno;
		p[0] = (char)i;
	}
	if ((uint64_t)(sig_count - before) != iters)
		return -EIO;
	return 0;
}

const struct workload_ops workload_signal_install = {
	.abi = WORKLOAD_ABI,
	.name = "signal.install",
	.summary = "install a signal handler with sigaction() (lat_sig install)",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.lmbench = "signal install",
	.flags = WL_SUBTRACT_LOOP,
	.setup = sig_usr1_setup,
	.teardown = sig_teardown,
	.op = sig_install_op,
	.empty = sig_install_empty,
};

const struct workload_ops workload_signal_handle = {
	.abi = WORKLOAD_ABI,
	.name = "signal.handle",
	.summary = "kill() of SIGUSR1 to ourselves and its handler run, the kill() included "
		   "(lat_sig catch takes it out)",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.lmbench = "signal handle (+ kill)",
	.setup = sig_usr1_setup,
	.teardown = sig_teardown,
	.op = sig_handle_op,
};

const struct workload_ops workload_signal_protfault = {
	.abi = WORKLOAD_ABI,
	.name = "signal.protfault",
	.summary = "mprotect() a page read-only, write it, the SIGSEGV handler mprotect()s it "
		   "writable: a fault and two mprotect() (lat_sig prot has none)",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.lmbench = "prot fault (+ 2 mprotect)",
	.setup = sig_prot_setup,
	.teardown = sig_teardown,
	.op = sig_prot_op,
};
