/*
 * The nanoguest: a freestanding x86-64 kernel that measures, from ring 0, what privileged
 * and trapping operations cost under each way of running a machine, and reports it with
 * the vmbench agent protocol on COM1 (workloads/agent.h).
 *
 * What is where:
 *   boot.S     multiboot entry, long mode, the exception and interrupt entry stubs
 *   hw.c       the machine: ACPI tables, PIC, LAPIC, HPET, page tables, exceptions
 *   serial.c   COM1 and the output buffers (numbers, JSON, DATA chunks)
 *   measure.c  the TSC, its frequency, calibration and the timed samples
 *   bench.c    the workloads: one trapping operation each
 *   proto.c    the protocol loop and kmain
 */
#ifndef NANOGUEST_H
#define NANOGUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define __noinline    __attribute__((noinline, noclone))
#define __noreturn    __attribute__((noreturn))
#define __unused      __attribute__((unused))

/* ---- Instructions the C compiler has no name for ---- */

static inline void outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* Device registers: volatile so that every access reaches the device, once. */
static inline u32 mmio_read32(u64 addr)
{
	return *(volatile u32 *)addr;
}

static inline void mmio_write32(u64 addr, u32 v)
{
	*(volatile u32 *)addr = v;
}

static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (u64)hi << 32 | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline u64 read_cr3(void)
{
	u64 v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(u64 v)
{
	asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

/* Halts for good: the host sees the last line and ends QEMU. */
static inline __noreturn void halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

/*
 * An instruction that is meant to raise an exception, and where the handler resumes:
 * the handler finds the address the CPU reported in this table (section .ex_table) and
 * continues at the second address. A fault (#UD, #PF) reports the instruction itself, a
 * trap (#BP) the one after it. Any exception at an address not in the table is fatal.
 */
#define EXTABLE(from, to)                   \
	".pushsection .ex_table, \"a\"\n\t" \
	".balign 8\n\t"                     \
	".quad " #from ", " #to "\n\t"      \
	".popsection\n\t"

/* ---- serial.c: COM1 and output ---- */

#define LINE_MAX   4096 /* bytes of a protocol line, newline included */
#define DATA_CHUNK 3072 /* JSON bytes per DATA line */

void serial_init(void);
/* One host line without its "\n" ("\r" dropped) into buf, NUL-terminated: its length,
 * or -1 when it was longer than LINE_MAX (it is dropped). Waits for it. */
int serial_read_line(char *buf);

/* Text being built: a protocol line, or a JSON object sent as DATA lines. */
struct out {
	char s[LINE_MAX];
	u32 len;
	bool data; /* a DATA stream: flushed in DATA_CHUNK pieces */
	char last; /* the last character put (a flush empties s) */
	u64 total; /* JSON bytes so far (for END bytes=) */
};

void out_line(struct out *o);	  /* start a protocol line */
void out_send(struct out *o);	  /* send it with its "\n" */
void out_data(struct out *o);	  /* start a DATA stream */
void out_data_end(struct out *o); /* the last DATA line, then END bytes= */
void out_str(struct out *o, const char *s);
void out_u64(struct out *o, u64 v);
void out_hex(struct out *o, u64 v);		 /* 0x-prefixed, lower case */
void out_hex_str(struct out *o, u64 v);		 /* the same as a JSON string: ports, addresses */
void out_fs_ns(struct out *o, u64 fs);		 /* femtoseconds as ns, 3 decimals: "12.250" */
void out_json_str(struct out *o, const char *s); /* quoted, escaped, printable */
void out_key(struct out *o, const char *key);	 /* ,"key": (no comma first in {) */
void say(const char *s);			 /* one whole line */

/* ---- measure.c: the clock ---- */

static inline u64 tsc_read(void)
{
	u32 lo, hi;

	/* lfence: the read waits until the instructions before it have finished. */
	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (u64)hi << 32 | lo;
}

/* a * b / c with a 128-bit product (mul, div): no overflow, saturates at ~0. */
u64 muldiv(u64 a, u64 b, u64 c);
u64 cycles_to_ns(u64 cycles);
u64 cycles_to_fs(u64 cycles);
u64 ns_to_cycles(u64 ns);
/* The TSC's rate from the command line, else calibrated against the PM timer. */
void tsc_init(const char *cmdline);
/* CLOCK's facts, in femtoseconds. */
void clock_facts(u64 *res_fs, u64 *read_fs, u64 *loop_fs);
/* "clock", "tsc_khz", "tsc_khz_source" for extra. */
void clock_extra(struct out *o);

#define MAX_REPS  100000
#define ITERS_MAX (1ull << 40)

/* One RUN: the request, then what calibration and the samples found. */
struct run {
	struct workload *w;
	u64 reps, warmup, min_ns;
	u64 fixed_iters;	   /* iters= of the request, or 0 */
	u64 iters, est_ns;	   /* for READY */
	u64 loop_fs;		   /* the empty loop, per iteration */
	u64 nsamples;		   /* of the last measured phase: */
	u64 *cycles, *done;	   /* each sample's TSC cycles and operations */
	u64 ref_tsc_ns, ref_pm_ns; /* the phase on the TSC and on the PM timer */
};

/* Calibration, warm-up, the empty loop. 0, or -1 with the reason put in err. */
int run_prepare(struct run *r, struct out *err);
/* reps samples, nothing written meanwhile. 0, or -1 with the reason put in err. */
int run_measure(struct run *r, u64 reps, struct out *err);
/* Sample i's value: its time less the empty loop's, per operation, in fs. */
u64 run_sample_fs(const struct run *r, u64 i);

/* ---- hw.c: the machine ---- */

#define PM_TIMER_HZ  3579545u /* the ACPI PM timer's rate */
#define TIMER_VECTOR 0x40     /* the local APIC timer's interrupt */

/* Device registers, as offsets from hpet_base and lapic_base. */
#define HPET_COUNTER	  0xf0
#define LAPIC_VERSION	  0x30
#define LAPIC_EOI	  0xb0
#define LAPIC_TIMER_COUNT 0x380 /* the initial count: writing it starts the timer */

/* 2 MiB mapped with 4 KiB pages for the paging workloads; its last page is not present. */
#define TEST_REGION 0x800000u
#define TEST_HOLE   (TEST_REGION + 0x1ff000u)

struct machine {
	u16 pm_port;
	bool pm_port_acpi;	  /* from the FADT, not the PIIX4 default */
	u64 hpet_base;		  /* 0: none */
	u64 lapic_base;		  /* 0: none usable (no APIC, or x2APIC mode) */
	bool has_hpet, has_lapic; /* hpet_base, lapic_base usable */
	bool has_rdtscp, has_rdpid, has_xsave;
	bool hypervisor_bit;
	char cpu_vendor[13];
	char hv_vendor[13]; /* "" when there is none */
};

extern struct machine mach;

/* Exceptions and interrupts taken, by vector: the round trips check their count. */
extern volatile u64 trap_count[256];

void hw_early_init(void);
void hw_init(u32 mb_magic, u32 mb_info, const char **cmdline);
u32 pm_timer_read(void);
int cpl(void);
/* rdmsr that reports a #GP instead of dying of it: 0 or -1. */
int rdmsr_safe(u32 msr, u64 *v);

/* ---- bench.c: the workloads ---- */

struct workload {
	const char *name;
	void (*op)(u64 n);    /* n operations, one per loop iteration */
	void (*empty)(u64 n); /* the same loop without the operation */
	/* What it needs (a feature of struct machine), and what to say when that is missing:
	 * the reason of an "unsupported". */
	const bool *needs;
	const char *missing;
	/* Set-up: NULL, or why it cannot run here ("unsupported"). May set vector. */
	const char *(*setup)(struct workload *w);
	void (*extra)(struct out *o); /* its own facts: ,"key":value ... */
	/* The vector each operation takes once (counted, checked after the phase); 0 for
	 * none, as no workload divides by zero. */
	int vector;
};

struct workload *workload_find(const char *name);
/* The loop of every workload with nothing in it. */
void empty_loop(u64 n);

/* ---- lib (serial.c) ---- */

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
int strcmp(const char *a, const char *b);
size_t strlen(const char *s);
/* Decimal digits only, within [lo, hi]: 0, else -1. */
int parse_u64(const char *s, u64 lo, u64 hi, u64 *v);

#endif
