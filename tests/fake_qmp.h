/* A fake QMP monitor for unit tests without QEMU: a thread plays a script on one end of a
 * socketpair (greeting, replies, events, descriptors a command must bring) and records
 * what the client sent, for the test to check after fake_finish. */
#ifndef VMBENCH_TEST_FAKE_QMP_H
#define VMBENCH_TEST_FAKE_QMP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "host/qmp.h"

enum fake_op {
	F_END,
	F_SEND,	     /* text, with $ID the id of the last command read and $PREV the one before */
	F_SPLIT,     /* the same, a few bytes a write with pauses between */
	F_RECV,	     /* reads one command, which must be text and bring no descriptor */
	F_RECV_FD,   /* the same, but it must bring one (SCM_RIGHTS with its own bytes) */
	F_ANSWER,    /* answers command text with reply, n times; n 0: until the client sends
		      * another command (left for the next step) or closes */
	F_SLEEP,     /* n ms */
	F_HUGE,	     /* a reply to the last command longer than QMP_MAX_REPLY */
	F_CLOSE,     /* closes the socket */
	F_INTERRUPT, /* raise(SIGINT): the user's Ctrl-C, for a test that ran proc_signals_init */
};

struct fake_step {
	enum fake_op op;
	const char *text;
	const char *reply;
	int n;
};

#define SEND(t)                           \
	{                                 \
		.op = F_SEND, .text = (t) \
	}
#define SPLIT(t)                           \
	{                                  \
		.op = F_SPLIT, .text = (t) \
	}
#define RECV(t)                           \
	{                                 \
		.op = F_RECV, .text = (t) \
	}
#define RECV_FD(t)                           \
	{                                    \
		.op = F_RECV_FD, .text = (t) \
	}
#define ANSWER(t, r, count)                                             \
	{                                                               \
		.op = F_ANSWER, .text = (t), .reply = (r), .n = (count) \
	}
#define SLEEP(ms)                        \
	{                                \
		.op = F_SLEEP, .n = (ms) \
	}
#define HUGE                 \
	{                    \
		.op = F_HUGE \
	}
#define CLOSE                 \
	{                     \
		.op = F_CLOSE \
	}
#define INTERRUPT                 \
	{                         \
		.op = F_INTERRUPT \
	}
#define END                 \
	{                   \
		.op = F_END \
	}
#define GREETING    SEND("{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7}}, \"capabilities\": []}}")
#define NEGOTIATE   RECV("qmp_capabilities"), SEND("{\"return\": {}, \"id\": $ID}")
#define EVENT(name) "{\"event\": \"" name "\", \"data\": {}, \"timestamp\": {\"seconds\": 1}}"
#define OK_REPLY    "{\"return\": {}, \"id\": $ID}"

#define FAKE_MAX_CMDS 64

/* One command the client sent. */
struct fake_cmd {
	char name[64];
	json_int_t id;
	char args[512]; /* its arguments as compact JSON (cut short), "" without any */
	size_t bloblen; /* of arguments.blob, when there was one */
	bool fd;	/* a descriptor came with it: its file's identity */
	dev_t fd_dev;
	ino_t fd_ino;
};

struct fake {
	int fd;
	const struct fake_step *steps;
	pthread_t thread;
	char *in;
	size_t inlen, incap;
	int in_fd;	  /* received, not yet matched to its command's line (-1: none) */
	size_t in_fd_end; /* the offset in in just past the bytes it came with */
	bool closed;	  /* the client closed its end */
	bool held;	  /* F_ANSWER read a command of the next step's: next */
	struct fake_cmd next;
	/* What the client sent: */
	int ncmds;
	struct fake_cmd cmd[FAKE_MAX_CMDS];
	char error[256]; /* the first thing that went wrong on the fake's side */
};

/* A fake that has not started, with no socket yet (f->fd -1). */
void fake_init(struct fake *f, const struct fake_step *steps);
/* Starts the fake on one end of a socketpair; the other end in *client. */
void fake_start(struct fake *f, const struct fake_step *steps, int *client);
/* Plays f->steps on f->fd (a thread's body, for a fake on a socket of the test's own). */
void *fake_run(void *arg);
void fake_fail(struct fake *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Waits for the fake to play its script out; the client must have closed first when the
 * script ends reading. fake_join leaves f->error to the test, fake_finish asserts it is
 * empty. */
void fake_join(struct fake *f);
void fake_finish(struct fake *f);
/* A fake and a client that has negotiated with it. */
void fake_open_client(struct qmp *q, struct fake *f, const struct fake_step *steps);
/* How many of the commands the client sent were called name. */
int fake_count(const struct fake *f, const char *name);

#endif
