/*
 * The vmbench agent protocol (workloads/agent.h), spoken by the nanoguest on COM1: the
 * same lines as the user-space agent, so that the host runs it like any other guest.
 * Nothing is written while a phase is measured; every reply is one whole line.
 */
#include "nanoguest.h"

void kmain(u32 mb_magic, u32 mb_info);

#define MAX_FIELDS 32

struct fields {
	int n;
	char *f[MAX_FIELDS];
};

static char line[LINE_MAX];
static struct out msg; /* static: 4 KiB is a lot of a 16 KiB stack */

/* Words separated by spaces, in place. -1 for more than MAX_FIELDS. */
static int split(char *s, struct fields *fs)
{
	fs->n = 0;
	for (;;) {
		while (*s == ' ')
			*s++ = '\0';
		if (!*s)
			return 0;
		if (fs->n == MAX_FIELDS)
			return -1;
		fs->f[fs->n++] = s;
		while (*s && *s != ' ')
			s++;
	}
}

/* The value of key= among the fields after the command and the workload. */
static const char *field(const struct fields *fs, const char *key)
{
	size_t len = strlen(key);

	for (int i = 2; i < fs->n; i++)
		if (memcmp(fs->f[i], key, len) == 0 && fs->f[i][len] == '=')
			return fs->f[i] + len + 1;
	return NULL;
}

/* An optional field in [lo, hi] (left alone when absent), or a required one. */
static int get_u64(const struct fields *fs, const char *key, u64 lo, u64 hi, bool required, u64 *v)
{
	const char *s = field(fs, key);

	if (!s)
		return required ? -1 : 0;
	return parse_u64(s, lo, hi, v);
}

/* What the host accepts as a workload name: a-z, 0-9, '.', '_', '-', 1 to 63 bytes. */
static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		      s[i] == '_' || s[i] == '-'))
			return false;
	return n > 0 && n < 64;
}

/* Starts "ERR <name> <kind> " in msg; the caller adds the reason and sends it. */
static struct out *err_start(const char *name, const char *kind)
{
	out_line(&msg);
	out_str(&msg, "ERR ");
	out_str(&msg, name);
	out_str(&msg, " ");
	out_str(&msg, kind);
	out_str(&msg, " ");
	return &msg;
}

static void err(const char *name, const char *kind, const char *why)
{
	out_str(err_start(name, kind), why);
	out_send(&msg);
}

static void say_name(const char *word, const struct run *r, bool ready)
{
	out_line(&msg);
	out_str(&msg, word);
	out_str(&msg, r->w->name);
	if (ready) {
		out_str(&msg, " iters=");
		out_u64(&msg, r->iters);
		out_str(&msg, " sample_ns=");
		out_u64(&msg, r->est_ns);
	}
	out_send(&msg);
}

static void u64_array(struct out *o, const char *key, const u64 *v, u64 n)
{
	out_key(o, key);
	out_str(o, "[");
	for (u64 i = 0; i < n; i++) {
		if (i)
			out_str(o, ",");
		out_u64(o, v[i]);
	}
	out_str(o, "]");
}

/* The result object, as DATA lines and END. */
static void send_data(const struct run *r, u64 warmup)
{
	struct out *o = &msg;
	u64 n = r->nsamples, ops = 0;

	for (u64 i = 0; i < n; i++)
		ops += r->done[i];
	out_data(o);
	out_str(o, "{");
	out_key(o, "workload");
	out_json_str(o, r->w->name);
	out_key(o, "unit");
	out_json_str(o, "ns/op");
	out_key(o, "iters");
	out_u64(o, r->iters);
	out_key(o, "warmup");
	out_u64(o, warmup);
	out_key(o, "ops");
	out_u64(o, ops);
	out_key(o, "samples");
	out_str(o, "[");
	for (u64 i = 0; i < n; i++) {
		if (i)
			out_str(o, ",");
		out_fs_ns(o, run_sample_fs(r, i));
	}
	out_str(o, "]");
	out_key(o, "sample_ns");
	out_str(o, "[");
	for (u64 i = 0; i < n; i++) {
		if (i)
			out_str(o, ",");
		out_u64(o, cycles_to_ns(r->cycles[i]));
	}
	out_str(o, "]");
	u64_array(o, "sample_iters", r->done, n);
	out_key(o, "loop_ns");
	out_fs_ns(o, r->loop_fs);

	out_key(o, "extra");
	out_str(o, "{");
	out_key(o, "ring");
	out_u64(o, (u64)cpl());
	clock_extra(o);
	out_key(o, "pmtimer_port");
	out_hex_str(o, mach.pm_port);
	out_key(o, "pmtimer_port_source");
	out_json_str(o, mach.pm_port_acpi ? "acpi" : "default");
	out_key(o, "ref");
	out_str(o, "{");
	out_key(o, "tsc_ns");
	out_u64(o, r->ref_tsc_ns);
	out_key(o, "pmtimer_ns");
	out_u64(o, r->ref_pm_ns);
	out_str(o, "}");
	if (r->w->extra)
		r->w->extra(o);
	out_str(o, "}}");
	out_data_end(o);
}

/* RUN <workload> reps= warmup= min_sample_ns= [iters=] [count=] [extra_work=] ... Returns
 * 1 when the host said QUIT, 0 when the RUN is over (done, or an ERR said why). */
static int serve_run(struct fields *fs)
{
	struct run r = { 0 };
	u64 count = 0, extra_work = 0;
	const char *name = fs->n > 1 && valid_name(fs->f[1]) ? fs->f[1] : "-";
	const char *why;

	if (fs->n < 2 || get_u64(fs, "reps", 1, MAX_REPS, true, &r.reps) < 0 ||
	    get_u64(fs, "warmup", 0, 1000, true, &r.warmup) < 0 ||
	    get_u64(fs, "min_sample_ns", 1000, 60000000000ull, true, &r.min_ns) < 0 ||
	    get_u64(fs, "iters", 1, 1ull << 50, false, &r.fixed_iters) < 0 ||
	    get_u64(fs, "count", 0, 1, false, &count) < 0 ||
	    get_u64(fs, "extra_work", 0, 1000000, false, &extra_work) < 0) {
		err(name, "failed", "bad request: RUN field missing or out of range");
		return 0;
	}
	r.w = workload_find(fs->f[1]);
	if (!r.w) {
		err(name, "unsupported", "not implemented by the nanoguest");
		return 0;
	}
	/* From here on the name is r.w->name: the next line read overwrites fs. */
	if (extra_work) {
		err(r.w->name, "failed", "extra work is not supported by the nanoguest");
		return 0;
	}
	if (r.w->needs && !*r.w->needs) {
		err(r.w->name, "unsupported", r.w->missing);
		return 0;
	}
	if (r.w->setup && (why = r.w->setup(r.w))) {
		err(r.w->name, "unsupported", why);
		return 0;
	}
	if (run_prepare(&r, err_start(r.w->name, "failed")) < 0) {
		out_send(&msg);
		return 0;
	}
	/* The measured phase; with count=1 one more sample for the host's counting probes,
	 * same iters, no calibration or warm-up. */
	for (int phase = 0; phase < (count ? 2 : 1); phase++) {
		say_name("READY ", &r, true);
		int n = serial_read_line(line);
		if (n >= 0 && strcmp(line, "QUIT") == 0)
			return 1;
		if (phase && n >= 0 && strcmp(line, "SKIP") == 0)
			return 0;
		if (n < 0 || strcmp(line, "GO") != 0) {
			err(r.w->name, "failed", phase ? "expected GO or SKIP" : "expected GO");
			return 0;
		}
		if (run_measure(&r, phase ? 1 : r.reps, err_start(r.w->name, "failed")) < 0) {
			out_send(&msg);
			return 0;
		}
		say_name("DONE ", &r, false);
		/* Nothing more until the host has read its probes. */
		n = serial_read_line(line);
		if (n >= 0 && strcmp(line, "QUIT") == 0)
			return 1;
		if (n < 0 || strcmp(line, "ACK") != 0) {
			err(r.w->name, "failed", "expected ACK");
			return 0;
		}
		send_data(&r, phase ? 0 : r.warmup);
	}
	return 0;
}

/* Host text echoed in a LOG: printable, and short. */
static void out_word(struct out *o, const char *s)
{
	char c[2] = { 0, 0 };

	for (int i = 0; s[i] && i < 32; i++) {
		c[0] = s[i] >= 0x20 && s[i] <= 0x7e ? s[i] : '?';
		out_str(o, c);
	}
}

static __noreturn void serve(void)
{
	struct fields fs;

	for (;;) {
		if (serial_read_line(line) < 0) {
			say("LOG ignored an overlong host line");
			continue;
		}
		if (split(line, &fs) < 0 || fs.n == 0) {
			say("LOG ignored a malformed host line");
			continue;
		}
		if (strcmp(fs.f[0], "RUN") == 0) {
			if (serve_run(&fs))
				break;
		} else if (strcmp(fs.f[0], "QUIT") == 0) {
			break;
		} else if (strcmp(fs.f[0], "PING") == 0 && fs.n == 1) {
			say("PONG"); /* protocol 4: where a command is awaited; MEM (5) is the
				      * image's: no lifecycle.resize here */
		} else {
			out_line(&msg);
			out_str(&msg, "LOG ignored unknown host command ");
			out_word(&msg, fs.f[0]);
			out_send(&msg);
		}
	}
	say("BYE");
	halt_forever(); /* the host ends QEMU */
}

static void say_clock(void)
{
	u64 res, rd, loop;

	clock_facts(&res, &rd, &loop);
	out_line(&msg);
	out_str(&msg, "CLOCK timer_res_ns=");
	out_fs_ns(&msg, res);
	out_str(&msg, " clock_read_ns=");
	out_fs_ns(&msg, rd);
	out_str(&msg, " loop_ns=");
	out_fs_ns(&msg, loop);
	out_send(&msg);
}

/* What the nanoguest found, for the host's log. */
static void log_machine(void)
{
	struct out *o = &msg;

	out_line(o);
	out_str(o, "LOG nanoguest: ");
	out_word(o, mach.cpu_vendor);
	out_str(o, " ring ");
	out_u64(o, (u64)cpl());
	out_str(o, ", PM timer at port ");
	out_hex(o, mach.pm_port);
	out_str(o, mach.pm_port_acpi ? " (ACPI FADT)" : " (default: not in ACPI)");
	out_str(o, ", HPET at ");
	out_hex(o, mach.hpet_base);
	out_str(o, ", local APIC at ");
	out_hex(o, mach.lapic_base);
	out_str(o, ", hypervisor ");
	out_word(o, mach.hv_vendor[0] ? mach.hv_vendor : "-");
	out_send(o);
}

/* From boot.S, in long mode with the boot stack. */
void kmain(u32 mb_magic, u32 mb_info)
{
	const char *cmdline;

	hw_early_init();
	serial_init();
	/* First, before any measuring: a boot is timed to this line. */
	say("HELLO vmbench-agent nanoguest-1 proto=5 kernel=nanoguest arch=x86_64 tmp=none");
	hw_init(mb_magic, mb_info, &cmdline);
	tsc_init(cmdline);
	say_clock();
	log_machine();
	serve();
}
