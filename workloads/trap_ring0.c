/*
 * The privileged trap.* operations: what only a kernel may do, measured by the nanoguest
 * (guests/nanoguest/) in ring 0 under QEMU's accelerators. They are described here, so
 * that the harness plans, reports and plots them like any workload; the agent has no
 * hooks for them and answers a RUN of one with "unsupported".
 */
#include "workloads/workload.h"

#define RING0_WORKLOAD(sym, nm, sum, ...)                                       \
	const struct workload_ops workload_##sym = { .abi = WORKLOAD_ABI,       \
						     .name = nm,                \
						     .summary = sum,            \
						     .unit = "ns/op",           \
						     .better = BETTER_LOWER,    \
						     .needs = WL_NEEDS_RING0,   \
						     .flags = WL_SUBTRACT_LOOP, \
						     .plots = PLOT_TRAPCOST,    \
						     __VA_ARGS__ }

RING0_WORKLOAD(trap_pio_qemu, "trap.pio_qemu",
	       "port I/O QEMU answers in user space: inl of the ACPI PM timer", .plot_order = 6);
RING0_WORKLOAD(trap_pio_kernel, "trap.pio_kernel",
	       "port I/O KVM answers in the kernel: inb of the PIC's ELCR (0x4d0)",
	       .plot_order = 7);
RING0_WORKLOAD(trap_mmio_hpet, "trap.mmio_hpet",
	       "MMIO read of an emulated device register: the HPET's main counter",
	       .plot_order = 8);
RING0_WORKLOAD(trap_mmio_lapic, "trap.mmio_lapic",
	       "MMIO read of the local APIC (its version register)");
RING0_WORKLOAD(trap_rdmsr, "trap.rdmsr", "rdmsr of a harmless MSR (extra.msr)");
RING0_WORKLOAD(trap_wrmsr, "trap.wrmsr", "wrmsr of a harmless MSR, its own value back");
RING0_WORKLOAD(trap_vmcall, "trap.vmcall",
	       "vmcall as a hypercall (without VMX it raises #UD: extra.outcome)");
RING0_WORKLOAD(trap_hlt, "trap.hlt",
	       "hlt woken by a one-shot LAPIC timer (its write and the EOI included)");
RING0_WORKLOAD(trap_pagefault, "trap.pagefault",
	       "page-fault round trip: a load from a not-present page to the #PF handler");
RING0_WORKLOAD(trap_cr3, "trap.cr3", "CR3 reload (a TLB flush)");
RING0_WORKLOAD(trap_invlpg, "trap.invlpg", "invlpg of a mapped page");
