/* `vmbench doctor`: what can run here, and why not. */
#ifndef VMBENCH_DOCTOR_H
#define VMBENCH_DOCTOR_H

#include <stdio.h>

#include "backends/backend.h"

/* Prints the report to out. Returns the number of backends (not for tests) available. */
int doctor_report(FILE *out, const struct backend_cfg *cfg, const char *agent_note);

#endif
