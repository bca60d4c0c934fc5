#!/usr/bin/python3
"""Boot the nanoguest under QEMU (TCG) and check what it says, line by line.

It plays the host's part of the agent protocol (workloads/agent.h): every workload runs
with count=1 (GO, ACK, GO, ACK), every line must parse as strictly as the host parses it,
every result object must have exactly the keys the host accepts, and a few bad requests
must get their ERR. Prints the median ns/op of each workload and the time to HELLO.

  guests/nanoguest/tools/drive.py build/vmbench-nanoguest       # the host's TSC rate
  guests/nanoguest/tools/drive.py --no-tsc-khz --cpu max IMAGE  # the guest calibrates

It needs only qemu-system-x86_64 and Python 3; no vmbench. It never uses KVM.
"""
import argparse
import json
import os
import re
import select
import shutil
import statistics
import subprocess
import sys
import time

WORKLOADS = [
    "trap.none", "trap.callret", "trap.cpuid", "trap.rdtscp", "trap.rdpid", "trap.xgetbv",
    "trap.sgdt", "trap.sidt", "trap.smsw", "trap.sldt", "trap.str", "trap.popf",
    "trap.int3", "trap.ud2", "trap.pio_qemu", "trap.pio_kernel", "trap.mmio_hpet",
    "trap.mmio_lapic", "trap.rdmsr", "trap.wrmsr", "trap.vmcall", "trap.hlt",
    "trap.pagefault", "trap.cr3", "trap.invlpg",
]
# May be missing from a CPU model (an ERR unsupported is then the right answer).
CPU_FEATURES = {"trap.rdtscp", "trap.rdpid", "trap.xgetbv"}
KEYS = {"workload", "unit", "iters", "warmup", "ops", "samples", "sample_ns",
        "sample_iters", "loop_ns", "extra"}
EXTRA_KEYS = {"ring", "clock", "tsc_khz", "tsc_khz_source", "ref", "pmtimer_port"}
HELLO = "HELLO vmbench-agent nanoguest-1 proto=5 kernel=nanoguest arch=x86_64 tmp=none"
DECIMAL = r"\d+(?:\.\d+)?"
PATTERNS = {
    "CLOCK": re.compile(rf"CLOCK timer_res_ns=({DECIMAL}) clock_read_ns=({DECIMAL}) "
                        rf"loop_ns=({DECIMAL})"),
    "READY": re.compile(r"READY ([a-z0-9._-]{1,63}) iters=(\d+) sample_ns=(\d+)"),
    "DONE": re.compile(r"DONE ([a-z0-9._-]{1,63})"),
    "DATA": re.compile(r"DATA (.{1,3072})"),
    "END": re.compile(r"END bytes=(\d+)"),
    "ERR": re.compile(r"ERR ([a-z0-9._-]{1,63}) (unsupported|failed) (.+)"),
    "LOG": re.compile(r"LOG (.+)"),
    "BYE": re.compile(r"BYE"),
    "PONG": re.compile(r"PONG"),
}


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def host_tsc_khz():
    """The host's TSC rate as its kernel measured it (dmesg), else /proc/cpuinfo's MHz."""
    try:
        log = subprocess.run(["dmesg"], capture_output=True, text=True).stdout
        m = re.search(r"tsc: (?:Refined TSC clocksource calibration|Detected): "
                      r"(\d+)\.(\d+) MHz", log)
        if m:
            return int(m.group(1)) * 1000 + int(m.group(2)[:3].ljust(3, "0"))
    except OSError:
        pass
    with open("/proc/cpuinfo") as f:
        m = re.search(r"cpu MHz\s*:\s*([\d.]+)", f.read())
    return int(float(m.group(1)) * 1000)


class Guest:
    def __init__(self, image, tsc_khz, cpu, verbose):
        cmd = ["qemu-system-x86_64", "-accel", "tcg", "-machine", "pc", "-nodefaults",
               "-no-user-config", "-display", "none", "-no-reboot", "-m", "64",
               "-kernel", image, "-serial", "stdio"]
        if tsc_khz:
            cmd += ["-append", f"vmbench.tsc_khz={tsc_khz}"]
        if cpu:
            cmd += ["-cpu", cpu]
        self.verbose = verbose
        self.logs = []
        self.buf = b""
        self.start = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def send(self, text, end="\n"):
        if self.verbose:
            print(f"> {text[:120]}", file=sys.stderr)
        self.proc.stdin.write((text + end).encode())
        self.proc.stdin.flush()

    def raw_line(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            check(left > 0, "timed out waiting for the guest")
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                check(chunk, "the guest's output ended")
                self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def recv(self, timeout=120):
        """The next line, parsed: (keyword, match). LOG lines are shown and skipped."""
        while True:
            raw = self.raw_line(timeout)
            check(len(raw) + 1 <= 4096, "a line longer than 4096 bytes")
            check(all(0x20 <= b <= 0x7e for b in raw), f"non-printable bytes: {raw[:80]!r}")
            line = raw.decode()
            if self.verbose:
                print(f"< {line[:160]}", file=sys.stderr)
            if line == HELLO:
                return "HELLO", None
            word = line.split(" ", 1)[0]
            check(word in PATTERNS, f"not a protocol line: {line[:80]!r}")
            m = PATTERNS[word].fullmatch(line)
            check(m, f"malformed {word} line: {line[:120]!r}")
            if word == "LOG":
                self.logs.append(m.group(1))
                continue
            return word, m

    def expect(self, word, timeout=120):
        got, m = self.recv(timeout)
        if got == "ERR":
            raise Fail(f"expected {word}, got ERR {m.group(1)} {m.group(2)} {m.group(3)}")
        check(got == word, f"expected {word}, got {got}")
        return m


def strict_number(text):
    """Plain decimals only: what json would take but the host must not see."""
    check(re.fullmatch(r"\d+(\.\d+)?", text), f"number {text!r} is not a plain decimal")
    return float(text) if "." in text else int(text)


def receive_data(g, workload, reps, iters, warmup, min_ns):
    chunks = []
    while True:
        word, m = g.recv()
        if word == "END":
            break
        check(word == "DATA", f"expected DATA or END, got {word}")
        chunks.append(m.group(1))
    text = "".join(chunks)
    check(int(m.group(1)) == len(text), "END bytes= differs from the DATA's length")
    obj = json.loads(text, parse_float=strict_number, parse_int=strict_number,
                     parse_constant=lambda c: check(False, f"constant {c} in data"))
    check(set(obj) == KEYS, f"keys {sorted(obj)}")
    check(obj["workload"] == workload and obj["unit"] == "ns/op", "workload or unit")
    check(obj["iters"] == iters, f"iters {obj['iters']} is not READY's {iters}")
    check(obj["warmup"] == warmup, "warmup")
    samples, ns, done = obj["samples"], obj["sample_ns"], obj["sample_iters"]
    check(len(samples) == len(ns) == len(done) == reps, "not reps samples")
    check(all(s > 0 for s in samples), f"a sample <= 0: {samples}")
    check(all(n >= min_ns for n in ns), f"a sample shorter than min_sample_ns: {ns}")
    check(all(d >= iters and isinstance(d, int) for d in done), "sample_iters")
    check(obj["ops"] == sum(done), "ops is not the sum of sample_iters")
    check(obj["loop_ns"] >= 0, "loop_ns < 0")
    for s, n, d in zip(samples, ns, done):
        # The value is the time per op less the loop: never more than the raw time (which
        # sample_ns gives to the ns below).
        check(s <= (n + 1) / d + 0.001, f"sample {s} above its raw {n / d}")
    x = obj["extra"]
    check(EXTRA_KEYS <= set(x), f"extra lacks {EXTRA_KEYS - set(x)}")
    check(x["ring"] == 0, "not ring 0")
    check(x["clock"] == "tsc", "clock")
    ref = x["ref"]
    check(set(ref) == {"tsc_ns", "pmtimer_ns"}, "ref keys")
    # Within 10%, where the phase is long enough for the PM timer's read cost (~1 us under
    # emulation) and its 279 ns ticks not to matter.
    if ref["pmtimer_ns"] >= 1000000:
        ratio = ref["tsc_ns"] / ref["pmtimer_ns"]
        check(0.9 <= ratio <= 1.1, f"TSC and PM timer disagree: {ref}")
    if workload == "trap.vmcall":
        check(x["outcome"] == "#UD", f"vmcall outcome {x['outcome']}")
    if workload == "trap.popf":
        check(x["if_changed"] is True, "popf did not change IF")
    if workload == "trap.cpuid":
        check({"hypervisor_bit", "hypervisor_vendor", "cpu_vendor"} <= set(x), "cpuid facts")
    return obj


def run_workload(g, w, reps, min_ns):
    g.send(f"RUN {w} reps={reps} warmup=1 min_sample_ns={min_ns} count=1")
    word, m = g.recv(600)
    if word == "ERR":
        check(m.group(1) == w, "ERR for another workload")
        return None, f"ERR {m.group(2)} {m.group(3)}"
    check(word == "READY" and m.group(1) == w, f"expected READY {w}, got {word}")
    iters = int(m.group(2))
    results = []
    for phase, (n, warmup) in enumerate([(reps, 1), (1, 0)]):
        if phase:
            m = g.expect("READY")
            check(m.group(1) == w and int(m.group(2)) == iters, "second READY differs")
        g.send("GO")
        check(g.expect("DONE", 600).group(1) == w, "DONE for another workload")
        g.send("ACK")
        results.append(receive_data(g, w, n, iters, warmup, min_ns))
    return results, None


def expect_err(g, request, workload, kind, reason_start, steps=()):
    """request, then (expected line, answer) steps, then the ERR."""
    g.send(request)
    for word, answer in steps:
        g.expect(word)
        g.send(answer)
    word, m = g.recv()
    check(word == "ERR", f"{request!r}: expected ERR, got {word}")
    check((m.group(1), m.group(2)) == (workload, kind) and m.group(3).startswith(reason_start),
          f"{request!r}: got ERR {m.group(1)} {m.group(2)} {m.group(3)}")


def protocol_checks(g):
    base = "reps=1 warmup=0 min_sample_ns=1000000"
    expect_err(g, f"RUN trap.nosuch {base}", "trap.nosuch", "unsupported",
               "not implemented by the nanoguest")
    expect_err(g, "RUN trap.cpuid reps=0 warmup=0 min_sample_ns=1000000", "trap.cpuid",
               "failed", "bad request: RUN field missing or out of range")
    expect_err(g, "RUN trap.cpuid warmup=0 min_sample_ns=1000000", "trap.cpuid", "failed",
               "bad request")
    expect_err(g, "RUN trap.cpuid reps=1 warmup=0 min_sample_ns=999", "trap.cpuid", "failed",
               "bad request")
    expect_err(g, f"RUN trap.none {base} extra_work=3", "trap.none", "failed",
               "extra work is not supported by the nanoguest")
    expect_err(g, f"RUN trap.none {base}", "trap.none", "failed", "expected GO",
               [("READY", "NOGO")])
    expect_err(g, f"RUN trap.none {base}", "trap.none", "failed", "expected ACK",
               [("READY", "GO"), ("DONE", "NACK")])
    # SKIP ends a count=1 RUN after its data; "\r\n" endings and fixed iters work.
    g.send(f"RUN trap.none {base} count=1 iters=1000", end="\r\n")
    check(g.expect("READY").group(2) == "1000", "iters= not kept")
    g.send("GO")
    g.expect("DONE")
    g.send("ACK")
    receive_data(g, "trap.none", 1, 1000, 0, 1000000)
    g.expect("READY")
    g.send("SKIP")
    g.send("PING")
    g.expect("PONG")
    g.send("FROB a b")
    g.send("x" * 5000)
    g.send(f"RUN trap.none {base} bytes=4096 disk=/dev/vdb")
    g.expect("READY")
    g.send("GO")
    g.expect("DONE")
    g.send("ACK")
    while g.recv()[0] != "END":
        pass
    check(any(s == "ignored unknown host command FROB" for s in g.logs), "unknown command")
    check(any("overlong" in s for s in g.logs), "overlong line not logged")


def quit_checks(args, khz):
    """QUIT where the guest waits for GO, then for ACK: BYE each time (a boot each)."""
    for steps in (["READY"], ["READY", "GO", "DONE"]):
        g = Guest(args.image, khz, args.cpu, args.verbose)
        try:
            check(g.recv(60)[0] == "HELLO", "first line is not HELLO")
            g.expect("CLOCK")
            g.send("RUN trap.none reps=1 warmup=0 min_sample_ns=1000000")
            for word in steps:
                if word == "GO":
                    g.send("GO")
                else:
                    g.expect(word)
            g.send("QUIT")
            check(g.recv()[0] == "BYE", f"QUIT after {steps[-1]} without BYE")
        finally:
            g.close()


def run_all(g, args):
    check(g.recv(60)[0] == "HELLO", "first line is not HELLO")
    hello_s = time.monotonic() - g.start
    m = g.expect("CLOCK")
    clock_s = time.monotonic() - g.start
    print(f"HELLO after {hello_s * 1000:.0f} ms, CLOCK after {clock_s * 1000:.0f} ms: "
          f"timer_res_ns={m.group(1)} clock_read_ns={m.group(2)} loop_ns={m.group(3)}")
    failures = 0
    x = {}
    for w in args.workloads.split(","):
        t = time.monotonic()
        try:
            res, err = run_workload(g, w, args.reps, args.min_sample_ns)
        except Fail as e:
            raise Fail(f"{w}: {e}")
        if err:
            ok = w in CPU_FEATURES and err.startswith("ERR unsupported the CPU has no")
            print(f"{'ok  ' if ok else 'FAIL'} {w:17} {err}")
            failures += not ok
            continue
        x = res[0]["extra"]
        own = {k: v for k, v in x.items() if k not in EXTRA_KEYS | {"pmtimer_port_source"}}
        print(f"ok   {w:17} {statistics.median(res[0]['samples']):10.3f} ns/op  "
              f"loop {res[0]['loop_ns']:.3f}  iters {res[0]['iters']:>9}  "
              f"ref {x['ref']['tsc_ns']}/{x['ref']['pmtimer_ns']} ns  "
              f"{time.monotonic() - t:5.1f} s  {json.dumps(own) if own else ''}")
    print(f"extra: tsc_khz={x.get('tsc_khz')} source={x.get('tsc_khz_source')} "
          f"pmtimer_port={x.get('pmtimer_port')} ({x.get('pmtimer_port_source')})")
    protocol_checks(g)
    print("ok   protocol: bad requests, unknown names, expected GO/ACK, SKIP, PING, LOGs")
    g.send("QUIT")
    check(g.recv()[0] == "BYE", "QUIT without BYE")
    print("ok   QUIT: BYE")
    for s in g.logs:
        print(f"LOG  {s}")
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("image")
    ap.add_argument("--tsc-khz", type=int, default=None, help="default: the host's")
    ap.add_argument("--no-tsc-khz", action="store_true", help="no -append: the guest calibrates")
    ap.add_argument("--cpu", help="QEMU -cpu model (default: QEMU's)")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--min-sample-ns", type=int, default=2000000)
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if not shutil.which("qemu-system-x86_64"):
        print("skipped: qemu-system-x86_64 is not installed (Debian: qemu-system-x86)")
        sys.exit(77)  # ctest's SKIP_RETURN_CODE

    khz = None if args.no_tsc_khz else (args.tsc_khz or host_tsc_khz())
    print(f"vmbench.tsc_khz={khz}" if khz else "no vmbench.tsc_khz: the guest calibrates")
    g = Guest(args.image, khz, args.cpu, args.verbose)
    try:
        failures = run_all(g, args)
        quit_checks(args, khz)
        print("ok   QUIT instead of GO, instead of ACK: BYE")
    except Fail as e:
        print(f"FAIL {e}")
        failures = 1
    finally:
        g.close()
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
