/*
 * What one trap costs, from user space (trap.*): the critical instructions of x86, each in
 * a loop whose empty twin is subtracted. Under VT-x cpuid always exits; sgdt, sidt, smsw,
 * sldt and str are sensitive but unprivileged (with UMIP on, the kernel traps and
 * emulates some of them); popf changing IF silently does nothing in ring 3, the example of
 * Popek and Goldberg; int3 and ud2 take the exception path to a signal handler and back;
 * a system call with an invalid number is the bare kernel entry. The nanoguest
 * (guests/nanoguest/) runs the same instructions in ring 0 where marked WL_NANOGUEST.
 */
#include <cpuid.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

#include "workloads/workload.h"

/* A system call number no kernel has: the entry finds no handler and returns -ENOSYS. */
#define TRAP_NO_SYSCALL 1000

/* ---- CPU facts ---------------------------------------------------------------------- */

/* CPUID leaf (sub-leaf 0) register bit, false where the leaf does not exist. */
static bool cpu_has(unsigned leaf, int reg, unsigned bit)
{
	unsigned r[4] = { 0 };

	if (!__get_cpuid_count(leaf, 0, &r[0], &r[1], &r[2], &r[3]))
		return false;
	return (r[reg] >> bit) & 1;
}
enum { EAX, EBX, ECX, EDX };

/* The privilege level the code runs at: the low bits of CS. */
static unsigned ring(void)
{
	unsigned short cs;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	return cs & 3;
}

/* Whether the CPU, as this kernel shows it, has UMIP (then the kernel traps sgdt, sidt,
 * smsw, sldt and str and emulates, or refuses, them). */
static bool cpu_umip(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	bool on = false;

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "flags", 5) == 0) {
			on = strstr(line, " umip ") || strstr(line, " umip\n");
			break;
		}
	if (f)
		fclose(f);
	return on;
}

static void note_bool(struct wl_ctx *ctx, const char *key, bool v)
{
	json_object_set_new(ctx->extra, key, json_boolean(v));
}

/* ---- Trial of an instruction that may fault ------------------------------------------ */

static sigjmp_buf trial_env;

static void trial_fault(int sig)
{
	siglongjmp(trial_env, sig);
}

/* Runs fn once with SIGSEGV and SIGILL caught: 0, or the signal it raised. */
static int trial(void (*fn)(void))
{
	struct sigaction sa = { .sa_handler = trial_fault }, old_segv, old_ill;
	int sig;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGILL, &sa, &old_ill);
	sig = sigsetjmp(trial_env, 1);
	if (sig == 0)
		fn();
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGILL, &old_ill, NULL);
	return sig;
}

/* Setup of an instruction that needs feature (a CPUID bit, checked by has) and may still
 * fault in user space (UMIP without the kernel's emulation): unsupported, with why. */
static int try_setup(struct wl_ctx *ctx, bool has, const char *feature, const char *insn,
		     void (*once)(void))
{
	if (!has) {
		snprintf(ctx->reason, sizeof(ctx->reason), "the CPU has no %s", feature);
		return -ENOTSUP;
	}
	int sig = trial(once);
	if (sig) {
		snprintf(ctx->reason, sizeof(ctx->reason),
			 "%s raises %s in user space here (UMIP %s)", insn,
			 sig == SIGSEGV ? "SIGSEGV" : "SIGILL", cpu_umip() ? "on" : "off");
		return -ENOTSUP;
	}
	note_bool(ctx, "umip", cpu_umip());
	json_object_set_new(ctx->extra, "ring", json_integer(ring()));
	return 0;
}

/* ---- The instructions ------------------------------------------------------------------ */

/* Each returns WL_OPAQUE(0), as the empty twin's loop body does: a constant the compiler
 * could see would let it drop the loop's check and sum from the operation's loop alone,
 * and the empty loop subtracted would then be longer than the loop around the operation. */

static struct {
	unsigned char b[10];
} trap_dt;

/* The baseline's chain, carried from one operation to the next so that no two overlap. */
static unsigned long none_x = 3;

static inline long t_none(void)
{
	unsigned long x = none_x;

	/* Four dependent multiplies: an ALU op that traps nowhere. */
	__asm__ volatile("imul %0, %0\n\timul %0, %0\n\timul %0, %0\n\timul %0, %0" : "+r"(x));
	none_x = x;
	return WL_OPAQUE(0);
}

static __attribute__((noinline)) long t_callee(long v)
{
	__asm__ volatile("" : "+r"(v));
	return v;
}

static inline long t_cpuid(void)
{
	unsigned a = 0, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return WL_OPAQUE(0);
}

static inline long t_rdtscp(void)
{
	unsigned lo, hi, aux;

	__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	return WL_OPAQUE(0);
}

static inline long t_rdpid(void)
{
	unsigned long id;

	__asm__ volatile("rdpid %0" : "=r"(id));
	return WL_OPAQUE(0);
}

static inline long t_xgetbv(void)
{
	unsigned lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return WL_OPAQUE(0);
}

#define STORE_DT(name, insn)                                               \
	static inline long t_##name(void)                                  \
	{                                                                  \
		__asm__ volatile(insn " %0" : "=m"(trap_dt) : : "memory"); \
		return WL_OPAQUE(0);                                       \
	}
STORE_DT(sgdt, "sgdt")
STORE_DT(sidt, "sidt")

#define STORE_REG(name, insn)                            \
	static inline long t_##name(void)                \
	{                                                \
		unsigned long v;                         \
		__asm__ volatile(insn " %k0" : "=r"(v)); \
		return WL_OPAQUE(0);                     \
	}
STORE_REG(smsw, "smsw")
STORE_REG(sldt, "sldt")
STORE_REG(str, "str")

/* Flips IF with popf and reads it back: 1 when the flip took effect, 0 when it did not.
 * The pushes go below the red zone, which the compiler may be using here. */
static inline long t_popf(void)
{
	unsigned long before, after;

	__asm__ volatile("add $-128, %%rsp\n\t"
			 "pushfq\n\t"
			 "pop %0\n\t"
			 "mov %0, %1\n\t"
			 "xor $0x200, %1\n\t"
			 "push %1\n\t"
			 "popfq\n\t"
			 "pushfq\n\t"
			 "pop %1\n\t"
			 "sub $-128, %%rsp"
			 : "=&r"(before), "=&r"(after)
			 :
			 : "cc");
	return (long)(((before ^ after) >> 9) & 1);
}

/* Unsigned: it counts on past 2^31 without undefined behaviour, and x86 writes it whole. */
static volatile unsigned trap_signals;

static inline long t_int3(void)
{
	__asm__ volatile("int3" ::: "memory");
	return WL_OPAQUE(0);
}

static inline long t_ud2(void)
{
	__asm__ volatile("ud2" ::: "memory");
	return WL_OPAQUE(0);
}

/* A system call by number, without the C library's errno path. */
static inline long t_nosys(void)
{
	long r = TRAP_NO_SYSCALL;

	__asm__ volatile("syscall" : "+a"(r) : : "rcx", "r11", "memory");
	return r;
}

/* ---- Loops (each with its empty twin) --------------------------------------------------- */

/*
 * name_op and name_empty: the loop runs expr (a long; below 0 fails) iters times and sums
 * it; the empty twin is the same loop with expr replaced by an opaque zero behind a compiler
 * barrier. Unlike WL_LOOP_OPS there is no errno: the compiler hoists its store out of the
 * empty loop but not out of a loop around asm that clobbers memory, and for instructions of
 * a nanosecond that one store per iteration is a visible share of what is subtracted.
 */
/* One loop of the pair; pre is what the loop body does before expr (the empty twin's
 * barrier), so that both are this one loop by construction. */
#define TRAP_LOOP_FN(fn, pre, expr)                       \
	static int fn(struct wl_ctx *ctx, uint64_t iters) \
	{                                                 \
		uint64_t acc = 0;                         \
		for (uint64_t i = 0; i < iters; i++) {    \
			pre;                              \
			long r = (long)(expr);            \
			if (r < 0)                        \
				return -EIO;              \
			acc += (uint64_t)r;               \
		}                                         \
		ctx->sink += acc;                         \
		return 0;                                 \
	}
#define TRAP_LOOP(name, expr)                  \
	TRAP_LOOP_FN(name##_op, (void)0, expr) \
	TRAP_LOOP_FN(name##_empty, __asm__ volatile("" ::: "memory"), WL_OPAQUE(0))

TRAP_LOOP(trap_none, t_none())
TRAP_LOOP(trap_callret, t_callee(0))
TRAP_LOOP(trap_cpuid, t_cpuid())
TRAP_LOOP(trap_rdtscp, t_rdtscp())
TRAP_LOOP(trap_rdpid, t_rdpid())
TRAP_LOOP(trap_xgetbv, t_xgetbv())
TRAP_LOOP(trap_sgdt, t_sgdt())
TRAP_LOOP(trap_sidt, t_sidt())
TRAP_LOOP(trap_smsw, t_smsw())
TRAP_LOOP(trap_sldt, t_sldt())
TRAP_LOOP(trap_str, t_str())
TRAP_LOOP(trap_popf, (t_popf(), WL_OPAQUE(0)))
TRAP_LOOP(trap_int3_loop, t_int3())
TRAP_LOOP(trap_ud2_loop, t_ud2())

/* A round trip is only one if the handler ran: as many signals as operations. */
static int signals_checked(struct wl_ctx *ctx, uint64_t iters,
			   int (*loop)(struct wl_ctx *, uint64_t))
{
	unsigned before = (unsigned)trap_signals;
	int ret = loop(ctx, iters);
	unsigned got = (unsigned)trap_signals - before;

	if (ret == 0 && got != (unsigned)iters) {
		snprintf(ctx->reason, sizeof(ctx->reason),
			 "%llu operations raised %u signals to the handler",
			 (unsigned long long)iters, got);
		return -EIO;
	}
	return ret;
}

static int trap_int3_op(struct wl_ctx *ctx, uint64_t iters)
{
	return signals_checked(ctx, iters, trap_int3_loop_op);
}

static int trap_ud2_op(struct wl_ctx *ctx, uint64_t iters)
{
	return signals_checked(ctx, iters, trap_ud2_loop_op);
}
#define trap_int3_empty trap_int3_loop_empty
#define trap_ud2_empty	trap_ud2_loop_empty
/* Any error number back is the entry's answer (-ENOSYS; a seccomp filter may say -EPERM):
 * what counts is that the call came back. */
static inline long nosys_came_back(void)
{
	long r = t_nosys();

	return WL_OPAQUE(r < 0 && r >= -4095 ? 0 : -1);
}
TRAP_LOOP(trap_nosys, nosys_came_back())

/* ---- Set-ups ------------------------------------------------------------------------------- */

/* Each instruction once, for the trial of try_setup. */
#define ONCE(name)                    \
	static void once_##name(void) \
	{                             \
		(void)t_##name();     \
	}
ONCE(rdtscp)
ONCE(rdpid)
ONCE(xgetbv)
ONCE(sgdt)
ONCE(sidt)
ONCE(smsw)
ONCE(sldt)
ONCE(str)

static int setup_plain(struct wl_ctx *ctx)
{
	json_object_set_new(ctx->extra, "ring", json_integer(ring()));
	return 0;
}

/* cpuid also says how the CPU sees the guest: the hypervisor bit and the hypervisor's
 * signature (leaf 0x40000000), where there is one. */
static int setup_cpuid(struct wl_ctx *ctx)
{
	unsigned r[4];
	char vendor[13] = "", hv[13] = "";

	if (__get_cpuid(0, &r[0], &r[1], &r[2], &r[3])) {
		memcpy(vendor, &r[1], 4);
		memcpy(vendor + 4, &r[3], 4);
		memcpy(vendor + 8, &r[2], 4);
	}
	bool bit = cpu_has(1, ECX, 31);
	if (bit) {
		__cpuid(0x40000000, r[0], r[1], r[2], r[3]);
		memcpy(hv, &r[1], 4);
		memcpy(hv + 4, &r[2], 4);
		memcpy(hv + 8, &r[3], 4);
		for (int i = 0; i < 12; i++)
			if (hv[i] && (hv[i] < 0x20 || hv[i] > 0x7e))
				hv[i] = '?';
	}
	note_bool(ctx, "hypervisor_bit", bit);
	json_object_set_new(ctx->extra, "hypervisor_vendor", bit ? json_string(hv) : json_null());
	json_object_set_new(ctx->extra, "cpu_vendor", json_string(vendor));
	return setup_plain(ctx);
}

static int setup_rdtscp(struct wl_ctx *ctx)
{
	return try_setup(ctx, cpu_has(0x80000001, EDX, 27), "rdtscp (CPUID.80000001H:EDX[27])",
			 "rdtscp", once_rdtscp);
}

static int setup_rdpid(struct wl_ctx *ctx)
{
	return try_setup(ctx, cpu_has(7, ECX, 22), "rdpid (CPUID.(EAX=7,ECX=0):ECX[22])", "rdpid",
			 once_rdpid);
}

static int setup_xgetbv(struct wl_ctx *ctx)
{
	return try_setup(ctx, cpu_has(1, ECX, 27), "xgetbv enabled (CPUID.1:ECX[27] OSXSAVE)",
			 "xgetbv", once_xgetbv);
}

#define SETUP_DT(name)                                               \
	static int setup_##name(struct wl_ctx *ctx)                  \
	{                                                            \
		return try_setup(ctx, true, "", #name, once_##name); \
	}
SETUP_DT(sgdt)
SETUP_DT(sidt)
SETUP_DT(smsw)
SETUP_DT(sldt)
SETUP_DT(str)

/* popf: whether flipping IF took effect, the fact the cost goes with. */
static int setup_popf(struct wl_ctx *ctx)
{
	note_bool(ctx, "if_changed", t_popf() != 0);
	return setup_plain(ctx);
}

/* int3 lands after itself; ud2 is resumed after its two bytes. */
static void on_trap(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	if (sig == SIGILL) {
		const unsigned char *rip = (const unsigned char *)uc->uc_mcontext.gregs[REG_RIP];
		/* Not our ud2 (another instruction, or a SIGILL sent by someone): die of it as we
		 * would have. */
		if (si->si_code != ILL_ILLOPN || rip[0] != 0x0f || rip[1] != 0x0b) {
			signal(SIGILL, SIG_DFL);
			return;
		}
		uc->uc_mcontext.gregs[REG_RIP] += 2;
	}
	trap_signals++;
}

static struct sigaction trap_old;
static int trap_signo;

static int setup_signal(struct wl_ctx *ctx, int signo)
{
	struct sigaction sa = { .sa_sigaction = on_trap, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	if (sigaction(signo, &sa, &trap_old) < 0)
		return -errno;
	trap_signo = signo;
	trap_signals = 0;
	return setup_plain(ctx);
}

static int setup_int3(struct wl_ctx *ctx)
{
	return setup_signal(ctx, SIGTRAP);
}

static int setup_ud2(struct wl_ctx *ctx)
{
	return setup_signal(ctx, SIGILL);
}

static void teardown_signal(struct wl_ctx *ctx)
{
	if (trap_signo)
		sigaction(trap_signo, &trap_old, NULL);
	trap_signo = 0;
}

static int setup_nosys(struct wl_ctx *ctx)
{
	long r = t_nosys();

	if (r >= 0 || r < -4095) {
		snprintf(ctx->reason, sizeof(ctx->reason),
			 "system call %d returned %ld, not an error: the kernel has it",
			 TRAP_NO_SYSCALL, r);
		return -ENOTSUP;
	}
	json_object_set_new(ctx->extra, "syscall", json_integer(TRAP_NO_SYSCALL));
	json_object_set_new(ctx->extra, "errno", json_integer(-r));
	return setup_plain(ctx);
}

/* ---- The table ----------------------------------------------------------------------------- */

#define TRAP_WORKLOAD(sym, nm, sum, setup_fn, more_flags, ...)                                 \
	const struct workload_ops workload_##sym = { .abi = WORKLOAD_ABI,                      \
						     .name = nm,                               \
						     .summary = sum,                           \
						     .unit = "ns/op",                          \
						     .better = BETTER_LOWER,                   \
						     .flags = WL_SUBTRACT_LOOP | (more_flags), \
						     .plots = PLOT_TRAPCOST,                   \
						     .setup = setup_fn,                        \
						     .op = sym##_op,                           \
						     .empty = sym##_empty,                     \
						     __VA_ARGS__ }

TRAP_WORKLOAD(trap_none, "trap.none", "no trap: four dependent multiplies (the baseline row)",
	      setup_plain, WL_NANOGUEST, .plot_order = 1);
TRAP_WORKLOAD(trap_callret, "trap.callret", "no trap: a call and return", setup_plain, WL_NANOGUEST,
	      .plot_order = 2);
TRAP_WORKLOAD(trap_cpuid, "trap.cpuid", "cpuid leaf 0: a VM exit on every one under VT-x",
	      setup_cpuid, WL_NANOGUEST, .plot_order = 3);
TRAP_WORKLOAD(trap_rdtscp, "trap.rdtscp", "rdtscp: the TSC and the CPU number", setup_rdtscp,
	      WL_NANOGUEST);
TRAP_WORKLOAD(trap_rdpid, "trap.rdpid", "rdpid: the CPU number", setup_rdpid, WL_NANOGUEST);
TRAP_WORKLOAD(trap_xgetbv, "trap.xgetbv", "xgetbv: the enabled extended state (XCR0)", setup_xgetbv,
	      WL_NANOGUEST);
TRAP_WORKLOAD(trap_sgdt, "trap.sgdt",
	      "sgdt: sensitive, unprivileged (UMIP: trapped and emulated by the kernel)",
	      setup_sgdt, WL_NANOGUEST);
TRAP_WORKLOAD(trap_sidt, "trap.sidt", "sidt: sensitive, unprivileged (as sgdt)", setup_sidt,
	      WL_NANOGUEST);
TRAP_WORKLOAD(trap_smsw, "trap.smsw", "smsw: sensitive, unprivileged (as sgdt)", setup_smsw,
	      WL_NANOGUEST);
TRAP_WORKLOAD(trap_sldt, "trap.sldt", "sldt: sensitive, unprivileged (UMIP: SIGSEGV)", setup_sldt,
	      WL_NANOGUEST);
TRAP_WORKLOAD(trap_str, "trap.str", "str: sensitive, unprivileged (UMIP: SIGSEGV)", setup_str,
	      WL_NANOGUEST);
TRAP_WORKLOAD(trap_popf, "trap.popf",
	      "pushf/popf flipping IF: in ring 3 the flip silently does nothing (extra.if_changed)",
	      setup_popf, WL_NANOGUEST);
TRAP_WORKLOAD(trap_int3, "trap.int3",
	      "int3 round trip: to a SIGTRAP handler (the nanoguest: its #BP handler)", setup_int3,
	      WL_NANOGUEST, .teardown = teardown_signal, .plot_order = 5);
TRAP_WORKLOAD(trap_ud2, "trap.ud2",
	      "ud2 round trip: to a SIGILL handler (the nanoguest: its #UD handler)", setup_ud2,
	      WL_NANOGUEST, .teardown = teardown_signal);
TRAP_WORKLOAD(trap_nosys, "trap.syscall",
	      "system call with an invalid number: the bare kernel entry and exit", setup_nosys, 0,
	      .plot_order = 4);
