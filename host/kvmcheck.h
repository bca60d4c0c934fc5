/* The KVM capability probe: does /dev/kvm run guest code in hardware? */
#ifndef VMBENCH_KVMCHECK_H
#define VMBENCH_KVMCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "common/compiler.h"

/* A hardware-assisted host runs the probe's loop at billions of instructions per second;
 * a KVM that emulates guest code in software (nested without VMX/SVM) at about a million.
 * The line between them. */
#define KVMCHECK_MIN_RATE 50e6

struct kvmcheck {
	bool ran;	     /* the tiny guest ran to its hlt */
	double instructions; /* executed by the guest loop */
	double seconds;	     /* wall time of KVM_RUN */
	double rate;	     /* instructions per second */
	bool hardware;	     /* rate >= KVMCHECK_MIN_RATE */
	char reason[256];    /* why KVM is not usable, or the measurement in words */
};

/*
 * Runs a 16-bit real-mode loop of 2 x loops instructions in a fresh VM through the KVM API
 * and times it. 0 with *p filled (also when the rate is low), -errno with p->reason when
 * /dev/kvm cannot run a guest at all. The result is computed once per process.
 */
int kvmcheck_run(struct kvmcheck *p) __must_check;

#endif
