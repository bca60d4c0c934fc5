/*
 * The workloads, one X-macro entry each: X(symbol). Each symbol names a
 * `const struct workload_ops workload_<symbol>` defined in a file of workloads/.
 * Order here is the order of reports.
 */
#define WORKLOAD_LIST(X)      \
	X(cpu_int)            \
	X(cpu_fp)             \
	X(cpu_callret)        \
	X(syscall_getppid)    \
	X(syscall_read)       \
	X(syscall_write)      \
	X(syscall_stat)       \
	X(syscall_fstat)      \
	X(syscall_openclose)  \
	X(signal_install)     \
	X(signal_handle)      \
	X(signal_protfault)   \
	X(proc_fork)          \
	X(proc_exec)          \
	X(proc_sh)            \
	X(ctx_pipe)           \
	X(ctx_pipe_64k)       \
	X(mem_pagefault)      \
	X(mem_mmap)           \
	X(mem_bw_copy)        \
	X(mem_bw_scale)       \
	X(mem_bw_add)         \
	X(mem_bw_triad)       \
	X(mem_lat)            \
	X(clock_gettime)      \
	X(clock_rdtsc)        \
	X(io_randread4k_qd1)  \
	X(io_randwrite4k_qd1) \
	X(io_randread4k_qd32) \
	X(io_seqread1m)       \
	X(io_seqwrite1m)      \
	X(trap_none)          \
	X(trap_callret)       \
	X(trap_cpuid)         \
	X(trap_nosys)         \
	X(trap_rdtscp)        \
	X(trap_rdpid)         \
	X(trap_xgetbv)        \
	X(trap_sgdt)          \
	X(trap_sidt)          \
	X(trap_smsw)          \
	X(trap_sldt)          \
	X(trap_str)           \
	X(trap_popf)          \
	X(trap_int3)          \
	X(trap_ud2)           \
	X(trap_pio_qemu)      \
	X(trap_pio_kernel)    \
	X(trap_mmio_hpet)     \
	X(trap_mmio_lapic)    \
	X(trap_rdmsr)         \
	X(trap_wrmsr)         \
	X(trap_vmcall)        \
	X(trap_hlt)           \
	X(trap_pagefault)     \
	X(trap_cr3)           \
	X(trap_invlpg)        \
	X(null)               \
	X(crash)              \
	X(mem_dirty)
