/*
 * The nanoguest: a multiboot kernel of a few instructions for tests of the KVM probes. It
 * writes 1000 times to an unassigned I/O port (each write a VM exit to QEMU on a
 * hardware-assisted host) and halts for good (one halt exit). It finishes here, where
 * KVM runs guest code in software and a Linux guest cannot boot.
 */
	.text
	.code32
	/* The multiboot header: first in the text, within the file's first 8 KiB. */
	.align 4
	.long 0x1BADB002                 /* magic */
	.long 0x00000000                 /* flags */
	.long -(0x1BADB002 + 0x00000000) /* checksum */

	.globl _start
_start:
	mov $1000, %ecx
	mov $0x500, %dx
1:	out %al, %dx
	dec %ecx
	jnz 1b
	cli
2:	hlt
	jmp 2b
