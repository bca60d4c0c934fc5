/*
 * The workloads: each is one instruction (or a short sequence) run n times in a loop, from
 * ring 0. What makes them interesting is who runs them:
 *  - on a real CPU, the instruction itself (an exception's round trip through the IDT);
 *  - under KVM, some leave the guest (a "VM exit": cpuid, hlt, I/O ports, most MSRs) and
 *    are done by the kernel's KVM or by QEMU in user space (device registers of QEMU's);
 *  - under TCG every one is emulated by QEMU, and those that touch a device call into
 *    its model.
 * The empty loop (empty_loop: the same for loop around an empty asm, which the compiler
 * must keep) is measured in every RUN and taken out: a value is the operation's cost.
 */
#include "nanoguest.h"

void empty_loop(u64 n)
{
	for (u64 i = 0; i < n; i++)
		asm volatile("" : : : "memory");
}

/* ---- No trap: the reference points ---- */

static void op_none(u64 n)
{
	u64 x = 3;

	/* Four multiplies, each waiting for the last: a few ns of plain work. */
	for (u64 i = 0; i < n; i++)
		asm volatile("imul %0, %0\n\timul %0, %0\n\timul %0, %0\n\timul %0, %0" : "+r"(x));
}

static __noinline void callee(void)
{
	asm volatile("" : : : "memory");
}

static void op_callret(u64 n)
{
	for (u64 i = 0; i < n; i++)
		callee();
}

/* ---- Instructions user space may also run ---- */

static void op_cpuid(u64 n)
{
	for (u64 i = 0; i < n; i++) {
		u32 a = 0, b, c = 0, d;

		/* Intel's VT-x exits on every cpuid: the hypervisor decides what it says. */
		asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	}
}

static void op_rdtscp(u64 n)
{
	for (u64 i = 0; i < n; i++) {
		u32 a, c, d;

		asm volatile("rdtscp" : "=a"(a), "=c"(c), "=d"(d));
	}
}

static void op_rdpid(u64 n)
{
	for (u64 i = 0; i < n; i++) {
		u64 v;

		asm volatile("rdpid %0" : "=r"(v));
	}
}

static void op_xgetbv(u64 n)
{
	for (u64 i = 0; i < n; i++) {
		u32 a, d;

		asm volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(0));
	}
}

/* sgdt, sidt, smsw, sldt, str read what only the OS should need; in ring 3 with UMIP on
 * they fault, in ring 0 never (but a hypervisor may make them exit). */
static void op_sgdt(u64 n)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) d;

	for (u64 i = 0; i < n; i++)
		asm volatile("sgdt %0" : "=m"(d));
}

static void op_sidt(u64 n)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) d;

	for (u64 i = 0; i < n; i++)
		asm volatile("sidt %0" : "=m"(d));
}

static void op_smsw(u64 n)
{
	for (u64 i = 0; i < n; i++) {
		u32 v;

		asm volatile("smsw %0" : "=r"(v));
	}
}

static void op_sldt(u64 n)
{
	for (u64 i = 0; i < n; i++) {
		u16 v;

		asm volatile("sldt %0" : "=r"(v));
	}
}

static void op_str(u64 n)
{
	for (u64 i = 0; i < n; i++) {
		u16 v;

		asm volatile("str %0" : "=r"(v));
	}
}

/*
 * popf that flips IF (0x200), and pushf to see whether it did. In ring 0 it does; in ring
 * 3 (IOPL 0) popf leaves IF alone, without a fault. An instruction whose effect depends on
 * the privilege level but that does not trap: by Popek and Goldberg's criterion (1974),
 * why the x86 could not be virtualized by trap-and-emulate alone before VT-x and AMD-V.
 */
static u64 popf_flips, popf_missed; /* since boot: a fact of the CPU, not of one RUN */

static void op_popf(u64 n)
{
	u64 missed = 0;

	/* IF on at every other iteration is harmless: no interrupt source is enabled. */
	for (u64 i = 0; i < n; i++) {
		u64 want, got;

		asm volatile("pushfq\n\t"
			     "pop %0\n\t"
			     "xor $0x200, %0\n\t"
			     "push %0\n\t"
			     "popfq\n\t"
			     "pushfq\n\t"
			     "pop %1"
			     : "=&r"(want), "=r"(got)
			     :
			     : "memory", "cc");
		missed += ((want ^ got) >> 9) & 1;
	}
	asm volatile("cli");
	popf_flips += n;
	popf_missed += missed;
}

static void extra_popf(struct out *o)
{
	out_key(o, "if_changed");
	out_str(o, popf_flips && !popf_missed ? "true" : "false");
}

/* Exceptions: int3 is a trap (the CPU reports the next instruction: resume there), ud2 a
 * fault (it reports ud2 itself: resume after it). */
static void op_int3(u64 n)
{
	for (u64 i = 0; i < n; i++)
		asm volatile("int3\n1:\n\t" EXTABLE(1b, 1b) : : : "memory");
}

static void op_ud2(u64 n)
{
	for (u64 i = 0; i < n; i++)
		asm volatile("1: ud2\n2:\n\t" EXTABLE(1b, 2b) : : : "memory");
}

/* ---- Device registers ---- */

static void op_pio_qemu(u64 n)
{
	u16 port = mach.pm_port;

	for (u64 i = 0; i < n; i++)
		(void)inl(port);
}

#define ELCR_PORT 0x4d0 /* the PIC's edge/level register: KVM's in-kernel PIC has it */

static void op_pio_kernel(u64 n)
{
	for (u64 i = 0; i < n; i++)
		(void)inb(ELCR_PORT);
}

static void extra_port(struct out *o, u64 port)
{
	out_key(o, "port");
	out_hex_str(o, port);
}

static void extra_pio_qemu(struct out *o)
{
	extra_port(o, mach.pm_port);
}

static void extra_pio_kernel(struct out *o)
{
	extra_port(o, ELCR_PORT);
}

static void op_mmio_hpet(u64 n)
{
	u64 reg = mach.hpet_base + HPET_COUNTER;

	for (u64 i = 0; i < n; i++)
		(void)mmio_read32(reg);
}

static void extra_address(struct out *o, u64 addr)
{
	out_key(o, "address");
	out_hex_str(o, addr);
}

static void extra_hpet(struct out *o)
{
	extra_address(o, mach.hpet_base + HPET_COUNTER);
}

static void op_mmio_lapic(u64 n)
{
	u64 reg = mach.lapic_base + LAPIC_VERSION;

	for (u64 i = 0; i < n; i++)
		(void)mmio_read32(reg);
}

static void extra_lapic(struct out *o)
{
	extra_address(o, mach.lapic_base + LAPIC_VERSION);
}

/* ---- MSRs: IA32_APIC_BASE, the same one under every CPU model ----
 * Every x86-64 CPU has it, TCG emulates it, and KVM always intercepts it (the APIC is
 * KVM's or QEMU's, never the hardware's): unlike SYSENTER_CS or TSC_AUX, which KVM may
 * pass through, it traps wherever a hypervisor is, so the row is the same operation in
 * every column. Writing back the value read changes nothing. */

#define MSR_APIC_BASE 0x1bu

static u32 msr_index;
static u64 msr_value;

static const char *setup_msr(struct workload *w __unused)
{
	msr_index = MSR_APIC_BASE;
	return rdmsr_safe(msr_index, &msr_value) < 0 ? "rdmsr of the MSR raised #GP" : NULL;
}

static void op_rdmsr(u64 n)
{
	u32 msr = msr_index;

	for (u64 i = 0; i < n; i++)
		(void)rdmsr(msr);
}

static void op_wrmsr(u64 n)
{
	u32 msr = msr_index;
	u64 v = msr_value;

	for (u64 i = 0; i < n; i++)
		wrmsr(msr, v);
}

static void extra_msr(struct out *o)
{
	out_key(o, "msr");
	out_hex_str(o, msr_index);
}

/* ---- vmcall: a hypercall where there is a hypervisor to take it, else #UD ---- */

static bool vmcall_returned;
static u64 vmcall_rax;

static u64 vmcall0(void)
{
	u64 rax = 0; /* no KVM hypercall has number 0 */

	/* KVM's hypercall ABI: rbx, rcx, rdx, rsi are arguments; rax the result. */
	asm volatile("1: vmcall\n2:\n\t" EXTABLE(1b, 2b)
		     : "+a"(rax)
		     :
		     : "rbx", "rcx", "rdx", "rsi", "memory");
	return rax;
}

static void op_vmcall(u64 n)
{
	for (u64 i = 0; i < n; i++)
		(void)vmcall0();
}

/* Which of the two it is here decides what each operation is (and what to count). */
static const char *setup_vmcall(struct workload *w)
{
	u64 ud = trap_count[6];

	vmcall_rax = vmcall0();
	vmcall_returned = trap_count[6] == ud;
	w->vector = vmcall_returned ? 0 : 6;
	return NULL;
}

static void extra_vmcall(struct out *o)
{
	out_key(o, "outcome");
	out_json_str(o, vmcall_returned ? "returned" : "#UD");
	if (vmcall_returned) {
		out_key(o, "rax");
		out_hex_str(o, vmcall_rax);
	}
}

/* ---- hlt: woken by the local APIC timer, one shot of one tick ---- */

static void op_hlt(u64 n)
{
	u64 count = mach.lapic_base + LAPIC_TIMER_COUNT;

	for (u64 i = 0; i < n; i++) {
		mmio_write32(count, 1);
		/* sti's one-instruction delay: a timer that fired already wakes the hlt. */
		asm volatile("sti; hlt; cli" : : : "memory");
	}
}

static void extra_hlt(struct out *o)
{
	out_key(o, "timer");
	out_json_str(o, "lapic one-shot, count 1");
	out_key(o, "includes");
	out_json_str(o, "the timer write, the interrupt and its EOI write, in each op");
}

/* ---- Paging ---- */

static void op_pagefault(u64 n)
{
	for (u64 i = 0; i < n; i++) {
		u32 v;

		asm volatile("1: movl (%1), %0\n2:\n\t" EXTABLE(1b, 2b)
			     : "=r"(v)
			     : "r"((u64)TEST_HOLE)
			     : "memory");
	}
}

static void extra_pagefault(struct out *o)
{
	extra_address(o, TEST_HOLE);
}

static void op_cr3(u64 n)
{
	/* Writing CR3 flushes the TLB (all of it: no global pages, no PCIDs here). */
	for (u64 i = 0; i < n; i++)
		asm volatile("mov %%cr3, %%rax\n\tmov %%rax, %%cr3" : : : "rax", "memory");
}

static void op_invlpg(u64 n)
{
	for (u64 i = 0; i < n; i++)
		asm volatile("invlpg (%0)" : : "r"((u64)TEST_REGION) : "memory");
}

static void extra_invlpg(struct out *o)
{
	extra_address(o, TEST_REGION);
}

/* ---- CPU facts, and the features some need ---- */

static void extra_cpuid(struct out *o)
{
	out_key(o, "hypervisor_bit");
	out_str(o, mach.hypervisor_bit ? "true" : "false");
	out_key(o, "hypervisor_vendor");
	if (mach.hv_vendor[0])
		out_json_str(o, mach.hv_vendor);
	else
		out_str(o, "null");
	out_key(o, "cpu_vendor");
	out_json_str(o, mach.cpu_vendor);
}

#define NO_RDTSCP "the CPU has no rdtscp (CPUID.80000001H:EDX[27])"
#define NO_RDPID  "the CPU has no rdpid (CPUID.(EAX=7,ECX=0):ECX[22])"
#define NO_XSAVE  "the CPU has no xsave (CPUID.1:ECX[26])"
#define NO_HPET	  "there is no HPET (none in ACPI, nothing at 0xfed00000)"
#define NO_LAPIC  "there is no local APIC in xAPIC (MMIO) mode"

static struct workload workloads[] = {
	{ .name = "trap.none", .op = op_none },
	{ .name = "trap.callret", .op = op_callret },
	{ .name = "trap.cpuid", .op = op_cpuid, .extra = extra_cpuid },
	{ .name = "trap.rdtscp", .op = op_rdtscp, .needs = &mach.has_rdtscp, .missing = NO_RDTSCP },
	{ .name = "trap.rdpid", .op = op_rdpid, .needs = &mach.has_rdpid, .missing = NO_RDPID },
	{ .name = "trap.xgetbv", .op = op_xgetbv, .needs = &mach.has_xsave, .missing = NO_XSAVE },
	{ .name = "trap.sgdt", .op = op_sgdt },
	{ .name = "trap.sidt", .op = op_sidt },
	{ .name = "trap.smsw", .op = op_smsw },
	{ .name = "trap.sldt", .op = op_sldt },
	{ .name = "trap.str", .op = op_str },
	{ .name = "trap.popf", .op = op_popf, .extra = extra_popf },
	{ .name = "trap.int3", .op = op_int3, .vector = 3 },
	{ .name = "trap.ud2", .op = op_ud2, .vector = 6 },
	{ .name = "trap.pio_qemu", .op = op_pio_qemu, .extra = extra_pio_qemu },
	{ .name = "trap.pio_kernel", .op = op_pio_kernel, .extra = extra_pio_kernel },
	{ .name = "trap.mmio_hpet",
	  .op = op_mmio_hpet,
	  .extra = extra_hpet,
	  .needs = &mach.has_hpet,
	  .missing = NO_HPET },
	{ .name = "trap.mmio_lapic",
	  .op = op_mmio_lapic,
	  .extra = extra_lapic,
	  .needs = &mach.has_lapic,
	  .missing = NO_LAPIC },
	{ .name = "trap.rdmsr", .op = op_rdmsr, .setup = setup_msr, .extra = extra_msr },
	{ .name = "trap.wrmsr", .op = op_wrmsr, .setup = setup_msr, .extra = extra_msr },
	{ .name = "trap.vmcall", .op = op_vmcall, .setup = setup_vmcall, .extra = extra_vmcall },
	{ .name = "trap.hlt",
	  .op = op_hlt,
	  .extra = extra_hlt,
	  .vector = TIMER_VECTOR,
	  .needs = &mach.has_lapic,
	  .missing = NO_LAPIC },
	{ .name = "trap.pagefault", .op = op_pagefault, .extra = extra_pagefault, .vector = 14 },
	{ .name = "trap.cr3", .op = op_cr3 },
	{ .name = "trap.invlpg", .op = op_invlpg, .extra = extra_invlpg },
};

struct workload *workload_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(workloads); i++)
		if (strcmp(workloads[i].name, name) == 0) {
			if (!workloads[i].empty)
				workloads[i].empty = empty_loop;
			return &workloads[i];
		}
	return NULL;
}
