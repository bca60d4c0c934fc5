/*
 * The machine as the nanoguest sets it up: exceptions and interrupts (the IDT), the
 * interrupt controllers (8259 PIC masked, the local APIC on for its timer), the devices
 * found through the ACPI tables (PM timer, HPET), a page table of 4 KiB pages for the
 * paging benchmarks, and the CPU's features.
 */
#include "nanoguest.h"

struct machine mach;
volatile u64 trap_count[256];

/* ---- Exceptions and interrupts ---- */

/* What boot.S's isr_common leaves on the stack, lowest address first. */
struct trap_frame {
	u64 r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* One IDT entry in long mode: 16 bytes, the handler's address split in three. */
struct idt_gate {
	u16 off_lo;
	u16 selector;
	u8 ist;
	u8 type; /* 0x8e: present, DPL 0, 64-bit interrupt gate (IF cleared on entry) */
	u16 off_mid;
	u32 off_hi;
	u32 zero;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));

extern const u64 isr_exceptions[32];
extern char isr_64[], isr_255[];
extern u64 boot_pd[2048];

struct extable_entry {
	u64 from, to;
};

extern const struct extable_entry __ex_table_start[], __ex_table_end[];

#define SPURIOUS_VECTOR 0xff
#define KERNEL_CS	0x08

static void idt_set(int vec, u64 handler)
{
	struct idt_gate *g = &idt[vec];

	g->off_lo = (u16)handler;
	g->selector = KERNEL_CS;
	g->ist = 0;
	g->type = 0x8e;
	g->off_mid = (u16)(handler >> 16);
	g->off_hi = (u32)(handler >> 32);
	g->zero = 0;
}

/* Vectors without a gate are not present: using one raises #GP, which is fatal. */
static void idt_init(void)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (u64)idt };

	for (int v = 0; v < 32; v++)
		idt_set(v, isr_exceptions[v]);
	idt_set(TIMER_VECTOR, (u64)isr_64);
	idt_set(SPURIOUS_VECTOR, (u64)isr_255);
	asm volatile("lidt %0" : : "m"(idtr));
}

static __noreturn void fatal(const struct trap_frame *f)
{
	static struct out o; /* not on the stack, which may be what went wrong */

	out_line(&o);
	out_str(&o, "LOG nanoguest: exception ");
	out_u64(&o, f->vector);
	out_str(&o, " at rip=");
	out_hex(&o, f->rip);
	out_str(&o, " (error ");
	out_hex(&o, f->error);
	out_str(&o, ")");
	out_send(&o);
	if (f->vector == 14) {
		u64 cr2;

		asm volatile("mov %%cr2, %0" : "=r"(cr2));
		out_line(&o);
		out_str(&o, "LOG nanoguest: the page fault's address was ");
		out_hex(&o, cr2);
		out_send(&o);
	}
	halt_forever();
}

static void lapic_eoi(void)
{
	mmio_write32(mach.lapic_base + LAPIC_EOI, 0);
}

/*
 * Every exception and interrupt, from isr_common with interrupts off; it returns to the
 * frame's RIP. An exception a benchmark meant to raise (its address in the EXTABLE) resumes
 * where the table says; any other is fatal, and the host reads why on the serial line.
 */
void trap_dispatch(struct trap_frame *f)
{
	trap_count[f->vector & 0xff]++;
	if (f->vector == TIMER_VECTOR) {
		lapic_eoi();
		return;
	}
	if (f->vector == SPURIOUS_VECTOR)
		return; /* the APIC wants no EOI for it */
	for (const struct extable_entry *e = __ex_table_start; e < __ex_table_end; e++)
		if (e->from == f->rip) {
			f->rip = e->to;
			return;
		}
	fatal(f);
}

int rdmsr_safe(u32 msr, u64 *v)
{
	u32 lo = 0, hi = 0;
	int fault = 1;

	/* A #GP skips the instruction and the store of 0 into fault. */
	asm volatile("1: rdmsr\n\t"
		     "movl $0, %2\n"
		     "2:\n\t" EXTABLE(1b, 2b)
		     : "+a"(lo), "+d"(hi), "+r"(fault)
		     : "c"(msr));
	*v = (u64)hi << 32 | lo;
	return fault ? -1 : 0;
}

int cpl(void)
{
	u16 cs;

	asm volatile("mov %%cs, %0" : "=r"(cs));
	return cs & 3;
}

/* ---- The legacy PIT and 8259 PIC: quiet ---- */

/* The BIOS leaves the PIT ticking at 18.2 Hz: its host-side timer would fire throughout
 * every measurement. Mode 0 with a count of 1 fires once, then never again. */
static void pit_stop(void)
{
	outb(0x43, 0x30); /* channel 0, low then high byte, mode 0 */
	outb(0x40, 1);
	outb(0x40, 0);
}

/* Remapped away from the exception vectors, then masked. */
static void pic_mask_all(void)
{
	/* The BIOS leaves IRQ 0-7 on vectors 8-15, which are exceptions in long mode. */
	static const u8 init[][2] = {
		{ 0x20, 0x11 }, { 0xa0, 0x11 }, /* ICW1: edge, cascade, ICW4 follows */
		{ 0x21, 0x20 }, { 0xa1, 0x28 }, /* ICW2: vectors 0x20 and 0x28 */
		{ 0x21, 0x04 }, { 0xa1, 0x02 }, /* ICW3: the slave on IRQ 2 */
		{ 0x21, 0x01 }, { 0xa1, 0x01 }, /* ICW4: 8086 mode */
		{ 0x21, 0xff }, { 0xa1, 0xff }, /* OCW1: every line masked */
	};

	for (size_t i = 0; i < ARRAY_SIZE(init); i++)
		outb(init[i][0], init[i][1]);
}

/* ---- ACPI: where the PM timer and the HPET are ---- */

struct acpi_header {
	char sig[4];
	u32 length;
	u8 revision, checksum;
	char oem[6], oem_table[8];
	u32 oem_rev, creator, creator_rev;
} __attribute__((packed));

static bool acpi_sum_ok(const void *p, u32 len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return sum == 0;
}

/* A length that fits in the mapped 4 GiB and a checksum that holds. */
static bool acpi_table_ok(const struct acpi_header *t)
{
	return t->length >= sizeof(*t) && t->length <= 0x10000 && acpi_sum_ok(t, t->length);
}

/* The RSDP: "RSD PTR " on a 16-byte boundary in the BIOS area, with a valid checksum.
 * Compared as one 64-bit word: thousands of places, a few instructions each. */
static const u8 *acpi_find_rsdp(void)
{
	u64 sig;

	memcpy(&sig, "RSD PTR ", 8);
	for (u64 a = 0xe0000; a < 0x100000; a += 16)
		if (*(const u64 *)a == sig && acpi_sum_ok((void *)a, 20))
			return (const u8 *)a;
	return NULL;
}

/* Calls found(table) for each table of the RSDT (or XSDT) whose checksum holds. */
static void acpi_scan(void (*found)(const struct acpi_header *t))
{
	const u8 *rsdp = acpi_find_rsdp();
	u32 rsdt, width = 4;
	u64 xsdt = 0;

	if (!rsdp)
		return;
	memcpy(&rsdt, rsdp + 16, 4);
	if (rsdp[15] >= 2)
		memcpy(&xsdt, rsdp + 24, 8);
	u64 root = rsdt;
	if (!root && xsdt < 0x100000000ull) {
		root = xsdt; /* only tables in the 4 GiB we map */
		width = 8;
	}
	const struct acpi_header *h = (const void *)root;
	if (!root || !acpi_table_ok(h))
		return;
	const u8 *ent = (const u8 *)(h + 1);
	for (u32 off = 0; off + width <= h->length - sizeof(*h); off += width) {
		u64 addr = 0;

		memcpy(&addr, ent + off, width);
		const struct acpi_header *t = (const void *)addr;
		if (addr && addr < 0x100000000ull && acpi_table_ok(t))
			found(t);
	}
}

static void acpi_table(const struct acpi_header *t)
{
	const u8 *b = (const u8 *)t;

	if (memcmp(t->sig, "FACP", 4) == 0 && t->length >= 80) {
		u32 port;

		memcpy(&port, b + 76, 4); /* PM_TMR_BLK */
		if (port && port < 0x10000) {
			mach.pm_port = (u16)port;
			mach.pm_port_acpi = true;
		}
	}
	if (memcmp(t->sig, "HPET", 4) == 0 && t->length >= 56) {
		u64 base;

		memcpy(&base, b + 44, 8); /* the base address's Generic Address Structure */
		/* Memory space (0), and in the uncached area we mapped. */
		if (b[40] == 0 && base >= 0xfe000000u && base < 0x100000000ull)
			mach.hpet_base = base;
	}
}

u32 pm_timer_read(void)
{
	return inl(mach.pm_port) & 0xffffff; /* 24 bits: QEMU's PIIX4 has no 32-bit timer */
}

/* ---- HPET: its counter must run for a read of it to mean anything ---- */

static void hpet_init(void)
{
	if (!mach.hpet_base)
		mach.hpet_base = 0xfed00000; /* where PC chipsets put it */
	u32 cap = mmio_read32(mach.hpet_base);
	/* No device answers with all ones (or zeros); a real one has a vendor and a rev. */
	if (cap == 0xffffffffu || (cap & 0xff) == 0) {
		mach.hpet_base = 0;
		return;
	}
	mach.has_hpet = true;
	mmio_write32(mach.hpet_base + 0x10, mmio_read32(mach.hpet_base + 0x10) | 1);
}

/* ---- The local APIC: on, with its timer one-shot on TIMER_VECTOR ---- */

#define MSR_APIC_BASE 0x1b

static void lapic_init(void)
{
	u32 a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(d & (1u << 9)))
		return; /* no APIC */
	u64 base = rdmsr(MSR_APIC_BASE);
	if (base & (1u << 10))
		return; /* x2APIC mode: no MMIO registers (the firmware never leaves it on) */
	if (!(base & (1u << 11)))
		wrmsr(MSR_APIC_BASE, base | (1u << 11)); /* globally enabled */
	mach.lapic_base = base & 0xfffff000u;
	if (mach.lapic_base < 0xfe000000u)
		mach.lapic_base = 0; /* not in the uncached area we mapped */
	if (!mach.lapic_base)
		return;
	mach.has_lapic = true;
	mmio_write32(mach.lapic_base + 0xf0, 0x100 | SPURIOUS_VECTOR); /* bit 8: enabled */
	mmio_write32(mach.lapic_base + 0x350, 1u << 16); /* LINT0 masked: no ExtINT from the PIC */
	mmio_write32(mach.lapic_base + 0x3e0, 0xb);	 /* timer clock divided by 1 */
	mmio_write32(mach.lapic_base + 0x320, TIMER_VECTOR);  /* one-shot, not masked */
	mmio_write32(mach.lapic_base + LAPIC_TIMER_COUNT, 0); /* stopped */
}

/* ---- Paging: TEST_REGION in 4 KiB pages, its last page not present ---- */

static u64 test_pt[512] __attribute__((aligned(4096)));

static void paging_init(void)
{
	for (u32 i = 0; i < 511; i++)
		test_pt[i] = (TEST_REGION + i * 4096ull) | 0x3; /* present, writable */
	test_pt[511] = 0; /* TEST_HOLE: every load from it is a #PF */
	boot_pd[TEST_REGION >> 21] = (u64)test_pt | 0x3;
	write_cr3(read_cr3()); /* the 2 MiB mapping it replaces may be in the TLB */
}

/* ---- The CPU ---- */

static void copy_regs(char *dst, u32 r0, u32 r1, u32 r2)
{
	memcpy(dst, &r0, 4);
	memcpy(dst + 4, &r1, 4);
	memcpy(dst + 8, &r2, 4);
	dst[12] = '\0';
}

static void cpu_init(void)
{
	u32 max, a, b, c, d;

	cpuid(0, 0, &max, &b, &c, &d);
	copy_regs(mach.cpu_vendor, b, d, c);
	cpuid(1, 0, &a, &b, &c, &d);
	mach.has_xsave = c & (1u << 26);
	mach.hypervisor_bit = c & (1u << 31);
	if (max >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		mach.has_rdpid = c & (1u << 22);
	}
	cpuid(0x80000000u, 0, &a, &b, &c, &d);
	if (a >= 0x80000001u) {
		cpuid(0x80000001u, 0, &a, &b, &c, &d);
		mach.has_rdtscp = d & (1u << 27);
	}
	if (mach.hypervisor_bit) {
		cpuid(0x40000000u, 0, &a, &b, &c, &d);
		/* A CPU without hypervisor leaves answers with another leaf's data: a real
		 * one gives its highest leaf, 0x40000000 to 0x400000ff, in EAX. */
		if (a >= 0x40000000u && a <= 0x400000ffu)
			copy_regs(mach.hv_vendor, b, c, d);
	}
	/* CR4.OSXSAVE lets xgetbv run; without it xgetbv is #UD. */
	if (mach.has_xsave) {
		u64 cr4;

		asm volatile("mov %%cr4, %0" : "=r"(cr4));
		asm volatile("mov %0, %%cr4" : : "r"(cr4 | (1u << 18)));
	}
}

/* ---- Set-up ---- */

/* Before HELLO: only what a stray exception or interrupt needs. */
void hw_early_init(void)
{
	idt_init();
	pic_mask_all();
	pit_stop();
}

/* The start of what a multiboot loader tells its kernel (EBX at entry). */
struct multiboot_info {
	u32 flags;
	u32 mem_lower, mem_upper; /* flags bit 0 */
	u32 boot_device;	  /* flags bit 1 */
	u32 cmdline;		  /* flags bit 2: QEMU's is "<kernel file> <-append>" */
};

#define MULTIBOOT_LOADED  0x2badb002u /* EAX at entry */
#define MULTIBOOT_CMDLINE (1u << 2)

void hw_init(u32 mb_magic, u32 mb_info, const char **cmdline)
{
	const struct multiboot_info *mbi = (const void *)(u64)mb_info;

	*cmdline = NULL;
	if (mb_magic == MULTIBOOT_LOADED && (mbi->flags & MULTIBOOT_CMDLINE))
		*cmdline = (const char *)(u64)mbi->cmdline;
	mach.pm_port = 0x608; /* QEMU's PIIX4 PM base 0x600 + 8, if ACPI does not say */
	acpi_scan(acpi_table);
	hpet_init();
	lapic_init();
	paging_init();
	cpu_init();
}
