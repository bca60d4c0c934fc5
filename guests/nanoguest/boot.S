/*
 * From the multiboot loader to C in long mode, and the entry stubs of every exception
 * and interrupt the nanoguest handles.
 *
 * The loader (QEMU's -kernel) starts us in 32-bit protected mode without paging, with
 * EAX = the multiboot magic and EBX = the multiboot information. Long mode needs paging,
 * so we build page tables first: the first 4 GiB mapped onto themselves with 2 MiB pages
 * (4 page directories of 512 entries), the device area from 0xFE000000 uncached.
 */

#define MB_MAGIC	0x1BADB002
#define MB_FLAGS	0	/* an ELF image: the loader reads its segments */

#define PTE_P		0x01	/* present */
#define PTE_RW		0x02	/* writable */
#define PTE_PWT		0x08	/* write-through */
#define PTE_PCD		0x10	/* cache disabled: PCD|PWT is uncached with the default PAT */
#define PTE_PS		0x80	/* a 2 MiB page, not a page table */
#define MMIO_2M		(0xFE000000 >> 21)	/* first 2 MiB page of the device area */

#define CR0_PE		0x00000001
#define CR0_WP		0x00010000
#define CR0_PG		0x80000000
#define CR4_PAE		0x20
#define MSR_EFER	0xC0000080
#define EFER_LME	0x100

#define KERNEL_CS	0x08
#define KERNEL_DS	0x10

	/* The header the loader looks for in the first 8 KiB: first in the image. */
	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.code32
	.globl _start
_start:
	cli
	mov $boot_stack_top, %esp
	mov %eax, mb_magic
	mov %ebx, mb_info

	/* PML4 and PDPT: zero, then one entry and four entries. */
	mov $boot_pml4, %edi
	xor %eax, %eax
	mov $(2 * 4096 / 4), %ecx
	rep stosl
	movl $(boot_pdpt + PTE_P + PTE_RW), boot_pml4
	mov $boot_pdpt, %edi
	mov $(boot_pd + PTE_P + PTE_RW), %eax
	mov $4, %ecx
1:	mov %eax, (%edi)
	add $4096, %eax
	add $8, %edi
	loop 1b

	/* 2048 page directory entries: entry i maps i * 2 MiB onto itself. */
	mov $boot_pd, %edi
	xor %ebx, %ebx
2:	mov %ebx, %eax
	shl $21, %eax
	or $(PTE_P + PTE_RW + PTE_PS), %eax
	cmp $MMIO_2M, %ebx
	jb 3f
	or $(PTE_PCD + PTE_PWT), %eax
3:	mov %eax, (%edi)
	movl $0, 4(%edi)
	add $8, %edi
	inc %ebx
	cmp $2048, %ebx
	jb 2b

	/* PAE paging with EFER.LME set is long mode (IA-32e) once CR0.PG is on. */
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $(CR0_PG + CR0_WP + CR0_PE), %eax
	mov %eax, %cr0

	/* Still 32-bit code until CS holds a 64-bit code segment. */
	lgdt gdt_ptr
	ljmp $KERNEL_CS, $long_mode

	.code64
long_mode:
	mov $KERNEL_DS, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %ax, %fs
	mov %ax, %gs
	mov $boot_stack_top, %rsp
	mov mb_magic(%rip), %edi
	mov mb_info(%rip), %esi
	call kmain
	cli
4:	hlt
	jmp 4b

/*
 * Exception and interrupt entry. The CPU pushes SS, RSP, RFLAGS, CS, RIP (and for some
 * exceptions an error code); each stub makes the frame uniform (error code, vector) and
 * the common part saves the registers C may clobber, so that trap_dispatch (hw.c) sees a
 * struct trap_frame and may change the RIP to resume at.
 */
.macro ISR vec
	.globl isr_\vec
isr_\vec:
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	/* the CPU pushed an error code */
	.else
	pushq $0
	.endif
	pushq $\vec
	jmp isr_common
.endm

	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,64,255
	ISR \v
	.endr

isr_common:
	push %rax
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	mov %rsp, %rdi
	cld
	call trap_dispatch
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	add $16, %rsp		/* vector and error code */
	iretq

	.section .rodata
	.balign 8
	/* The 32 exception stubs, by vector, for the IDT. */
	.globl isr_exceptions
isr_exceptions:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad isr_\v
	.endr

	/* A flat 64-bit code segment and a data segment. */
	.balign 8
gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* code: present, DPL 0, L (64-bit) */
	.quad 0x00cf92000000ffff	/* data: present, writable */
gdt_end:
gdt_ptr:
	.word gdt_end - gdt - 1
	.quad gdt

	.data
	.balign 4
mb_magic:
	.long 0
mb_info:
	.long 0

	.bss
	.balign 4096
	.globl boot_pml4, boot_pdpt, boot_pd
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096
	.balign 16
boot_stack:
	.skip 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
