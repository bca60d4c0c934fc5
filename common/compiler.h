/* Compiler attributes shared by the harness and the agent. */
#ifndef VMBENCH_COMPILER_H
#define VMBENCH_COMPILER_H

#define __must_check   __attribute__((warn_unused_result))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a)  (sizeof(a) / sizeof((a)[0]))

#endif
