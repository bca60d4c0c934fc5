/*
 * COM1, polled: the nanoguest's only way to talk to the host. No interrupts, so that
 * nothing but the benchmark itself happens while one runs; the host never writes while
 * we measure, and QEMU holds back input while the UART's receive buffer is full.
 *
 * Also the few string and number routines a kernel without a C library needs.
 */
#include "nanoguest.h"

#define COM1	 0x3f8
#define LSR	 5    /* line status register */
#define LSR_DR	 0x01 /* a byte is waiting */
#define LSR_THRE 0x20 /* room for a byte to send */

void serial_init(void)
{
	outb(COM1 + 1, 0x00); /* no UART interrupts */
	outb(COM1 + 3, 0x80); /* divisor latch access */
	outb(COM1 + 0, 0x01); /* 115200 baud (QEMU ignores the rate) */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8 bits, no parity, one stop bit */
	outb(COM1 + 2, 0xc7); /* FIFOs on and cleared */
	outb(COM1 + 4, 0x03); /* DTR, RTS; OUT2 off: the UART cannot raise an IRQ */
}

static void serial_putc(char c)
{
	while (!(inb(COM1 + LSR) & LSR_THRE))
		;
	outb(COM1, (u8)c);
}

/* Every poll of the UART is a device access (an exit under KVM), and the host's probes count
 * those that fall in their window: between their snapshot and our read of GO, and after
 * DONE until ACK, which can take the host milliseconds (a QMP query). So the wait between
 * polls grows from 20 us to 1 ms while nothing comes (a line's bytes then arrive together),
 * which keeps them to a handful per window at the cost of at most a millisecond per line
 * that nothing times. The wait reads only the TSC (no pause: KVM's pause-loop exiting would
 * exit on it). */
static char serial_getc(void)
{
	u64 wait_ns = 20000;

	while (!(inb(COM1 + LSR) & LSR_DR)) {
		u64 until = tsc_read() + ns_to_cycles(wait_ns);
		/* Bounded in reads too: a TSC that stood still would otherwise hang us. */
		for (u32 spins = 0; tsc_read() < until && spins < (1u << 20); spins++)
			;
		if (wait_ns < 1000000)
			wait_ns *= 2;
	}
	return (char)inb(COM1);
}

int serial_read_line(char *buf)
{
	u32 n = 0;
	bool overlong = false;

	for (;;) {
		char c = serial_getc();

		if (c == '\r')
			continue;
		if (c == '\n')
			break;
		if (n < LINE_MAX - 1) /* room for the line's "\n" within LINE_MAX */
			buf[n++] = c;
		else
			overlong = true;
	}
	buf[n] = '\0';
	return overlong ? -1 : (int)n;
}

static void serial_write(const char *s, u32 n)
{
	while (n--)
		serial_putc(*s++);
}

/* ---- Output: protocol lines, and JSON cut into DATA lines ---- */

void out_line(struct out *o)
{
	o->len = 0;
	o->data = false;
	o->last = '\0';
	o->total = 0;
}

void out_send(struct out *o)
{
	serial_write(o->s, o->len);
	serial_putc('\n');
	o->len = 0;
}

void out_data(struct out *o)
{
	out_line(o);
	o->data = true;
}

static void data_flush(struct out *o)
{
	serial_write("DATA ", 5);
	out_send(o);
}

void out_data_end(struct out *o)
{
	if (o->len)
		data_flush(o);
	u64 total = o->total;
	out_line(o);
	out_str(o, "END bytes=");
	out_u64(o, total);
	out_send(o);
}

static void out_char(struct out *o, char c)
{
	if (o->data && o->len == DATA_CHUNK)
		data_flush(o);
	if (o->len >= LINE_MAX - 1)
		return; /* a protocol line never gets this long; never send a longer one */
	o->s[o->len++] = c;
	o->last = c;
	o->total++;
}

void out_str(struct out *o, const char *s)
{
	while (*s)
		out_char(o, *s++);
}

void out_u64(struct out *o, u64 v)
{
	char d[20];
	int n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		out_char(o, d[--n]);
}

void out_hex(struct out *o, u64 v)
{
	char d[16];
	int n = 0;

	do {
		d[n++] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v);
	out_str(o, "0x");
	while (n)
		out_char(o, d[--n]);
}

void out_hex_str(struct out *o, u64 v)
{
	out_char(o, '"');
	out_hex(o, v);
	out_char(o, '"');
}

/* Integers only: femtoseconds rounded to picoseconds, printed as ns with 3 decimals. */
void out_fs_ns(struct out *o, u64 fs)
{
	u64 ps = fs / 1000 + (fs % 1000 >= 500);

	out_u64(o, ps / 1000);
	out_char(o, '.');
	out_char(o, (char)('0' + ps / 100 % 10));
	out_char(o, (char)('0' + ps / 10 % 10));
	out_char(o, (char)('0' + ps % 10));
}

/* A JSON string of printable ASCII: what a CPU calls itself may hold anything. */
void out_json_str(struct out *o, const char *s)
{
	out_char(o, '"');
	for (; *s; s++) {
		char c = *s;

		if (c == '"' || c == '\\')
			out_char(o, '\\');
		out_char(o, c >= 0x20 && c <= 0x7e ? c : '?');
	}
	out_char(o, '"');
}

void out_key(struct out *o, const char *key)
{
	if (o->last != '{')
		out_char(o, ',');
	out_char(o, '"');
	out_str(o, key);
	out_str(o, "\":");
}

void say(const char *s)
{
	static struct out o; /* 4 KiB: not on the 16 KiB stack */

	out_line(&o);
	out_str(&o, s);
	out_send(&o);
}

/* ---- What the compiler expects of a C library, and a number parser ---- */

/* rep stosb / movsb: loops here could be turned back into calls of these very functions. */
void *memset(void *d, int c, size_t n)
{
	void *ret = d;

	asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return ret;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *ret = d;

	asm volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return ret;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (u8)*a - (u8)*b;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int parse_u64(const char *s, u64 lo, u64 hi, u64 *v)
{
	u64 x = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		u64 d = (u64)(*s - '0');
		if (x > (~0ull - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	if (x < lo || x > hi)
		return -1;
	*v = x;
	return 0;
}
