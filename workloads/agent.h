/*
 * vmbench-agent: the guest side of vmbench. It speaks the line protocol below on one
 * byte stream (stdin/stdout: pipes, a serial or virtio console, a container's stdio).
 *
 * The protocol, version 5 (VMB_PROTO_VERSION)
 * -------------------------------------------
 * Lines of printable ASCII ending in "\n"; a "\r" before the "\n" is dropped (serial
 * consoles add one). A line is at most VMB_MAX_LINE bytes with its newline. Fields are
 * separated by single spaces; named fields are key=value with no spaces in the value.
 * The host treats every guest line as untrusted: a line that starts with a keyword below
 * and does not parse is a protocol error; a line that starts with no keyword is console
 * noise (kernel messages on a shared serial line) and is ignored.
 *
 *   guest: HELLO vmbench-agent <version> proto=<n> kernel=<release> arch=<machine>
 *                tmp=<kind>
 *          The agent is up: its first line, so that a boot timed to HELLO is the
 *          backend's, not the agent's own clock checks. tmp is the kind of filesystem
 *          its file workloads use ("tmpfs"). Then
 *   guest: CLOCK timer_res_ns=<r> clock_read_ns=<c> loop_ns=<l>
 *          timer_res_ns is the smallest step seen between two CLOCK_MONOTONIC reads,
 *          clock_read_ns the cost of one read, loop_ns the cost of one iteration of an
 *          empty loop (a fact of the CPU; short operations subtract their own loop's
 *          cost, raw.loop_ns, timed in every RUN).
 *   host:  PING
 *   guest: PONG
 *          Whenever the agent waits for a command (where it takes RUN or QUIT), it
 *          answers PING with PONG and waits on: the host times a guest restored from a
 *          snapshot until its agent answers. Nowhere else: a PING in place of GO or ACK
 *          is answered as any other wrong line there.
 *   host:  MEM
 *   guest: MEM total=<bytes> limit=<bytes>|none
 *          Where PING is answered: the memory the guest sees, its kernel's MemTotal and
 *          its cgroup's memory limit (v2's memory.max, v1's memory.limit_in_bytes; none:
 *          no limit in sight), each at most 2^56. The host times a resize
 *          (lifecycle.resize) until these change.
 *   host:  RUN <workload> reps=<r> warmup=<w> min_sample_ns=<ns> [iters=<n>] [count=1]
 *              [bytes=<size>] [rate=<bytes per second>] [disk=<path>]
 *          Prepare <workload>: set it up, calibrate iters (unless given) so that one
 *          sample lasts at least min_sample_ns, run <w> warm-up samples and drop them.
 *          bytes is the problem size of a sized workload (workload.h, size), the same
 *          for every backend of a run; one that does not fit is an ERR, never shrunk.
 *          rate is a pace for a workload that keeps one (mem.dirty: bytes dirtied per
 *          second, 0 none, at most 2^40); other workloads ignore it.
 *   guest: READY <workload> iters=<n> sample_ns=<estimate>
 *          Calibrated and warm; nothing runs until GO. The host snapshots its probes.
 *   host:  GO
 *          The guest runs <r> samples of <n> operations each (topped up while a sample
 *          is shorter than min_sample_ns), timing each with CLOCK_MONOTONIC, and writes
 *          nothing while it measures.
 *   host:  STOP
 *          Ends the measured phase of a workload that runs until the host says so
 *          (mem.dirty, which lifecycle.migrate runs; it announces sample_ns=0 in READY
 *          and looks for STOP about every millisecond, without blocking);
 *          the host closing its stream ends it too, and the agent with it (BYE, as at any
 *          end of input within a RUN). Any other line while such a workload runs, QUIT
 *          included, is a protocol error: the workload stops and the agent says ERR
 *          <workload> failed expected STOP. STOP anywhere else is a wrong line there (an
 *          unknown command, or not GO, not ACK).
 *   guest: DONE <workload>
 *          The measured phase is over; the host snapshots its probes again and says
 *   host:  ACK
 *          (the guest writes nothing until then: what it would send, a serial console's
 *          device accesses under emulation, stays out of the probes' window). Then
 *   guest: DATA <chunk>
 *          one or more lines whose chunks concatenate to one JSON object:
 *          {"workload": name, "unit": unit, "iters": n (as in READY), "warmup": w,
 *           "ops": units of work in the whole measured phase,
 *           "samples": [r values in unit, loop cost subtracted where the workload says so],
 *           "sample_ns": [r elapsed times], "sample_iters": [r iteration counts: n, or
 *           more when a sample ran short of min_sample_ns and was topped up],
 *           "loop_ns": subtracted per iteration, "extra": {facts of the workload},
 *           "series": {"x_unit": u, "points": [{"x", "iters", "samples", "sample_ns",
 *           "sample_iters"}, ...]} for workloads measured over several points}
 *          sample_ns and sample_iters are empty for workloads that measure themselves
 *          (fio); extra and series are optional.
 *   guest: END bytes=<b>
 *          The object is complete and was <b> bytes long (at most VMB_MAX_DATA).
 *          With count=1 the counting sample follows, for the host's probes that would
 *          slow down the measured samples: the same set-up and iteration counts, no
 *          calibration or warm-up again. The guest says READY again (same fields), the
 *          host answers GO, and the guest measures one sample of every point (DONE,
 *          ACK, DATA with reps 1, END); or the host answers SKIP, and the RUN is over.
 *   guest: ERR <workload> unsupported|failed <reason text>
 *          Instead of READY or DONE: the workload cannot run here, or failed; or after
 *          DONE, when the host answered anything but ACK or QUIT.
 *   guest: LOG <text>
 *          A diagnostic, at any time but never while measuring. The host shows the
 *          first lines of a cell and counts the rest, each cut to a few hundred bytes;
 *          an ERR reason is cut the same way (harness/guestlog.h).
 *   host:  QUIT
 *   guest: BYE
 *          and the agent exits 0.
 */
#ifndef VMBENCH_AGENT_H
#define VMBENCH_AGENT_H

#include "common/compiler.h"

/* Serve the protocol on in_fd/out_fd until QUIT or end of input. 0 or -errno. */
int agent_serve(int in_fd, int out_fd) __must_check;

#endif
