/*
 * The KVM capability probe: a VM with one page of memory and one vCPU in real mode runs
 * "mov ecx, N; 1: dec ecx; jnz 1b; hlt" through the KVM API. On VT-x/AMD-V it takes
 * microseconds; where /dev/kvm emulates every instruction (a nested host without
 * VMX/SVM) it takes a second, and a Linux guest could not boot in useful time.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "host/kvmcheck.h"

#define LOOPS 100000u

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int probe(struct kvmcheck *p)
{
	int kvm = -1, vm = -1, vcpu = -1, ret;
	void *mem = MAP_FAILED;
	struct kvm_run *run = MAP_FAILED;
	long run_size = 0;
	const uint8_t code[] = {
		0x66,	     0xb9, LOOPS & 0xff, (LOOPS >> 8) & 0xff, (LOOPS >> 16) & 0xff,
		LOOPS >> 24, 0x66, 0x49, /* 6: dec ecx */
		0x75,	     0xfc,	 /* 8: jnz 6 */
		0xf4,			 /* 10: hlt */
	};

	memset(p, 0, sizeof(*p));
#define FAIL(...)                                                    \
	do {                                                         \
		ret = errno ? -errno : -EIO;                         \
		snprintf(p->reason, sizeof(p->reason), __VA_ARGS__); \
		goto out;                                            \
	} while (0)
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		FAIL("/dev/kvm: %s", strerror(errno));
	if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		FAIL("/dev/kvm speaks another API version");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		FAIL("KVM_CREATE_VM: %s", strerror(errno));
	mem = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		FAIL("mmap: %s", strerror(errno));
	memcpy(mem, code, sizeof(code));
	struct kvm_userspace_memory_region region = { .slot = 0,
						      .guest_phys_addr = 0,
						      .memory_size = 0x1000,
						      .userspace_addr = (uintptr_t)mem };
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		FAIL("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		FAIL("KVM_CREATE_VCPU: %s", strerror(errno));
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size <= 0)
		FAIL("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
	run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		FAIL("mmap of kvm_run: %s", strerror(errno));
	struct kvm_sregs sregs;
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		FAIL("KVM_GET_SREGS: %s", strerror(errno));
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		FAIL("KVM_SET_SREGS: %s", strerror(errno));
	struct kvm_regs regs = { .rip = 0, .rflags = 0x2 };
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		FAIL("KVM_SET_REGS: %s", strerror(errno));

	double t0 = now_s();
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			FAIL("KVM_RUN: %s", strerror(errno));
		}
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		errno = EIO;
		FAIL("the probe guest exited with KVM exit reason %u instead of hlt",
		     run->exit_reason);
	}
	p->seconds = now_s() - t0;
	p->ran = true;
	p->instructions = 2.0 * LOOPS + 2;
	p->rate = p->instructions / (p->seconds > 0 ? p->seconds : 1e-9);
	p->hardware = p->rate >= KVMCHECK_MIN_RATE;
	if (p->hardware)
		snprintf(p->reason, sizeof(p->reason),
			 "KVM runs guest code at %.0f million instructions/s (hardware-assisted)",
			 p->rate / 1e6);
	else
		snprintf(p->reason, sizeof(p->reason),
			 "KVM here runs guest code at %.2f million instructions/s, in software (a "
			 "VT-x/AMD-V host runs this probe at thousands of millions): a Linux guest "
			 "cannot boot in useful time; --force-kvm runs it anyway",
			 p->rate / 1e6);
	ret = 0;
out:
	if (run != MAP_FAILED)
		munmap(run, (size_t)run_size);
	if (mem != MAP_FAILED)
		munmap(mem, 0x1000);
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	if (kvm >= 0)
		close(kvm);
	return ret < 0 ? ret : 0;
#undef FAIL
}

int kvmcheck_run(struct kvmcheck *p)
{
	static struct kvmcheck cached;
	static int done, result;

	if (!done) {
		result = probe(&cached);
		done = 1;
	}
	*p = cached;
	return result;
}
