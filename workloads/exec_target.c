/*
 * vmbench-true: the tiny static program proc.exec and proc.sh execute. No C library: its
 * start-up is the kernel's exec path alone, the same in every backend.
 */
#if defined(__x86_64__)
__asm__(".globl _start\n"
	"_start:\n"
	"	mov $231, %eax\n" /* exit_group(0) */
	"	xor %edi, %edi\n"
	"	syscall\n"
	"	hlt\n");
#else
#error "vmbench-true is written for x86-64"
#endif
